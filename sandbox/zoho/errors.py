"""Zoho-shaped error bodies: ``{"code", "details", "message", "status": "error"}``.

Handlers raise ``zoho_error(...)``; the dispatcher turns it into the response. Write APIs
put the same shape per item inside ``{"data": [...]}`` (see ``item_error``).
"""

from __future__ import annotations

from typing import Any

from sandbox.http import EmulatorError

__all__ = [
    "INVALID_TOKEN",
    "error_body",
    "invalid_data",
    "item_error",
    "zoho_error",
]

INVALID_TOKEN = {"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token"}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The body Zoho answers for a refused request."""
    return {"code": code, "details": details or {}, "message": message, "status": "error"}


def zoho_error(
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> EmulatorError:
    """An exception the dispatcher renders as a Zoho error response."""
    return EmulatorError(status, error_body(code, message, details), headers)


def invalid_data(param: str, message: str = "the given data is invalid", **extra: Any) -> Any:
    """400 INVALID_DATA about a query parameter."""
    return zoho_error(400, "INVALID_DATA", message, {"param_name": param, **extra})


def item_error(code: str, message: str, **details: Any) -> dict[str, Any]:
    """One failed item of a write response."""
    return error_body(code, message, details)
