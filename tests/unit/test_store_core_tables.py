"""The sync engine's Core tables (sync/store/core_tables.py) are the store's tables: each
has exactly its SQLModel model's columns: types, lengths, nullability, primary key and the
default an insert without the column writes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table

from sync.store import bookkeeping
from sync.store.core_tables import (
    QUARANTINE,
    RECORD_TABLES,
    STORE_CHANGES,
    SYNC_RUN_STREAMS,
    SYNC_RUNS,
    SYNC_STATE,
)
from sync.store.records import TABLES


def _shape(table: Table) -> list[tuple[Any, ...]]:
    def kind(column: Any) -> tuple[str, Any]:
        # SQLModel's AutoString is a String for the store's backends
        name = type(column.type).__name__.replace("AutoString", "String")
        return name, getattr(column.type, "length", None)

    def default(column: Any) -> Any:
        return column.default.arg if column.default is not None else None

    # in the models' order: the store's checks of a row report its first problem in it
    return [
        (c.name, *kind(c), c.nullable, c.primary_key, default(c), c.server_default)
        for c in table.columns
    ]


def test_each_record_kind_has_its_models_table() -> None:
    assert list(RECORD_TABLES) == list(TABLES)
    for kind, model in TABLES.items():
        table = model.__table__  # type: ignore[attr-defined]
        assert RECORD_TABLES[kind].name == table.name
        assert _shape(RECORD_TABLES[kind]) == _shape(table), kind


def test_the_bookkeeping_tables_are_the_models_tables() -> None:
    pairs = [
        (SYNC_STATE, bookkeeping.StreamStateRow),
        (SYNC_RUNS, bookkeeping.RunRow),
        (SYNC_RUN_STREAMS, bookkeeping.RunStreamRow),
        (QUARANTINE, bookkeeping.QuarantineRow),
        (STORE_CHANGES, bookkeeping.ChangeCounterRow),
    ]
    for core, model in pairs:
        table = model.__table__  # type: ignore[attr-defined]
        assert core.name == table.name
        assert _shape(core) == _shape(table), core.name
