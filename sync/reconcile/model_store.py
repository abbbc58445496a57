"""Trained models in the store: saved with their version, the newest of a kind in use."""

from __future__ import annotations

from sqlalchemy import Connection, select

from sync.reconcile.learn import Model
from sync.store.identities import ReconcileModelRow, ReconcileRunRow

__all__ = ["MODELS", "latest_model", "models_of_runs", "save_model"]

MODELS = ReconcileModelRow.__table__  # type: ignore[attr-defined]
_RUNS = ReconcileRunRow.__table__  # type: ignore[attr-defined]


def latest_model(connection: Connection, kind: str) -> Model | None:
    """The model runs score ``kind`` with: the newest trained, or None."""
    query = (
        select(MODELS.c.body, MODELS.c.version)
        .where(MODELS.c.kind == kind)
        .order_by(MODELS.c.id.desc())
        .limit(1)
    )
    row = connection.execute(query).first()
    return Model.from_body(row[0], row[1]) if row is not None else None


def save_model(connection: Connection, model: Model) -> None:
    """Keep ``model``; from now on it is the one in use for its kind."""
    connection.execute(
        MODELS.insert().values(
            kind=model.kind, version=model.version, trained_at=model.trained_at, body=model.body()
        )
    )


def models_of_runs(connection: Connection, kind: str, run_ids: set[int]) -> dict[int, Model]:
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
    return {r: Model.from_body(bodies[v], v) for r, v in versions.items() if v in bodies}
