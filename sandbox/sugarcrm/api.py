"""The data routes of the SugarCRM emulator (REST v11).

- ``GET|POST /rest/v11/<Module>/filter``: ``filter`` (a list of conditions: field
  operators ``$equals``, ``$not_equals``, ``$gt``, ``$gte``, ``$lt``, ``$lte``, ``$in``,
  and ``$and``/``$or`` groups), ``max_num`` (at most 1,000), ``offset``, ``order_by``
  (``field:asc,field2:desc``), ``show_deleted``, ``fields`` (what a record carries, with
  ``id``, ``date_modified``, ``_acl``, ``_module``; all by default); answers
  ``{"next_offset", "records"}``, ``next_offset`` -1 after the last record (a record as
  ``records.render`` shows it). A GET takes the same arguments, the
  filter as JSON in the ``filter`` parameter or as PHP-style bracketed parameters
  (``filter[0][name][$equals]=Acme``), as Sugar reads a query string;
- ``GET /rest/v11/<Module>``: the module's list, with the same arguments as a GET filter;
- ``GET /rest/v11/<Module>/count`` and ``GET|POST /rest/v11/<Module>/filter/count``:
  ``{"record_count": N}`` for the same arguments;
- ``GET|PUT /rest/v11/<Module>/<id>``; a PUT stamps ``date_modified``;
- ``GET /rest/v11/Opportunities/<id>/link/contacts``: the related contacts with their
  ``opportunity_role``;
- ``POST /rest/v11/bulk``: ``{"requests": [{"url": "/v11/...", "method", "data"}]}``,
  one ``{"contents", "headers", "status"}`` per request, in order (record GETs and PUTs,
  filter queries, POST with the body as ``data``, and opportunity contact links);
- ``GET /rest/v11/metadata?type_filter=modules&module_filter=<Module>``: field defs
  (``type`` as Sugar's vardefs say it, Studio fields with ``source: custom_fields``), of
  every module (Module Builder modules too) without ``module_filter``;
- ``POST /rest/v11/Administration/fields/<Module>``: creates a custom field
  (``<name>_c``), as Studio does;
- ``GET /rest/v11/me`` and ``GET /rest/v11/ping``.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import TYPE_CHECKING, Any

import orjson
from werkzeug.wrappers import Request, Response

from sandbox.http import json_body, json_response
from sandbox.schema import Field, FieldType
from sandbox.store import Record, Table
from sandbox.sugarcrm.app import sugar_error
from sandbox.sugarcrm.records import ALWAYS, matches, order, php_array, render, typed
from sandbox.sugarcrm.schema import MODULES, RELATIONSHIP

if TYPE_CHECKING:
    from sandbox.sugarcrm.app import SugarCRMEmulator

__all__ = ["MAX_NUM", "register"]

MAX_NUM = 1000
_FIELD_TYPES: dict[str, FieldType] = {
    "decimal": "double",
    "float": "double",
    "currency": "currency",
    "int": "int",
    "varchar": "string",
    "date": "date",
    "datetime": "datetime",
}
# the stored field types as Sugar's vardefs name them (an id field that points at a record
# of another module says which)
_VARDEF_TYPES = {
    "string": "varchar",
    "textarea": "text",
    "picklist": "enum",
    "boolean": "bool",
    "double": "decimal",
    "reference": "id",
}
_BULK_URL = re.compile(r"^/v11(?:_\d+)?/(\w+)/([\w-]+)$")
_BULK_FILTER = re.compile(r"^/v11(?:_\d+)?/(\w+)/filter$")
_BULK_LINK = re.compile(r"^/v11(?:_\d+)?/Opportunities/([\w-]+)/link/contacts$")


class _SugarRoutes:
    """The data routes' handlers, with the rendered-rows and contact-role caches they share."""

    def __init__(self, app: SugarCRMEmulator) -> None:
        self.app = app
        self.world = app.world
        self._cache: dict[str, tuple[int, list[dict[str, Any]]]] = {}
        self._roles: dict[str, Any] = {}

    def _module(self, name: str) -> Table:
        if name not in MODULES and name not in self.world.sugarcrm:
            raise sugar_error(404, "not_found", f"Could not find module: {name}")
        if name == RELATIONSHIP:
            raise sugar_error(404, "not_found", f"Could not find module: {name}")
        return self.world.sugarcrm[name]

    def _rendered(self, table: Table) -> list[dict[str, Any]]:
        hit = self._cache.get(table.name)
        if hit is None or hit[0] != table.version:
            rows = [render(table, r) for r in table.all()]
            order(rows, "date_modified:asc,id:asc")
            hit = self._cache[table.name] = (table.version, rows)
        return hit[1]

    def _args(self, request: Request) -> dict[str, Any]:
        if request.method == "POST":
            try:
                body = json_body(request) or {}
            except ValueError as exc:
                raise sugar_error(422, "invalid_parameter", "the body must be JSON") from exc
            return dict(body)
        found: dict[str, Any] = dict(request.args)
        bracketed = {k: v for k, v in found.items() if k.startswith("filter[")}
        if bracketed:
            for key in bracketed:
                del found[key]
            found["filter"] = php_array(bracketed, "filter")
        elif "filter" in found:
            try:
                found["filter"] = orjson.loads(found["filter"])
            except orjson.JSONDecodeError as exc:
                raise sugar_error(422, "invalid_parameter", "filter must be JSON") from exc
        return found

    def _page(
        self,
        request: Request | None,
        rows: list[dict[str, Any]],
        given: dict[str, Any],
        project: bool = False,
    ) -> Response:
        try:
            max_num = min(int(given.get("max_num", 20)), MAX_NUM)
            offset = int(given.get("offset", 0))
        except (TypeError, ValueError) as exc:
            raise sugar_error(422, "invalid_parameter", "max_num and offset are numbers") from exc
        chunk = rows[offset : offset + max_num]
        wanted = given.get("fields") if project else None
        if wanted:
            names = str(wanted).split(",") if not isinstance(wanted, list) else wanted
            keep = {str(n).strip() for n in names} | ALWAYS
            chunk = [{k: v for k, v in r.items() if k in keep} for r in chunk]
        next_offset = offset + len(chunk) if offset + max_num < len(rows) else -1
        return json_response({"next_offset": next_offset, "records": chunk})

    def filter_records(self, request: Request, name: str) -> Response:
        given = self._args(request)
        return self._page(request, self._selected(name, given), given, project=True)

    def count_records(self, request: Request, name: str) -> Response:
        return json_response({"record_count": len(self._selected(name, self._args(request)))})

    def _selected(self, name: str, given: dict[str, Any]) -> list[dict[str, Any]]:
        table = self._module(name)
        show_deleted = str(given.get("show_deleted", "")).lower() in ("1", "true")
        with self.world.lock:
            rows = [
                r
                for r in self._rendered(table)
                if (show_deleted or not r["deleted"]) and matches(r, given.get("filter") or [])
            ]
        order_by = given.get("order_by")
        if order_by and order_by.replace(" ", "") != "date_modified:asc,id:asc":
            order(rows, str(order_by))
        return rows

    def _one(self, name: str, rid: str) -> tuple[Table, Record]:
        table = self._module(name)
        row = table.get(rid)
        if row is None:
            raise sugar_error(404, "not_found", f"Could not find record: {rid} in module: {name}")
        return table, row

    def get_record(self, request: Request, name: str, rid: str) -> Response:
        with self.world.lock:
            table, row = self._one(name, rid)
            return json_response(render(table, row))

    def put_record(self, request: Request, name: str, rid: str) -> Response:
        try:
            body = json_body(request) or {}
        except ValueError as exc:
            raise sugar_error(422, "invalid_parameter", "the body must be JSON") from exc
        return json_response(self._update(name, rid, body))

    def _update(self, name: str, rid: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.world.lock:
            table, row = self._one(name, rid)
            changes: dict[str, Any] = {}
            for key, value in body.items():
                f = table.schema.field(key)
                if f is None or key in ("id", "date_entered", "date_modified", "deleted"):
                    continue
                changes[key] = typed(f, value)
            table.update(rid, changes, when=self.app.clock.now().replace(microsecond=0))
            return render(table, row)

    def _roles_of(self, rid: str) -> list[Record]:
        """An opportunity's live role rows (indexed once per version of the table)."""
        table = self.world.sugarcrm[RELATIONSHIP]
        if self._roles.get("version") != table.version:
            index: dict[str, list[Record]] = {}
            for rel in table.live():
                index.setdefault(rel["opportunity_id"], []).append(rel)
            self._roles.update(version=table.version, index=index)
        return list(self._roles["index"].get(rid, []))

    def _link_rows(self, rid: str) -> list[dict[str, Any]]:
        with self.world.lock:
            self._one("Opportunities", rid)
            contacts = self.world.sugarcrm["Contacts"]
            rows = []
            for rel in self._roles_of(rid):
                contact = contacts.get(rel["contact_id"])
                if contact is not None:
                    role = rel["contact_role"]
                    rows.append({**render(contacts, contact), "opportunity_role": role})
        rows.sort(key=lambda r: r["id"])
        return rows

    def link_contacts(self, request: Request, rid: str) -> Response:
        return self._page(request, self._link_rows(rid), self._args(request))

    def bulk(self, request: Request) -> Response:
        try:
            body = json_body(request) or {}
        except ValueError as exc:
            raise sugar_error(422, "invalid_parameter", "the body must be JSON") from exc
        results = []
        for sub in body.get("requests") or []:
            results.append(self._bulk_one(sub))
        return json_response(results)

    def _bulk_one(self, sub: dict[str, Any]) -> dict[str, Any]:
        url = str(sub.get("url", ""))
        method = str(sub.get("method", "GET")).upper()
        path, _, query = url.partition("?")
        match, link = _BULK_URL.match(path), _BULK_LINK.match(path)
        query_of = _BULK_FILTER.match(path)
        try:
            if query_of is not None and method == "POST":  # a filter query, its body as data
                data = sub.get("data") or "{}"
                given = dict(orjson.loads(data) if isinstance(data, str) else data)
                answer = self._page(
                    None, self._selected(query_of.group(1), given), given, project=True
                )
                return {"contents": orjson.loads(answer.get_data()), "headers": {}, "status": 200}
            if link is not None and method == "GET":
                given = dict(urllib.parse.parse_qsl(query))
                answer = self._page(None, self._link_rows(link.group(1)), given)
                return {"contents": orjson.loads(answer.get_data()), "headers": {}, "status": 200}
            if match is None or method not in ("GET", "PUT"):
                raise sugar_error(404, "not_found", f"Could not find a route for {url}")
            name, rid = match.groups()
            if method == "PUT":
                data = sub.get("data") or "{}"
                contents = self._update(
                    name, rid, orjson.loads(data) if isinstance(data, str) else data
                )
            else:
                with self.world.lock:
                    table, row = self._one(name, rid)
                    contents = render(table, row)
            return {"contents": contents, "headers": {}, "status": 200}
        except orjson.JSONDecodeError:
            error = {"error": "invalid_parameter", "error_message": "data must be JSON"}
            return {"contents": error, "headers": {}, "status": 422}
        except Exception as exc:
            status = getattr(exc, "status", 500)
            body = getattr(exc, "body", {"error": "fatal_error", "error_message": str(exc)})
            return {"contents": body, "headers": {}, "status": status}

    def metadata(self, request: Request) -> Response:
        wanted = [m for m in request.args.get("module_filter", "").split(",") if m]
        with self.world.lock:
            modules = {
                name: {
                    "fields": {
                        f.name: {
                            "name": f.name,
                            "type": _VARDEF_TYPES.get(f.type, f.type),
                            **({"vname": f.label} if f.label else {}),
                            **({"module": f.ref[0]} if f.ref else {}),
                            **({"source": "custom_fields"} if f.custom else {}),
                        }
                        for f in self.world.sugarcrm[name].schema.fields
                    }
                }
                for name in (wanted or MODULES)
                if name in MODULES
            }
        return json_response({"modules": modules})

    def create_field(self, request: Request, name: str) -> Response:
        try:
            data = (json_body(request) or {}).get("data") or {}
        except ValueError as exc:
            raise sugar_error(422, "invalid_parameter", "the body must be JSON") from exc
        kind = _FIELD_TYPES.get(str(data.get("type")))
        base = str(data.get("name") or "")
        if kind is None or not re.fullmatch(r"[a-z][a-z0-9_]{0,50}", base):
            raise sugar_error(422, "invalid_parameter", "name and a known type are required")
        with self.world.lock:
            table = self._module(name)
            field_name = base if base.endswith("_c") else f"{base}_c"
            if table.schema.field(field_name) is not None:
                raise sugar_error(409, "conflict", f"Field {field_name} already exists")
            table.schema.add_field(Field(field_name, kind, str(data.get("label", "")), custom=True))
            for row in table.all():
                row.setdefault(field_name, None)
            table.version += 1
        return json_response({"name": field_name, "type": data.get("type"), "custom": True})

    def me(self, request: Request) -> Response:
        with self.world.lock:
            user = next(
                u
                for u in self.world.sugarcrm["Users"].live()
                if u["user_name"] == self.app.credentials.sugarcrm_username
            )
            return json_response({"current_user": render(self.world.sugarcrm["Users"], user)})

    def ping(self, request: Request) -> Response:
        return json_response("pong")


def register(app: SugarCRMEmulator) -> None:
    routes = _SugarRoutes(app)
    base = "/rest/v11"
    app.add_route(f"{base}/me", routes.me, endpoint="GET /rest/v11/me")
    app.add_route(f"{base}/ping", routes.ping, endpoint="GET /rest/v11/ping")
    app.add_route(f"{base}/bulk", routes.bulk, ["POST"], endpoint="POST /rest/v11/bulk")
    app.add_route(f"{base}/metadata", routes.metadata, endpoint="GET /rest/v11/metadata")
    app.add_route(
        f"{base}/Administration/fields/<name>",
        routes.create_field,
        ["POST"],
        endpoint="POST /rest/v11/Administration/fields/<module>",
    )
    app.add_route(f"{base}/<name>", routes.filter_records, endpoint="GET /rest/v11/<module>")
    app.add_route(
        f"{base}/<name>/count", routes.count_records, endpoint="GET /rest/v11/<module>/count"
    )
    app.add_route(
        f"{base}/<name>/filter/count",
        routes.count_records,
        ["GET", "POST"],
        endpoint="COUNT /rest/v11/<module>/filter/count",
    )
    app.add_route(
        f"{base}/<name>/filter",
        routes.filter_records,
        ["GET", "POST"],
        endpoint="FILTER /rest/v11/<module>/filter",
    )
    app.add_route(
        f"{base}/Opportunities/<rid>/link/contacts",
        routes.link_contacts,
        endpoint="GET /rest/v11/Opportunities/<id>/link/contacts",
    )
    app.add_route(f"{base}/<name>/<rid>", routes.get_record, endpoint="GET /rest/v11/<module>/<id>")
    app.add_route(
        f"{base}/<name>/<rid>", routes.put_record, ["PUT"], endpoint="PUT /rest/v11/<module>/<id>"
    )
