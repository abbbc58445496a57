"""``POST /api/data/v9.2/$batch``: many requests in one, as OData 4.0 multipart/mixed.

Parts are ``application/http`` requests (absolute URLs, or relative to the service root)
run in order through the emulator's own routes; a nested ``multipart/mixed`` part is a
change set, run as one transaction: if any of its requests fails, none of its changes stay
and its answer is that one error. Outside change sets a failure stops the batch unless
``Prefer: odata.continue-on-error``. At most 1,000 requests per batch. The answer is
multipart/mixed with a ``batchresponse_`` boundary (``changesetresponse_`` inside).
"""

from __future__ import annotations

import copy
import re
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from sandbox.dynamics.errors import BAD_QUERY, ODataError
from sandbox.dynamics.render import Preferences
from sandbox.http import EmulatorError

if TYPE_CHECKING:
    from sandbox.dynamics.app import DynamicsEmulator

__all__ = ["register"]

_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)


@dataclass
class _Part:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    content_id: str | None


def _split(body: bytes, boundary: str) -> list[bytes]:
    marker = b"--" + boundary.encode()
    chunks = body.split(marker)
    return [c.strip(b"\r\n") for c in chunks[1:] if not c.startswith(b"--")]


def _headers(block: bytes) -> dict[str, str]:
    out = {}
    for line in block.decode("utf-8").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            out[name.strip().lower()] = value.strip()
    return out


def _parse(chunk: bytes) -> _Part | list[_Part]:
    head, _, rest = chunk.replace(b"\r\n", b"\n").partition(b"\n\n")
    outer = _headers(head)
    kind = outer.get("content-type", "")
    if kind.startswith("multipart/mixed"):
        found = _BOUNDARY.search(kind)
        if found is None:
            raise ODataError(400, BAD_QUERY, "A change set has no boundary.")
        parts = [_parse(c) for c in _split(rest, found.group(1))]
        return [p for p in parts if isinstance(p, _Part)]
    request_head, _, payload = rest.partition(b"\n\n")
    lines = request_head.decode("utf-8").split("\n")
    words = lines[0].split()
    if len(words) < 2:
        raise ODataError(400, BAD_QUERY, "A batch part holds no request line.")
    return _Part(
        words[0],
        words[1],
        _headers("\n".join(lines[1:]).encode()),
        payload.strip(),
        outer.get("content-id"),
    )


def _http_part(response: Response, content_id: str | None) -> bytes:
    lines = ["Content-Type: application/http", "Content-Transfer-Encoding: binary"]
    if content_id:
        lines.append(f"Content-ID: {content_id}")
    status = response.status_code
    reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    inner = [f"HTTP/1.1 {status} {reason}"]
    inner += [f"{k}: {v}" for k, v in response.headers.items() if k.lower() != "content-length"]
    data = response.get_data()
    return ("\r\n".join(lines) + "\r\n\r\n" + "\r\n".join(inner) + "\r\n\r\n").encode() + data


def register(app: DynamicsEmulator) -> None:
    def run(request: Request, part: _Part) -> Response:
        target = urlsplit(part.url)
        path = (
            target.path
            if target.path.startswith("/")
            else (urlsplit(app.api_root(request)).path + target.path)
        )
        builder = EnvironBuilder(
            path=path,
            query_string=target.query,
            method=part.method,
            headers=[(k, v) for k, v in part.headers.items() if k != "content-length"],
            data=part.body,
            base_url=request.host_url,
        )
        environ = builder.get_environ()
        builder.close()
        inner = Request(environ)
        try:
            handler, route, args = app.resolve(environ)
        except HTTPException:
            return app.not_found(inner)
        app.stats.count(f"$batch {route.endpoint}")
        try:
            return handler(inner, **args)
        except EmulatorError as exc:
            return exc.to_response()

    def batch(request: Request, version: str) -> Response:
        found = _BOUNDARY.search(request.headers.get("Content-Type", ""))
        if found is None or not request.mimetype.startswith("multipart/mixed"):
            raise ODataError(400, BAD_QUERY, "A $batch request must be multipart/mixed.")
        parts = [_parse(c) for c in _split(request.get_data(), found.group(1))]
        count = sum(len(p) if isinstance(p, list) else 1 for p in parts)
        if count > app.limits.batch_requests:
            raise ODataError(
                400,
                "0x8005f103",
                f"The number of requests in batch is {count}. It must be less than or equal "
                f"to {app.limits.batch_requests}.",
            )
        go_on = Preferences(request.headers.get("Prefer")).has("odata.continue-on-error")
        boundary = f"batchresponse_{uuid.uuid4()}"
        out: list[bytes] = []
        for part in parts:
            if isinstance(part, list):
                inner_boundary = f"changesetresponse_{uuid.uuid4()}"
                responses, failed = _changeset(request, part)
                body = (
                    b"".join(
                        f"--{inner_boundary}\r\n".encode() + _http_part(r, p.content_id) + b"\r\n"
                        for r, p in responses
                    )
                    + f"--{inner_boundary}--\r\n".encode()
                )
                out.append(
                    f"Content-Type: multipart/mixed; boundary={inner_boundary}\r\n\r\n".encode()
                    + body
                )
            else:
                response = run(request, part)
                failed = response.status_code >= 400
                out.append(_http_part(response, part.content_id))
            if failed and not go_on:
                break
        payload = b"".join(f"--{boundary}\r\n".encode() + o + b"\r\n" for o in out)
        payload += f"--{boundary}--\r\n".encode()
        response = Response(payload, 200)
        response.headers["Content-Type"] = f"multipart/mixed; boundary={boundary}"
        return response

    def _changeset(
        request: Request, parts: list[_Part]
    ) -> tuple[list[tuple[Response, _Part]], bool]:
        with app.world.lock:
            saved = {
                name: (
                    {rid: dict(row) for rid, row in t.rows.items()},
                    dict(t.deleted_at),
                    t.version,
                )
                for name, t in app.world.dynamics.items()
            }
            sequences = copy.copy(app.world.sequences)
            responses = []
            for part in parts:
                response = run(request, part)
                if response.status_code >= 400:
                    for name, (rows, deleted, version) in saved.items():
                        table = app.world.dynamics[name]
                        table.rows, table.deleted_at, table.version = rows, deleted, version
                    app.world.sequences.clear()
                    app.world.sequences.update(sequences)
                    return [(response, part)], True
                responses.append((response, part))
            return responses, False

    app.api_route("POST", "/$batch", batch)
