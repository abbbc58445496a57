"""Composite Batch: ``POST /services/data/vXX.X/composite/batch``, up to 25 independent
subrequests in one call.

Body ``{"haltOnError": false, "batchRequests": [{"method": "GET", "url": "v59.0/limits"}]}``;
a subrequest URL starts at the version (``v59.0/...``) or carries the ``/services/data/``
prefix, and may hold a query string. Each subrequest runs through the emulator's own
routing and handlers, in order, as the batch's user, so its answer is the one the resource
gives on its own. The whole batch is one API call: one entry in ``/_sandbox/stats``
(``POST .../composite/batch``) and one request of the daily allowance, as the outer request
was already counted and authorised by the dispatcher; subrequests are neither counted nor
faulted separately.

Answer: 200 ``{"hasErrors": bool, "results": [{"statusCode": 200, "result": {...}}]}`` in
input order (``result`` is ``null`` for 204). With ``haltOnError`` every subrequest after
the first 4xx/5xx answers 412 ``BATCH_PROCESSING_HALTED``. A malformed body (no list, more
than 25 subrequests, a bad method or URL, a subrequest version later than the batch's)
answers 400 for the whole call without running anything. The wording of the 400 messages
is ours (Salesforce's is not documented).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import orjson
from werkzeug.exceptions import HTTPException
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from sandbox.http import EmulatorError, json_body, json_response
from sandbox.salesforce import metadata
from sandbox.salesforce.errors import NOT_FOUND_MESSAGE, sf_error

if TYPE_CHECKING:
    from sandbox.salesforce.app import SalesforceEmulator

__all__ = ["MAX_SUBREQUESTS", "register"]

MAX_SUBREQUESTS = 25
_METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"}
_SUB_URL = re.compile(r"^v(\d+)\.(\d)(/[^?]*)?(?:\?(.*))?$")
# resources a batch cannot hold (a batch inside a batch, Bulk jobs, the token endpoint)
_REFUSED = re.compile(r"^/services/data/v[\d.]+/(composite|jobs)(/|$)")
_HALTED = [
    {
        "errorCode": "BATCH_PROCESSING_HALTED",
        "message": "Batch processing halted because a previous subrequest failed.",
    }
]


def _invalid(message: str) -> EmulatorError:
    return sf_error(400, "INVALID_BATCH_REQUEST", message)


def _parse(body: Any, batch_version: int) -> tuple[bool, list[tuple[str, str, str, Any]]]:
    """(haltOnError, [(method, path, query string, richInput)]) or a 400 for the batch."""
    if not isinstance(body, dict) or not isinstance(body.get("batchRequests"), list):
        raise _invalid("batchRequests: a list of subrequests is required")
    items = body["batchRequests"]
    if not items:
        raise _invalid("batchRequests: at least one subrequest is required")
    if len(items) > MAX_SUBREQUESTS:
        raise _invalid(f"A batch can hold at most {MAX_SUBREQUESTS} subrequests, not {len(items)}")
    parsed = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise _invalid(f"batchRequests[{index}]: a subrequest object is required")
        method = str(item.get("method", "")).upper()
        if method not in _METHODS:
            raise _invalid(f"batchRequests[{index}]: invalid method {item.get('method')!r}")
        url = str(item.get("url") or "").lstrip("/").removeprefix("services/data/")
        match = _SUB_URL.match(url)
        if match is None:
            raise _invalid(f"batchRequests[{index}]: invalid url {item.get('url')!r}")
        major = int(match.group(1))
        if not metadata.MIN_VERSION <= major <= batch_version:
            raise _invalid(
                f"batchRequests[{index}]: version v{match.group(1)}.{match.group(2)} is not "
                f"available in a v{batch_version}.0 batch"
            )
        split = urlsplit(f"/services/data/{url}")
        parsed.append((method, split.path, split.query, item.get("richInput")))
    return bool(body.get("haltOnError", False)), parsed


def register(app: SalesforceEmulator) -> None:
    def run_one(outer: Request, method: str, path: str, query: str, rich: Any) -> tuple[int, Any]:
        if _REFUSED.match(path):
            message = f"{path} cannot be part of a batch"
            return 400, [{"errorCode": "INVALID_BATCH_REQUEST", "message": message}]
        builder = EnvironBuilder(
            path=path,
            method=method,
            query_string=query,
            headers=[("Authorization", outer.headers.get("Authorization", ""))],
            data=None if rich is None else orjson.dumps(rich),
            content_type=None if rich is None else "application/json",
            base_url=outer.host_url,
        )
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        request = Request(environ)
        try:
            handler, route, args = app.resolve(environ)
        except HTTPException as exc:
            if exc.code == 405:
                message = f"HTTP Method '{method}' not allowed."
                return 405, [{"errorCode": "METHOD_NOT_ALLOWED", "message": message}]
            return 404, [{"errorCode": "NOT_FOUND", "message": NOT_FOUND_MESSAGE}]
        if route.auth:  # the batch's own session (checked by the dispatcher) runs it
            environ.update({k: v for k, v in outer.environ.items() if k.startswith("crmsync.")})
        try:
            response: Response = handler(request, **args)
        except EmulatorError as exc:
            return exc.status, exc.body
        raw = response.get_data()
        response.close()
        return response.status_code, orjson.loads(raw) if raw else None

    def batch(request: Request, version: str) -> Response:
        try:
            body = json_body(request)
        except ValueError as exc:
            raise sf_error(400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}") from exc
        halt, subrequests = _parse(body, int(version[1:].split(".")[0]))
        results: list[dict[str, Any]] = []
        failed = False
        for method, path, query, rich in subrequests:
            if failed and halt:
                results.append({"statusCode": 412, "result": _HALTED})
                continue
            status, result = run_one(request, method, path, query, rich)
            failed = failed or status >= 400
            results.append({"statusCode": status, "result": result})
        has_errors = any(r["statusCode"] >= 400 for r in results)
        return json_response({"hasErrors": has_errors, "results": results})

    rule = "/services/data/<version>/composite/batch"
    app.add_route(rule, batch, ("POST",), endpoint=f"POST {rule}")
