"""A record's timeline: ``GET /crm/{version}/{module}/{record_id}/__timeline``.

Zoho answers with ``{"__timeline": [...], "info": {...}}``: one entry per audited action,
newest first (``sort_order=asc`` for oldest first), each with ``audited_time``, ``action``
(``added`` when the record was created, ``updated`` for field changes), ``done_by``
(``{"name", "id"}``), ``source``, ``record`` and ``field_history``: per changed field its
``api_name``, ``field_label`` and ``_value`` ``{"new", "old"}`` in wire form (a lookup such
as ``Owner`` as ``{"name", "id"}``). Pages hold ``per_page`` entries (at most 200); the
next one is asked for with ``page_token`` (``info.next_page_token``). A record with no
timeline answers 204; an unknown record Zoho's 400 ``INVALID_DATA``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.zoho.errors import zoho_error
from sandbox.zoho.params import int_param, module_table
from sandbox.zoho.render import display_name, iso

if TYPE_CHECKING:
    from sandbox.store import Table
    from sandbox.zoho.app import ZohoEmulator

__all__ = ["register"]


def _entry(app: ZohoEmulator, table: Table, rid: str, entry: dict[str, Any]) -> dict[str, Any]:
    record = table.get(rid, include_deleted=True) or {}
    by = entry.get("by")
    done_by = app.renderer.lookup(("users",), str(by)) if by else None
    history = None
    if entry["action"] == "updated":
        history = []
        for name, (old, new) in entry["changes"].items():
            field = table.schema.field(name)
            if field is None:
                continue
            history.append(
                {
                    "api_name": name,
                    "field_label": field.display_label,
                    "id": None,
                    "_value": {
                        "new": app.renderer.render_value(field, new),
                        "old": app.renderer.render_value(field, old),
                    },
                }
            )
    return {
        "id": entry["id"],
        "audited_time": iso(entry["at"]),
        "action": entry["action"],
        "source": entry.get("source") or "crm_ui",
        "extension": None,
        "type": None,
        "done_by": {"name": done_by["name"], "id": done_by["id"]} if done_by else None,
        "related_record": None,
        "automation_details": None,
        "record": {
            "id": rid,
            "name": display_name(table.name, record) if record else None,
            "module": {"api_name": table.name, "id": None},
        },
        "field_history": history,
    }


def register(app: ZohoEmulator) -> None:
    world = app.world

    def timeline(request: Request, version: str, module: str, record_id: str) -> Response:
        with world.lock:
            table = module_table(world, module)
            if table.get(record_id, include_deleted=True) is None:
                raise zoho_error(
                    400,
                    "INVALID_DATA",
                    "the related id given seems to be invalid",
                    {"id": record_id},
                )
            entries = list(world.history.entries_of("zoho", table.name, record_id))
            if request.args.get("sort_order", "desc").lower() != "asc":
                entries.reverse()
            per_page = int_param(request.args, "per_page", 200, 1, 200)
            token = request.args.get("page_token") or "0"
            start = int(token) if token.isdigit() else 0
            window = entries[start : start + per_page]
            if not window:
                return json_response(None, 204)
            app.renderer.refresh()
            data = [_entry(app, table, record_id, e) for e in window]
        more = start + per_page < len(entries)
        info: dict[str, Any] = {
            "per_page": per_page,
            "count": len(data),
            "more_records": more,
            "next_page_token": str(start + per_page) if more else None,
            "previous_page_token": str(max(0, start - per_page)) if start else None,
        }
        return json_response({"__timeline": data, "info": info})

    app.api_route("GET", "/<module>/<record_id>/__timeline", timeline, "/<module>/<id>/__timeline")
