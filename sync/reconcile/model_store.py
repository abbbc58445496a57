"""Trained models in the store: saved with their version, the newest of a kind in use.

A body is crmsync's own model (``learn.Model``) or a Splink model (``splink_engine``, whose
body holds Splink's settings JSON), told apart by its ``engine``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select

from sync.reconcile.learn import Model
from sync.reconcile.splink_engine import ENGINE, SplinkModel
from sync.store.identities import ReconcileModelRow, ReconcileRunRow
from sync.store.table_model import table_of

__all__ = ["MODELS", "AnyModel", "latest_model", "model_from_body", "models_of_runs", "save_model"]

MODELS = table_of(ReconcileModelRow)
_RUNS = table_of(ReconcileRunRow)
AnyModel = Model | SplinkModel


def model_from_body(body: Mapping[str, Any], version: str = "") -> AnyModel:
    """The model a stored body describes."""
    if body.get("engine") == ENGINE:
        return SplinkModel.from_body(body, version)
    return Model.from_body(body, version)


def latest_model(connection: Connection, kind: str) -> AnyModel | None:
    """The model runs score ``kind`` with: the newest trained, or None."""
    query = (
        select(MODELS.c.body, MODELS.c.version)
        .where(MODELS.c.kind == kind)
        .order_by(MODELS.c.id.desc())
        .limit(1)
    )
    row = connection.execute(query).first()
    return model_from_body(row[0], row[1]) if row is not None else None


def save_model(connection: Connection, model: AnyModel) -> None:
    """Keep ``model``; from now on it is the one in use for its kind."""
    connection.execute(
        MODELS.insert().values(
            kind=model.kind, version=model.version, trained_at=model.trained_at, body=model.body()
        )
    )


def models_of_runs(connection: Connection, kind: str, run_ids: set[int]) -> dict[int, AnyModel]:
    """run id -> the model that scored ``kind`` in that run (runs without one are left out)."""
    if not run_ids:
        return {}
    versions: dict[int, str] = {}
    for run_id, stats in connection.execute(
        select(_RUNS.c.id, _RUNS.c.stats).where(_RUNS.c.id.in_(sorted(run_ids)))
    ):
        version = ((stats or {}).get("kinds", {}).get(kind) or {}).get("model")
        if version:
            versions[run_id] = version
    bodies = {
        version: body
        for version, body in connection.execute(
            select(MODELS.c.version, MODELS.c.body).where(
                MODELS.c.kind == kind, MODELS.c.version.in_(sorted(set(versions.values())))
            )
        )
    }
    return {r: model_from_body(bodies[v], v) for r, v in versions.items() if v in bodies}
