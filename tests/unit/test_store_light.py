"""The light Core handles of ``sync/store/light.py`` match the SQLModel tables they read."""

from __future__ import annotations

import pytest
from sqlalchemy.sql.expression import TableClause

from sync.store import light
from sync.store.bookkeeping import SQLModel
from sync.store.daemon_jobs import DaemonJobRow

assert DaemonJobRow  # imported for its table in SQLModel.metadata


def _kind(column_type: object) -> str:
    # SQLModel's AutoString is a plain string column (its length comes from max_length).
    name = type(column_type).__name__
    return "String" if name == "AutoString" else name


@pytest.mark.parametrize("name", light.__all__)
def test_each_column_is_the_tables_own_with_its_type(name: str) -> None:
    handle: TableClause = getattr(light, name)
    model = SQLModel.metadata.tables[handle.name]
    assert [c.name for c in handle.columns if c.name not in model.c] == []
    assert [
        (c.name, _kind(c.type), _kind(model.c[c.name].type))
        for c in handle.columns
        if _kind(c.type) != _kind(model.c[c.name].type)
    ] == []
