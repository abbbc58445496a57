"""The data routes of the Keap emulator (REST v1, under ``/crm/rest/v1``).

- ``GET /<object>``: ``limit`` (at most 1,000, 1,000 by default), ``offset``, ``order``
  (``id``, ``date_created``, ``last_updated``) with ``order_direction``
  (``ASCENDING``/``DESCENDING``); on contacts, tasks, appointments and orders also ``since``
  and ``until`` on ``last_updated`` (``since`` inclusive, ``until`` exclusive). Answers
  ``{"<object>": [...], "count": <matching records>, "next": <url>, "previous": <url>}``.
  Contacts carry ``custom_fields`` only with ``optional_properties=custom_fields``;
- ``GET /<object>/<id>``; ``PATCH /contacts|companies|opportunities/<id>`` (plain fields
  and ``custom_fields: [{"id", "content"}]``), which stamps ``last_updated``;
- ``GET /<object>/model`` and ``POST /<object>/model/customFields`` (``label``,
  ``field_type``) for contacts, companies and opportunities;
- ``GET /oauth/connect/userinfo``: who the token belongs to;
- and two REST v2 lists, with the date filter or order v1 lacks (``api_v2.py``).
"""

from __future__ import annotations

import re
import urllib.parse
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_body, json_response
from sandbox.keap.api_v2 import register_v2
from sandbox.keap.app import keap_error
from sandbox.keap.schema import CUSTOM_FIELD_OBJECTS, DATED, OBJECTS, custom_key
from sandbox.schema import Field, FieldType
from sandbox.store import Record, Table

if TYPE_CHECKING:
    from sandbox.keap.app import KeapEmulator

__all__ = ["MAX_LIMIT", "iso", "register", "render"]

MAX_LIMIT = 1000
BASE = "/crm/rest/v1"
_FIELD_TYPES: dict[str, FieldType] = {
    "Currency": "currency",
    "Number": "int",
    "DecimalNumber": "double",
    "Percent": "percent",
    "Text": "string",
    "Date": "date",
    "DateTime": "datetime",
}
_ORDERS = {"id", "date_created", "last_updated"}


def iso(value: Any) -> str | None:
    """Keap's timestamps: UTC, milliseconds, ``Z``."""
    if not isinstance(value, datetime):
        return None
    if value.utcoffset():
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def _money(value: Any) -> float | None:
    return None if value is None else round(float(value), 2)


def _customs(table: Table, row: Record) -> list[dict[str, Any]]:
    keys = [f.name for f in table.schema.fields if f.custom]
    return [{"id": int(k[3:]), "content": row.get(k)} for k in keys] if keys else []


def render(world: Any, table: Table, row: Record) -> dict[str, Any]:
    """A stored record as Keap's v1 JSON shows it."""
    name = table.name
    rid = int(row["id"])
    dates = {"date_created": iso(row["date_created"]), "last_updated": iso(row["last_updated"])}
    if name == "users":
        keys = ("given_name", "family_name", "email_address", "status", "admin")
        return {"id": rid, **{k: row.get(k) for k in keys}, **dates}
    if name == "companies":
        return {
            "id": rid,
            "company_name": row.get("company_name"),
            "website": row.get("website"),
            "email_address": {"email": row.get("email"), "field": "EMAIL1"},
            "phone_number": {"number": row.get("phone"), "field": "PHONE1"},
            "address": {
                k: row.get(k)
                for k in ("line1", "locality", "region", "postal_code", "country_code")
            },
            "custom_fields": _customs(table, row),
            **dates,
        }
    if name == "contacts":
        company_id = row.get("company_id")
        company = world.keap["companies"].get(company_id) if company_id else None
        address = {
            "line1": row.get("line1"),
            "locality": row.get("locality"),
            "region": row.get("region"),
            "postal_code": row.get("postal_code"),
            "country_code": row.get("country_code"),
        }
        return {
            "id": rid,
            "given_name": row.get("given_name"),
            "family_name": row.get("family_name"),
            "email_addresses": [{"email": row["email"], "field": "EMAIL1"}]
            if row.get("email")
            else [],
            "phone_numbers": [{"number": row["phone"], "field": "PHONE1"}]
            if row.get("phone")
            else [],
            "addresses": [{**address, "field": "BILLING"}],
            "company": {"id": int(company["id"]), "company_name": company["company_name"]}
            if company
            else None,
            "job_title": row.get("job_title"),
            "owner_id": int(row["owner_id"]) if row.get("owner_id") else None,
            "source_type": row.get("source_type"),
            "custom_fields": _customs(table, row),
            **dates,
        }
    contact = _contact(world, row.get("contact_id"))
    if name == "opportunities":
        return {
            "id": rid,
            "opportunity_title": row.get("opportunity_title"),
            "contact": contact,
            "user": {"id": int(row["user_id"])} if row.get("user_id") else None,
            "stage": {
                "id": row.get("stage_id"),
                "name": row.get("stage_name"),
                "details": {"probability": row.get("probability")},
            },
            "projected_revenue_low": _money(row.get("projected_revenue_low")),
            "projected_revenue_high": _money(row.get("projected_revenue_high")),
            "estimated_close_date": iso(row.get("estimated_close_date")),
            "custom_fields": _customs(table, row),
            **dates,
        }
    user = int(row["user_id"]) if row.get("user_id") else None
    if name == "notes":
        note_keys = ("title", "body", "type")
        contact_id = contact["id"] if contact else None
        return {
            "id": rid,
            **{k: row.get(k) for k in note_keys},
            "contact_id": contact_id,
            "user_id": user,
            **dates,
        }
    if name == "tasks":
        return {
            "id": rid,
            **{k: row.get(k) for k in ("title", "description", "type", "completed")},
            "contact": contact,
            "user_id": user,
            "due_date": iso(row.get("due_date")),
            "completion_date": iso(row.get("completion_date")),
            **dates,
        }
    if name == "appointments":
        return {
            "id": rid,
            **{k: row.get(k) for k in ("title", "description", "location")},
            "contact_id": contact["id"] if contact else None,
            "user": user,
            "start_date": iso(row.get("start_date")),
            "end_date": iso(row.get("end_date")),
            **dates,
        }
    return {  # orders: Keap names their dates creation_date and modification_date
        "id": rid,
        "title": row.get("title"),
        "status": row.get("status"),
        "total": _money(row.get("total")),
        "contact": contact,
        "order_date": iso(row.get("order_date")),
        "source_type": row.get("source_type"),
        "creation_date": dates["date_created"],
        "modification_date": dates["last_updated"],
    }


def _contact(world: Any, contact_id: Any) -> dict[str, Any] | None:
    if not contact_id:
        return None
    row = world.keap["contacts"].get(str(contact_id))
    if row is None:  # a deleted contact: Keap keeps the id on the record
        return {"id": int(contact_id)}
    return {
        "id": int(row["id"]),
        "first_name": row.get("given_name"),
        "last_name": row.get("family_name"),
        "email": row.get("email"),
    }


def _when(raw: str | None, name: str) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise keap_error(400, f"Invalid {name}: {raw}") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _int_arg(request: Request, name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except ValueError as exc:
        raise keap_error(400, f"Invalid {name}") from exc


class _KeapRoutes:
    """The data routes' handlers, with the rendered records they share (also with the v2
    routes)."""

    def __init__(self, app: KeapEmulator) -> None:
        self.app = app
        self.world = app.world
        self._cache: dict[str, tuple[int, list[tuple[str, datetime, dict[str, Any]]]]] = {}

    def _table(self, name: str) -> Table:
        if name not in OBJECTS:
            raise keap_error(404, f"Unknown object {name}")
        return self.world.keap[name]

    def rendered(self, t: Table) -> list[tuple[str, datetime, dict[str, Any]]]:
        """(id, last_updated, JSON) of every record, by id; cached per table version (a
        contact's change shows in the records that nest it, so contacts' version counts)."""
        version = (
            t.version + self.world.keap["contacts"].version + self.world.keap["companies"].version
        )
        hit = self._cache.get(t.name)
        if hit is None or hit[0] != version:
            rows = sorted(t.live(), key=lambda r: int(r["id"]))
            out = [(r["id"], r["last_updated"], render(self.world, t, r)) for r in rows]
            hit = self._cache[t.name] = (version, out)
        return hit[1]

    def list_records(self, request: Request, name: str) -> Response:
        t = self._table(name)
        limit = min(max(_int_arg(request, "limit", MAX_LIMIT), 1), MAX_LIMIT)
        offset = max(_int_arg(request, "offset", 0), 0)
        since = until = None
        if name in DATED:  # the v1 lists without a date filter ignore since/until
            since = _when(request.args.get("since"), "since")
            until = _when(request.args.get("until"), "until")
        order = request.args.get("order", "id")
        if order not in _ORDERS:
            raise keap_error(400, f"Invalid order: {order}")
        descending = request.args.get("order_direction", "ASCENDING").upper() == "DESCENDING"
        with self.world.lock:
            rows = [
                (rid, stamp, body)
                for rid, stamp, body in self.rendered(t)
                if (since is None or stamp >= since) and (until is None or stamp < until)
            ]
        if order != "id":
            rows.sort(key=lambda r: r[2].get(order) or r[2].get("modification_date") or "")
        if descending:
            rows.reverse()
        page = [body for _, _, body in rows[offset : offset + limit]]
        if name == "contacts" and "custom_fields" not in request.args.get(
            "optional_properties", ""
        ):
            page = [{k: v for k, v in body.items() if k != "custom_fields"} for body in page]
        query = {k: v for k, v in request.args.items() if k != "access_token"}
        url = f"{request.host_url.rstrip('/')}{BASE}/{name}/"
        more = {**query, "offset": str(offset + limit), "limit": str(limit)}
        back = {**query, "offset": str(max(offset - limit, 0)), "limit": str(limit)}
        return json_response(
            {
                name: page,
                "count": len(rows),
                "next": f"{url}?{urllib.parse.urlencode(more)}",
                "previous": f"{url}?{urllib.parse.urlencode(back)}",
            }
        )

    def _one(self, name: str, rid: str) -> tuple[Table, Record]:
        t = self._table(name)
        row = t.get(rid)
        if row is None:
            raise keap_error(404, f"{name[:-1].capitalize()} with id {rid} not found")
        return t, row

    def get_record(self, request: Request, name: str, rid: int) -> Response:
        with self.world.lock:
            t, row = self._one(name, str(rid))
            return json_response(render(self.world, t, row))

    def patch_record(self, request: Request, name: str, rid: int) -> Response:
        if name not in CUSTOM_FIELD_OBJECTS:
            raise keap_error(405, f"PATCH is not supported for {name}")
        try:
            body = json_body(request) or {}
        except ValueError as exc:
            raise keap_error(400, "Input could not be converted to a valid request") from exc
        with self.world.lock:
            t, row = self._one(name, str(rid))
            changes: dict[str, Any] = {}
            for item in body.pop("custom_fields", None) or []:
                key = custom_key(int(item.get("id", 0)))
                f = t.schema.field(key)
                if f is None:
                    raise keap_error(400, f"Invalid custom field id {item.get('id')}")
                changes[key] = _typed(f, item.get("content"))
            for key, value in body.items():
                f = t.schema.field(key)
                if f is None or f.custom or key in ("id", "date_created", "last_updated"):
                    raise keap_error(400, f"Invalid field {key}")
                changes[key] = _typed(f, value)
            t.update(str(rid), changes, when=self.app.clock.now().replace(microsecond=0))
            return json_response(render(self.world, t, row))

    def model(self, request: Request, name: str) -> Response:
        if name not in CUSTOM_FIELD_OBJECTS:
            raise keap_error(404, f"No model for {name}")
        with self.world.lock:
            fields = [f for f in self.world.keap[name].schema.fields if f.custom]
        kinds = {v: k for k, v in _FIELD_TYPES.items()}
        return json_response(
            {
                "custom_fields": [
                    {
                        "id": int(f.name[3:]),
                        "label": f.label,
                        "field_name": re.sub(r"[^A-Za-z0-9]", "", f.label),
                        "field_type": kinds.get(f.type, "Text"),
                        "options": [],
                    }
                    for f in fields
                ],
                "optional_properties": ["custom_fields"],
            }
        )

    def create_field(self, request: Request, name: str) -> Response:
        if name not in CUSTOM_FIELD_OBJECTS:
            raise keap_error(404, f"No model for {name}")
        try:
            body = json_body(request) or {}
        except ValueError as exc:
            raise keap_error(400, "Input could not be converted to a valid request") from exc
        label, kind = str(body.get("label") or ""), _FIELD_TYPES.get(str(body.get("field_type")))
        if not label or kind is None:
            raise keap_error(400, "label and a valid field_type are required")
        with self.world.lock:
            t = self.world.keap[name]
            if any(f.custom and f.label == label for f in t.schema.fields):
                raise keap_error(400, f"A custom field labelled {label} already exists")
            number = 1 + self.world.sequences["keap:custom_field"]
            self.world.sequences["keap:custom_field"] = number
            t.schema.add_field(Field(custom_key(number), kind, label, custom=True))
            for row in t.all():
                row.setdefault(custom_key(number), None)
            t.version += 1
        return json_response(
            {
                "id": number,
                "label": label,
                "field_type": body.get("field_type"),
                "field_name": re.sub(r"[^A-Za-z0-9]", "", label),
            },
            201,
        )

    def userinfo(self, request: Request) -> Response:
        with self.world.lock:
            admin = next(u for u in self.world.keap["users"].live() if u.get("admin"))
        return json_response(
            {
                "email": admin["email_address"],
                "given_name": admin["given_name"],
                "family_name": admin["family_name"],
                "global_user_id": int(admin["id"]),
                "infusionsoft_id": "ab123.infusionsoft.com",
                "sub": str(admin["id"]),
            }
        )


def register(app: KeapEmulator) -> None:
    routes = _KeapRoutes(app)
    app.add_route(f"{BASE}/oauth/connect/userinfo", routes.userinfo, endpoint="GET userinfo")
    app.add_route(f"{BASE}/<name>/model", routes.model, endpoint="GET /<object>/model")
    app.add_route(
        f"{BASE}/<name>/model/customFields",
        routes.create_field,
        ["POST"],
        endpoint="POST /<object>/model/customFields",
    )
    app.add_route(f"{BASE}/<name>", routes.list_records, endpoint="GET /<object>")
    app.add_route(f"{BASE}/<name>/<int:rid>", routes.get_record, endpoint="GET /<object>/<id>")
    app.add_route(
        f"{BASE}/<name>/<int:rid>", routes.patch_record, ["PATCH"], endpoint="PATCH /<object>/<id>"
    )
    register_v2(app, routes.rendered)


def _typed(f: Field, value: Any) -> Any:
    """A JSON value as the store keeps it for the field's type."""
    if value is None or value == "":
        return None
    try:
        if f.type in ("double", "currency", "percent"):
            return round(float(value), 6)
        if f.type == "int":
            return int(value)
        if f.type in ("datetime", "date"):
            return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        if f.type == "boolean":
            return bool(value)
    except (TypeError, ValueError) as exc:
        raise keap_error(400, f"Invalid value for {f.label or f.name}") from exc
    return str(value)
