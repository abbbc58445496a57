"""The store's tables are declared once, as Core tables (sync/store/core_tables.py): the
SQLModel models are mapped onto those very tables, and a store migrated to the head has
exactly their schema."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, get_args, get_origin, get_type_hints

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Table

from connectors.core.records import RECORD_TYPES
from sync.store import bookkeeping, core_tables
from sync.store.core_tables import (
    QUARANTINE,
    RECORD_TABLES,
    STORE_CHANGES,
    SYNC_RUN_STREAMS,
    SYNC_RUNS,
    SYNC_STATE,
)
from sync.store.db import migrate, open_store
from sync.store.records import TABLES
from sync.store.table_model import TableModel, table_of
from sync.store.types import DecimalText, JsonDoc, UtcDateTime

MODELS: list[tuple[Table, Any]] = [
    *((RECORD_TABLES[kind], model) for kind, model in TABLES.items()),
    (SYNC_STATE, bookkeeping.StreamStateRow),
    (SYNC_RUNS, bookkeeping.RunRow),
    (SYNC_RUN_STREAMS, bookkeeping.RunStreamRow),
    (QUARANTINE, bookkeeping.QuarantineRow),
    (STORE_CHANGES, bookkeeping.ChangeCounterRow),
]


def test_each_model_is_mapped_onto_its_core_table() -> None:
    assert list(RECORD_TABLES) == list(TABLES)
    assert len(MODELS) == len(core_tables.metadata.tables) == 18
    for table, model in MODELS:
        assert model.__table__ is table  # (SQLModel leaves __table__ untyped)
        assert table_of(model) is table
        assert list(model.model_fields) == [column.key for column in table.columns]
        for column in table.columns:
            assert getattr(model, column.key).property.columns == [column]


def test_table_of_refuses_what_is_mapped_onto_no_table() -> None:
    with pytest.raises(TypeError, match="is not mapped onto a table"):
        table_of(TableModel)
    with pytest.raises(TypeError, match="is not mapped onto a table"):
        table_of("contacts")


def test_a_new_instance_has_the_default_an_insert_writes() -> None:
    for table, model in MODELS:
        for column in table.columns:
            if column.default is not None and not column.primary_key:
                field = model.model_fields[column.key]
                assert field.default == column.default.arg, (table.name, column.key)  # type: ignore[attr-defined]


def test_each_field_holds_its_columns_python_type() -> None:
    decorated: dict[type, type] = {DecimalText: Decimal, UtcDateTime: datetime}
    for table, model in MODELS:
        for column in table.columns:
            annotation = model.model_fields[column.key].annotation
            kinds = get_args(annotation) if isinstance(annotation, UnionType) else (annotation,)
            (kind,) = [k for k in kinds if k is not NoneType]
            if column.type is JsonDoc:
                assert get_origin(kind) in (dict, list), (table.name, column.key)
            else:
                expected = decorated.get(type(column.type)) or column.type.python_type
                assert kind is expected, (table.name, column.key)
            if not column.primary_key:  # a new row's id is None until the insert
                assert (NoneType in kinds) == column.nullable, (table.name, column.key)


def test_each_field_of_a_record_type_has_a_column_holding_its_type() -> None:
    renamed = {"deleted": "is_deleted", "deleted_at": "remote_deleted_at"}  # as pages.py
    assert set(RECORD_TYPES) == set(RECORD_TABLES)
    for kind, record_type in RECORD_TYPES.items():
        model = TABLES[kind]
        for name, hint in get_type_hints(record_type).items():
            if name == "kind":  # the ClassVar naming the type
                continue
            column = renamed.get(name, name)
            assert column in RECORD_TABLES[kind].c, (kind, name)
            assert model.model_fields[column].annotation == hint, (kind, name)


def test_a_model_whose_fields_are_not_its_tables_columns_is_refused() -> None:
    with pytest.raises(TypeError, match="are not store_changes's columns"):

        class _Counter(TableModel, table=True):
            __tablename__ = "store_changes"
            id: int = 1
            last: int = 0


def test_a_store_migrated_to_the_head_has_the_declared_tables(tmp_path: Path) -> None:
    declared = set(core_tables.metadata.tables)

    def ours(name: str | None, kind: str, parents: Any) -> bool:
        # the store's other tables are the other models' (not reflected: sqlite cannot
        # reflect some of their indexes)
        return kind != "table" or name in declared

    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}", migrate_schema=False)
    try:
        migrate(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_name": ours})
            assert compare_metadata(context, core_tables.metadata) == []
    finally:
        engine.dispose()
