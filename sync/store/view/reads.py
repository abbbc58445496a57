"""One run's reads of the store: each table's live rows and reconcile's identity map read
once while the store is unchanged, whichever step asks.

``crmsync run`` (and the demo) hands every step the same ``StoreReads`` in its
``StepContext``: the audit, its HTML report, the plan run and the statements read the same
records, which each reading on its own read again (a store's records up to six times in
one run, the identity map five times). A table is read once with the columns asked for; a
later question for columns it did not read reads it again with both sets, and every later
question is answered from those rows. Each answer is new dicts (the audit adds keys to its
rows); the values in them (``raw`` payloads too) are shared and read-only.

What was read is kept while the store is unchanged: rows while its change number (every
transaction that writes records takes one: ``sync.store.changes``) and newest sync run
stay, the identity map while the newest reconcile run and its end stay (the map is what
reconcile last wrote). After a sync or a reconcile run, the next question reads afresh. A
daemon's job or a single command makes a new ``StoreReads`` per run.

Values made from the reads can be kept with them (``kept``: the plan inputs, which the
statements of the period the run's plan run computed take again). Their key holds every
other input they were made from, except what a run's later steps do not change (the plan
files, the audit's usage scores, the rates).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, text

from sync.store.view.identity_map import IdentityMap, load_identity_map
from sync.store.view.live_rows import Row, live_rows, live_tuples

__all__ = ["StoreReads", "read_identities", "read_live_rows"]

T = TypeVar("T")

_STAMP = text(
    "SELECT (SELECT last_change FROM store_changes WHERE id = 1), "
    "(SELECT MAX(id) FROM sync_runs), "
    "(SELECT MAX(id) FROM reconcile_runs), "
    "(SELECT finished_at FROM reconcile_runs ORDER BY id DESC LIMIT 1)"
)


class StoreReads:
    """The live rows, identity map and values made from them that one run's steps share
    (see the module)."""

    def __init__(self) -> None:
        self._records_stamp: tuple[Any, ...] | None = None
        self._identities_stamp: tuple[Any, ...] | None = None
        self._tables: dict[str, tuple[tuple[str, ...], list[Any]]] = {}
        self._identities: IdentityMap | None = None
        self._made: dict[str, tuple[Hashable, Any]] = {}
        self.table_reads: Counter[str] = Counter()  # database reads per table
        self.identity_reads = 0
        self.made: Counter[str] = Counter()  # values made by ``kept``, per name

    def live_rows(self, connection: Connection, table: str, columns: Sequence[str]) -> list[Row]:
        """``live_rows(connection, table, columns)``, read at most once per set of columns
        while the store is unchanged."""
        self._check(connection)
        kept = self._tables.get(table)
        if kept is None or not set(columns) <= set(kept[0]):
            wanted = tuple(dict.fromkeys([*(kept[0] if kept else ()), *columns]))
            kept = live_tuples(connection, table, wanted)
            self._tables[table] = kept
            self.table_reads[table] += 1
        return _project(table, kept, columns)

    def identity_map(self, engine: Engine) -> IdentityMap:
        """``load_identity_map(engine)``, read once while the store is unchanged."""
        with engine.connect() as connection:
            self._check(connection)
        if self._identities is None:
            self._identities = load_identity_map(engine)
            self.identity_reads += 1
        return self._identities

    def kept(
        self, engine: Engine, name: str, key: Hashable, make: Callable[[], T], fresh: bool = False
    ) -> T:
        """``make()``'s value, made from this run's reads and kept with them: made again for
        another ``key`` (which holds every other input of the value), once the rows or the
        identity map are read afresh, or when ``fresh`` (its making writes too)."""
        with engine.connect() as connection:
            self._check(connection)
        found = self._made.get(name)
        if found is not None and found[0] == key and not fresh:
            value: T = found[1]
            return value
        value = make()
        self._made[name] = (key, value)
        self.made[name] += 1
        return value

    def _check(self, connection: Connection) -> None:
        stamp = tuple(connection.execute(_STAMP).one())
        if stamp[:2] != self._records_stamp:
            self._records_stamp = stamp[:2]
            self._tables.clear()
            self._made.clear()
        if stamp[2:] != self._identities_stamp:
            self._identities_stamp = stamp[2:]
            self._identities = None
            self._made.clear()


def read_live_rows(
    connection: Connection, table: str, columns: Sequence[str], reads: StoreReads | None
) -> list[Row]:
    """The live rows of ``table``: through ``reads`` when a run shares them, else read."""
    if reads is not None:
        return reads.live_rows(connection, table, columns)
    return live_rows(connection, table, columns)


def read_identities(engine: Engine, reads: StoreReads | None) -> IdentityMap:
    """Reconcile's identity map: through ``reads`` when a run shares it, else read."""
    return reads.identity_map(engine) if reads is not None else load_identity_map(engine)


def _project(
    table: str, kept: tuple[tuple[str, ...], list[Any]], columns: Sequence[str]
) -> list[Row]:
    """Dicts of ``columns`` (and a user's ``is_deleted``, last) from kept tuples."""
    names, rows = kept
    wanted = [name for name in columns if name != "is_deleted" or table != "users"]
    if table == "users":
        wanted.append("is_deleted")  # every user, with whether it was deleted
    if tuple(wanted) == names:
        return [dict(zip(names, row, strict=True)) for row in rows]
    pick = itemgetter(*[names.index(name) for name in wanted])
    if len(wanted) == 1:
        return [{wanted[0]: pick(row)} for row in rows]
    return [dict(zip(wanted, pick(row), strict=True)) for row in rows]
