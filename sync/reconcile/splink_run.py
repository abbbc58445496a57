"""People through the Splink engine in a reconcile run: train, score, resolve.

A full run scores on the backend ``reconcile.splink.backend`` chooses (DuckDB in process,
the store's PostgreSQL, Spark: ``splink_backend.py``); training, and an incremental run's
small stage, run in DuckDB in process.

The scored pairs go into the same resolution as the native engine's (``resolve.py``):
best links across CRMs, must-links from conversions and merges, admin link and unlink,
guarded clustering, the review band, golden records.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import Connection

from sync.config.reconcile import ReconcileConfig
from sync.reconcile.entities import Entity
from sync.reconcile.model_store import AnyModel, save_model
from sync.reconcile.resolve import Decision, KindResult, resolve_kind, thresholds_for
from sync.reconcile.splink_backend import choose_backend
from sync.reconcile.splink_engine import SplinkModel, SplinkScores, score_entities, train_splink

__all__ = ["admin_links", "splink_full", "splink_linked"]

KIND = "person"


def admin_links(decisions: Sequence[Decision]) -> list[tuple[str, str]]:
    """The record pairs an admin linked."""
    return [(d.a_key, d.b_key) for d in decisions if d.action == "link"]


def splink_full(
    connection: Connection,
    entities: list[Entity],
    config: ReconcileConfig,
    decisions: list[Decision],
    model: AnyModel | None,
    now: datetime,
    say: Callable[[str], None],
) -> tuple[KindResult, SplinkModel | None, float | None]:
    """A full run's people: trained first when no Splink model is stored and there are
    enough people (fewer: the native engine's hand-set weights). Returns the result, the
    model that scored it and the seconds spent training (None when it did not train)."""
    found = model if isinstance(model, SplinkModel) else None
    trained = None
    if found is None and len(entities) >= max(2, config.learning.min_records):
        say(f"{KIND}: training a Splink model on {len(entities)} records")
        found = train_splink(KIND, entities, now, config.learning.seed, config.max_key_records)
        trained = found.seconds
    if found is None:
        return resolve_kind(KIND, entities, config, decisions), None, None
    splink = config.splink
    backend = choose_backend(splink.backend, connection.engine.url, splink.spark_master)
    say(f"{KIND}: scoring {len(entities)} records with Splink on {backend.name}")
    review = thresholds_for(KIND, config, found).review
    links = admin_links(decisions)
    scores = score_entities(found, entities, review, links, config.max_key_records, backend=backend)
    if not found.scores:
        # The match threshold is read off the first run's scores, kept with the model.
        found = found.with_scores(s for s, _, _ in scores.pairs.values())
        save_model(connection, found)
    say(f"{KIND}: resolving {len(scores.pairs)} scored pairs")
    result = resolve_kind(KIND, entities, config, decisions, model=found, prescored=scores)
    return result, found, trained


def splink_linked(
    stage: list[Entity],
    changed: int,
    config: ReconcileConfig,
    decisions: Sequence[Decision],
    model: SplinkModel,
    links: Sequence[tuple[str, str]],
) -> tuple[set[str], SplinkScores]:
    """An incremental run's first stage: the keys of the records that score into the review
    band with one of the first ``changed`` of ``stage``, or name one of them as evidence or
    in an admin decision; and the pairs touching them, scored (in DuckDB in process,
    whatever the backend: the stage is the changed records and those sharing a key with
    them)."""
    new = {e.key for e in stage[:changed]}
    review = thresholds_for(KIND, config, model).review
    scores = score_entities(
        model, stage, review, links, config.max_key_records, only=set(range(changed))
    )
    linked: set[str] = set()
    for (i, j), (score, _, _) in scores.pairs.items():
        if score >= review:
            linked.update((stage[i].key, stage[j].key))
    linked.update(e.key for e in stage[changed:] if new.intersection(e.must))
    for decision in decisions:
        if decision.a_key in new or decision.b_key in new:
            linked.update((decision.a_key, decision.b_key))
    return linked - new, scores
