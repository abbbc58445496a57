"""The HTTP ingestion endpoint: ``POST /v1/batch`` as in Segment's HTTP tracking API.

A sender authenticates with the source's write key, as HTTP Basic (the key as user name,
no password: what Segment's libraries send) or as a bearer token; anything else is 401.
A body over ``max_batch_bytes`` is refused whole with 413 before it is read. A body sent
with ``Content-Encoding: gzip`` (what RudderStack's libraries send by default, Segment's
with ``gzip=True``) is inflated step by step, and refused with 413 as soon as it inflates
past the same limit (a small body cannot expand into a large one); any other encoding is
415. A body sent in chunks without its length (``Transfer-Encoding: chunked``), or
longer than it said, is read chunk by chunk and refused as soon as it passes the limit:
a request holds at most ``max_batch_bytes`` of body (and its messages once decoded),
whatever it sends. Each message
of ``{"batch": [...]}`` is checked like a line of an export (``spec.parse_event``, and the
per-event size limit) and gets its own result: ``accepted`` with its ``messageId``, or
``rejected`` with the reason. Accepted messages, stamped with ``receivedAt``, are appended
to a JSON-lines spool file in the source's directory (``http-YYYY-MM-DD.jsonl``, flushed to
disk before the answer), which the events connector reads like any export: one ingestion
path, idempotent on ``messageId``, whether a batch is sent once or retried.
"""

from __future__ import annotations

import os
import threading
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from connectors.core.channels import ChannelMap
from connectors.events.auth import authorised
from connectors.events.spec import EventRefused, parse_event

__all__ = ["ingest_app"]


class _Spool:
    """Appends whole lines to today's spool file, one batch at a time."""

    def __init__(self, directory: Path, now: Callable[[], datetime]) -> None:
        self.directory, self.now = directory, now
        self.lock = threading.Lock()

    def append(self, lines: list[bytes]) -> None:
        if not lines:
            return
        path = self.directory / f"http-{self.now():%Y-%m-%d}.jsonl"
        with self.lock, path.open("ab") as handle:
            for line in lines:  # buffered by the file: no second copy of the batch
                handle.write(line)
                handle.write(b"\n")
            handle.flush()
            os.fsync(handle.fileno())


def ingest_app(
    directory: Path,
    write_key: str,
    *,
    max_batch_bytes: int = 512_000,
    max_event_bytes: int = 32_768,
    channels: ChannelMap | None = None,
    now: Callable[[], datetime] | None = None,
) -> Starlette:
    """The Starlette app of one events source's endpoint."""
    if not write_key:
        raise ValueError("the events endpoint needs a write key")
    directory.mkdir(parents=True, exist_ok=True)
    clock = now or (lambda: datetime.now(UTC))
    spool = _Spool(directory, clock)
    checker = channels or ChannelMap("events")

    async def batch(request: Request) -> JSONResponse:
        if not authorised(request.headers.get("authorization", ""), write_key):
            return _refusal(401, "unauthorized", "missing or wrong write key")
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_batch_bytes:
            return _too_large(max_batch_bytes)
        encoding = request.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in ("identity", "gzip"):
            return _refusal(
                415, "unsupported_encoding", f"unsupported Content-Encoding {encoding!r}"
            )
        inflate = zlib.decompressobj(wbits=31) if encoding == "gzip" else None
        body = bytearray()
        async for chunk in request.stream():
            try:
                body += inflate.decompress(chunk, max_batch_bytes + 1) if inflate else chunk
            except zlib.error as exc:
                return _refusal(400, "bad_gzip", f"the body is not gzip: {exc}")
            # unconsumed input means the output is already over the limit
            if len(body) > max_batch_bytes or (inflate and inflate.unconsumed_tail):
                return _too_large(max_batch_bytes)
        if inflate is not None and not inflate.eof:
            return _refusal(400, "bad_gzip", "the gzip body ends early")
        try:
            payload = orjson.loads(body)  # the buffer itself: no copy of it
        except orjson.JSONDecodeError as exc:
            return _refusal(400, "bad_json", f"the body is not JSON: {exc}")
        messages = payload.get("batch") if isinstance(payload, dict) else None
        if not isinstance(messages, list):
            return _refusal(400, "bad_batch", 'the body must be {"batch": [events]}')
        received = clock().astimezone(UTC).isoformat().replace("+00:00", "Z")
        results, lines = [], []
        for index, message in enumerate(messages):
            result, line = _check(index, message, received, max_event_bytes, checker)
            results.append(result)
            if line is not None:
                lines.append(line)
        spool.append(lines)
        accepted = len(lines)
        answer = {"accepted": accepted, "rejected": len(messages) - accepted, "results": results}
        return JSONResponse(answer, 200)

    return Starlette(routes=[Route("/v1/batch", batch, methods=["POST"])])


def _check(
    index: int, message: Any, received: str, limit: int, channels: ChannelMap
) -> tuple[dict[str, Any], bytes | None]:
    if isinstance(message, dict):
        message = {**message, "receivedAt": received}
    line = orjson.dumps(message)
    if len(line) > limit:
        reason = f"{len(line)} bytes, over the {limit}-byte limit of one event"
        return {"index": index, "status": "rejected", "reason": reason}, None
    try:
        event = parse_event("http", message, channels)
    except EventRefused as exc:
        return {"index": index, "status": "rejected", "reason": str(exc)}, None
    return {"index": index, "status": "accepted", "messageId": event.remote_id}, line


def _refusal(status: int, code: str, message: str) -> JSONResponse:
    """An error answer as Segment's tracking API gives it (``code`` and ``message``): what
    Segment's and RudderStack's libraries read to report a failed batch."""
    return JSONResponse({"code": code, "message": message}, status)


def _too_large(limit: int) -> JSONResponse:
    return _refusal(413, "too_large", f"the batch is over the {limit}-byte limit; send less")
