"""The demo's checks of its results against the sandbox's ground truth: identities found
by reconciliation (pairwise precision and recall) and credited revenue against won revenue.

Only the demo reads the ground truth; the product never does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import orjson
from sqlalchemy import Engine

from sync.pipeline.steps import StepReport

__all__ = ["TruthCheck", "truth_checks"]

# The floors the reconciliation issue sets for people, organisations and employees.
PRECISION_FLOOR = 0.99
RECALL_FLOOR = 0.97


@dataclass(frozen=True)
class TruthCheck:
    name: str
    expected: str
    found: str
    ok: bool


def truth_checks(engine: Engine, truth_dir: Path, steps: Sequence[StepReport]) -> list[TruthCheck]:
    ran = {s.step: s for s in steps if s.status == "succeeded"}
    checks: list[TruthCheck] = []
    if "reconcile" in ran:
        checks += _identities(engine, truth_dir)
    if "compute" in ran:
        checks += _revenue(truth_dir, ran["compute"])
    return checks


def _identities(engine: Engine, truth_dir: Path) -> list[TruthCheck]:
    from sync.reconcile.evaluate import load_truth, pairwise
    from sync.reconcile.persist import crosswalk

    truth = load_truth(truth_dir / "identities.jsonl")
    checks = []
    with engine.connect() as connection:
        for kind in ("person", "organisation", "employee"):
            score = pairwise(truth, crosswalk(connection, kind), kind)
            identities = len({identity for k, identity in truth.values() if k == kind})
            ok = score.precision >= PRECISION_FLOOR and score.recall >= RECALL_FLOOR
            checks.append(
                TruthCheck(
                    f"{kind} identities (pairwise)",
                    f"{identities:,} true identities; precision >= {PRECISION_FLOOR}, "
                    f"recall >= {RECALL_FLOOR}",
                    f"precision {score.precision:.4f}, recall {score.recall:.4f}",
                    ok,
                )
            )
    return checks


def _revenue(truth_dir: Path, compute: StepReport) -> list[TruthCheck]:
    won: defaultdict[str, Decimal] = defaultdict(Decimal)
    for line in (truth_dir / "deals.jsonl").read_bytes().splitlines():
        if line.strip():
            deal = orjson.loads(line)
            if deal["won"]:
                won[deal["currency"]] += Decimal(deal["amount"])
    credited = {k: Decimal(v) for k, v in compute.summary.get("credited_revenue", {}).items()}
    expected = {k: won[k] for k in sorted(won)}
    return [
        TruthCheck(
            "credited revenue = won revenue",
            _money(expected),
            _money(credited),
            credited == expected,
        )
    ]


def _money(totals: dict[str, Decimal]) -> str:
    return ", ".join(f"{currency} {amount:,.2f}" for currency, amount in sorted(totals.items()))
