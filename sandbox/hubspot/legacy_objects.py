"""Legacy record lists that maintained clients still read (Singer's tap-hubspot).

- ``GET /deals/v1/deal/paged`` (Deals API v1): ``{"deals": [...], "hasMore", "offset"}``,
  ``limit`` up to 250 (default 100), ``properties`` repeated, ``includeAllProperties``,
  ``includeAssociations``; deals sorted newest first;
- ``GET /companies/v2/companies/paged`` (Companies API v2): ``{"companies": [...],
  "has-more", "offset"}``, same parameters; ``GET /companies/v2/companies/{companyId}``
  answers one company with every property;
- ``GET /deals/v1/pipelines``: a bare array of pipelines with ``pipelineId`` and ``stages``.

Records carry numeric ``dealId`` / ``companyId``, ``portalId`` and ``isDeleted``; each
property is ``{"value", "timestamp", "source", "sourceId", "versions": [...]}``, its value a
string, datetimes and dates as epoch milliseconds (the legacy APIs' format). Archived
records are not listed. The offset is opaque: where the next page starts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.hubspot.errors import hs_error, validation_error
from sandbox.hubspot.params import limit_param, list_param
from sandbox.hubspot.render import render_value
from sandbox.hubspot.schema import DEAL_PIPELINES
from sandbox.store import Record, Table

if TYPE_CHECKING:
    from sandbox.hubspot.app import HubSpotEmulator

__all__ = ["PORTAL_ID", "register"]

# The sandbox portal's id (the ``portalId`` legacy records carry; the hub id in HubSpot's UI).
PORTAL_ID = 20_261_031
_LEGACY_MAX = 250
_LEGACY_DEFAULT = 100


def _ms(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


def _legacy_value(field_type: str, value: Any) -> str | None:
    if isinstance(value, datetime):
        return str(_ms(value))
    if isinstance(value, date):
        return str(_ms(datetime(value.year, value.month, value.day, tzinfo=UTC)))
    return render_value(field_type, value)


def _properties(table: Table, record: Record, names: list[str] | None) -> dict[str, Any]:
    """Property objects for ``names`` (``None``: every property that has a value)."""
    schema = table.schema
    modified = record.get(schema.modified_fields[0]) or record.get(schema.created_fields[0])
    stamp = _ms(modified) if isinstance(modified, datetime) else 0
    fields = schema.fields if names is None else [schema.field(n) for n in names]
    out: dict[str, Any] = {}
    for field in fields:
        if field is None:
            continue  # unknown names are ignored
        raw = record["id"] if field.name == "hs_object_id" else record.get(field.name)
        value = _legacy_value(field.type, raw)
        if value is None:
            continue  # the legacy APIs leave out properties without a value
        version = {
            "name": field.name,
            "value": value,
            "timestamp": stamp,
            "source": "API",
            "sourceVid": [],
        }
        out[field.name] = {
            "value": value,
            "timestamp": stamp,
            "source": "API",
            "sourceId": None,
            "versions": [version],
        }
    return out


def _wanted(request: Request) -> list[str] | None:
    if (request.args.get("includeAllProperties") or "").lower() == "true":
        return None
    return list_param(request, "properties")


def _associations(app: HubSpotEmulator, kind: str, rid: str) -> dict[str, list[int]]:
    links = app.world.hubspot_associations

    def ids(to_type: str) -> list[int]:
        table = app.world.hubspot[to_type]
        return sorted(int(i) for i in links.get(kind, rid, to_type) if table.get(i) is not None)

    return {
        "associatedVids": ids("contacts"),
        "associatedCompanyIds": ids("companies"),
        "associatedDealIds": ids("deals"),
        "associatedTicketIds": ids("tickets"),
    }


def _page(request: Request, table: Table) -> tuple[list[Record], bool, int]:
    limit = limit_param(request, _LEGACY_DEFAULT, _LEGACY_MAX)
    raw = request.args.get("offset") or "0"
    try:
        start = int(raw)
    except ValueError:
        raise validation_error(f"Invalid offset: {raw}") from None
    created = table.schema.created_fields[0]
    live = [r for rid, r in table.rows.items() if not table.is_deleted(rid)]
    live.sort(key=lambda r: (r.get(created) or datetime.min.replace(tzinfo=UTC), int(r["id"])))
    live.reverse()  # most recently created first
    page = live[start : start + limit]
    return page, start + limit < len(live), start + len(page)


def _deal(app: HubSpotEmulator, request: Request, record: Record) -> dict[str, Any]:
    table = app.world.hubspot["deals"]
    out: dict[str, Any] = {
        "portalId": PORTAL_ID,
        "dealId": int(record["id"]),
        "isDeleted": False,
        "properties": _properties(table, record, _wanted(request)),
        "imports": [],
        "stateChanges": [],
    }
    if (request.args.get("includeAssociations") or "").lower() == "true":
        out["associations"] = _associations(app, "deals", record["id"])
    return out


def _company(table: Table, record: Record, names: list[str] | None) -> dict[str, Any]:
    return {
        "portalId": PORTAL_ID,
        "companyId": int(record["id"]),
        "isDeleted": False,
        "properties": _properties(table, record, names),
        "additionalDomains": [],
        "stateChanges": [],
        "mergeAudits": [],
    }


def deals_paged(app: HubSpotEmulator, request: Request) -> Response:
    page, more, offset = _page(request, app.world.hubspot["deals"])
    deals = [_deal(app, request, r) for r in page]
    return json_response({"deals": deals, "hasMore": more, "offset": offset})


def companies_paged(app: HubSpotEmulator, request: Request) -> Response:
    table = app.world.hubspot["companies"]
    page, more, offset = _page(request, table)
    names = _wanted(request)
    companies = [_company(table, r, names) for r in page]
    return json_response({"companies": companies, "has-more": more, "offset": offset})


def company_detail(app: HubSpotEmulator, company_id: str) -> Response:
    table = app.world.hubspot["companies"]
    record = table.get(company_id)
    if record is None:
        raise hs_error(404, f"resource not found, companyId={company_id}", "OBJECT_NOT_FOUND")
    return json_response(_company(table, record, None))


def deal_pipelines_v1() -> Response:
    return json_response(
        [
            {
                "pipelineId": pipeline_id,
                "label": label,
                "displayOrder": order,
                "active": True,
                "stages": [
                    {
                        "stageId": stage_id,
                        "label": stage_label,
                        "probability": probability,
                        "active": True,
                        "displayOrder": i,
                        "closedWon": won,
                    }
                    for i, (stage_id, stage_label, probability, _closed, won) in enumerate(stages)
                ],
            }
            for order, (pipeline_id, label, stages) in enumerate(DEAL_PIPELINES)
        ]
    )


def register(app: HubSpotEmulator) -> None:
    app.add_route(
        "/deals/v1/deal/paged",
        lambda request: deals_paged(app, request),
        ["GET"],
        endpoint="GET /deals/v1/deal/paged",
    )
    app.add_route(
        "/companies/v2/companies/paged",
        lambda request: companies_paged(app, request),
        ["GET"],
        endpoint="GET /companies/v2/companies/paged",
    )
    app.add_route(
        "/companies/v2/companies/<company_id>",
        lambda request, company_id: company_detail(app, company_id),
        ["GET"],
        endpoint="GET /companies/v2/companies/<companyId>",
    )
    app.add_route(
        "/deals/v1/pipelines",
        lambda request: deal_pipelines_v1(),
        ["GET"],
        endpoint="GET /deals/v1/pipelines",
    )
