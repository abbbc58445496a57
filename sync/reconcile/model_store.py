"""Trained models in the store: saved with their version, the newest of a kind in use."""

from __future__ import annotations

from sqlalchemy import Connection, select

from sync.reconcile.learn import Model
from sync.store.identities import ReconcileModelRow

__all__ = ["MODELS", "latest_model", "save_model"]

MODELS = ReconcileModelRow.__table__  # type: ignore[attr-defined]


def latest_model(connection: Connection, kind: str) -> Model | None:
    """The model runs score ``kind`` with: the newest trained, or None."""
    query = select(MODELS.c.body).where(MODELS.c.kind == kind).order_by(MODELS.c.id.desc()).limit(1)
    body = connection.execute(query).scalar_one_or_none()
    return Model.from_body(body) if body is not None else None


def save_model(connection: Connection, model: Model) -> None:
    """Keep ``model``; from now on it is the one in use for its kind."""
    connection.execute(
        MODELS.insert().values(
            kind=model.kind, version=model.version, trained_at=model.trained_at, body=model.body()
        )
    )
