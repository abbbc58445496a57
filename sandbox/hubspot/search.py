"""``POST /crm/v3/objects/{type}/search``.

A query's filtered and sorted id list is computed once per table version and cached, so
paging through it costs a slice. A query bounding the modified property
(``lastmodifieddate`` / ``hs_lastmodifieddate``) reads only the records in its window, from
an index kept current on writes (``modified_index``). Archived records are never
returned, and no query can page past its first 10,000 results (HubSpot answers 400).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import orjson
from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.hubspot.errors import bad_request, validation_error
from sandbox.hubspot.filters import Predicate, compile_groups, sort_key
from sandbox.hubspot.modified_index import window
from sandbox.hubspot.objects import resolve_table
from sandbox.hubspot.params import body
from sandbox.hubspot.render import render_record, select_properties
from sandbox.schema import ObjectSchema
from sandbox.store import Record, Table

if TYPE_CHECKING:
    from sandbox.hubspot.app import HubSpotEmulator

__all__ = ["RESULT_CAP", "SEARCH_MAX_LIMIT", "register"]

RESULT_CAP = 10_000
SEARCH_MAX_LIMIT = 200
_QUERY_PROPERTIES = {
    "contacts": ("firstname", "lastname", "email", "phone", "company", "hs_additional_emails"),
    "companies": ("name", "domain", "phone", "website"),
    "deals": ("dealname",),
    "tickets": ("subject", "content"),
}


def _sorts(raw: Any) -> list[tuple[str, bool]]:
    """(property, descending) pairs from either documented or bare-string sorts."""
    if raw in (None, []):
        return []
    if not isinstance(raw, list):
        raise bad_request()
    out = []
    for item in raw:
        if isinstance(item, str):
            name = item.lstrip("-")
            out.append((name, item.startswith("-")))
        elif isinstance(item, dict) and "propertyName" in item:
            direction = str(item.get("direction", "ASCENDING")).upper()
            if direction not in ("ASCENDING", "DESCENDING"):
                raise bad_request()
            out.append((str(item["propertyName"]), direction == "DESCENDING"))
        else:
            raise bad_request()
    return out


def _query_predicate(table: Table, query: Any) -> Predicate | None:
    if not query:
        return None
    needle = str(query).strip().lower()
    names = _QUERY_PROPERTIES.get(table.name) or tuple(
        f.name for f in table.schema.fields if f.type in ("string", "email", "textarea")
    )

    def matches(record: dict[str, Any]) -> bool:
        for name in names:
            value = record.get(name)
            if value is None:
                continue
            text = str(value).lower()
            if text.startswith(needle) or any(t.startswith(needle) for t in text.split()):
                return True
        return False

    return matches


def _candidates(app: HubSpotEmulator, table: Table, groups: Any) -> Iterable[Record]:
    """The live records a query can match: those in its modified-time window when it
    has one (from the index), else the whole table."""
    bounds = window(table, groups)
    if bounds is None:
        return table.live()
    ids = app.modified.ids_between(table, *bounds)
    deleted = table.deleted_at
    return [table.rows[i] for i in ids if i not in deleted]


def _ordered_ids(
    schema: ObjectSchema,
    records: Iterable[Record],
    predicate: Predicate | None,
    text: Predicate | None,
    sorts: list,
) -> list[str]:
    found = [
        r for r in records if (predicate is None or predicate(r)) and (text is None or text(r))
    ]
    found.sort(key=lambda r: int(r["id"]))
    for name, descending in reversed(sorts):
        found.sort(key=sort_key(schema, name), reverse=descending)
    return [r["id"] for r in found]


def do_search(app: HubSpotEmulator, request: Request, object_type: str) -> Response:
    _name, table = resolve_table(app.world.hubspot, object_type)
    data = body(request)
    limit = data.get("limit", 10)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 0:
        raise bad_request()
    if limit > SEARCH_MAX_LIMIT:
        raise validation_error(
            f"Invalid limit {limit}: the maximum page size for search is {SEARCH_MAX_LIMIT}."
        )
    try:
        after = int(data.get("after") or 0)
    except (TypeError, ValueError):
        raise bad_request() from None
    groups = data.get("filterGroups")
    predicate = compile_groups(table.schema, groups)
    sorts = _sorts(data.get("sorts"))
    text = _query_predicate(table, data.get("query"))
    key = orjson.dumps([groups, sorts, data.get("query")], option=orjson.OPT_SORT_KEYS)
    selection = select_properties(table.schema, data.get("properties") or [])
    with app.world.lock:
        ids = app.cache.get(
            table,
            ("search", key),
            lambda: _ordered_ids(
                table.schema, _candidates(app, table, groups), predicate, text, sorts
            ),
        )
        total = len(ids)
        if after >= RESULT_CAP or min(after + limit, total) > RESULT_CAP:
            raise bad_request()
        page = ids[after : after + limit]
        results = [render_record(table, table.rows[i], selection) for i in page]
    payload: dict[str, Any] = {"total": total, "results": results}
    if after + limit < total:
        payload["paging"] = {"next": {"after": str(after + limit)}}
    return json_response(payload)


def register(app: HubSpotEmulator) -> None:
    app.add_route(
        "/crm/v3/objects/<object_type>/search",
        lambda request, object_type: do_search(app, request, object_type),
        ["POST"],
        endpoint="POST /crm/v3/objects/<type>/search",
    )
