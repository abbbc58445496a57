"""The store's side of a connector's link lookup (``connectors.core.contract.LinkedRecords``).

A connector asks which records it synced earlier link to records it has just learned are
gone (HubSpot hides an archived record's links without dating the change on the records
that pointed at it), so it re-reads those alone. The answer comes from the link columns
of the common records (``contact_id``, ``deal_id``...): read-only, this source's live
rows only.

The link columns have no index, and one run asks about the same kind many times (each
HubSpot engagement type, each type it links to), so the first question about a kind reads
the source's rows of it once (remote id, deleted flag and the fields asked about) and
later ones read only the rows written since, by the store's change number
(``sync.store.changes``): every answer is as of the moment it is asked.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Table, select

from sync.store.changes import last_change
from sync.store.records import TABLES

__all__ = ["StoredLinks"]


@dataclass
class _Kind:
    """One kind's rows of the source: remote id -> (is_deleted, *fields)."""

    fields: tuple[str, ...]
    upto: int  # every write numbered up to this is in ``rows``
    rows: dict[str, tuple[Any, ...]]


class StoredLinks:
    """``LinkedRecords`` over one source's rows in the store."""

    def __init__(self, engine: Engine, source: str) -> None:
        self.engine = engine
        self.source = source
        self._kinds: dict[str, _Kind] = {}

    def __call__(
        self,
        kind: str,
        to_kind: str,
        ids: Collection[str],
        match: Mapping[str, str] | None = None,
    ) -> dict[str, str]:
        model = TABLES.get(kind)
        if model is None or not ids:
            return {}
        table = model.__table__  # type: ignore[attr-defined]
        link = f"{to_kind}_id"
        needed = (link, *(match or {}))
        if any(name not in table.c for name in needed):
            return {}  # no such field: no record of this kind links so
        with self.engine.connect() as conn:
            rows = self._current(conn, kind, table, needed)
        at = {name: i for i, name in enumerate(rows.fields, start=1)}
        wanted = set(ids)
        checks = [(at[name], value) for name, value in (match or {}).items()]
        column = at[link]
        return {
            remote_id: row[column]
            for remote_id, row in rows.rows.items()
            if not row[0] and row[column] in wanted and all(row[i] == v for i, v in checks)
        }

    def _current(self, conn: Connection, kind: str, table: Table, needed: tuple[str, ...]) -> _Kind:
        cached = self._kinds.get(kind)
        upto = last_change(conn)  # read first: the rows read next include all up to it
        if cached is None or not set(needed) <= set(cached.fields):
            fields = tuple(sorted({*needed, *(cached.fields if cached else ())}))
            cached = self._kinds[kind] = _Kind(fields, upto, self._rows(conn, table, fields))
        elif upto > cached.upto:
            cached.rows.update(self._rows(conn, table, cached.fields, after=cached.upto))
            cached.upto = upto
        return cached

    def _rows(
        self, conn: Connection, table: Table, fields: tuple[str, ...], after: int | None = None
    ) -> dict[str, tuple[Any, ...]]:
        """The live rows, or every row written after change ``after`` (deleted or not)."""
        columns = [table.c.remote_id, table.c.is_deleted, *(table.c[f] for f in fields)]
        query = select(*columns).where(table.c.source == self.source)
        if after is None:
            query = query.where(table.c.is_deleted.is_(False))
        else:
            query = query.where(table.c.change_seq > after)
        return {str(r[0]): tuple(r[1:]) for r in conn.execute(query)}
