"""Records whose associations moved because two contacts or companies were merged.

When HubSpot merges record B into A, B vanishes and every association of B moves to A
without touching the linked records' modified dates, so an incremental search never sees
them again. Each incremental stream therefore looks for merge winners modified in its own
window (a search with ``hs_merged_object_ids`` HAS_PROPERTY, or what the run's own search of
contacts or companies saw in a window covering it), reads the winners' links to
the stream's object types (v4 batch reads), and re-reads those records (v3 batch reads,
links attached) so they are emitted again with fresh links.

State (under the stream state's ``merges`` key, JSON)::

    {"since": ms}                                   # winners up to here were handled
    {"since": ms, "run": {"upper": ms, "pending": {type: [ids]}, "dropped": {...}}}

``pending`` is planned in one go before the first page and saved with every page, so a
crash resumes with the records still to re-read; ``dropped`` maps a deal to the contacts
merged away from it (the ``deal_contacts`` stream reports their rows deleted).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from connectors.hubspot.apis import Apis
from connectors.hubspot.http import HubSpotHttp
from connectors.hubspot.reader import ObjectReader, modified_property

__all__ = ["MERGEABLE", "MergeBatch", "MergeReader", "merge_window"]

MERGEABLE = ("contacts", "companies")
_BATCH = 100  # v3 batch read and v4 association batch read inputs
_SEARCH_PAGE = 200


@dataclass
class MergeBatch:
    """Up to 100 re-read records of one type, the role rows to drop, and the state after."""

    object_type: str
    results: list[dict[str, Any]]
    dropped: list[str]
    state: dict[str, Any]


def merge_window(
    merges: dict[str, Any], objects: dict[str, Any], signpost_ms: int, lookback_ms: int
) -> tuple[int, int] | None:
    """``[lower, upper]`` of the winners to look for; None when the run reads everything.

    The lower bound is the last completed window's upper bound (falling back to the
    oldest object cursor for states saved before merges were tracked), minus the lookback.
    """
    run = merges.get("run")
    if run:
        return int(run["lower"]), int(run["upper"])
    since = merges.get("since")
    if since is None:
        cursors = [int(s["cursor"]) for s in objects.values() if s.get("cursor") is not None]
        if not cursors or len(cursors) < len(objects):
            return None  # a first (full) read sees every link as it is now
        since = min(cursors)
    return max(0, int(since) - lookback_ms), signpost_ms


def _sources(object_type: str, roles_only: bool) -> tuple[str, ...]:
    if roles_only:
        return ("contacts",)  # deal -> contact roles only move with contact merges
    return () if object_type in MERGEABLE else MERGEABLE


class MergeReader:
    """Plans and reads the records a window's merges re-linked."""

    def __init__(self, http: HubSpotHttp, apis: Apis, reader: ObjectReader) -> None:
        self.http = http
        self.apis = apis
        self.reader = reader
        # (type, window) -> winners: the streams of one run share their merge window
        self._found: dict[tuple[str, int, int], dict[str, list[str]]] = {}

    def plan(
        self,
        object_types: tuple[str, ...],
        merges: dict[str, Any],
        window: tuple[int, int],
        roles_only: bool = False,
    ) -> None:
        """Find what the window's merges re-linked (unless a resumed run already did)."""
        if not merges.get("run"):
            lower, upper = window
            merges["run"] = {
                "lower": lower,
                "upper": upper,
                **self._plan(object_types, window, roles_only),
            }
        _settle(merges)

    def pending(self, merges: dict[str, Any], object_type: str) -> bool:
        return bool(((merges.get("run") or {}).get("pending") or {}).get(object_type))

    def take(self, object_type: str, merges: dict[str, Any]) -> list[str]:
        """The ids of every pending record of one type, no longer pending: the caller reads
        them now (with the other records it re-reads, in the same batch reads)."""
        ids: list[str] = merges["run"]["pending"].pop(object_type, None) or []
        _settle(merges)
        return ids

    def read(
        self,
        object_types: tuple[str, ...],
        merges: dict[str, Any],
        properties: dict[str, list[str]],
        roles_only: bool = False,
    ) -> Iterator[MergeBatch]:
        """What is still pending, as batches of up to 100 records with their links."""
        run = merges.get("run") or {}
        pending: dict[str, list[str]] = run.get("pending") or {}
        dropped: dict[str, list[str]] = run.get("dropped") or {}
        for object_type in [t for t in object_types if pending.get(t)]:
            while pending.get(object_type):
                chunk = pending[object_type][:_BATCH]
                pending[object_type] = pending[object_type][_BATCH:]
                if not pending[object_type]:
                    del pending[object_type]
                if roles_only:
                    # Contact roles need the deals' contact links only, not the deals.
                    linked = self.reader.read_links(object_type, "contacts", chunk)
                    results = [{"id": i, "links": {"contacts": linked.get(i, [])}} for i in chunk]
                else:
                    results = self.reader.batch_read(object_type, chunk, properties[object_type])
                    self.reader.attach_links(object_type, results)
                gone = [f"{d}:{c}" for d in chunk for c in dropped.get(d, ())]
                _settle(merges)
                yield MergeBatch(object_type, results, gone, copy.deepcopy(merges))

    # -- planning ----------------------------------------------------------------------

    def _plan(
        self, object_types: tuple[str, ...], window: tuple[int, int], roles_only: bool
    ) -> dict[str, Any]:
        sources = sorted({m for t in object_types for m in _sources(t, roles_only)})
        winners = {m: self._winners(m, window) for m in sources}
        pending: dict[str, list[str]] = {}
        dropped: dict[str, set[str]] = {}
        for object_type in object_types:
            ids: set[str] = set()
            for source in _sources(object_type, roles_only):
                ordered = sorted(winners[source], key=int)
                for start in range(0, len(ordered), _BATCH):
                    chunk = ordered[start : start + _BATCH]
                    for winner, linked in self.reader.read_links(
                        source, object_type, chunk
                    ).items():
                        ids.update(linked)
                        if roles_only:
                            for deal in linked:
                                dropped.setdefault(deal, set()).update(winners[source][winner])
            if ids:
                pending[object_type] = sorted(ids, key=int)
        return {"pending": pending, "dropped": {d: sorted(c) for d, c in dropped.items()}}

    def _winners(self, object_type: str, window: tuple[int, int]) -> dict[str, list[str]]:
        """{winner id: merged-away ids} of records merged into in the window (searched once
        per window: a merge after the run's signpost falls in the next run's window; not
        searched when this run's incremental read of the type already saw the window)."""
        key = (object_type, *window)
        if key not in self._found:
            seen = self.reader.merged_in(object_type, *window)
            found = self._search_winners(object_type, window) if seen is None else seen
            self._found[key] = found
        return self._found[key]

    def _search_winners(self, object_type: str, window: tuple[int, int]) -> dict[str, list[str]]:
        from hubspot.crm.objects import Filter, FilterGroup, PublicObjectSearchRequest

        modified = modified_property(object_type)
        out: dict[str, list[str]] = {}
        last_id: str | None = None
        while True:
            filters = [
                Filter(property_name="hs_merged_object_ids", operator="HAS_PROPERTY"),
                Filter(property_name=modified, operator="GTE", value=str(window[0])),
                Filter(property_name=modified, operator="LTE", value=str(window[1])),
            ]
            if last_id is not None:
                filters.append(Filter(property_name="hs_object_id", operator="GT", value=last_id))
            request = PublicObjectSearchRequest(
                filter_groups=[FilterGroup(filters=filters)],
                sorts=[{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
                properties=["hs_merged_object_ids"],
                limit=_SEARCH_PAGE,
            )
            body = self.http.call(self.apis.search.do_search, object_type, request).body or {}
            results = body.get("results") or []
            for record in results:
                raw = (record.get("properties") or {}).get("hs_merged_object_ids") or ""
                out[str(record["id"])] = [i for i in str(raw).split(";") if i]
            if not results or not (body.get("paging") or {}).get("next"):
                return out
            last_id = str(results[-1]["id"])


def _settle(merges: dict[str, Any]) -> None:
    """Once nothing is pending, the window is done: the next one starts at its end."""
    run = merges.get("run")
    if run is not None and not run.get("pending"):
        upper = run["upper"]
        merges.clear()
        merges["since"] = upper
