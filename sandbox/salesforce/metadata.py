"""Metadata routes: API versions, describe calls, limits and Tooling ``CustomField``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from sandbox.http import json_body, json_response
from sandbox.salesforce.errors import NOT_FOUND_MESSAGE, sf_error
from sandbox.salesforce.schema import KEY_PREFIXES
from sandbox.schema import Field, ObjectSchema

if TYPE_CHECKING:
    from sandbox.salesforce.app import SalesforceEmulator

__all__ = ["MAX_VERSION", "MIN_VERSION", "register"]

MIN_VERSION = 47
MAX_VERSION = 62
_SOAP = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "boolean": "xsd:boolean",
    "int": "xsd:int",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
}
_METADATA_TYPES = {
    "Text": "string",
    "TextArea": "textarea",
    "LongTextArea": "textarea",
    "Email": "email",
    "Phone": "phone",
    "Url": "url",
    "Picklist": "picklist",
    "Checkbox": "boolean",
    "Number": "double",
    "Currency": "currency",
    "Percent": "percent",
    "Date": "date",
    "DateTime": "datetime",
}
_CUSTOM_NAME = re.compile(r"^([A-Za-z][A-Za-z0-9_]*)\.([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*__c)$")
_SEASONS = ("Spring", "Summer", "Winter")
# set up in Setup, not through the API: describe, query, retrieve and update only
_UPDATE_ONLY = frozenset({"OpportunitySplitType"})


def _label(version: int) -> str:
    # v47.0 was Winter '20; three releases a year.
    index = version - 47
    year = 20 + (index + 1) // 3
    return f"{_SEASONS[(index + 2) % 3]} '{year}"


def describe_field(field: Field, external: bool) -> dict[str, Any]:
    creatable = field.updateable
    return {
        "name": field.name,
        "label": field.display_label,
        "type": field.type,
        "soapType": _SOAP.get(field.type, "xsd:string"),
        "length": field.length if field.type not in _SOAP else 0,
        "custom": field.custom,
        "nillable": not field.required and field.type not in ("id", "boolean"),
        "createable": creatable,
        "updateable": creatable,
        "filterable": True,
        "sortable": field.type != "textarea",
        "externalId": external,
        "idLookup": field.name == "Id" or external,
        "unique": False,
        "calculated": False,
        "defaultedOnCreate": field.name in ("Id", "IsDeleted", "CreatedDate", "OwnerId"),
        "referenceTo": list(field.ref),
        "relationshipName": field.relationship,
        "polymorphicForeignKey": len(field.ref) > 1,
        "picklistValues": [
            {"active": True, "defaultValue": i == 0, "label": v, "validFor": None, "value": v}
            for i, v in enumerate(field.picklist)
        ],
    }


def _object_summary(schema: ObjectSchema, version: str) -> dict[str, Any]:
    base = f"/services/data/{version}/sobjects/{schema.name}"
    return {
        "name": schema.name,
        "label": schema.label or schema.name,
        "labelPlural": f"{schema.label or schema.name}s",
        "keyPrefix": KEY_PREFIXES.get(schema.name),
        "custom": schema.name.endswith("__c"),
        "queryable": True,
        "retrieveable": True,
        "searchable": True,
        "createable": schema.name not in _UPDATE_ONLY,
        "updateable": True,
        "deletable": schema.name != "User" and schema.name not in _UPDATE_ONLY,
        "replicateable": True,
        "urls": {
            "sobject": base,
            "describe": f"{base}/describe",
            "rowTemplate": f"{base}/{{ID}}",
        },
    }


def _custom_field(app: SalesforceEmulator, request: Request) -> Response:
    """A new custom field, from a Tooling API ``CustomField`` create."""
    try:
        body = json_body(request) or {}
    except ValueError as exc:
        raise sf_error(400, "JSON_PARSER_ERROR", str(exc)) from exc
    match = _CUSTOM_NAME.match(str(body.get("FullName", "")))
    meta = body.get("Metadata") or {}
    kind = _METADATA_TYPES.get(str(meta.get("type", "")))
    if match is None or kind is None or not meta.get("label"):
        raise sf_error(
            400,
            "FIELD_INTEGRITY_EXCEPTION",
            "FullName must be Object.Name__c and Metadata needs a label and a known type",
        )
    obj, name = match.groups()
    values = (meta.get("valueSet") or {}).get("valueSetDefinition", {}).get("value", [])
    new = Field(
        name,
        kind,  # type: ignore[arg-type]
        label=str(meta["label"]),
        custom=True,
        length=int(meta.get("length") or 255),
        picklist=tuple(str(v.get("fullName")) for v in values),
    )
    with app.world.lock:
        table = app.writer.table(obj)
        if table is None:
            raise sf_error(400, "INVALID_TYPE", f"sObject type '{obj}' is not supported.")
        if table.schema.field_ci(name) is not None:
            raise sf_error(
                400,
                "DUPLICATE_DEVELOPER_NAME",
                "This Field Name already exists or has been previously used.  Please "
                "choose a different name.",
            )
        table.schema.add_field(new)
        if meta.get("externalId"):
            app.external_ids.add((table.name, name))
        app.custom_field_count += 1
        field_id = f"00N5g{app.custom_field_count:010d}AAA"
    return json_response({"id": field_id, "success": True, "errors": [], "warnings": []}, 201)


def register(app: SalesforceEmulator) -> None:
    def schema_of(obj: str) -> ObjectSchema:
        table = app.writer.table(obj)
        if table is None:
            raise sf_error(404, "NOT_FOUND", NOT_FOUND_MESSAGE)
        return table.schema

    def versions(request: Request) -> Response:
        return json_response(
            [
                {"label": _label(v), "url": f"/services/data/v{v}.0", "version": f"{v}.0"}
                for v in range(MIN_VERSION, MAX_VERSION + 1)
            ]
        )

    def resources(request: Request, version: str) -> Response:
        base = f"/services/data/{version}"
        names = ("sobjects", "query", "queryAll", "limits", "composite", "jobs", "tooling")
        return json_response({n: f"{base}/{n}" for n in names})

    def global_describe(request: Request, version: str) -> Response:
        with app.world.lock:
            schemas = [t.schema for t in app.world.salesforce.values()]
            sobjects = [_object_summary(s, version) for s in schemas]
        return json_response({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": sobjects})

    def basic(request: Request, version: str, obj: str) -> Response:
        with app.world.lock:
            summary = _object_summary(schema_of(obj), version)
        return json_response({"objectDescribe": summary, "recentItems": []})

    def describe(request: Request, version: str, obj: str) -> Response:
        with app.world.lock:
            schema = schema_of(obj)
            body = _object_summary(schema, version)
            body["fields"] = [
                describe_field(f, (schema.name, f.name) in app.external_ids) for f in schema.fields
            ]
        return json_response(body)

    def limits(request: Request, version: str) -> Response:
        used, total = app.api_usage()
        return json_response(
            {
                "DailyApiRequests": {"Max": total, "Remaining": max(0, total - used)},
                "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000},
                "DailyBulkV2QueryFileStorageMB": {"Max": 976562, "Remaining": 976562},
                "DataStorageMB": {"Max": 1024, "Remaining": 1024},
                "ConcurrentSyncApexLimit": {"Max": 10, "Remaining": 10},
            }
        )

    def custom_field(request: Request, version: str) -> Response:
        return _custom_field(app, request)

    app.add_route("/services/data", versions, ("GET",), endpoint="GET /services/data", auth=False)
    base = "/services/data/<version>"
    for rule, handler, method in (
        (base, resources, "GET"),
        (f"{base}/sobjects", global_describe, "GET"),
        (f"{base}/sobjects/<obj>", basic, "GET"),
        (f"{base}/sobjects/<obj>/describe", describe, "GET"),
        (f"{base}/limits", limits, "GET"),
        (f"{base}/tooling/sobjects/CustomField", custom_field, "POST"),
    ):
        app.add_route(rule, handler, (method,), endpoint=f"{method} {rule}")
