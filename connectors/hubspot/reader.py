"""Reading one HubSpot object type: full lists, search windows, archived lists.

State per object type (JSON)::

    {"cursor": ms}                                   # last completed run, epoch ms
    {"cursor": ms | None, "run": {...}}              # a run in progress, resumable

A first run (or ``full``) walks the list endpoint (100 per call, associations inline);
later runs search ``modified`` in ``[cursor - lookback, signpost]``. Search pages use a
pure ``hs_object_id`` keyset (``hs_object_id > last_id``, sorted ascending, no ``after``
offset): each page is a fresh query, so the 10,000-result cap never bites, bursts of
identical timestamps page cleanly, and records leaving the window mid-read cannot shift
an offset and skip others. Archived records never bump the modified date nor show in
search, so every run ends with the ``archived=true`` list. Archiving a record also hides
its associations without touching the linked records' modified dates (an engagement or a
line item linked to a deleted deal keeps its old date): the connector re-reads the records
that linked to records archived in the window through ``extra`` (see ``relinks``), or has
this run re-list the type in full (``relist``) when it has no store to ask which they are.
The cursor never passes the signpost: ``min(max modified seen, signpost)``. Records added
through ``extra`` (re-reads after merges or archives) never move the cursor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.core.at_once import in_order
from connectors.hubspot.apis import Apis
from connectors.hubspot.http import HubSpotHttp
from connectors.hubspot.settings import HubSpotSettings

__all__ = [
    "ASSOCIATIONS",
    "Batch",
    "Extra",
    "ObjectReader",
    "associations_for",
    "modified_property",
]

ENGAGEMENT_LINKS = ("contacts", "companies", "deals", "tickets")
ASSOCIATIONS: dict[str, tuple[str, ...]] = {
    "contacts": (),
    "companies": (),
    "deals": ("contacts", "companies"),
    "tickets": ("contacts", "companies", "deals"),
    "line_items": ("deals",),
}
# HUBSPOT_DEFINED "Primary" association type ids (contact/deal/ticket -> company).
_PRIMARY_TYPE_IDS = {1, 5, 26}
_MERGED = "hs_merged_object_ids"  # the ids merged into a record (contacts, companies)
_V3_BATCH = 100  # v3 batch reads take 100 inputs
_LINKS_BATCH = 1000  # v4 association batch reads take 1,000 (HubSpot's limit since 2025-02)

Extra = Callable[[], list[dict[str, Any]]]


def modified_property(object_type: str) -> str:
    return "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"


def associations_for(object_type: str) -> tuple[str, ...]:
    return ASSOCIATIONS.get(object_type, ENGAGEMENT_LINKS)


def to_ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


@dataclass
class Batch:
    """One API page of one object type, and that object's state after it."""

    object_type: str
    results: list[dict[str, Any]]
    archived: bool
    state: dict[str, Any]


def _inline_links(record: dict[str, Any]) -> dict[str, list[str]]:
    """v3 inline associations -> {to_type: ids}, primary (non-"_unlabeled") ids first."""
    out: dict[str, list[str]] = {}
    for to_type, block in (record.get("associations") or {}).items():
        primary: list[str] = []
        other: list[str] = []
        for item in block.get("results") or ():
            rid = str(item.get("id"))
            label = str(item.get("type") or "")
            if to_type == "companies" and not label.endswith("_unlabeled"):
                primary.append(rid)
            elif rid not in other:
                other.append(rid)
        ids = primary + [i for i in other if i not in primary]
        out[to_type] = ids
    return out


def _max_modified(results: list[dict[str, Any]], name: str, current: int | None) -> int | None:
    best = current
    for record in results:
        raw = (record.get("properties") or {}).get(name) or record.get("updatedAt")
        if not raw:
            continue
        ms = to_ms(datetime.fromisoformat(raw))
        if best is None or ms > best:
            best = ms
    return best


class ObjectReader:
    """Pages of raw records (``links`` added) for one object type at a time."""

    def __init__(self, http: HubSpotHttp, apis: Apis, settings: HubSpotSettings) -> None:
        self.http = http
        self.apis = apis
        self.settings = settings
        # (type, signpost) -> {archived id: when archived, epoch ms}: every archived record
        # of a type, from a run's archived step read whole or from ``archived_at``
        self.archived_lists: dict[tuple[str, int], dict[str, int]] = {}
        # type -> (lower, upper, {id: (modified ms, merged-away ids)}): the merge winners a
        # search of the type read whole in this run saw in its window (see ``merged_in``)
        self._merged: dict[str, tuple[int, int, dict[str, tuple[int, list[str]]]]] = {}

    def read(
        self,
        object_type: str,
        saved: dict[str, Any] | None,
        properties: list[str],
        lookback_ms: int,
        signpost_ms: int,
        extra: Extra | None = None,
        relist: bool = False,
    ) -> Iterator[Batch]:
        """Pages of ``object_type``; ``extra`` gives raw records (without links) to add to a
        search run's last page, so they share its association reads; ``relist`` reads a
        new incremental run through the full list (links to archived records dropped)."""
        saved = dict(saved or {})
        cursor = saved.get("cursor")
        run = dict(saved.get("run") or {})
        if not run:
            if cursor is None or relist:
                run = {"mode": "full", "step": "live"}
            else:
                run = {
                    "mode": "search",
                    "step": "live",
                    "lower": max(0, int(cursor) - lookback_ms),
                    "upper": signpost_ms,
                }
        if run["mode"] == "full":
            run["signpost"] = signpost_ms
        if run["step"] == "live":
            if run["mode"] == "full":
                yield from self._full(object_type, cursor, run, properties)
            else:
                yield from self._search(object_type, cursor, run, properties, extra)
        yield from self._archived(object_type, cursor, run, properties, signpost_ms)

    # -- steps -------------------------------------------------------------------------

    def _full(
        self, object_type: str, cursor: Any, run: dict[str, Any], properties: list[str]
    ) -> Iterator[Batch]:
        to_types = associations_for(object_type)
        modified = modified_property(object_type)
        while True:
            results, after = self._list_page(object_type, properties, to_types, False, run)
            run["max_ts"] = _max_modified(results, modified, run.get("max_ts"))
            if after is None:
                run.update(step="archived", after=None)
            else:
                run["after"] = after
            yield Batch(object_type, results, False, {"cursor": cursor, "run": dict(run)})
            if after is None:
                return

    def _search(
        self,
        object_type: str,
        cursor: Any,
        run: dict[str, Any],
        properties: list[str],
        extra: Extra | None,
    ) -> Iterator[Batch]:
        from hubspot.crm.objects import Filter, FilterGroup, PublicObjectSearchRequest

        modified = modified_property(object_type)
        # read from its first page with the merged ids asked for, it sees every merge winner
        merged: dict[str, tuple[int, list[str]]] | None = None
        if not run.get("last_id") and _MERGED in properties:
            merged = {}
        while True:
            filters = [
                Filter(property_name=modified, operator="GTE", value=str(run["lower"])),
                Filter(property_name=modified, operator="LTE", value=str(run["upper"])),
            ]
            if run.get("last_id"):
                filters.append(
                    Filter(property_name="hs_object_id", operator="GT", value=run["last_id"])
                )
            request = PublicObjectSearchRequest(
                filter_groups=[FilterGroup(filters=filters)],
                sorts=[{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
                properties=properties,
                limit=self.settings.search_page_size,
            )
            body = self.http.call(self.apis.search.do_search, object_type, request).body or {}
            results = body.get("results") or []
            run["max_ts"] = _max_modified(results, modified, run.get("max_ts"))
            if merged is not None:
                merged.update(_winners(results, modified))
            more = bool((body.get("paging") or {}).get("next")) and bool(results)
            if more:
                run["last_id"] = str(results[-1]["id"])
            if not more and extra is not None:
                # Records to re-read share the last page's association reads.
                found = {str(r["id"]) for r in results}
                results.extend(r for r in extra() if str(r["id"]) not in found)
            self.attach_links(object_type, results)
            if not more:
                run.update(step="archived", after=None)
                run.pop("last_id", None)
                if merged is not None:
                    self._merged[object_type] = (int(run["lower"]), int(run["upper"]), merged)
            yield Batch(object_type, results, False, {"cursor": cursor, "run": dict(run)})
            if not more:
                return

    def merged_in(self, object_type: str, lower: int, upper: int) -> dict[str, list[str]] | None:
        """{winner id: merged-away ids} of the records of ``object_type`` modified in
        ``[lower, upper]`` that have merged ids, when a search of the type read whole in this
        run covered that window (None otherwise: the caller searches for them)."""
        seen = self._merged.get(object_type)
        if seen is None or seen[0] > lower or seen[1] < upper:
            return None
        return {i: ids for i, (at, ids) in seen[2].items() if lower <= at <= upper}

    def _archived(
        self,
        object_type: str,
        cursor: Any,
        run: dict[str, Any],
        properties: list[str],
        signpost_ms: int,
    ) -> Iterator[Batch]:
        to_types = associations_for(object_type)
        # read from its first page, the step sees the whole list: ``archived_at`` need not
        seen: dict[str, int] | None = None if run.get("after") else {}
        while True:
            results, after = self._list_page(object_type, properties, to_types, True, run)
            if seen is not None:
                seen.update(_archived_ms(results))
            if after is None:
                if seen is not None:
                    self.archived_lists[(object_type, signpost_ms)] = seen
                yield Batch(object_type, results, True, {"cursor": _final(cursor, run)})
                return
            run["after"] = after
            yield Batch(object_type, results, True, {"cursor": cursor, "run": dict(run)})

    def archived_at(self, object_type: str, signpost_ms: int) -> dict[str, int]:
        """Every archived record of ``object_type``: id -> when it was archived (epoch ms).

        The archived list has no date filter: this pages all of it (ids only), unless this
        run's archived step of the type, or an earlier question, already read it whole."""
        key = (object_type, signpost_ms)
        if key in self.archived_lists:
            return self.archived_lists[key]
        out: dict[str, int] = {}
        run: dict[str, Any] = {}
        while True:
            results, after = self._list_page(object_type, ["hs_object_id"], (), True, run)
            out.update(_archived_ms(results))
            if after is None:
                self.archived_lists[key] = out
                return out
            run["after"] = after

    def batch_read(
        self, object_type: str, ids: list[str], properties: list[str]
    ) -> list[dict[str, Any]]:
        """Live records by id (v3 batch reads of 100, links not attached), sorted by id;
        archived or vanished ids are simply absent."""
        out: list[dict[str, Any]] = []
        for start in range(0, len(ids), _V3_BATCH):
            request = {
                "inputs": [{"id": i} for i in ids[start : start + _V3_BATCH]],
                "properties": properties,
                "propertiesWithHistory": [],
            }
            call = self.apis.batch.read
            body = self.http.call(call, object_type, request, archived=False).body
            out.extend((body or {}).get("results") or [])
        out.sort(key=lambda r: int(r["id"]))
        return out

    # -- calls -------------------------------------------------------------------------

    def _list_page(
        self,
        object_type: str,
        properties: list[str],
        to_types: tuple[str, ...],
        archived: bool,
        run: dict[str, Any],
    ) -> tuple[list[dict[str, Any]], str | None]:
        kwargs: dict[str, Any] = {
            "limit": self.settings.list_page_size,
            "properties": properties,
            "archived": archived,
        }
        if to_types:
            kwargs["associations"] = list(to_types)
        if run.get("after"):
            kwargs["after"] = run["after"]
        body = self.http.call(self.apis.basic.get_page, object_type, **kwargs).body or {}
        results = body.get("results") or []
        for record in results:
            # The same normalised links as the search path's v4 reads, so a record's raw
            # payload does not depend on which endpoint read it.
            record["links"] = _inline_links(record)
            record.pop("associations", None)
        after = ((body.get("paging") or {}).get("next") or {}).get("after")
        return results, (str(after) if after and results else None)

    def attach_links(self, object_type: str, results: list[dict[str, Any]]) -> None:
        """Set each record's ``links`` from v4 batch reads (one call per 1,000 per type),
        up to ``link_workers`` at once when the portal answers slowly (``in_order``)."""
        for record in results:
            record["links"] = {}
        ids = [str(r["id"]) for r in results]
        by_id = {str(r["id"]): r for r in results}
        reads = [
            (to_type, ids[start : start + _LINKS_BATCH])
            for to_type in (associations_for(object_type) if ids else ())
            for start in range(0, len(ids), _LINKS_BATCH)
        ]

        def read(each: tuple[str, list[str]]) -> dict[str, list[str]]:
            return self.read_links(object_type, *each)

        found = in_order(self.settings.link_workers, read, reads)
        for (to_type, _), linked_by_id in zip(reads, found, strict=True):
            for rid, linked in linked_by_id.items():
                if rid in by_id:
                    by_id[rid]["links"][to_type] = linked

    def read_links(self, from_type: str, to_type: str, ids: list[str]) -> dict[str, list[str]]:
        """v4 batch read: {from id: [to ids, primary first]} (ids without links omitted)."""
        request = {"inputs": [{"id": i} for i in ids]}
        body = self.http.call(self.apis.associations.get_page, from_type, to_type, request).body
        out: dict[str, list[str]] = {}
        for item in (body or {}).get("results") or ():
            primary: list[str] = []
            other: list[str] = []
            for link in item.get("to") or ():
                to_id = str(link.get("toObjectId"))
                kinds = link.get("associationTypes") or ()
                is_primary = any(
                    t.get("typeId") in _PRIMARY_TYPE_IDS or t.get("label") == "Primary"
                    for t in kinds
                )
                (primary if is_primary else other).append(to_id)
            out[str((item.get("from") or {}).get("id"))] = primary + other
        return out


def _winners(results: list[dict[str, Any]], name: str) -> dict[str, tuple[int, list[str]]]:
    """{id: (modified ms, merged-away ids)} of search results that have merged ids."""
    out: dict[str, tuple[int, list[str]]] = {}
    for record in results:
        props = record.get("properties") or {}
        ids = [i for i in str(props.get(_MERGED) or "").split(";") if i]
        raw = props.get(name) or record.get("updatedAt")
        if ids and raw:
            out[str(record["id"])] = (to_ms(datetime.fromisoformat(raw)), ids)
    return out


def _archived_ms(results: list[dict[str, Any]]) -> dict[str, int]:
    """{id: when archived, epoch ms} of archived list records."""
    out: dict[str, int] = {}
    for record in results:
        raw = record.get("archivedAt")
        if raw:
            out[str(record["id"])] = to_ms(datetime.fromisoformat(raw))
    return out


def _final(cursor: Any, run: dict[str, Any]) -> int | None:
    """The cursor once a run completes: never past the signpost, never backwards."""
    upper = run.get("upper") if run["mode"] == "search" else run.get("signpost")
    seen = run.get("max_ts")
    candidates = [c for c in (seen, cursor) if c is not None]
    if not candidates:
        return upper
    best = max(int(c) for c in candidates)
    return min(best, int(upper)) if upper is not None else best
