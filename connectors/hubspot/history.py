"""The ``history`` stream: HubSpot property history as ``FieldChange`` records.

HubSpot keeps every version of a property and serves them with ``propertiesWithHistory``
on the CRM objects API (newest first: ``value``, ``timestamp``, ``sourceType``,
``updatedByUserId``). A first (or full) run walks the list endpoint with the tracked
properties' history (at most 50 records a page when history is asked), live records and
then archived ones; later runs search
the records modified in ``[cursor - lookback, signpost]`` (ids only) and batch-read their
history, and the archived records' (search never shows them), keeping only versions
stamped from the window's start: an incremental run stores only what is new. Each version
is one record, its id ``type:id:property:ms``; its old value is the version before it. A
record's first version of each property is its value at creation (HubSpot stamps it with
the creation time).

Deal stage versions say what the stage means (``new_state``) from the pipelines API; a
ticket's from its pipeline stage (closed or open).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.core.contract import Page, ReadOptions
from connectors.core.records import CommonRecord, FieldChange
from connectors.hubspot.apis import Apis
from connectors.hubspot.http import HubSpotHttp
from connectors.hubspot.mapping import Stage
from connectors.hubspot.reader import modified_property, to_ms

__all__ = ["TRACKED", "HistoryReader"]

# object type -> (record type, {property: common field})
TRACKED: dict[str, tuple[str, dict[str, str]]] = {
    "deals": (
        "deal",
        {
            "dealstage": "stage",
            "amount": "amount",
            "closedate": "close_date",
            "hubspot_owner_id": "owner_id",
            "hs_next_step": "next_step",
        },
    ),
    "tickets": ("case", {"hs_pipeline_stage": "status", "hubspot_owner_id": "owner_id"}),
}
_PAGE = 50  # HubSpot's largest list page with propertiesWithHistory
_BATCH = 50


def _decimal(value: Decimal) -> str:
    """A number as plain text, whole numbers without a fraction (12000.0 -> 12000)."""
    return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else str(value)


def _text(field: str, value: Any) -> str | None:
    if value is None or value == "":
        return None
    text = str(value)
    if field == "amount":
        try:
            return _decimal(Decimal(text))
        except InvalidOperation:
            return text
    if field == "close_date":
        return text[:10]
    return text


class HistoryReader:
    """Reads the tracked properties' versions of deals and tickets."""

    def __init__(
        self,
        http: HubSpotHttp,
        apis: Apis,
        source: str,
        stages: Callable[[], dict[str, dict[str, Stage]]],
    ) -> None:
        self.http = http
        self.apis = apis
        self.source = source
        self.stages = stages

    def read(
        self,
        state: Mapping[str, Any] | None,
        options: ReadOptions,
        signpost: datetime,
    ) -> Iterator[Page]:
        saved = {} if options.full else dict((state or {}).get("objects") or {})
        progress = dict(saved)
        signpost_ms = to_ms(signpost)
        lookback_ms = int(options.lookback.total_seconds() * 1000)
        for object_type in TRACKED:
            calls = self.http.calls
            cursor = saved.get(object_type)
            if cursor is None:
                pages = self._full(object_type)
                lower = None
            else:
                lower = max(0, int(cursor) - lookback_ms)
                # search never shows archived records: a record changed and then archived
                # since the last run has its new versions in the archived list
                pages = itertools.chain(
                    self._changed(object_type, lower, signpost_ms),
                    self._list(object_type, archived=True),
                )
            for results in pages:
                records: list[CommonRecord] = [
                    change
                    for raw in results
                    for change in self._changes(object_type, raw, lower, signpost_ms)
                ]
                page = Page("history", records, {"objects": dict(progress)})
                page.api_calls, calls = self.http.calls - calls, self.http.calls
                yield page
            progress[object_type] = signpost_ms
            yield Page("history", [], {"objects": dict(progress)})

    def _full(self, object_type: str) -> Iterator[list[dict[str, Any]]]:
        # live records, then archived ones: their history stays in the store, so a store
        # synced from scratch holds what one kept up incrementally does
        yield from self._list(object_type, archived=False)
        yield from self._list(object_type, archived=True)

    def _list(self, object_type: str, archived: bool) -> Iterator[list[dict[str, Any]]]:
        names = list(TRACKED[object_type][1])
        after: str | None = None
        while True:
            kwargs: dict[str, Any] = {
                "limit": _PAGE,
                "properties": ["hs_object_id"],
                "properties_with_history": names,
                "archived": archived,
            }
            if after:
                kwargs["after"] = after
            body = self.http.call(self.apis.basic.get_page, object_type, **kwargs).body or {}
            results = body.get("results") or []
            yield results
            after = ((body.get("paging") or {}).get("next") or {}).get("after")
            if not after or not results:
                return

    def _changed(self, object_type: str, lower: int, upper: int) -> Iterator[list[dict[str, Any]]]:
        from hubspot.crm.objects import Filter, FilterGroup, PublicObjectSearchRequest

        modified = modified_property(object_type)
        last_id: str | None = None
        while True:
            filters = [
                Filter(property_name=modified, operator="GTE", value=str(lower)),
                Filter(property_name=modified, operator="LTE", value=str(upper)),
            ]
            if last_id:
                filters.append(Filter(property_name="hs_object_id", operator="GT", value=last_id))
            request = PublicObjectSearchRequest(
                filter_groups=[FilterGroup(filters=filters)],
                sorts=[{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
                properties=["hs_object_id"],
                limit=100,
            )
            body = self.http.call(self.apis.search.do_search, object_type, request).body or {}
            ids = [str(r["id"]) for r in body.get("results") or []]
            for start in range(0, len(ids), _BATCH):
                yield self._batch_read(object_type, ids[start : start + _BATCH])
            if not ids or not (body.get("paging") or {}).get("next"):
                return
            last_id = ids[-1]

    def _batch_read(self, object_type: str, ids: list[str]) -> list[dict[str, Any]]:
        from hubspot.crm.objects import BatchReadInputSimplePublicObjectId

        request = BatchReadInputSimplePublicObjectId(
            properties=["hs_object_id"],
            properties_with_history=list(TRACKED[object_type][1]),
            inputs=[{"id": rid} for rid in ids],
        )
        body = self.http.call(self.apis.batch.read, object_type, request).body or {}
        return list(body.get("results") or [])

    def _changes(
        self, object_type: str, raw: dict[str, Any], lower: int | None, upper: int
    ) -> Iterator[FieldChange]:
        record_type, names = TRACKED[object_type]
        rid = str(raw["id"])
        stages = self.stages().get(object_type, {})
        for name, field in names.items():
            versions = (raw.get("propertiesWithHistory") or {}).get(name) or []
            ordered = sorted(versions, key=lambda v: str(v.get("timestamp") or ""))
            previous: str | None = None
            for version in ordered:
                value = _text(field, version.get("value"))
                stamp = version.get("timestamp")
                when = datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else None
                ms = to_ms(when) if when else None
                old, previous = previous, value
                if ms is None or ms > upper or (lower is not None and ms < lower):
                    continue  # read before (or after this run's signpost)
                state = None
                if field in ("stage", "status") and value is not None:
                    stage = stages.get(value)
                    if stage is not None and record_type == "deal":
                        state = "won" if stage.is_won else "lost" if stage.is_closed else "open"
                    elif stage is not None:
                        state = "closed" if stage.is_closed else "open"
                by = version.get("updatedByUserId")
                yield FieldChange(
                    source=self.source,
                    remote_id=f"{object_type}:{rid}:{name}:{ms}",
                    remote_created_at=when,
                    remote_updated_at=when,
                    record_type=record_type,
                    record_id=rid,
                    field=field,
                    remote_field=name,
                    old_value=old,
                    new_value=value,
                    new_state=state,
                    changed_at=when,
                    changed_by=None if by is None else str(by),
                    raw={"objectType": object_type, "id": rid, "property": name, **version},
                )
