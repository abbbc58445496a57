"""What an incremental run keeps of the stored pairs it does not score again.

A pair between two records the run neither changed nor scores again keeps its score: the
same records, the same keys. Its status need not stay: across CRMs a pair reaching the
match threshold is a match only while it is one side's best link into the other's CRM
(``resolve._best_links``), and a new record can bring a better one, or a removed record
take the best away. Seen on 100,000 people: a lead's match with a contact stayed a match
in the increment, where a full run kept it for review beside the lead's better match with
the new record, and a later increment would have linked the two by it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Connection, and_, bindparam, update

from sync.reconcile.persist import PAIRS, stored_pairs
from sync.reconcile.resolve import KindResult
from sync.store.record_key import RecordKey

__all__ = ["EarlierPairs"]

_SCORED = ("match", "review")  # statuses a score sets (evidence and admins set the others)
Best = dict[tuple[str, str], float]  # (record, the other end's CRM) -> best match score


@dataclass
class EarlierPairs:
    """The stored pairs of an increment's records (by ``position``) that stand: neither
    end ``gone`` (changed or removed: scored again or dropped) nor both scored ``again``."""

    kept: list[tuple[str, str, float, str]]
    position: Mapping[str, int]
    gone: set[str]
    match: float  # the match threshold
    links: list[tuple[int, int, float]] = field(default_factory=list)
    best: list[tuple[int, str, float]] = field(default_factory=list)

    @classmethod
    def read(
        cls,
        connection: Connection,
        position: Mapping[str, int],
        again: set[str],
        gone: set[str],
        match: float,
    ) -> EarlierPairs:
        kept = [
            (a, b, score, status)
            for a, b, score, status in stored_pairs(connection, set(position) - gone)
            if not ({a, b} & gone or (a in again and b in again))
        ]
        found = cls(kept, position, gone, match)
        for a, b, score, status in kept:
            i, j = position.get(a), position.get(b)
            # the pairs reaching the threshold among records not scored again: links where
            # they are a side's best, as a full run decides (``resolve._best_links``)
            scored = status in _SCORED and score >= match
            if scored and i is not None and j is not None and not {a, b} & again:
                found.links.append((i, j, score))
            # each side's candidate for its best link into the other's CRM
            for me, other in ((i, b), (j, a)):
                if me is not None and _crosses(a, b) and score >= match:
                    found.best.append((me, _source(other), score))
        return found

    def restate(self, connection: Connection, result: KindResult) -> int:
        """Set again the status of the kept pairs whose side's best link ``result``
        moved; returns how many changed."""
        best: Best = {}
        keys = [e.key for e in result.entities]
        for p in result.pairs:
            if p.status in _SCORED and p.score >= self.match:
                _better(best, keys[p.i], keys[p.j], p.score)
        for a, b, score, _ in self.kept:
            if score >= self.match:
                _better(best, a, b, score)
        # a record the run did not read gained no pair (it would have been read): its
        # best is in the store, but for its pairs with records gone
        outside = {k for a, b, *_ in self.kept for k in (a, b) if k not in self.position}
        for a, b, score, _ in stored_pairs(connection, outside):
            if score >= self.match and not {a, b} & self.gone:
                _better(best, a, b, score)
        moved = []
        for a, b, score, status in self.kept:
            if status not in _SCORED or score < self.match or not _crosses(a, b):
                continue
            now = (
                "match"
                if score >= best[(a, _source(b))] or score >= best[(b, _source(a))]
                else "review"
            )
            if now != status:
                moved.append((a, b, now))
        _write(connection, moved)
        return len(moved)


def _better(best: Best, a: str, b: str, score: float) -> None:
    if _crosses(a, b):
        for me, other in ((a, b), (b, a)):
            slot = (me, _source(other))
            best[slot] = max(best.get(slot, float("-inf")), score)


def _crosses(a: str, b: str) -> bool:
    return _source(a) != _source(b)


def _source(key: str) -> str:
    return RecordKey.parse(key).source


def _write(connection: Connection, moved: Iterable[tuple[str, str, str]]) -> None:
    rows = [{"a": a, "b": b, "now": status} for a, b, status in sorted(moved)]
    if rows:
        where = and_(PAIRS.c.a_key == bindparam("a"), PAIRS.c.b_key == bindparam("b"))
        connection.execute(update(PAIRS).where(where).values(status=bindparam("now")), rows)
