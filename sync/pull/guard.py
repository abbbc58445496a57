"""The delete guard: no run marks more than a share of a stream deleted without --force.

Every kind of delete counts against it: records the CRM reports deleted or archived,
records merged away, and records missing from a full read or id list. A partial read, a
bug or a mass deletion in the CRM all look the same from here, so the run stops and asks.
The share is of the rows live when the run started, plus those it added or restored. A
handful of rows (``HANDFUL``), fewer than half the stream, is always let through: in a
stream of 40 records, 3 deletes are normal churn, not a mass delete.

A kind's live rows are counted only when a delete of that kind is first weighed (before
its page commits): a run that deletes nothing, as most incremental runs, reads no table
whole. Counted then, the store's live rows are those of the start plus what the run's
committed pages added, less what they deleted, so the run's own deletes are added back
(a dry run commits nothing: what its pages would have added is added instead).

A mapped custom object shares its kind's table with a standard stream; its rows (those
whose remote id starts with its ``id_prefix``) are counted apart, so deleting every store
visit is a mass delete even in a large activities table.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Engine, func, select

from sync.store.core_tables import RECORD_TABLES
from sync.store.pages import PageCounts

__all__ = ["COUNT_AHEAD", "HANDFUL", "DeleteGuard"]

HANDFUL = 10
# A bounded count reads at least this many rows (~0.06 ms warm, 0.6 ms for 1,000 rows),
# so the deletes of a stream's later pages are mostly let through without counting again.
COUNT_AHEAD = 250


class DeleteGuard:
    """Counts the rows one source run marks deleted, per record kind, against the share."""

    def __init__(
        self,
        engine: Engine,
        source: str,
        share: float,
        force: bool,
        prefixes: Iterable[tuple[str, str]] = (),
        dry_run: bool = False,
    ) -> None:
        """``prefixes``: (kind, id prefix) of the source's prefixed streams; ``dry_run``:
        the pages noted are not committed."""
        self.share = share
        self.force = force
        self._engine = engine
        self._source = source
        self._dry_run = dry_run
        self._prefixes: dict[str, list[str]] = defaultdict(list)
        for kind, prefix in prefixes:
            self._prefixes[kind].append(prefix)
        self._base: dict[str, int] = {}
        self._marked: dict[str, int] = defaultdict(int)
        self._added: dict[str, int] = defaultdict(int)
        self._floor: dict[str, int] = defaultdict(int)  # lower bounds of bases not counted

    def refusal(
        self,
        kind: str,
        stream: str,
        more: int,
        why: str,
        prefix: str | None = None,
        known_live: int = 0,
    ) -> str | None:
        """The one-line refusal if marking ``more`` rows of ``kind`` (of the stream with
        ``prefix``, if given) would pass the share; ``known_live``: rows of them the caller
        knows are live in the store as committed (a page's ``kept_live``)."""
        if more <= 0 or self.force:
            return None
        key = _key(kind, prefix)
        total = self._marked[key] + more
        base = self._base_of(key, kind, prefix, total, known_live)
        if self._passes(total, base):
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
            message = self.refusal(
                kind, stream, kind_counts.deleted, why, prefix, kind_counts.kept_live
            )
            if message is not None:
                return message
        return None

    def note(self, kind: str, counts: PageCounts, prefix: str | None = None) -> None:
        """Record what a committed page (or delete check) did."""
        key = _key(kind, prefix)
        self._marked[key] += counts.deleted
        if key in self._base:
            self._base[key] += counts.inserted + counts.restored
        else:
            self._added[key] += counts.inserted + counts.restored

    def _base_of(
        self, key: str, kind: str, prefix: str | None, total: int, known_live: int = 0
    ) -> int:
        """The rows of ``kind`` (of the stream with ``prefix``) live at the run's start plus
        those it added or restored, counted on first use (see the module's docstring).

        Before counting the whole table, the rows are counted only as far as the fewest
        that would let ``total`` deletes through, and at least ``COUNT_AHEAD``: when there
        are that many, that lower bound is the answer (the guard lets the deletes through
        either way), and a run that marks a handful of rows deleted does not read a large
        table whole. A lower bound holds for the rest of the run (the base only grows), so
        a later page's deletes are weighed against it before anything is counted again;
        so is ``known_live`` (live rows the caller knows of: a delta page's updated
        records beside its deletes)."""
        if key in self._base:
            return self._base[key]
        done = self._added[key] if self._dry_run else self._marked[key]
        floor = self._floor[key] = max(self._floor[key], known_live + done)
        need = self._fewest(total)
        if need is not None and self._passes(total, floor):
            return floor  # a lower bound: not kept as the base
        if need is not None:
            limit = max(need, COUNT_AHEAD)
            live = self._live(kind, prefix, limit)
            if live < limit:  # fewer rows than that: this is the whole count
                self._base[key] = live + done
                return self._base[key]
            self._floor[key] = max(floor, live + done)
            if self._passes(total, live + done):
                return live + done
        self._base[key] = self._live(kind, prefix) + done
        return self._base[key]

    def _fewest(self, total: int) -> int | None:
        """The fewest rows that let ``total`` deletes through (None: no bound)."""
        bounds = [math.ceil(total / self.share)] if self.share > 0 else []
        if total <= HANDFUL:
            bounds.append(2 * total + 1)
        return min(bounds) if bounds else None

    def _passes(self, total: int, base: int) -> bool:
        return total <= self.share * base or (total <= HANDFUL and 2 * total < base)

    def _live(self, kind: str, prefix: str | None, limit: int | None = None) -> int:
        """The store's live rows of ``kind`` from this source: with ``prefix`` those whose
        remote id starts with it, otherwise those of none of the kind's prefixed streams;
        at most ``limit`` of them when given."""
        table = RECORD_TABLES[kind]
        rows = select(table.c.remote_id).where(
            table.c.source == self._source, table.c.is_deleted.is_(False)
        )
        if prefix is not None:
            rows = rows.where(table.c.remote_id.startswith(prefix, autoescape=True))
        for other in self._prefixes.get(kind, []) if prefix is None else []:
            rows = rows.where(~table.c.remote_id.startswith(other, autoescape=True))
        if limit is not None:
            rows = rows.limit(limit)
        query = select(func.count()).select_from(rows.subquery())
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar_one())


def _key(kind: str, prefix: str | None) -> str:
    return kind if prefix is None else f"{kind} {prefix}"


def _why(counts: PageCounts) -> str:
    if counts.deleted_merged and not counts.deleted_reported:
        return "the CRM reported them merged into other records"
    return "the CRM reported them deleted or archived"
