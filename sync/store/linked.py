"""The store's side of a connector's link lookup (``connectors.core.contract.LinkedRecords``).

A connector asks which records it synced earlier link to records it has just learned are
gone (HubSpot hides an archived record's links without dating the change on the records
that pointed at it), so it re-reads those alone. The answer comes from the link columns
of the common records (``contact_id``, ``deal_id``...): read-only, this source's live
rows only. It reads the pull's Core tables (``core_tables``), not the SQLModel
models, so a sync run does not load them.

The link columns have no index (four more on the activities cost a full sync 7% more CPU):
a question reads every row of the source's kind, about 15-30 ms for HubSpot's activities
at medium scale. So the lookup, one per source run, keeps what a read found: the rows
linking to the ids asked, with the columns the question filtered on (``match``), but
not filtered by them. HubSpot asks the same of its five engagement types, which share the
activities table, one type after the other; the later questions are answered from the
kept rows. The rows written since (by the streams in between) are found by their change
number (``change_seq``, indexed: see ``sync.store.changes``) and read again, so every
answer is as of its question.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Connection, Engine, Table, or_, select

from sync.store.changes import last_change
from sync.store.core_tables import RECORD_TABLES

__all__ = ["StoredLinks"]

_CHUNK = 500  # ids per query: well under SQLite's bound-parameter limit


@dataclass
class _Kept:
    """The live rows of one kind that link to an id in ``asked`` (per to-kind), as of
    change ``seen``: remote id -> the values of its ``links`` columns, then of ``matched``."""

    links: tuple[str, ...]  # to-kinds, in the order of their columns
    matched: tuple[str, ...]  # column names the questions filtered on
    asked: dict[str, frozenset[str]]
    seen: int
    rows: dict[str, tuple[object, ...]] = field(default_factory=dict)

    def covers(
        self, links: tuple[str, ...], matched: tuple[str, ...], asked: Mapping[str, frozenset[str]]
    ) -> bool:
        """True if a question of this shape about these ids can be answered from here."""
        return (
            links == self.links
            and matched == self.matched
            and all(ids <= self.asked[k] for k, ids in asked.items())
        )

    def keep(self, remote_id: str, values: tuple[object, ...]) -> None:
        """Keep a live row if it links to an id asked about, else forget it."""
        links = zip(self.links, values[: len(self.links)], strict=True)
        if any(v is not None and v in self.asked[k] for k, v in links):
            self.rows[remote_id] = values
        else:
            self.rows.pop(remote_id, None)


class StoredLinks:
    """``LinkedRecords`` over one source's rows in the store (one per source run)."""

    def __init__(self, engine: Engine, source: str) -> None:
        self.engine = engine
        self.source = source
        self._kept: dict[str, _Kept] = {}

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
        asked = {
            to_kind: frozenset(ids)
            for to_kind, ids in sorted(wanted.items())
            if ids and f"{to_kind}_id" in table.c
        }
        match = dict(sorted((match or {}).items()))
        if any(name not in table.c for name in match):
            return {}  # no such field: no record of this kind matches
        if not asked:
            return {}
        links, matched = tuple(asked), tuple(match)
        with self.engine.connect() as conn:
            kept = self._kept.get(kind)
            if kept is not None and kept.covers(links, matched, asked):
                self._refresh(conn, table, kept)
            else:
                kept = self._kept[kind] = self._read(conn, table, links, matched, asked)
        found: dict[str, dict[str, str]] = {to_kind: {} for to_kind in links}
        wanted_values = tuple(match.values())
        width = len(links)
        for remote_id, values in kept.rows.items():
            if tuple(None if v is None else str(v) for v in values[width:]) != wanted_values:
                continue
            for to_kind, value in zip(links, values[:width], strict=True):
                if value is not None and value in asked[to_kind]:
                    found[to_kind][remote_id] = str(value)
        return found

    def _read(
        self,
        conn: Connection,
        table: Table,
        links: tuple[str, ...],
        matched: tuple[str, ...],
        asked: dict[str, frozenset[str]],
    ) -> _Kept:
        """Read the live rows linking to ``asked``, unfiltered by the match's columns."""
        kept = _Kept(links, matched, asked, last_change(conn))
        columns = _columns(table, links, matched)
        ordered = {k: sorted(ids) for k, ids in asked.items()}
        size = max(1, _CHUNK // len(links))  # ids per column in one query
        rounds = max(-(-len(ids) // size) for ids in ordered.values())
        for step in range(rounds):
            part = {k: ids[step * size : (step + 1) * size] for k, ids in ordered.items()}
            query = select(table.c.remote_id, *columns).where(
                table.c.source == self.source,
                table.c.is_deleted.is_(False),
                or_(*(table.c[f"{k}_id"].in_(ids) for k, ids in part.items() if ids)),
            )
            for row in conn.execute(query):
                kept.keep(str(row[0]), tuple(row[1:]))
        return kept

    def _refresh(self, conn: Connection, table: Table, kept: _Kept) -> None:
        """Read again the rows of the source written since ``kept`` was."""
        now = last_change(conn)
        if now == kept.seen:
            return
        columns = _columns(table, kept.links, kept.matched)
        # the source is compared here, not in SQL: there SQLite would walk the source's
        # rows by the (source, remote_id) key rather than the few changed ones by number
        query = select(table.c.source, table.c.remote_id, table.c.is_deleted, *columns).where(
            table.c.change_seq > kept.seen
        )
        for row in conn.execute(query):
            if row[0] != self.source:
                continue
            if row[2]:
                kept.rows.pop(str(row[1]), None)
            else:
                kept.keep(str(row[1]), tuple(row[3:]))
        kept.seen = now


def _columns(table: Table, links: tuple[str, ...], matched: tuple[str, ...]) -> list[Column[Any]]:
    return [table.c[f"{k}_id"] for k in links] + [table.c[name] for name in matched]
