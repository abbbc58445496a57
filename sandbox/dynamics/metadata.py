"""Table and column definitions: ``EntityDefinitions`` and the choices' option sets.

- ``GET EntityDefinitions`` (``$filter`` on ``LogicalName`` or ``EntitySetName`` with
  ``eq``, as clients resolve a table's entity set; ``$select``) and
  ``EntityDefinitions(LogicalName='<table>')``;
- ``GET .../Attributes`` and ``.../Attributes(LogicalName='<column>')``;
- ``GET .../Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata`` (and
  ``StateAttributeMetadata`` for ``statecode``) with ``OptionSet`` expanded: each option's
  value and label (``Label.UserLocalizedLabel.Label``);
- ``GET .../Attributes/Microsoft.Dynamics.CRM.LookupAttributeMetadata``: the lookups with
  their ``Targets`` (the tables they point at);
- ``POST .../Attributes`` creates a custom column from its ``@odata.type``
  (``DecimalAttributeMetadata``, ``MoneyAttributeMetadata``, ``IntegerAttributeMetadata``,
  ``StringAttributeMetadata``, ``DateTimeAttributeMetadata``), ``SchemaName`` with the
  publisher prefix (``new_Bonus``: its logical name is ``new_bonus``) and ``DisplayName``.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.dynamics.errors import (
    BAD_QUERY,
    DUPLICATE_ATTRIBUTE,
    INVALID_ARGUMENT,
    NOT_FOUND_SEGMENT,
    ODataError,
)
from sandbox.dynamics.schema import TABLES
from sandbox.dynamics.schema_custom import CUSTOM_TABLES
from sandbox.http import json_body, json_response
from sandbox.schema import Field, FieldType

if TYPE_CHECKING:
    from sandbox.dynamics.app import DynamicsEmulator

__all__ = ["register"]

_NS = uuid.UUID("2d6f3c1e-5b7a-4e0b-8f43-9c1d2e3f4a5b")
_TYPES: dict[str, tuple[str, str]] = {  # our field type -> (AttributeType, metadata type)
    "id": ("Uniqueidentifier", "UniqueIdentifierAttributeMetadata"),
    "string": ("String", "StringAttributeMetadata"),
    "textarea": ("Memo", "MemoAttributeMetadata"),
    "email": ("String", "StringAttributeMetadata"),
    "phone": ("String", "StringAttributeMetadata"),
    "url": ("String", "StringAttributeMetadata"),
    "picklist": ("Picklist", "PicklistAttributeMetadata"),
    "boolean": ("Boolean", "BooleanAttributeMetadata"),
    "int": ("Integer", "IntegerAttributeMetadata"),
    "double": ("Decimal", "DecimalAttributeMetadata"),
    "currency": ("Money", "MoneyAttributeMetadata"),
    "percent": ("Decimal", "DecimalAttributeMetadata"),
    "date": ("DateTime", "DateTimeAttributeMetadata"),
    "datetime": ("DateTime", "DateTimeAttributeMetadata"),
    "reference": ("Lookup", "LookupAttributeMetadata"),
}
_CREATABLE: dict[str, FieldType] = {
    "Microsoft.Dynamics.CRM.DecimalAttributeMetadata": "double",
    "Microsoft.Dynamics.CRM.MoneyAttributeMetadata": "currency",
    "Microsoft.Dynamics.CRM.IntegerAttributeMetadata": "int",
    "Microsoft.Dynamics.CRM.StringAttributeMetadata": "string",
    "Microsoft.Dynamics.CRM.DateTimeAttributeMetadata": "datetime",
}


def _metadata_id(*parts: str) -> str:
    return str(uuid.uuid5(_NS, "/".join(parts)))


def _label(text: str) -> dict[str, Any]:
    localized = {"Label": text, "LanguageCode": 1033, "IsManaged": True}
    return {"LocalizedLabels": [localized], "UserLocalizedLabel": localized}


def _entity(logical: str, untracked: set[str]) -> dict[str, Any]:
    info = TABLES[logical]
    custom = CUSTOM_TABLES.get(logical)
    return {
        "MetadataId": _metadata_id(logical),
        "LogicalName": logical,
        "SchemaName": custom[4] if custom else logical.capitalize(),
        "EntitySetName": info.entity_set,
        "LogicalCollectionName": info.entity_set,
        "PrimaryIdAttribute": info.id_field,
        "PrimaryNameAttribute": info.primary_name,
        "ObjectTypeCode": info.object_type_code,
        "ChangeTrackingEnabled": info.change_tracking and logical not in untracked,
        "IsCustomEntity": custom is not None,
        "DisplayName": _label(logical.capitalize() if custom is None else custom[4][4:]),
    }


def _attribute(table: str, field: Field) -> dict[str, Any]:
    kind = "State" if field.name == "statecode" else None
    attribute_type, metadata_type = _TYPES[field.type]
    if kind == "State":
        attribute_type, metadata_type = "State", "StateAttributeMetadata"
    return {
        "@odata.type": f"#Microsoft.Dynamics.CRM.{metadata_type}",
        "MetadataId": _metadata_id(table, field.name),
        "LogicalName": field.name,
        "SchemaName": field.name,
        "EntityLogicalName": table,
        "AttributeType": attribute_type,
        "AttributeTypeName": {"Value": f"{attribute_type}Type"},
        "IsCustomAttribute": field.custom,
        "IsValidForUpdate": field.updateable,
        "IsValidForRead": True,
        "Targets": list(field.ref) if field.type == "reference" else None,
        "DisplayName": _label(field.display_label),
    }


def _with_options(table: str, field: Field, current: dict[int, tuple[str, int]]) -> dict[str, Any]:
    options = [{"Value": value, "Label": _label(label)} for value, (label, _) in current.items()]
    return {
        **_attribute(table, field),
        "OptionSet": {"MetadataId": _metadata_id(table, field.name, "options"), "Options": options},
    }


_EQ = re.compile(r"^\s*(\w+)\s+eq\s+'([^']*)'\s*$")


def _definition_filter(raw: str | None) -> list[tuple[str, list[str]]]:
    """``LogicalName eq 'account'`` (``or`` of one property's values, ``and`` of
    properties) as [(property, values)]; other filters on definitions are a 400."""
    wanted: list[tuple[str, list[str]]] = []
    for clause in re.split(r"\s+and\s+", raw or "") if raw else []:
        terms = [_EQ.match(t) for t in re.split(r"\s+or\s+", clause.strip("() "))]
        names = {m.group(1) for m in terms if m}
        if not all(terms) or len(names) != 1:
            raise ODataError(
                400, BAD_QUERY, f"The query parameter $filter '{raw}' is not supported here."
            )
        wanted.append((names.pop(), [m.group(2) for m in terms if m]))
    return wanted


_CUSTOM = re.compile(r"^\s*IsCustomAttribute\s+eq\s+(true|false)\s*$")


def _custom_filter(raw: str | None) -> bool | None:
    """``IsCustomAttribute eq true|false`` on a table's attributes (other filters: 400)."""
    if not raw:
        return None
    found = _CUSTOM.match(raw)
    if found is None:
        raise ODataError(
            400, BAD_QUERY, f"The query parameter $filter '{raw}' is not supported here."
        )
    return found.group(1) == "true"


def _selected(
    value: list[dict[str, Any]], select: str | None, always: set[str]
) -> list[dict[str, Any]]:
    """The rows with only the properties ``$select`` names (and ``always``)."""
    if not select:
        return value
    keep = {s.strip() for s in select.split(",")} | always
    return [{k: v for k, v in row.items() if k in keep} for row in value]


def _new_attribute(request: Request) -> tuple[FieldType, str, str | None]:
    """The type, schema name and label of a column to create, or the 400 Dataverse
    answers."""
    try:
        body = json_body(request) or {}
    except ValueError:
        raise ODataError(400, INVALID_ARGUMENT, "The request body is not valid JSON.") from None
    kind = _CREATABLE.get(str(body.get("@odata.type", "")).lstrip("#"))
    schema_name = str(body.get("SchemaName") or "")
    if kind is None:
        raise ODataError(400, INVALID_ARGUMENT, "Attribute type is missing or not supported.")
    prefix, _, rest = schema_name.partition("_")
    if not prefix or not rest:
        raise ODataError(
            400,
            "0x80044331",
            f"The schema name {schema_name} for type Attribute is not prefixed with a "
            "publisher customization prefix.",
        )
    label = (((body.get("DisplayName") or {}).get("LocalizedLabels") or [{}])[0]).get("Label")
    return kind, schema_name, label


def register(app: DynamicsEmulator) -> None:
    root = "/EntityDefinitions(LogicalName='<table>')"

    def table_of(table: str) -> str:
        if table not in app.world.dynamics:
            raise ODataError(
                404, NOT_FOUND_SEGMENT, f"Could not find entity with LogicalName = '{table}'."
            )
        return table

    def entities(request: Request, version: str) -> Response:
        wanted = _definition_filter(request.args.get("$filter"))
        value = [_entity(t, app.limits.untracked) for t in TABLES]
        value = [v for v in value if all(any(v.get(k) == x for x in xs) for k, xs in wanted)]
        value = _selected(value, request.args.get("$select"), {"MetadataId"})
        return json_response(
            {
                "@odata.context": f"{app.api_root(request)}$metadata#EntityDefinitions",
                "value": value,
            }
        )

    def entity(request: Request, version: str, table: str) -> Response:
        body = _entity(table_of(table), app.limits.untracked)
        return json_response(
            {
                "@odata.context": f"{app.api_root(request)}$metadata#EntityDefinitions/$entity",
                **body,
            }
        )

    def attributes(request: Request, version: str, table: str) -> Response:
        schema = app.world.dynamics[table_of(table)].schema
        wanted = _custom_filter(request.args.get("$filter"))
        with app.world.lock:  # the filter first: a run asks for the few custom columns
            fields = [f for f in schema.fields if wanted is None or f.custom is wanted]
            value = [_attribute(table, f) for f in fields]
        # as Dataverse: the columns asked for, with the type and the id
        value = _selected(value, request.args.get("$select"), {"@odata.type", "MetadataId"})
        context = f"{app.api_root(request)}$metadata#EntityDefinitions('{table}')/Attributes"
        return json_response({"@odata.context": context, "value": value})

    def attribute(request: Request, version: str, table: str, column: str) -> Response:
        schema = app.world.dynamics[table_of(table)].schema
        field = schema.field(column)
        if field is None:
            raise ODataError(
                404, NOT_FOUND_SEGMENT, f"Could not find attribute with LogicalName = '{column}'."
            )
        return json_response(_attribute(table, field))

    def choices(kind: str) -> Any:
        def handler(request: Request, version: str, table: str) -> Response:
            current = app.metadata_log.options
            schema = app.world.dynamics[table_of(table)].schema
            value = [
                _with_options(table, f, current[(table, f.name)])
                for f in schema.fields
                if (table, f.name) in current and (f.name == "statecode") == (kind == "State")
            ]
            context = (
                f"{app.api_root(request)}$metadata#EntityDefinitions('{table}')/Attributes/"
                f"Microsoft.Dynamics.CRM.{kind}AttributeMetadata"
            )
            return json_response({"@odata.context": context, "value": value})

        return handler

    def lookups(request: Request, version: str, table: str) -> Response:
        schema = app.world.dynamics[table_of(table)].schema
        with app.world.lock:
            value = [
                {**_attribute(table, f), "Targets": list(f.ref)}
                for f in schema.fields
                if f.type == "reference"
            ]
        context = (
            f"{app.api_root(request)}$metadata#EntityDefinitions('{table}')/Attributes/"
            "Microsoft.Dynamics.CRM.LookupAttributeMetadata"
        )
        return json_response({"@odata.context": context, "value": value})

    def create(request: Request, version: str, table: str) -> Response:
        schema = app.world.dynamics[table_of(table)].schema
        kind, schema_name, label = _new_attribute(request)
        logical = schema_name.lower()
        with app.world.lock:
            if schema.field(logical) is not None:
                raise ODataError(
                    400,
                    DUPLICATE_ATTRIBUTE,
                    f"An attribute with the specified name {schema_name} already exists.",
                )
            schema.add_field(Field(logical, kind, label=label or schema_name, custom=True))
            app.metadata_log.touch(table, logical)
            for row in app.world.dynamics[table].rows.values():
                row.setdefault(logical, None)
        location = (
            f"{app.api_root(request)}EntityDefinitions({_metadata_id(table)})/"
            f"Attributes({_metadata_id(table, logical)})"
        )
        return json_response(None, 204, {"OData-EntityId": location})

    app.api_route("GET", "/EntityDefinitions", entities)
    app.api_route("GET", root, entity)
    app.api_route("GET", root + "/Attributes", attributes)
    app.api_route("POST", root + "/Attributes", create)
    app.api_route("GET", root + "/Attributes(LogicalName='<column>')", attribute)
    app.api_route(
        "GET", f"{root}/Attributes/Microsoft.Dynamics.CRM.LookupAttributeMetadata", lookups
    )
    for kind in ("Picklist", "State"):
        app.api_route(
            "GET",
            f"{root}/Attributes/Microsoft.Dynamics.CRM.{kind}AttributeMetadata",
            choices(kind),
        )
