"""The store's side of a connector's link lookup (``connectors.core.contract.LinkedRecords``).

A connector asks which records it synced earlier link to records it has just learned are
gone (HubSpot hides an archived record's links without dating the change on the records
that pointed at it), so it re-reads those alone. The answer comes from the link columns
of the common records (``contact_id``, ``deal_id``...): read-only, this source's live
rows only. It reads the sync engine's Core tables (``core_tables``), not the SQLModel
models, so a sync run does not load them. The link columns have no index (four more on the
activities cost a full sync 7% more CPU): a question reads the source's rows of the kind,
so ``any_of`` asks about several link columns in one read.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import Engine, or_, select

from sync.store.core_tables import RECORD_TABLES

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
        return self.any_of(kind, {to_kind: ids}, match).get(to_kind, {})

    def any_of(
        self,
        kind: str,
        wanted: Mapping[str, Collection[str]],
        match: Mapping[str, str] | None = None,
    ) -> dict[str, dict[str, str]]:
        table = RECORD_TABLES.get(kind)
        if table is None:
            return {}
        columns = {
            to_kind: (table.c[f"{to_kind}_id"], sorted(set(ids)))
            for to_kind, ids in wanted.items()
            if ids and f"{to_kind}_id" in table.c
        }
        where = [table.c.source == self.source, table.c.is_deleted.is_(False)]
        for name, value in (match or {}).items():
            if name not in table.c:
                return {}  # no such field: no record of this kind matches
            where.append(table.c[name] == value)
        found: dict[str, dict[str, str]] = {to_kind: {} for to_kind in columns}
        if not columns:
            return found
        size = max(1, _CHUNK // len(columns))  # ids per column in one query
        rounds = max(-(-len(ids) // size) for _, ids in columns.values())
        picked = [column for column, _ in columns.values()]
        with self.engine.connect() as conn:
            for step in range(rounds):
                part = {k: ids[step * size : (step + 1) * size] for k, (_, ids) in columns.items()}
                query = select(table.c.remote_id, *picked).where(
                    *where, or_(*(columns[k][0].in_(ids) for k, ids in part.items() if ids))
                )
                asked = [(k, set(ids)) for k, ids in part.items()]
                for row in conn.execute(query):
                    for index, (to_kind, ids) in enumerate(asked):
                        value = row[index + 1]
                        if value is not None and value in ids:
                            found[to_kind][str(row[0])] = str(value)
        return found
