"""The REST v2 lists the Keap emulator serves (under ``/crm/rest/v2``), where v1 has no
date filter or date order:

- ``GET /v2/companies``: ``filter`` with ``since_time`` and ``until_time`` (companies
  updated on or after / on or before, both inclusive, ``==`` as the operator, ``;``
  between filters), ``order_by`` ``id asc`` (the default) or ``id desc``;
- ``GET /v2/opportunities``: no date filter, but ``order_by`` ``update_time`` or
  ``created_time`` with ``asc`` / ``desc``.

Both page with ``page_size`` (at most 1,000) and ``page_token`` (opaque; the answer's
``next_page_token``, empty on the last page). Keap's documentation of these lists:
https://developer.infusionsoft.com/docs/restv2/ (``listCompanies``, ``listOpportunities``; their
text is in Keap's SDKs, github.com/infusionsoft/keap-sdk-php ``docs/Api/CompanyApi.md`` and
``OpportunityApi.md``, and the models of the official Python SDK, keap-core-v2-sdk 2.0.26,
which reads these lists in the peer-client check).

The records have v2's shape, not v1's: every id is a string (nested ones too); a company's
``address``, ``email_address``, ``phone_number``, ``fax_number``, ``notes``,
``custom_fields``, ``update_time`` and ``create_time`` come only when ``fields`` asks for
them; an opportunity's times are ``created_time``, ``last_updated_time`` and
``estimated_close_time``, and ``custom_fields``, ``created_by`` and ``last_updated_by`` come
only when asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.keap.app import keap_error
from sandbox.store import Table

if TYPE_CHECKING:
    from sandbox.keap.app import KeapEmulator

__all__ = ["register_v2"]

BASE = "/crm/rest/v2"
MAX_PAGE = 1000
Rendered = Callable[[Table], list[tuple[str, datetime, dict[str, Any]]]]
_COMPANY_FILTERS = {"since_time", "until_time"}
_OPPORTUNITY_ORDERS = {"update_time": "last_updated", "created_time": "date_created"}


def _filters(raw: str, allowed: set[str]) -> dict[str, datetime]:
    found: dict[str, datetime] = {}
    for part in (p for p in raw.split(";") if p):
        key, sep, value = part.partition("==")
        if not sep or key not in allowed:
            raise keap_error(400, f"Invalid filter: {part}")
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise keap_error(400, f"Invalid {key}: {value}") from exc
        found[key] = when if when.tzinfo else when.replace(tzinfo=UTC)
    return found


def _order(raw: str, allowed: set[str], default: str) -> tuple[str, bool]:
    name, _, direction = (raw or default).partition(" ")
    direction = direction.strip().lower() or "asc"
    if name not in allowed or direction not in ("asc", "desc"):
        raise keap_error(400, f"Invalid order_by: {raw}")
    return name, direction == "desc"


def _page(request: Request) -> tuple[int, int]:
    try:
        size = int(request.args.get("page_size", MAX_PAGE))
        start = int(request.args.get("page_token") or 0)
    except ValueError as exc:
        raise keap_error(400, "Invalid page_size or page_token") from exc
    return min(max(size, 1), MAX_PAGE), max(start, 0)


_COMPANY_OPTIONAL = {
    "address",
    "custom_fields",
    "email_address",
    "fax_number",
    "notes",
    "phone_number",
    "update_time",
    "create_time",
}
_OPPORTUNITY_OPTIONAL = {"custom_fields", "created_by", "last_updated_by", "status_id"}


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _custom_fields(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"id": str(c["id"]), "content": c.get("content")} for c in body["custom_fields"]]


def _company(body: dict[str, Any], wanted: set[str]) -> dict[str, Any]:
    """A company as v2 lists it, from its v1 JSON."""
    every = {
        "id": str(body["id"]),
        "company_name": body.get("company_name"),
        "website": body.get("website"),
        "address": body.get("address"),
        "email_address": body.get("email_address"),
        "phone_number": body.get("phone_number"),
        "fax_number": None,
        "notes": None,
        "custom_fields": _custom_fields(body),
        "update_time": body.get("last_updated"),
        "create_time": body.get("date_created"),
    }
    return {k: v for k, v in every.items() if k not in _COMPANY_OPTIONAL or k in wanted}


def _opportunity(body: dict[str, Any], wanted: set[str]) -> dict[str, Any]:
    """An opportunity as v2 lists it, from its v1 JSON."""
    contact = body.get("contact") or {}
    stage, user = body.get("stage") or {}, body.get("user")
    every = {
        "id": str(body["id"]),
        "opportunity_title": body.get("opportunity_title"),
        "contact": {**contact, "id": str(contact.get("id"))},
        "user": {"id": str(user["id"])} if user else None,
        "stage": {**stage, "id": _text(stage.get("id"))},
        "projected_revenue_low": body.get("projected_revenue_low"),
        "projected_revenue_high": body.get("projected_revenue_high"),
        "estimated_close_time": body.get("estimated_close_date"),
        "custom_fields": _custom_fields(body),
        "created_time": body.get("date_created"),
        "last_updated_time": body.get("last_updated"),
        "created_by": None,
        "last_updated_by": None,
        "status_id": None,
    }
    return {k: v for k, v in every.items() if k not in _OPPORTUNITY_OPTIONAL or k in wanted}


def _fields(request: Request, allowed: set[str]) -> set[str]:
    wanted = {f.strip() for f in request.args.get("fields", "").split(",") if f.strip()}
    unknown = sorted(wanted - allowed)
    if unknown:
        raise keap_error(400, f"Invalid fields: {', '.join(unknown)}")
    return wanted


def register_v2(app: KeapEmulator, rendered: Rendered) -> None:
    world = app.world

    def answer(
        name: str,
        rows: list[dict[str, Any]],
        size: int,
        start: int,
        shape: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> Response:
        page = rows[start : start + size]
        more = start + size < len(rows)
        return json_response(
            {name: [shape(r) for r in page], "next_page_token": str(start + size) if more else ""}
        )

    def companies(request: Request) -> Response:
        window = _filters(request.args.get("filter", ""), _COMPANY_FILTERS)
        _, descending = _order(request.args.get("order_by", ""), {"id"}, "id asc")
        wanted = _fields(request, _COMPANY_OPTIONAL | {"id", "company_name", "website"})
        size, start = _page(request)
        since, until = window.get("since_time"), window.get("until_time")
        with world.lock:
            rows = [
                body
                for _, stamp, body in rendered(world.keap["companies"])
                if (since is None or stamp >= since) and (until is None or stamp <= until)
            ]
        ordered = rows[::-1] if descending else rows
        return answer("companies", ordered, size, start, lambda r: _company(r, wanted))

    def opportunities(request: Request) -> Response:
        if request.args.get("filter"):  # no filter the connector needs; dates have none
            _filters(request.args["filter"], set())
        orders = set(_OPPORTUNITY_ORDERS)
        name, descending = _order(request.args.get("order_by", ""), orders, "created_time asc")
        wanted = _fields(request, _OPPORTUNITY_OPTIONAL)
        size, start = _page(request)
        key = _OPPORTUNITY_ORDERS[name]
        with world.lock:
            rows = [body for _, _, body in rendered(world.keap["opportunities"])]
        rows.sort(key=lambda r: (r.get(key) or "", int(r["id"])), reverse=descending)
        return answer("opportunities", rows, size, start, lambda r: _opportunity(r, wanted))

    app.add_route(f"{BASE}/companies", companies, endpoint="GET /v2/companies")
    app.add_route(f"{BASE}/opportunities", opportunities, endpoint="GET /v2/opportunities")
