"""The data routes of the Oracle CX Sales emulator (REST API 11.13.18.05).

- ``GET <BASE>/<resource>``: ``q`` (``query.py``), ``orderBy`` (``Attr:asc,Attr2:desc``),
  ``limit`` (25 by default, at most 500), ``offset``, ``fields`` (``A,B`` or, with
  children, ``A,B;OpportunityContact:C,D;ChildRevenue:E``), ``expand`` (children, comma
  separated, or ``all``), ``onlyData`` and ``totalResults``;
  answers ``{"items", "count", "hasMore", "limit", "offset"}`` (and ``totalResults``
  when asked; ``links`` unless ``onlyData=true``);
- ``GET|PATCH <BASE>/<resource>/<key>``, the key being the record's number
  (``OptyNumber``, ``PartyNumber``, ``LeadNumber``, ``ActivityNumber``, ``SrNumber``); a
  PATCH stamps ``LastUpdateDate`` and ``LastUpdatedBy``;
- ``GET <BASE>/opportunities/<OptyNumber>/child/<Child>`` (``OpportunityContact``,
  ``OpportunityResource``,
  ``ChildRevenue``); an expanded child collection shows its first 25 rows (``hasMore``
  says when there are more); a revenue line's sales credits are a child of the line
  (``expand=ChildRevenue.ChildSplitRevenue``, ``fields=...;ChildRevenue.ChildSplitRevenue:
  A,B``, ``GET <BASE>/opportunities/<OptyNumber>/child/ChildRevenue/<RevnId>/child/
  ChildSplitRevenue``);
- ``GET <BASE>/<resource>/describe``: the attributes, custom ones included, and ``GET
  <BASE>/describe``: every top-level resource so (the custom objects, ``…_c``, included);
- ``POST <BASE>/`` with ``application/vnd.oracle.adf.batch+json``: ``{"parts": [{"id",
  "path", "operation", "payload"}]}``. All or none: when a part fails, nothing is
  applied and the 400 answer lists only the failed parts, each with its error;
- ``POST /_sandbox/oracle_field`` (sandbox admin): a custom field made the way an
  administrator makes one in Application Composer (the REST API cannot).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import EmulatorError, json_body, json_response
from sandbox.oracle.app import BASE, oracle_error
from sandbox.oracle.query import QueryError, compile_query, typed_value
from sandbox.oracle.rows import Rendered, matching, render, sorted_rows, typed
from sandbox.oracle.schema import CHILDREN, NESTED, RESOURCES
from sandbox.schema import Field, FieldType
from sandbox.store import Record, Table

if TYPE_CHECKING:
    from sandbox.oracle.app import OracleEmulator

__all__ = ["CHILD_PAGE", "MAX_LIMIT", "register"]

MAX_LIMIT = 500
CHILD_PAGE = 25
_DECIMALS = {"double", "currency", "percent"}
_FIELD_TYPES: dict[str, FieldType] = {
    "number": "double",
    "currency": "currency",
    "percent": "percent",
    "text": "string",
    "date": "date",
    "datetime": "datetime",
}
_BATCH_PATH = re.compile(r"^/?(\w+)/([\w-]+)$")
_DESCRIBE_TYPES = {"id": "integer", "reference": "integer", "int": "integer", "boolean": "boolean"}


class _OracleRoutes:
    """The data routes' handlers, with the row, key and child indexes they share (each
    rebuilt when its table's version moves)."""

    def __init__(self, app: OracleEmulator) -> None:
        self.app = app
        self.world = app.world
        self._cache: dict[tuple[str, str], tuple[int, list[Record], list[Any]]] = {}
        self._keys: dict[str, tuple[int, dict[str, str]]] = {}
        self._children: dict[str, Any] = {}
        self._shown = Rendered()

    def _table(self, name: str) -> Table:
        res = RESOURCES.get(name)
        if res is None or res.parent is not None:
            raise oracle_error(404, f"The resource {name} is not valid.", "27003")
        return self.world.oracle[name]

    def _ordered(self, tbl: Table, by_id: bool = False) -> tuple[list[Record], list[Any], str]:
        """Rows by (LastUpdateDate, id), or by id, cached per version of the table; with
        the typed values of the first sort attribute (to skip to a query's floor)."""
        id_field = tbl.schema.id_field
        first = id_field if by_id else "LastUpdateDate"
        hit = self._cache.get((tbl.name, first))
        if hit is None or hit[0] != tbl.version:
            if by_id:
                rows = sorted(tbl.live(), key=lambda r: int(r[id_field]))
            else:
                rows = sorted(tbl.live(), key=lambda r: (r["LastUpdateDate"], int(r[id_field])))
            kind = tbl.schema.field(first).type  # type: ignore[union-attr]
            hit = (tbl.version, rows, [typed_value(kind, r[first]) for r in rows])
            self._cache[(tbl.name, first)] = hit
        return hit[1], hit[2], first

    def _item(self, name: str, key: str) -> tuple[Table, Record]:
        tbl = self._table(name)
        res = RESOURCES[name]
        hit = self._keys.get(name)
        if hit is None or hit[0] != tbl.version:
            index = {str(r[res.key_field]): r[res.id_field] for r in tbl.live()}
            hit = self._keys[name] = (tbl.version, index)
        rid = hit[1].get(key)
        row = tbl.get(rid) if rid is not None else None
        if row is None:
            raise oracle_error(404, f"The resource {name}/{key} was not found.", "27002")
        return tbl, row

    def _children_of(self, child: str, parent_id: str) -> list[Record]:
        """An opportunity's rows of a child collection, or a revenue line's of a nested
        one (indexed once per table version)."""
        tbl = self.world.oracle[child]
        column = "OptyId" if RESOURCES[child].parent == "opportunities" else "SplitParentRevnId"
        hit = self._children.get(child)
        if hit is None or hit[0] != tbl.version:
            index: dict[str, list[Record]] = {}
            id_field = tbl.schema.id_field
            for rel in sorted(tbl.live(), key=lambda r: int(r[id_field])):
                index.setdefault(rel[column], []).append(rel)
            hit = self._children[child] = (tbl.version, index)
        return list(hit[1].get(parent_id, []))

    def _number(self, request: Request, name: str, default: int) -> int:
        raw = request.args.get(name)
        try:
            return default if raw is None else int(raw)
        except ValueError as exc:
            raise oracle_error(400, f"The query parameter {name} must be a number.") from exc

    def _field_lists(self, request: Request) -> tuple[list[str] | None, dict[str, list[str]]]:
        """``fields=A,B;Child:C,D;Other:E``: the resource's own, and each child's."""
        raw = request.args.get("fields")
        if not raw:
            return None, {}
        own, *rest = raw.split(";")
        child_fields = {}
        nested = {f"{c}.{n}" for c, names in NESTED.items() for n in names}
        for spec in rest:
            child_name, _, names = spec.partition(":")
            if child_name not in CHILDREN and child_name not in nested:
                raise oracle_error(400, f"The child {child_name} in fields is not valid.")
            child_fields[child_name] = [n for n in names.split(",") if n]
        return [n for n in own.split(",") if n], child_fields

    def _links(self, name: str, row: Record) -> list[dict[str, Any]]:
        key = row[RESOURCES[name].key_field]
        return [{"rel": "self", "href": f"{BASE}/{name}/{key}", "name": name, "kind": "item"}]

    def _page(
        self,
        request: Request,
        name: str,
        rows: list[Record],
        expand: dict[str, tuple[str, ...]] | None = None,
    ) -> Response:
        limit = min(max(self._number(request, "limit", 25), 1), MAX_LIMIT)
        offset = max(self._number(request, "offset", 0), 0)
        only_data = request.args.get("onlyData", "").lower() == "true"
        own, child_fields = self._field_lists(request)
        tbl = self.world.oracle[name]
        chunk = rows[offset : offset + limit]
        items = []
        for row in chunk:
            out = self._shown.get(tbl, row, own)
            for child, inner in (expand or {}).items():
                out[child] = self._child_page(child, row["OptyId"], child_fields, inner)
            if not only_data:
                out["links"] = self._links(name, row)
            items.append(out)
        body: dict[str, Any] = {
            "items": items,
            "count": len(items),
            "hasMore": offset + len(chunk) < len(rows),
            "limit": limit,
            "offset": offset,
        }
        if request.args.get("totalResults", "").lower() == "true":
            body["totalResults"] = len(rows)
        return json_response(body)

    def _child_page(
        self,
        child: str,
        parent_id: str,
        fields: dict[str, list[str]],
        inner: tuple[str, ...] = (),
        path: str = "",
    ) -> dict[str, Any]:
        rows = self._children_of(child, parent_id)
        tbl = self.world.oracle[child]
        name = f"{path}{child}"
        items = []
        for r in rows[:CHILD_PAGE]:
            out = self._shown.get(tbl, r, fields.get(name))
            for nested in inner:  # a copy: the rendered row is cached
                out = {**out, nested: self._child_page(nested, r["RevnId"], fields, (), f"{name}.")}
            items.append(out)
        return {"items": items, "count": len(items), "hasMore": len(rows) > CHILD_PAGE}

    def collection(self, request: Request, name: str) -> Response:
        tbl = self._table(name)
        expand = self._expansion(request, name)
        id_field = tbl.schema.id_field
        order = (request.args.get("orderBy") or "").replace(" ", "")
        cached = order in ("", f"LastUpdateDate:asc,{id_field}:asc", f"{id_field}:asc")
        q = request.args.get("q")
        try:
            query = compile_query(q, tbl.schema) if q else None
        except QueryError as exc:
            raise oracle_error(
                400, f"URL request parameter q with value {q} is not valid: {exc}", "27012"
            ) from exc
        with self.world.lock:
            rows, keys, first = self._ordered(tbl, by_id=order == f"{id_field}:asc")
            if query is not None:
                floor = query.floors.get(first)
                start = bisect_left(keys, floor) if floor is not None else 0
                # a page needs offset + limit + 1 matches (hasMore), unless the total is asked
                want = None
                if cached and request.args.get("totalResults", "").lower() != "true":
                    want = (
                        self._number(request, "offset", 0) + self._number(request, "limit", 25) + 1
                    )
                rows = matching(rows, start, query.matches, want)
            if not cached:
                rows = sorted_rows(tbl, rows, order)
            return self._page(request, name, rows, expand)

    def _expansion(self, request: Request, name: str) -> dict[str, tuple[str, ...]]:
        """``expand``: children, comma separated (``all``: every direct child), a nested
        child as ``Child.Nested`` (which expands ``Child`` too)."""
        asked = [c for c in request.args.get("expand", "").split(",") if c]
        out: dict[str, tuple[str, ...]] = {}
        for spec in list(CHILDREN) if asked == ["all"] else asked:
            child, _, nested = spec.partition(".")
            if (
                child not in CHILDREN
                or name != "opportunities"
                or (nested and nested not in NESTED.get(child, ()))
            ):
                raise oracle_error(400, f"The child {spec} in expand is not valid.", "27024")
            out[child] = out.get(child, ()) + ((nested,) if nested else ())
        return out

    def get_item(self, request: Request, name: str, key: str) -> Response:
        with self.world.lock:
            tbl, row = self._item(name, key)
            return json_response(render(tbl, row))

    def child_collection(self, request: Request, key: str, child: str) -> Response:
        if child not in CHILDREN:
            raise oracle_error(404, f"The child {child} is not valid.", "27003")
        with self.world.lock:
            _, row = self._item("opportunities", key)
            return self._page(request, child, self._children_of(child, row["OptyId"]))

    def nested_collection(
        self, request: Request, key: str, child: str, line: str, nested: str
    ) -> Response:
        if nested not in NESTED.get(child, ()):
            raise oracle_error(404, f"The child {nested} is not valid.", "27003")
        with self.world.lock:
            _, row = self._item("opportunities", key)
            parents = {r["RevnId"] for r in self._children_of(child, row["OptyId"])}
            if line not in parents:
                raise oracle_error(404, f"The resource {child}/{line} was not found.", "27002")
            return self._page(request, nested, self._children_of(nested, line))

    def _changes(self, tbl: Table, payload: Any) -> dict[str, Any]:
        if not isinstance(payload, dict):
            raise oracle_error(400, "The payload must be a JSON object.")
        out = {}
        for name, value in payload.items():
            f = tbl.schema.field(name)
            if f is None or f.type == "id" or name in ("CreationDate", "LastUpdateDate"):
                raise oracle_error(400, f"The attribute {name} is not valid or not updatable.")
            try:
                out[name] = typed(f, value)
            except (TypeError, ValueError) as exc:
                raise oracle_error(400, f"The value of {name} is not valid.") from exc
        return out

    def _apply(self, tbl: Table, row: Record, values: dict[str, Any]) -> dict[str, Any]:
        values = {**values, "LastUpdatedBy": self.app.credentials.oracle_username}
        tbl.update(row[tbl.schema.id_field], values, when=self.app.clock.now())
        return render(tbl, row)

    def patch_item(self, request: Request, name: str, key: str) -> Response:
        try:
            payload = json_body(request)
        except ValueError as exc:
            raise oracle_error(400, "The request body is not valid JSON.") from exc
        with self.world.lock:
            tbl, row = self._item(name, key)
            return json_response(self._apply(tbl, row, self._changes(tbl, payload)))

    def batch(self, request: Request) -> Response:
        kind = request.headers.get("Content-Type", "")
        if not kind.startswith("application/vnd.oracle.adf.batch+json"):
            raise oracle_error(400, "A batch request needs application/vnd.oracle.adf.batch+json.")
        try:
            parts = (json_body(request) or {}).get("parts")
        except (ValueError, AttributeError) as exc:
            raise oracle_error(400, "The request body is not valid JSON.") from exc
        if not isinstance(parts, list):
            raise oracle_error(400, "A batch request lists its parts.")
        plan: list[tuple[dict[str, Any], Table, Record, dict[str, Any] | None]] = []
        failed = []
        with self.world.lock:
            for part in parts:
                try:
                    plan.append(self._prepare(part))
                except EmulatorError as exc:
                    failed.append({**_echo(part), "payload": exc.body})
            if failed:
                return json_response({"parts": failed}, 400)
            answers = []
            for part, tbl, row, values in plan:
                body = render(tbl, row) if values is None else self._apply(tbl, row, values)
                answers.append({**_echo(part), "payload": body})
        return json_response({"parts": answers})

    def _prepare(self, part: Any) -> tuple[dict[str, Any], Table, Record, dict[str, Any] | None]:
        if not isinstance(part, dict):
            raise oracle_error(400, "Each part is an object.")
        match = _BATCH_PATH.match(str(part.get("path", "")))
        operation = str(part.get("operation", "")).lower()
        if match is None or operation not in ("get", "update"):
            raise oracle_error(400, f"The part {part.get('id')} is not valid.")
        tbl, row = self._item(*match.groups())
        values = self._changes(tbl, part.get("payload") or {}) if operation == "update" else None
        return part, tbl, row, values

    def _described(self, name: str) -> dict[str, Any]:
        tbl = self.world.oracle[name]
        attributes = [
            {
                "name": f.name,
                "type": _DESCRIBE_TYPES.get(f.type, "number" if f.type in _DECIMALS else "string"),
                "updatable": f.type != "id",
                "queryable": True,
                **({"annotations": {"description": f.label}} if f.custom else {}),
            }
            for f in tbl.schema.fields
        ]
        title = name.removesuffix("_c")
        return {"title": title, "titlePlural": f"{title}s", "attributes": attributes}

    def describe(self, request: Request, name: str) -> Response:
        with self.world.lock:
            self._table(name)
            return json_response({"Resources": {name: self._described(name)}})

    def describe_all(self, request: Request) -> Response:
        with self.world.lock:
            tops = [r.name for r in RESOURCES.values() if r.parent is None]
            return json_response({"Resources": {name: self._described(name) for name in tops}})

    def add_field(self, payload: dict[str, Any]) -> dict[str, Any]:
        name, kind = str(payload.get("name", "")), _FIELD_TYPES.get(str(payload.get("type")))
        if kind is None or not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,26}_c", name):
            raise ValueError("a field needs a name ending in _c and a known type")
        with self.world.lock:
            tbl = self.world.oracle[str(payload.get("resource"))]
            if tbl.schema.field(name) is None:
                tbl.schema.add_field(Field(name, kind, str(payload.get("label", "")), custom=True))
                for row in tbl.all():
                    row.setdefault(name, None)
                tbl.version += 1
        return {"resource": tbl.name, "name": name}


def register(app: OracleEmulator) -> None:
    routes = _OracleRoutes(app)
    app.admin_hooks["oracle_field"] = routes.add_field
    app.add_route(f"{BASE}/", routes.batch, ["POST"], endpoint="POST <version> batch")
    app.add_route(f"{BASE}/<name>", routes.collection, endpoint="GET <version>/<resource>")
    app.add_route(f"{BASE}/describe", routes.describe_all, endpoint="GET <version>/describe")
    app.add_route(
        f"{BASE}/<name>/describe", routes.describe, endpoint="GET <version>/<resource>/describe"
    )
    app.add_route(
        f"{BASE}/opportunities/<key>/child/<child>",
        routes.child_collection,
        endpoint="GET <version>/opportunities/<key>/child/<child>",
    )
    app.add_route(
        f"{BASE}/opportunities/<key>/child/<child>/<line>/child/<nested>",
        routes.nested_collection,
        endpoint="GET <version>/opportunities/<key>/child/<child>/<line>/child/<nested>",
    )
    app.add_route(
        f"{BASE}/<name>/<key>", routes.get_item, endpoint="GET <version>/<resource>/<key>"
    )
    app.add_route(
        f"{BASE}/<name>/<key>",
        routes.patch_item,
        ["PATCH"],
        endpoint="PATCH <version>/<resource>/<key>",
    )


def _echo(part: Any) -> dict[str, Any]:
    if not isinstance(part, dict):
        return {}
    return {k: part.get(k) for k in ("id", "path", "operation")}
