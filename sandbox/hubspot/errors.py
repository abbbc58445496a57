"""HubSpot-shaped error bodies.

HubSpot answers every error with ``{status, message, correlationId, category,
subCategory?, context?, errors?}``; handlers raise the ``EmulatorError`` built here and the
dispatcher renders it.
"""

from __future__ import annotations

import uuid
from typing import Any

from sandbox.http import EmulatorError

__all__ = [
    "BAD_REQUEST_MESSAGE",
    "bad_request",
    "correlation_id",
    "error_body",
    "hs_error",
    "object_not_found",
    "validation_error",
]

BAD_REQUEST_MESSAGE = "There was a problem with the request."


def correlation_id() -> str:
    return str(uuid.uuid4())


def error_body(message: str, category: str | None = None, **extra: Any) -> dict[str, Any]:
    """A HubSpot error envelope; ``extra`` keys (context, subCategory, errors) are appended."""
    body: dict[str, Any] = {"status": "error", "message": message}
    body["correlationId"] = correlation_id()
    if category is not None:
        body["category"] = category
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def hs_error(
    status: int,
    message: str,
    category: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> EmulatorError:
    return EmulatorError(status, error_body(message, category, **extra), headers)


def validation_error(message: str, **extra: Any) -> EmulatorError:
    return hs_error(400, message, "VALIDATION_ERROR", **extra)


def bad_request() -> EmulatorError:
    """The terse 400 HubSpot's search answers to a body it cannot use."""
    return hs_error(400, BAD_REQUEST_MESSAGE)


def object_not_found(object_id: str) -> EmulatorError:
    return hs_error(
        404,
        "Object not found.  objectId are usually numeric.",
        "OBJECT_NOT_FOUND",
        context={"id": [object_id]},
    )
