"""Creating, updating and deleting rows.

- ``POST /<set>`` creates a row: 204 with ``OData-EntityId`` (201 and the row with
  ``Prefer: return=representation``);
- ``PATCH /<set>(<id>)`` updates. Like Dataverse it is an *upsert*: without ``If-Match``
  an unknown id creates the row. ``If-Match: *`` updates only an existing row (404
  otherwise), ``If-Match: W/"<version>"`` only that version of it (412 otherwise);
  ``If-None-Match: *`` only creates;
- ``DELETE /<set>(<id>)`` deletes (change tracking then lists it as deleted).

Values are checked against the column types; an unknown column is a 400 naming it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.dynamics.errors import INVALID_ARGUMENT, VERSION_MISMATCH, ODataError
from sandbox.dynamics.render import Preferences, etag, rows_response
from sandbox.dynamics.schema import DELETED_VERSION, ENTITY_SETS, VERSION_SEQUENCE
from sandbox.http import json_body, json_response
from sandbox.schema import Field
from sandbox.store import Record, Table

if TYPE_CHECKING:
    from sandbox.dynamics.app import DynamicsEmulator

__all__ = ["register"]

_NUMBER = ("int", "double", "currency", "percent")


def _bad(message: str) -> ODataError:
    return ODataError(400, INVALID_ARGUMENT, message)


def _value(table: str, field: Field, raw: Any) -> Any:
    if raw is None:
        return None
    kind = field.type
    try:
        if kind == "int" or kind == "picklist":
            if isinstance(raw, bool) or not isinstance(raw, int):
                raise TypeError
            return raw
        if kind in _NUMBER:
            if isinstance(raw, bool) or not isinstance(raw, int | float | str):
                raise TypeError
            return float(Decimal(str(raw)))
        if kind == "boolean":
            if not isinstance(raw, bool):
                raise TypeError
            return raw
        if kind == "datetime":
            return datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
        if kind == "date":
            return date.fromisoformat(str(raw))
    except (TypeError, ValueError, InvalidOperation):
        raise _bad(
            f"Cannot convert the literal '{raw}' to the expected type of '{field.name}' "
            f"on '{table}'."
        ) from None
    if not isinstance(raw, str):
        raise _bad(f"A value of type string is expected for '{field.name}' on '{table}'.")
    return raw


def _bind(app: DynamicsEmulator, table: Table, name: str, raw: Any) -> tuple[str, Any, str]:
    """``ownerid@odata.bind: "/systemusers(<id>)"`` -> (column, id, target table). The
    navigation property is the lookup's (a custom one by its schema name,
    ``new_CustomerId``), or a polymorphic lookup's per target (``customerid_account``)."""
    prop = name.removesuffix("@odata.bind")
    column = prop.lower() if table.schema.field(prop.lower()) else prop.split("_")[0]
    field = table.schema.field(column)
    target_set, _, rest = str(raw).lstrip("/").partition("(")
    target = ENTITY_SETS.get(target_set)
    if field is None or field.type != "reference" or target is None or target not in field.ref:
        raise _bad(f"An undeclared property '{name}' was found in the payload.")
    return column, rest.rstrip(")"), target


def changes_from(app: DynamicsEmulator, table: Table, body: Any) -> Record:
    if not isinstance(body, dict):
        raise _bad("The request body must be a JSON object.")
    changes: Record = {}
    for name, raw in body.items():
        if name.startswith("@odata."):
            continue
        if name.endswith("@odata.bind"):
            column, rid, target = _bind(app, table, name, raw)
            changes[column] = rid
            changes[f"{column}$table"] = target
            continue
        field = table.schema.field(name)
        if field is None or field.type in ("reference", "id"):
            raise _bad(
                f"Invalid property '{name}' was found in entity "
                f"'Microsoft.Dynamics.CRM.{table.name}'."
            )
        if not field.updateable:
            continue  # Dataverse ignores values of read-only columns
        changes[name] = _value(table.name, field, raw)
    return changes


def _written(
    app: DynamicsEmulator, request: Request, table: Table, row: Record, status: int
) -> Response:
    entity_set = app.entity_set_of(table)
    rid = row[table.schema.id_field]
    location = f"{app.api_root(request)}{entity_set}({rid})"
    headers = {"OData-EntityId": location, "ETag": etag(row)}
    if Preferences(request.headers.get("Prefer")).values.get("return") == "representation":
        prefs = Preferences(request.headers.get("Prefer"))
        body = app.renderer.row(table.schema, row, None, prefs)
        root = app.api_root(request)
        body = {"@odata.context": f"{root}$metadata#{entity_set}/$entity", **body}
        return rows_response(
            body, 201 if status == 204 and request.method == "POST" else 200, headers
        )
    return json_response(None, 204, headers)


def create_row(
    app: DynamicsEmulator, table: Table, changes: Record, rid: str | None = None
) -> Record:
    world = app.world
    now = app.clock.now()
    world.sequences[VERSION_SEQUENCE] += 1
    row: Record = {f.name: None for f in table.schema.fields}
    row.update(changes)
    caller = app.caller_id()
    row.update(
        {
            table.schema.id_field: rid or str(uuid.uuid4()),
            "versionnumber": world.sequences[VERSION_SEQUENCE],
            "createdon": now,
            "modifiedon": now,
            "createdby": caller,
            "modifiedby": caller,
        }
    )
    if "ownerid" in row and row["ownerid"] is None:
        row["ownerid"] = caller
    return table.insert(row)


def update_row(app: DynamicsEmulator, table: Table, rid: str, changes: Record) -> Record:
    world = app.world
    world.sequences[VERSION_SEQUENCE] += 1
    changes = {
        **changes,
        "versionnumber": world.sequences[VERSION_SEQUENCE],
        "modifiedby": app.caller_id(),
    }
    return table.update(rid, changes, when=app.clock.now())


def register(app: DynamicsEmulator) -> None:
    def create(request: Request, version: str, entity_set: str) -> Response:
        table = app.table_for(entity_set)
        changes = changes_from(app, table, _body(request))
        with app.world.lock:
            row = create_row(app, table, changes)
            return _written(app, request, table, row, 204)

    def patch(request: Request, version: str, entity_set: str, key: str) -> Response:
        table = app.table_for(entity_set)
        changes = changes_from(app, table, _body(request))
        if_match = request.headers.get("If-Match")
        if_none = request.headers.get("If-None-Match")
        with app.world.lock:
            row = table.get(key)
            if row is None:
                if if_match is not None:
                    app.row_or_404(table, key)
                row = create_row(app, table, changes, key)
                return _written(app, request, table, row, 204)
            if if_none == "*":
                raise ODataError(
                    412, "0x80040237", "A record with matching key values already exists."
                )
            if if_match not in (None, "*") and if_match != etag(row):
                raise ODataError(
                    412,
                    VERSION_MISMATCH,
                    "The version of the existing record doesn't match the RowVersion "
                    "property provided.",
                )
            row = update_row(app, table, key, changes)
            return _written(app, request, table, row, 204)

    def delete(request: Request, version: str, entity_set: str, key: str) -> Response:
        table = app.table_for(entity_set)
        with app.world.lock:
            row = app.row_or_404(table, key)
            app.world.sequences[VERSION_SEQUENCE] += 1
            row[DELETED_VERSION] = app.world.sequences[VERSION_SEQUENCE]
            table.soft_delete(key, app.clock.now())
        return json_response(None, 204)

    app.api_route("POST", "/<entity_set>", create)
    app.api_route("PATCH", "/<entity_set>(<key>)", patch)
    app.api_route("DELETE", "/<entity_set>(<key>)", delete)


def _body(request: Request) -> Any:
    try:
        return json_body(request)
    except ValueError:
        raise _bad("The request body is not valid JSON.") from None
