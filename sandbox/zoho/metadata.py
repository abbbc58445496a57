"""Settings APIs: modules, fields (read and custom-field creation) and the org."""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any

import orjson
from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.schema import Field, FieldType, ObjectSchema
from sandbox.zoho import users
from sandbox.zoho.convert import DATA_TYPES
from sandbox.zoho.errors import invalid_data, item_error, zoho_error
from sandbox.zoho.params import NON_RECORD_MODULES, module_table
from sandbox.zoho.schema_custom import CUSTOM_MODULES

if TYPE_CHECKING:
    from sandbox.zoho.app import ZohoEmulator

__all__ = ["derived_id", "field_metadata", "register"]

# Zoho data_type accepted by custom-field creation -> stored field type
_CREATABLE: dict[str, FieldType] = {
    "text": "string",
    "textarea": "textarea",
    "email": "email",
    "phone": "phone",
    "website": "url",
    "picklist": "picklist",
    "boolean": "boolean",
    "integer": "int",
    "double": "double",
    "currency": "currency",
    "date": "date",
    "datetime": "datetime",
}


def derived_id(kind: str, name: str) -> str:
    """A stable 19-digit id for things the world does not number (fields, roles...)."""
    digest = int.from_bytes(hashlib.blake2b(f"{kind}|{name}".encode(), digest_size=8).digest())
    return f"5725767{digest % 10**12:012d}"


def field_metadata(module: str, f: Field) -> dict[str, Any]:
    data_type = DATA_TYPES.get(f.type, "text")
    if f.type == "reference" and f.ref == ("users",):
        data_type = "ownerlookup"
    picklist = (
        [{"display_value": "-None-", "actual_value": "-None-"}]
        + [{"display_value": v, "actual_value": v} for v in f.picklist]
        if f.type == "picklist"
        else []
    )
    return {
        "api_name": f.name,
        "id": derived_id(f"field:{module}", f.name),
        "field_label": f.display_label,
        "display_label": f.display_label,
        "data_type": data_type,
        "length": f.length,
        "custom_field": f.custom,
        "system_mandatory": f.required,
        "read_only": not f.updateable,
        "pick_list_values": picklist,
        "lookup": {"module": {"api_name": f.ref[0]}} if data_type == "lookup" else {},
    }


def _module_metadata(schema: ObjectSchema) -> dict[str, Any]:
    label = schema.label or schema.name
    return {
        "api_name": schema.name,
        "module_name": schema.name,
        "id": derived_id("module", schema.name),
        "singular_label": label.removesuffix("s"),
        "plural_label": label,
        "api_supported": True,
        "creatable": True,
        "editable": True,
        "deletable": True,
        "viewable": True,
        "generated_type": "custom" if schema.name in CUSTOM_MODULES else "default",
    }


def _api_name(label: str) -> str:
    return re.sub(r"[^0-9A-Za-z_]", "", re.sub(r"\s+", "_", label.strip()))


def register(app: ZohoEmulator) -> None:
    world = app.world

    def modules(request: Request, version: str) -> Response:
        with world.lock:
            out = [
                _module_metadata(t.schema)
                for name, t in world.zoho.items()
                if name not in NON_RECORD_MODULES
            ]
        return json_response({"modules": out})

    def fields(request: Request, version: str) -> Response:
        module = request.args.get("module")
        if not module:
            raise zoho_error(
                400,
                "REQUIRED_PARAM_MISSING",
                "One of the expected parameter is missing",
                {"param_name": "module"},
            )
        with world.lock:
            table = module_table(world, module)
            out = [field_metadata(module, f) for f in table.schema.fields if f.name != "id"]
        return json_response({"fields": out})

    def create_fields(request: Request, version: str) -> Response:
        module = request.args.get("module") or ""
        try:
            body = orjson.loads(request.get_data(cache=True) or b"null")
        except orjson.JSONDecodeError:
            body = None
        items = body.get("fields") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            raise invalid_data("fields", "invalid data", expected_data_type="jsonarray")
        results = []
        with world.lock:
            table = module_table(world, module)
            for index, item in enumerate(items):
                results.append(_create_one(table.schema, module, item, index))
            table.version += 1  # the schema changed: cached renders are stale
        ok = sum(1 for r in results if r["status"] == "success")
        status = 201 if ok == len(results) else (400 if ok == 0 else 207)
        return json_response({"fields": results}, status)

    def _create_one(schema: ObjectSchema, module: str, item: Any, index: int) -> dict[str, Any]:
        label = item.get("field_label") if isinstance(item, dict) else None
        data_type = item.get("data_type") if isinstance(item, dict) else None
        path = f"$.fields[{index}]"
        if not isinstance(label, str) or not label.strip():
            return item_error(
                "MANDATORY_NOT_FOUND",
                "required field not found",
                api_name="field_label",
                json_path=f"{path}.field_label",
            )
        if data_type not in _CREATABLE:
            return item_error(
                "INVALID_DATA",
                "invalid data",
                api_name="data_type",
                json_path=f"{path}.data_type",
                supported_values=sorted(_CREATABLE),
            )
        api_name = _api_name(label)
        if schema.field(api_name) is not None:
            return item_error(
                "DUPLICATE_DATA",
                "duplicate data",
                api_name="field_label",
                json_path=f"{path}.field_label",
            )
        values = tuple(
            str(value)
            for v in item.get("pick_list_values") or []
            if isinstance(v, dict) and (value := v.get("actual_value") or v.get("display_value"))
        )
        length = item.get("length") if isinstance(item.get("length"), int) else 255
        schema.add_field(
            Field(
                api_name,
                _CREATABLE[data_type],
                label=label.strip(),
                custom=True,
                picklist=values,
                length=length,
            )
        )
        return {
            "code": "SUCCESS",
            "details": {"id": derived_id(f"field:{module}", api_name), "api_name": api_name},
            "message": "field created",
            "status": "success",
        }

    def org(request: Request, version: str) -> Response:
        creds = app.credentials
        body = {
            "org": [
                {
                    "id": derived_id("org", creds.zoho_client_id),
                    "company_name": "crmsync Sandbox Inc.",
                    "domain_name": f"org{world.seed}",
                    "primary_email": "admin@sandbox.crmsync.example",
                    "time_zone": "UTC",
                    "iso_code": "USD",
                    "currency_symbol": "$",
                    "country_code": "US",
                    "type": "production",
                    "zgid": str(700_000_000 + world.seed % 100_000_000),
                    "license_details": {
                        "paid": True,
                        "paid_type": "enterprise",
                        "users_license_purchased": 100,
                    },
                }
            ]
        }
        return json_response(body)

    app.api_route("GET", "/settings/modules", modules)
    app.api_route("GET", "/settings/fields", fields)
    app.api_route("POST", "/settings/fields", create_fields)
    app.api_route("GET", "/org", org)
    users.register(app)
