"""The store's change sequence: an order of writes that commits cannot overtake.

Every transaction that writes records takes the next number from one counter row and
stamps it on the rows it writes (``change_seq``). Taking the number locks the counter row
until the transaction ends, so a later number can only be handed out after the earlier
writer has committed or rolled back (PostgreSQL's row lock; SQLite serialises writers
anyway). Hence, once a reader sees the counter at N, every write numbered N or below is
committed and visible: "rows changed after N" is an exact question, which a wall-clock
``synced_at`` taken before a slow commit is not.

Take the number early in the transaction, before any savepoint: on SQLite the counter
update is also what opens the real transaction that savepoints then nest in.
"""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from sync.store.core_tables import STORE_CHANGES as _TABLE

__all__ = ["last_change", "next_change"]

# The counter's model, ``ChangeCounterRow``, is in sync.store.bookkeeping with the other
# bookkeeping tables: writers here use its Core table, without SQLModel.


def next_change(conn: Connection) -> int:
    """The next change number, for the rows this transaction writes. Holds the counter's
    row lock until the caller's transaction ends: keep such transactions short."""
    if conn.dialect.update_returning:  # one statement (SQLite 3.35+, PostgreSQL)
        return int(conn.execute(_BUMP_RETURNING).scalar_one())
    conn.execute(_BUMP)
    return last_change(conn)


def last_change(conn: Connection) -> int:
    """The newest committed change number: every write numbered up to it is visible."""
    return int(conn.execute(_READ).scalar_one())


# Built once: every page of a sync takes a number, and building the statements each time
# (and their cache keys) cost ~0.15 ms a page, more than the two statements themselves.
_BUMP = update(_TABLE).where(_TABLE.c.id == 1).values(last_change=_TABLE.c.last_change + 1)
_BUMP_RETURNING = _BUMP.returning(_TABLE.c.last_change)
_READ = select(_TABLE.c.last_change).where(_TABLE.c.id == 1)
