"""The delete guard: no run marks more than a share of a stream deleted without --force.

Every kind of delete counts against it: records the CRM reports deleted or archived,
records merged away, and records missing from a full read or id list. A partial read, a
bug or a mass deletion in the CRM all look the same from here, so the run stops and asks.
The share is of the rows live when the run started, plus those it added or restored. A
handful of rows (``HANDFUL``), fewer than half the stream, is always let through: in a
stream of 40 records, 3 deletes are normal churn, not a mass delete. A mapped custom
object shares its kind's table with a standard stream; its rows (those whose remote id
starts with its ``id_prefix``) are counted apart, so deleting every store visit is a mass
delete even in a large activities table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Engine, func, literal, select, union_all

from sync.store.pages import PageCounts
from sync.store.records import TABLES

__all__ = ["HANDFUL", "DeleteGuard"]

HANDFUL = 10


class DeleteGuard:
    """Counts the rows one source run marks deleted, per record kind, against the share."""

    def __init__(
        self,
        engine: Engine,
        source: str,
        share: float,
        force: bool,
        prefixes: Iterable[tuple[str, str]] = (),
    ) -> None:
        """``prefixes``: (kind, id prefix) of the source's prefixed streams."""
        self.share = share
        self.force = force
        self._base: dict[str, int] = {}
        self._marked: dict[str, int] = defaultdict(int)
        # One statement for every kind's live rows (a round trip and a compile per table
        # were a tenth of an incremental run's fixed cost).
        tables = {kind: model.__table__ for kind, model in TABLES.items()}  # type: ignore[attr-defined]
        counts = [
            select(literal(kind).label("kind"), func.count().label("live"))
            .select_from(table)
            .where(table.c.source == source, table.c.is_deleted.is_(False))
            for kind, table in tables.items()
        ]
        with engine.connect() as conn:
            for kind, live in conn.execute(union_all(*counts)):
                self._base[kind] = int(live)
            for kind, prefix in prefixes:
                table = tables[kind]
                mine = table.c.remote_id.startswith(prefix, autoescape=True)
                found = int(
                    conn.execute(
                        select(func.count())
                        .select_from(table)
                        .where(table.c.source == source, table.c.is_deleted.is_(False), mine)
                    ).scalar_one()
                )
                self._base[_key(kind, prefix)] = found
                self._base[kind] -= found

    def refusal(
        self, kind: str, stream: str, more: int, why: str, prefix: str | None = None
    ) -> str | None:
        """The one-line refusal if marking ``more`` rows of ``kind`` (of the stream with
        ``prefix``, if given) would pass the share."""
        if more <= 0 or self.force:
            return None
        kind = _key(kind, prefix)
        total = self._marked[kind] + more
        base = self._base.get(kind, 0)
        if total <= self.share * base or (total <= HANDFUL and 2 * total < base):
            return None
        share = f"{total / base:.1%}" if base else "all"
        return (
            f"refused to mark {total} of {base} {stream} deleted in one run "
            f"({share} > the {self.share:.0%} guard): {why}; "
            "re-run with --force if they really were deleted"
        )

    def page_refusal(
        self,
        counts: dict[str, PageCounts],
        streams: dict[str, str],
        own: tuple[str, str, str] | None = None,
    ) -> str | None:
        """The refusal for a page about to be committed, if any of its kinds passes;
        ``own`` is (kind, stream, id prefix) of a prefixed stream's own records."""
        for kind, kind_counts in counts.items():
            why = _why(kind_counts)
            stream, prefix = streams.get(kind, kind), None
            if own is not None and own[0] == kind:
                _, stream, prefix = own
            message = self.refusal(kind, stream, kind_counts.deleted, why, prefix)
            if message is not None:
                return message
        return None

    def note(self, kind: str, counts: PageCounts, prefix: str | None = None) -> None:
        """Record what a committed page (or delete check) did."""
        kind = _key(kind, prefix)
        self._marked[kind] += counts.deleted
        self._base[kind] = self._base.get(kind, 0) + counts.inserted + counts.restored


def _key(kind: str, prefix: str | None) -> str:
    return kind if prefix is None else f"{kind} {prefix}"


def _why(counts: PageCounts) -> str:
    if counts.deleted_merged and not counts.deleted_reported:
        return "the CRM reported them merged into other records"
    return "the CRM reported them deleted or archived"
