"""The events endpoint over real HTTP: write-key auth, 413 over the size limit, one result
per event, accepted events spooled and then synced like any export (idempotent)."""

from __future__ import annotations

import base64
import gzip
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
import requests
import uvicorn
from pydantic import SecretStr

from connectors.core.contract import ReadOptions
from connectors.events import EventsConnector, EventsSettings

NOW = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
KEY = "wk_test_0123456789"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, EventsConnector]]:
    settings = EventsSettings(
        directory=tmp_path / "spool",
        write_key=SecretStr(KEY),
        max_batch_bytes=4_000,
        max_event_bytes=1_000,
    )
    connector = EventsConnector("web", settings)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(connector.ingest_app(), host="127.0.0.1", port=port, log_level="error")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/v1/batch", connector
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _event(n: int, **fields: Any) -> dict[str, Any]:
    return {
        "type": "page",
        "messageId": f"m{n}",
        "anonymousId": "anon-1",
        "timestamp": "2026-10-01T10:00:00Z",
        **fields,
    }


def _basic(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def test_the_endpoint_checks_each_event_and_spools_the_accepted(
    served: tuple[str, EventsConnector],
) -> None:
    url, connector = served
    batch = {"batch": [_event(1), {"type": "page", "anonymousId": "x"}, _event(2)]}
    answer = requests.post(url, json=batch, headers=_basic(KEY), timeout=10)
    assert answer.status_code == 200
    assert answer.json() == {
        "accepted": 2,
        "rejected": 1,
        "results": [
            {"index": 0, "status": "accepted", "messageId": "m1"},
            {
                "index": 1,
                "status": "rejected",
                "reason": "messageId is missing: it makes a replayed event the same record",
            },
            {"index": 2, "status": "accepted", "messageId": "m2"},
        ],
    }
    # a retry of the same batch (bearer this time) is spooled again, and is one record each
    again = requests.post(url, json=batch, headers={"Authorization": f"Bearer {KEY}"}, timeout=10)
    assert again.json()["accepted"] == 2
    (page,) = connector.read("events", None, ReadOptions())
    assert [r.remote_id for r in page.records] == ["m1", "m2", "m1", "m2"]
    assert all(r.raw["receivedAt"].endswith("Z") for r in page.records)


def test_wrong_keys_and_oversized_batches_are_refused(served: tuple[str, EventsConnector]) -> None:
    url, connector = served
    for headers in ({}, _basic("wrong"), {"Authorization": "Bearer "}, {"Authorization": KEY}):
        answer = requests.post(url, json={"batch": [_event(1)]}, headers=headers, timeout=10)
        assert (answer.status_code, answer.json()) == (
            401,
            {"code": "unauthorized", "message": "missing or wrong write key"},
        )
    big = {"batch": [_event(n, properties={"pad": "x" * 500}) for n in range(10)]}
    answer = requests.post(url, json=big, headers=_basic(KEY), timeout=10)
    assert (answer.status_code, answer.json()) == (
        413,
        {"code": "too_large", "message": "the batch is over the 4000-byte limit; send less"},
    )
    one = {"batch": [_event(1, properties={"pad": "x" * 1_200})]}
    answer = requests.post(url, json=one, headers=_basic(KEY), timeout=10)
    (result,) = answer.json()["results"]
    assert result["status"] == "rejected"
    assert result["reason"].endswith("bytes, over the 1000-byte limit of one event")
    bad = requests.post(url, data=b"{nope", headers=_basic(KEY), timeout=10)
    assert bad.status_code == 400
    assert list(connector.settings.directory.glob("*.jsonl")) == []


def test_a_body_sent_in_chunks_is_refused_as_soon_as_it_passes_the_limit(
    served: tuple[str, EventsConnector],
) -> None:
    url, connector = served
    # no Content-Length: the server learns the size only as the chunks come
    small = orjson.dumps({"batch": [_event(1), _event(2)]})
    answer = requests.post(
        url, data=iter([small[:50], small[50:]]), headers=_basic(KEY), timeout=10
    )
    assert (answer.status_code, answer.json()["accepted"]) == (200, 2)
    big = orjson.dumps({"batch": [_event(n, properties={"pad": "x" * 500}) for n in range(10)]})
    chunks = [big[start : start + 1_000] for start in range(0, len(big), 1_000)]
    answer = requests.post(url, data=iter(chunks), headers=_basic(KEY), timeout=10)
    assert (answer.status_code, answer.json()) == (
        413,
        {"code": "too_large", "message": "the batch is over the 4000-byte limit; send less"},
    )
    (page,) = connector.read("events", None, ReadOptions())
    assert [r.remote_id for r in page.records] == ["m1", "m2"]


def test_gzip_bodies_are_inflated_within_the_same_limit(
    served: tuple[str, EventsConnector],
) -> None:
    # RudderStack's libraries gzip every batch by default, Segment's when asked to
    url, connector = served
    headers = {**_basic(KEY), "Content-Encoding": "gzip", "Content-Type": "application/json"}
    body = gzip.compress(orjson.dumps({"batch": [_event(1), _event(2)]}))
    answer = requests.post(url, data=body, headers=headers, timeout=10)
    assert (answer.status_code, answer.json()["accepted"]) == (200, 2)
    # 60 kB of padding packs into a few hundred bytes: refused as it inflates past 4,000
    bomb = gzip.compress(orjson.dumps({"batch": [_event(3, properties={"pad": "x" * 60_000})]}))
    assert len(bomb) < 1_000
    answer = requests.post(url, data=bomb, headers=headers, timeout=10)
    assert (answer.status_code, answer.json()) == (
        413,
        {"code": "too_large", "message": "the batch is over the 4000-byte limit; send less"},
    )
    answer = requests.post(url, data=b"not gzip at all", headers=headers, timeout=10)
    assert answer.status_code == 400 and answer.json()["message"].startswith("the body is not gzip")
    answer = requests.post(url, data=body[:-8], headers=headers, timeout=10)
    assert (answer.status_code, answer.json()) == (
        400,
        {"code": "bad_gzip", "message": "the gzip body ends early"},
    )
    brotli = {**headers, "Content-Encoding": "br"}
    answer = requests.post(url, data=body, headers=brotli, timeout=10)
    assert (answer.status_code, answer.json()) == (
        415,
        {"code": "unsupported_encoding", "message": "unsupported Content-Encoding 'br'"},
    )
    (page,) = connector.read("events", None, ReadOptions())
    assert [r.remote_id for r in page.records] == ["m1", "m2"]


def test_the_daemon_serves_every_source_on_one_port_routed_by_write_key(tmp_path: Path) -> None:
    from sync.daemon.ingest import IngestServer, ingesting

    def source(name: str, key: str | None) -> EventsConnector:
        settings = EventsSettings(
            directory=tmp_path / name, write_key=SecretStr(key) if key else None
        )
        return EventsConnector(name, settings)

    web, app, quiet = source("web", "key-web"), source("app", "key-app"), source("quiet", None)
    served = ingesting([web, app, quiet])
    assert [c.name for c in served] == ["web", "app"]
    port = _free_port()
    server = IngestServer(served, "127.0.0.1", port)
    server.start()
    try:
        url = f"http://127.0.0.1:{port}/v1/batch"
        for key, n in (("key-web", 1), ("key-app", 2), ("key-app", 3)):
            answer = requests.post(
                url, json={"batch": [_event(n)]}, headers=_basic(key), timeout=10
            )
            assert answer.json()["accepted"] == 1
        refused = requests.post(url, json={"batch": [_event(9)]}, headers=_basic("x"), timeout=10)
        assert refused.status_code == 401
    finally:
        server.stop()
    read = {
        c.name: [r.remote_id for p in c.read("events", None, ReadOptions()) for r in p.records]
        for c in (web, app)
    }
    assert read == {"web": ["m1"], "app": ["m2", "m3"]}
