"""Parsing and validating the query parameters and headers the read APIs share."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from werkzeug.datastructures import Headers, MultiDict

from sandbox.schema import ObjectSchema
from sandbox.store import Table
from sandbox.zoho.errors import invalid_data, zoho_error

if TYPE_CHECKING:
    from sandbox.world import World

__all__ = [
    "MAX_FIELDS",
    "NON_RECORD_MODULES",
    "int_param",
    "modified_since",
    "module_table",
    "parse_datetime",
    "parse_fields",
]

MAX_FIELDS = 50
# users live in the world's Zoho tables but are served by the users API, not as a module
NON_RECORD_MODULES = frozenset({"users"})


def module_table(world: World, module: str) -> Table:
    """The table of a record module, or 400 INVALID_MODULE like Zoho."""
    table = world.zoho.get(module)
    if table is None or module in NON_RECORD_MODULES:
        raise zoho_error(
            400,
            "INVALID_MODULE",
            "the module name given seems to be invalid",
            {"resource_path_index": 0},
        )
    return table


def parse_fields(
    args: MultiDict[str, str], schema: ObjectSchema, required: bool
) -> list[str] | None:
    """The ``fields`` parameter: required on lists (v3+), at most 50, each a known field."""
    raw = args.get("fields")
    if raw is None or not raw.strip():
        if required:
            raise zoho_error(
                400,
                "REQUIRED_PARAM_MISSING",
                "One of the expected parameter is missing",
                {"param_name": "fields"},
            )
        return None
    names = [n.strip() for n in raw.split(",") if n.strip()]
    if len(names) > MAX_FIELDS:
        raise zoho_error(
            400,
            "LIMIT_EXCEEDED",
            "the number of fields exceeds the limit",
            {"limit": MAX_FIELDS, "param_name": "fields"},
        )
    for name in names:
        if schema.field(name) is None and name != "$se_module":
            raise invalid_data("fields", "invalid field given", api_name=name)
    return names


def int_param(args: MultiDict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid_data(name, "the given value is not a valid integer") from None
    if not low <= value <= high:
        raise invalid_data(name, f"the value should be between {low} and {high}")
    return value


def parse_datetime(raw: str) -> datetime | None:
    """ISO 8601 with offset (an HTTP date is accepted too); ``None`` if unparseable."""
    raw = raw.strip()
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        try:
            value = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
    if value.tzinfo is None:
        return None
    return value.astimezone(UTC)


def modified_since(headers: Headers) -> datetime | None:
    """The ``If-Modified-Since`` header as a UTC datetime (400 INVALID_DATA if malformed)."""
    raw = headers.get("If-Modified-Since")
    if not raw:
        return None
    value = parse_datetime(raw)
    if value is None:
        raise zoho_error(
            400,
            "INVALID_DATA",
            "the given date time format is invalid",
            {"header_name": "If-Modified-Since"},
        )
    return value
