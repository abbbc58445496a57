"""A reviewer's decision on two records, the same from ``crmsync reconcile link|unlink``
and from the identity review page of ``crmsync serve``: kept for every later run, and
applied at once by an incremental run over the two records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from sync.config.reconcile import ReconcileConfig
from sync.store.record_key import RecordKey

__all__ = ["DecisionRefused", "decide"]


class DecisionRefused(ValueError):
    """The two records cannot be decided on (the same record, or of different kinds)."""


def _family(key: str) -> str:
    table = key.split(":")[1]
    return table if table in ("users", "accounts") else "people"


def decide(
    engine: Engine,
    config: ReconcileConfig,
    action: str,
    a_key: str,
    b_key: str,
    note: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Save ``action`` (link or unlink) on two record keys and re-run reconcile on them;
    the identities each record has afterwards."""
    from sync.reconcile.persist import save_decision
    from sync.reconcile.reconciling import reconcile
    from sync.store.view.identity_map import load_identity_map

    if action not in ("link", "unlink"):
        raise DecisionRefused(f"unknown decision {action!r}: link or unlink")
    if a_key == b_key:
        raise DecisionRefused("give two different records")
    if _family(a_key) != _family(b_key):
        raise DecisionRefused(
            "both records must be of one kind (people, organisations or employees)"
        )
    with engine.begin() as connection:
        save_decision(connection, action, a_key, b_key, note, now)
    report = reconcile(engine, config, now, "auto", touched=[a_key, b_key])
    identities = load_identity_map(engine)
    return {
        "action": action,
        "a": a_key,
        "b": b_key,
        "a_identity": identities.identity_of(*RecordKey.parse(a_key)),
        "b_identity": identities.identity_of(*RecordKey.parse(b_key)),
        "run_id": report.run_id,
    }
