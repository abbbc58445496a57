"""Whether a reconcile run goes in full or takes in only what changed."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from sync.config.reconcile import ReconcileConfig
from sync.reconcile.blocking import BLOCKING_SCHEME
from sync.reconcile.entities import KIND_TABLES
from sync.reconcile.model_store import latest_model
from sync.reconcile.persist import RUNS, last_blocking_scheme, last_watermark
from sync.reconcile.splink_engine import SplinkModel
from sync.store.view.live_rows import store_table

__all__ = ["run_mode"]


def run_mode(connection: Connection, config: ReconcileConfig, asked: str) -> str:
    """``asked`` (full, incremental or auto: incremental once a full run exists) as the run
    can go: in full where an increment would not give a full run's result."""
    if asked == "full":
        return "full"
    if last_watermark(connection) is None:
        return "full"
    if last_blocking_scheme(connection) != BLOCKING_SCHEME:
        return "full"  # the stored keys were made otherwise: new records would miss them
    if _first_training_due(connection, config):
        # A full run trains the people's model once they are enough; an increment scores
        # with what it finds, the hand-set weights: a full run's result needs the model.
        return "full"
    return "incremental"


def _first_training_due(connection: Connection, config: ReconcileConfig) -> bool:
    """No model yet, the last full run had too few people to train one, and the store
    now has enough (a full run that tried and learned nothing is not tried again here)."""
    splink = config.person_engine() == "splink"
    if not (config.learning.enabled or splink):
        return False
    model = latest_model(connection, "person")
    if model is not None and isinstance(model, SplinkModel) == splink:
        return False
    query = (
        select(RUNS.c.stats)
        .where(RUNS.c.finished_at.is_not(None), RUNS.c.mode == "full")
        .order_by(RUNS.c.id.desc())
        .limit(1)
    )
    stats = connection.execute(query).scalar_one_or_none() or {}
    tried = stats.get("kinds", {}).get("person", {}).get("records", 0)
    if tried >= config.learning.min_records:
        return False
    people = 0
    for table in KIND_TABLES["person"]:
        found = store_table(table)
        query = select(func.count()).select_from(found).where(found.c.is_deleted.is_(False))
        people += connection.execute(query).scalar_one()
    return people >= config.learning.min_records
