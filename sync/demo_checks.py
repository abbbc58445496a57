"""The demo's checks of its results against the sandbox's ground truth: identities found
by reconciliation (pairwise precision and recall), anonymous ids stitched to people
(precision and recall of the pairs), and credited revenue against won revenue (the won
deals and the paid orders, which the demo's configuration maps as deals).
The truth counts the synced sources only: a ground-truth file ``<name>.jsonl`` holds rows of
several CRMs (each row names its ``crm``), and a part of the company living in one CRM of its
own writes ``<crm>_<name>.jsonl`` beside it, read when that CRM is synced.

Only the demo reads the ground truth; the product never does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine

from sync.pipeline.steps import StepReport

__all__ = ["EVENTS_SOURCE", "TruthCheck", "truth_checks", "truth_rows"]

# The floors the reconciliation issue sets for people, organisations and employees.
PRECISION_FLOOR = 0.99
RECALL_FLOOR = 0.97
# The floors the digital touchpoints issue sets for stitching, and the demo's events source.
STITCH_PRECISION_FLOOR = 0.99
STITCH_RECALL_FLOOR = 0.95
EVENTS_SOURCE = "web"


@dataclass(frozen=True)
class TruthCheck:
    name: str
    expected: str
    found: str
    ok: bool


def truth_checks(
    engine: Engine, truth_dir: Path, steps: Sequence[StepReport], synced: Collection[str]
) -> list[TruthCheck]:
    ran = {s.step: s for s in steps if s.status == "succeeded"}
    checks: list[TruthCheck] = []
    if "reconcile" in ran:
        checks += _identities(engine, truth_dir, synced)
        if EVENTS_SOURCE in synced and (truth_dir / "event_devices.jsonl").exists():
            checks.append(_stitching(engine, truth_dir, synced))
    if "compute" in ran:
        checks += _revenue(truth_dir, ran["compute"], synced)
    return checks


def truth_rows(truth_dir: Path, name: str, synced: Collection[str]) -> Iterator[dict[str, Any]]:
    """Rows of the ground-truth file ``name`` about the synced CRMs, with those of each
    synced CRM's own ``<crm>_<name>.jsonl``."""
    paths = [truth_dir / f"{name}.jsonl"]
    paths += [truth_dir / f"{crm}_{name}.jsonl" for crm in sorted(synced)]
    for path in paths:
        yield from (row for row in _read(path) if row["crm"] in synced)


def _read(path: Path) -> Iterator[dict[str, Any]]:
    if path.exists():
        yield from (orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip())


def _identities(engine: Engine, truth_dir: Path, synced: Collection[str]) -> list[TruthCheck]:
    from sync.reconcile.evaluate import pairwise, truth_from_rows
    from sync.reconcile.persist import crosswalk

    truth = truth_from_rows(truth_rows(truth_dir, "identities", synced))
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


def _stitching(engine: Engine, truth_dir: Path, synced: Collection[str]) -> TruthCheck:
    """Pairs (anonymous id, person) stitched against those the truth has: a person who said
    who they were on a device and has a record in a synced CRM. A device is judged only
    where the synced CRMs can know who used it (see ``unseen``)."""
    from sqlalchemy import text

    from sync.reconcile.evaluate import truth_from_rows

    truth = truth_from_rows(truth_rows(truth_dir, "identities", synced))
    # People say who they are with an address or phone of one of their records in the
    # company's shared file (``identities.jsonl``): the event stream draws them from there.
    # Someone with such a record in a CRM not synced may have used a value only that record
    # holds (a miss no stitcher can avoid), or one that, seen from the synced CRMs alone,
    # is another person's (a shared phone: a link no stitcher can refuse). The devices they
    # identified on are left out, the stitched pairs as the true ones; every other device
    # is judged, one that never identified too. With every CRM of that file synced, no
    # device is left out.
    unseen = {
        row["identity"]
        for row in _read(truth_dir / "identities.jsonl")
        if row["kind"] == "person" and row["crm"] not in synced
    }
    devices = list(_read(truth_dir / "event_devices.jsonl"))
    excused = {d["anonymous_id"] for d in devices if unseen.intersection(d["identified"])}
    with engine.connect() as connection:
        links = connection.execute(text("SELECT anonymous_id, member FROM event_links")).all()
    stitched = {
        (anon, truth[member][1])
        for anon, member in links
        if member in truth and anon not in excused
    }
    known = {identity for kind, identity in truth.values() if kind == "person"}
    expected = set()
    for device in devices:
        if device["anonymous_id"] not in excused:
            anon = device["anonymous_id"]
            expected |= {(anon, p) for p in device["identified"] if p in known}
    right = len(stitched & expected)
    precision = right / len(stitched) if stitched else 0.0
    recall = right / len(expected) if expected else 1.0
    return TruthCheck(
        "anonymous ids stitched to people",
        f"{len(expected):,} true pairs; precision >= {STITCH_PRECISION_FLOOR}, "
        f"recall >= {STITCH_RECALL_FLOOR}",
        f"precision {precision:.4f}, recall {recall:.4f}",
        precision >= STITCH_PRECISION_FLOOR and recall >= STITCH_RECALL_FLOOR,
    )


def _revenue(truth_dir: Path, compute: StepReport, synced: Collection[str]) -> list[TruthCheck]:
    won: defaultdict[str, Decimal] = defaultdict(Decimal)
    for deal in truth_rows(truth_dir, "deals", synced):
        if deal["won"]:
            won[deal["currency"]] += Decimal(deal["amount"])
    for order in truth_rows(truth_dir, "orders", synced):  # the demo maps orders as deals
        if order["paid"]:
            won[order["currency"]] += Decimal(order["amount"])
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
