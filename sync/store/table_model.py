"""SQLModel classes mapped onto the store's Core tables (``sync/store/core_tables.py``).

A table's columns (types, lengths, nullability, keys, indexes, constraints and the default an
insert without the column writes) are declared once, in ``core_tables``, which the sync
engine uses without SQLModel or the ORM. A model on a ``TableModel`` base with ``table=True``
is mapped onto the Core table its ``__tablename__`` names: that very ``Table`` is its
``__table__``, and its fields give the Python side only (the type a value has, the default
a new instance gets). SQLModel would build a new column from each field; such a model is
given the table's own columns instead, and fails at import if its fields are not exactly
the table's columns, in the table's order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlmodel import SQLModel
from sqlmodel.main import SQLModelMetaclass

from sync.store.core_tables import metadata

__all__ = ["TableModel", "table_of"]


def table_of(model: object) -> Table:
    """The Core table a SQLModel table class is mapped onto (its ``__table__``, which
    SQLModel's types do not declare)."""
    table = getattr(model, "__table__", None)
    if not isinstance(table, Table):
        raise TypeError(f"{model!r} is not mapped onto a table")
    return table


class _OnCoreTable(SQLModelMetaclass):
    def __new__(
        mcs,
        name: str,
        bases: tuple[type[Any], ...],
        class_dict: dict[str, Any],
        **kwargs: Any,
    ) -> Any:
        if not kwargs.get("table"):
            return super().__new__(mcs, name, bases, class_dict, **kwargs)
        table = metadata.tables[class_dict["__tablename__"]]
        # Without table=True SQLModel builds no columns of its own; the table's are set below
        # as SQLModel sets the ones it builds, and declarative mapping then finds them in
        # ``__table__``.
        kwargs.pop("table")
        class_dict = {**class_dict, "__table__": table}
        cls = super().__new__(mcs, name, bases, class_dict, **kwargs)
        fields = list(cls.model_fields)
        columns = [column.key for column in table.columns]
        if fields != columns:
            raise TypeError(f"{name}'s fields {fields} are not {table.name}'s columns {columns}")
        cls.model_config["table"] = True
        cls.model_config["read_from_attributes"] = True
        cls.model_config["read_with_orm_mode"] = True
        for column in table.columns:
            setattr(cls, column.key, column)
        return cls


class TableModel(SQLModel, metaclass=_OnCoreTable):
    """A store model mapped onto the ``core_tables`` table its ``__tablename__`` names."""
