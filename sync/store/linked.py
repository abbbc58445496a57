"""The store's side of a connector's link lookup (``connectors.core.contract.LinkedRecords``).

A connector asks which records it synced earlier link to records it has just learned are
gone (HubSpot hides an archived record's links without dating the change on the records
that pointed at it), so it re-reads those alone. The answer comes from the link columns
of the common records (``contact_id``, ``deal_id``...): read-only, this source's live
rows only.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import Engine, select

from sync.store.records import TABLES

__all__ = ["StoredLinks"]

_CHUNK = 500  # ids per query: well under SQLite's bound-parameter limit


class StoredLinks:
    """``LinkedRecords`` over one source's rows in the store."""

    def __init__(self, engine: Engine, source: str) -> None:
        self.engine = engine
        self.source = source

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
        column = table.c.get(f"{to_kind}_id")
        if column is None:
            return {}
        where = [table.c.source == self.source, table.c.is_deleted.is_(False)]
        for name, value in (match or {}).items():
            if name not in table.c:
                return {}  # no such field: no record of this kind matches
            where.append(table.c[name] == value)
        wanted = sorted(set(ids))
        found: dict[str, str] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), _CHUNK):
                query = select(table.c.remote_id, column).where(
                    *where, column.in_(wanted[start : start + _CHUNK])
                )
                found.update((str(r[0]), str(r[1])) for r in conn.execute(query))
        return found
