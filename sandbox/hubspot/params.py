"""Query-string and body parsing shared by the route modules."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request

from sandbox.http import json_body
from sandbox.hubspot.errors import hs_error, validation_error

__all__ = ["archived_flag", "body", "inputs", "limit_param", "list_param"]

BATCH_MAX = 100
# v4 association batch reads take up to 1,000 ids (HubSpot's limit since February 2025)
ASSOCIATION_READ_MAX = 1000


def archived_flag(request: Request) -> bool:
    """``archived`` as the SDK sends it (``False``) or as people type it (``false``)."""
    return request.args.get("archived", "false").strip().lower() == "true"


def list_param(request: Request, name: str) -> list[str]:
    """A list parameter given repeated (SDK) and/or comma-separated (dlt)."""
    values: list[str] = []
    for raw in request.args.getlist(name):
        values.extend(v.strip() for v in raw.split(",") if v.strip())
    return values


def limit_param(request: Request, default: int, maximum: int) -> int:
    raw = request.args.get("limit")
    if raw is None or raw == "":
        return default
    try:
        limit = int(raw)
    except ValueError:
        raise validation_error(f"Invalid limit: {raw}") from None
    if limit < 1 or limit > maximum:
        raise validation_error(f"limit must be between 1 and {maximum}, was {limit}")
    return limit


def body(request: Request) -> dict[str, Any]:
    """The JSON object body, or a 400 like HubSpot's for malformed input."""
    try:
        data = json_body(request)
    except ValueError:
        raise hs_error(400, "Invalid input JSON on line 1", "VALIDATION_ERROR") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise hs_error(400, "Invalid input JSON: expected an object", "VALIDATION_ERROR")
    return data


def inputs(data: dict[str, Any], most: int = BATCH_MAX) -> list[Any]:
    """A batch body's ``inputs``, at most ``most`` (100 unless said) of them."""
    items = data.get("inputs")
    if not isinstance(items, list):
        raise validation_error("Invalid input JSON: missing inputs")
    if len(items) > most:
        raise validation_error(
            f"Batch input limit exceeded: {len(items)} inputs, the maximum is {most}",
            context={"inputs": [str(len(items))]},
        )
    return items
