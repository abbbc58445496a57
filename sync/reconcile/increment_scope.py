"""Which records an incremental run takes as changed, past those written since the last
run: the records whose pairs a full run would now score or block otherwise."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import Connection, select

from sync.config.reconcile import ReconcileConfig
from sync.reconcile.blocking import block_keys, silent_keys
from sync.reconcile.entities import Entity
from sync.reconcile.persist import KEYS, chunks, key_sizes, stored_key

__all__ = ["crowded_in_run", "moved_by", "silent_among"]

_HELD_BY_PEOPLE = ("e:", "p:")  # an e-mail, a phone: how many people hold it is scored


def moved_by(
    connection: Connection,
    kind: str,
    changed: Sequence[Entity],
    removed: set[str],
    config: ReconcileConfig,
    splink: bool = False,
) -> tuple[set[str], set[str], Counter[str]]:
    """The stored records, neither changed nor removed, whose own pairs the change moves
    (and the sizes of the keys of the changed and removed records, as a full run counts
    them, for the caller's checks):

    - first, the holders of a key whose block starts or stops pairing (a small-block key
      crowded past its limit by a new record, or freed by a removed one:
      ``blocking.SMALL_BLOCK_LIMITS``; a key past ``max_key_records``): their pairs
      through it appear or go, all among themselves, as every holder is one of them. Their
      other pairs are as stored (the same records, the same keys): scored again among
      themselves and with the changed records, not against all they share a key with, as a
      changed record is (at 100,000 people, 1,000 new ones moved 1,241 such holders, whose
      neighbours were a third of the records an increment read);
    - then, to score again among themselves: the other holders of an e-mail or a phone a
      changed record holds. How many people hold it is part of their pairs' scores (one
      address of two records of one person, now held by a third person too, is
      ``shared`` and weighs less); only their pairs with each other hold it, and they
      share it with a changed record, so the increment reads them already.

    Found by Splink's fake_1000 and historical_50k, where an increment kept such pairs as
    the last run had scored or blocked them and ended with other identities than a full
    run. Not for the Splink engine: its increment scores with the blocking rules alone."""
    if splink:
        return set(), set(), Counter()
    max_key_records = config.max_key_records
    gone = {e.key for e in changed} | removed
    made = Counter(key for e in changed for key in block_keys(e))
    earlier = _held_counts(connection, kind, gone)  # the gone records' keys as stored
    keys = set(made) | set(earlier)
    before = key_sizes(connection, kind, keys, ())
    after = before.copy()  # as a full run counts them: the gone ones as they are now
    after.subtract(earlier)
    after.update(made)
    flipped = silent_keys(before, max_key_records) ^ silent_keys(after, max_key_records)
    moved = _holders(connection, kind, flipped) - gone
    held = {key for key in made if key.startswith(_HELD_BY_PEOPLE)}
    return moved, _holders(connection, kind, held) - gone - moved, after


def silent_among(
    connection: Connection,
    kind: str,
    sizes: Counter[str],
    gone: set[str],
    again: Sequence[Entity],
    config: ReconcileConfig,
) -> tuple[set[str], set[str]]:
    """The keys an increment pairs no one through, as a full run would not: of the keys
    ``moved_by`` sized (those of the changed records, with them counted: ``sizes``), the
    ones whose blocks are over their limits.

    And the e-mail and phone keys the stored records scored ``again`` hold that pair: how
    many people hold each is part of their pairs' scores (``scoring.build_context``), so an
    increment reads their holders, as it reads those of a changed record's. Those not
    sized yet are counted by the database, the ``gone`` records (changed or removed) left
    out."""
    theirs = {key for e in again for key in block_keys(e) if key.startswith(_HELD_BY_PEOPLE)}
    counted = sizes.copy()
    counted.update(key_sizes(connection, kind, theirs - sizes.keys(), gone))
    silent = silent_keys(counted, config.max_key_records)
    return silent, theirs - silent


def crowded_in_run(
    connection: Connection,
    kind: str,
    keys: Sequence[Sequence[str]],
    only: set[int],
    sized: set[str],
    gone: set[str],
    config: ReconcileConfig,
) -> set[str]:
    """Of the keys of an increment's records (``keys``, each record's), those not
    ``sized`` yet that would pair two of them, one scored again (``only``), but are over
    their limits in the store: among the few records read a crowded key looks small. A
    key held by one of them pairs no one here, so it is not counted (at 1 M people the
    30,000 records scored again hold 450,000 keys, sized in 6.7 s)."""
    holders: Counter[str] = Counter()
    theirs: set[str] = set()
    for n, each in enumerate(keys):
        holders.update(each)
        if n in only:
            theirs.update(each)
    wanted = {key for key in theirs - sized if holders[key] > 1}
    return silent_keys(key_sizes(connection, kind, wanted, gone), config.max_key_records)


def _held_counts(connection: Connection, kind: str, records: set[str]) -> Counter[str]:
    """How many of ``records`` hold each block key, as stored (without the kind's prefix)."""
    prefix = len(stored_key(kind, ""))
    found: Counter[str] = Counter()
    for chunk in chunks(sorted(records)):
        query = select(KEYS.c.block_key).where(KEYS.c.record_key.in_(chunk))
        found.update(key[prefix:] for key in connection.execute(query).scalars())
    return found


def _holders(connection: Connection, kind: str, keys: set[str]) -> set[str]:
    found: set[str] = set()
    for chunk in chunks(sorted(stored_key(kind, key) for key in keys)):
        query = select(KEYS.c.record_key).where(KEYS.c.block_key.in_(chunk))
        found.update(connection.execute(query).scalars())
    return found
