"""Response envelopes shared by several route modules (batch results, paging links)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from sandbox.http import json_response
from sandbox.hubspot.render import iso

__all__ = ["batch_response", "next_link", "not_found_error"]


def batch_response(
    results: list[dict[str, Any]],
    errors: list[dict[str, Any]],
    requested_at: datetime,
    completed_at: datetime,
    ok_status: int = 200,
) -> Response:
    """``BatchResponse*`` (``ok_status``), or 207 ``*WithErrors`` when any input failed."""
    body: dict[str, Any] = {"status": "COMPLETE", "results": results}
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = errors
    body["requestedAt"] = iso(requested_at)
    body["startedAt"] = iso(requested_at)
    body["completedAt"] = iso(completed_at)
    return json_response(body, 207 if errors else ok_status)


def not_found_error(message: str, ids: list[str]) -> dict[str, Any]:
    return {
        "status": "error",
        "category": "OBJECT_NOT_FOUND",
        "message": message,
        "context": {"ids": ids},
    }


def next_link(request: Request, after: str) -> str:
    """The request's own absolute URL with ``after`` replaced (followed verbatim by dlt)."""
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "after"]
    pairs.append(("after", after))
    return f"{request.host_url}{request.path.lstrip('/')}?{urlencode(pairs)}"
