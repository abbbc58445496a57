"""Salesforce-shaped error bodies.

REST errors are always a JSON *array* of ``{"message", "errorCode"[, "fields"]}``;
clients such as simple-salesforce read ``json()[0]["errorCode"]``. Save results inside
collections use ``statusCode`` instead (``error_item``).
"""

from __future__ import annotations

from typing import Any

from sandbox.http import EmulatorError

__all__ = [
    "INVALID_SESSION",
    "NOT_FOUND_MESSAGE",
    "error_item",
    "sf_error",
]

NOT_FOUND_MESSAGE = "The requested resource does not exist"
INVALID_SESSION = "Session expired or invalid"


def sf_error(
    status: int, code: str, message: str, fields: list[str] | None = None
) -> EmulatorError:
    """An ``EmulatorError`` carrying Salesforce's array-of-errors body."""
    item: dict[str, Any] = {"message": message, "errorCode": code}
    if fields is not None:
        item["fields"] = fields
    return EmulatorError(status, [item])


def error_item(code: str, message: str, fields: list[str] | None = None) -> dict[str, Any]:
    """One error of a SaveResult (``statusCode`` key, as in sObject Collections)."""
    return {"statusCode": code, "message": message, "fields": fields or []}
