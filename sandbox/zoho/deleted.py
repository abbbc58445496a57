"""``GET /crm/v8/{module}/deleted?type=all|recycle|permanent``: the recycle bin and the
permanently deleted ids, newest first, with ``If-Modified-Since`` on the deletion time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.zoho.errors import invalid_data
from sandbox.zoho.params import int_param, modified_since, module_table
from sandbox.zoho.render import display_name, iso

if TYPE_CHECKING:
    from sandbox.zoho.app import ZohoEmulator

__all__ = ["register"]

TYPES = ("all", "recycle", "permanent")


def register(app: ZohoEmulator) -> None:
    world = app.world

    def deleted_records(request: Request, version: str, module: str) -> Response:
        args = request.args
        kind = args.get("type") or "all"
        if kind not in TYPES:
            raise invalid_data("type", supported_values=list(TYPES))
        per_page = int_param(args, "per_page", 200, 1, 200)
        page = int_param(args, "page", 1, 1, 10**9)
        since = modified_since(request.headers)
        rows: list[dict[str, Any]] = []
        with world.lock:
            table = module_table(world, module)
            app.renderer.refresh()
            users = ("users",)
            if kind in ("all", "recycle"):
                for rid, when in table.deleted_at.items():
                    record = table.rows[rid]
                    by = app.deleted_by.get((module, rid), record.get("Modified_By"))
                    creator = record.get("Created_By")
                    rows.append(
                        {
                            "id": rid,
                            "display_name": display_name(module, record),
                            "type": "recycle",
                            "deleted_time": when,
                            "deleted_by": _user(app, users, by),
                            "created_by": _user(app, users, creator),
                        }
                    )
            if kind in ("all", "permanent"):
                for rid, when in table.purged.items():
                    rows.append(
                        {
                            "id": rid,
                            "display_name": None,
                            "type": "permanent",
                            "deleted_time": when,
                            "deleted_by": None,
                            "created_by": None,
                        }
                    )
        if since is not None:
            rows = [r for r in rows if r["deleted_time"] > since]
        if not rows:
            return json_response(None, 304 if since is not None else 204)
        rows.sort(key=lambda r: (r["deleted_time"], r["id"]), reverse=True)
        offset = (page - 1) * per_page
        window = rows[offset : offset + per_page]
        if not window:
            return json_response(None, 204)
        for row in window:
            row["deleted_time"] = iso(row["deleted_time"])
        info = {
            "per_page": per_page,
            "count": len(window),
            "page": page,
            "more_records": offset + per_page < len(rows),
        }
        return json_response({"data": window, "info": info})

    app.api_route("GET", "/<module>/deleted", deleted_records)


def _user(app: ZohoEmulator, users: tuple[str, ...], uid: str | None) -> dict[str, Any] | None:
    if uid is None:
        return None
    obj = app.renderer.lookup(users, uid)
    return {"name": obj["name"], "id": uid}
