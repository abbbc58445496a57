"""Several GET requests in one ``$batch`` call (Dataverse allows GET parts outside change
sets), each answer parsed back into status, headers and JSON body, in order.

Used where a run needs many small reads at once: the table metadata of a run and the
first delta page of the tables of one stream. ``Prefer: odata.continue-on-error`` keeps
one failing part from stopping the others; each part carries its own headers (a delta
read's ``Prefer``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from connectors.dynamics.http import DynamicsHttp

__all__ = ["BatchAnswer", "get_batch", "parse_answers"]

_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)


@dataclass(frozen=True)
class BatchAnswer:
    status: int
    body: Any
    error_code: str | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def get_batch(
    http: DynamicsHttp, requests: Sequence[tuple[str, Mapping[str, str]]]
) -> list[BatchAnswer]:
    """GET each (path or full URL, headers) in one ``$batch``; one answer per request."""
    boundary = f"batch_{uuid.uuid4()}"
    parts = []
    for target, headers in requests:
        url = http.url_for(target).replace(" ", "%20")
        lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        parts.append(
            f"--{boundary}\r\nContent-Type: application/http\r\n"
            f"Content-Transfer-Encoding: binary\r\n\r\n"
            f"GET {url} HTTP/1.1\r\nAccept: application/json\r\n{lines}\r\n"
        )
    payload = ("".join(parts) + f"--{boundary}--\r\n").encode()
    response = http.call(
        "POST",
        "$batch",
        data=payload,
        headers={
            "Content-Type": f"multipart/mixed; boundary={boundary}",
            "Prefer": "odata.continue-on-error",
        },
    )
    answers = parse_answers(response.headers.get("Content-Type", ""), response.content)
    missing = BatchAnswer(500, None, "not run")
    return [answers[i] if i < len(answers) else missing for i in range(len(requests))]


def parse_answers(content_type: str, content: bytes) -> list[BatchAnswer]:
    """The answers of a ``multipart/mixed`` batch response, in order (split by hand: a
    delta page can be megabytes, which the ``email`` parser walks slowly)."""
    found = _BOUNDARY.search(content_type)
    if found is None:
        return []
    out = []
    for chunk in content.split(b"--" + found.group(1).encode())[1:]:
        if chunk.startswith(b"--"):
            break
        _, _, inner = chunk.partition(b"\r\n\r\n")  # the part's own headers
        head, _, body = inner.partition(b"\r\n\r\n")  # status line and headers, body
        words = head.split(b"\r\n", 1)[0].split()
        status = int(words[1]) if len(words) > 1 and words[1].isdigit() else 500
        parsed: Any = None
        if body.strip():
            try:
                parsed = orjson.loads(body)
            except orjson.JSONDecodeError:
                parsed = None
        code = None
        if isinstance(parsed, dict) and isinstance(parsed.get("error"), dict):
            code = parsed["error"].get("code")
        out.append(BatchAnswer(status, parsed, code))
    return out
