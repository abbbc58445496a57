"""Calls made once per deal (its timeline, its products) are made a few at once when the
server is across a network (each call 15 ms here): the same records, in the same order and
pages, as one call after another, through faults and an expired token too."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from zohoconn_support import read_all, start_sandbox

from connectors.core.contract import Page, ReadOptions
from sandbox import Sandbox


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    """The small company: enough deals for several list pages of timelines."""
    sandbox = start_sandbox("small")
    yield sandbox
    sandbox.stop()


@contextmanager
def _across_a_network(sb: Sandbox, profile: str = "none", rate: float = 0.0) -> Iterator[None]:
    sb.apps["zoho"].faults.configure(profile, rate, round_trip_s=0.015)
    try:
        yield
    finally:
        sb.apps["zoho"].faults.configure("none", 0.0, round_trip_s=0.0)


def _read(
    connector: Any, signpost: Any, stream: str = "history"
) -> tuple[list[Page], list[list[Any]], int]:
    before = connector.api_usage().calls
    pages, _ = read_all(connector, stream, None, signpost=signpost)
    calls = connector.api_usage().calls - before
    return pages, [p.records for p in pages], calls


def test_timelines_read_at_once_are_those_read_one_after_another(sb, connect) -> None:
    one_by_one = connect(per_record_workers=1, page_size=25)
    at_once = connect(per_record_workers=4, page_size=25)
    signpost = one_by_one.server_time()
    at_once.server_time()  # its token first, as the other's: the calls below are reads
    with _across_a_network(sb):
        started = time.perf_counter()
        pages, records, calls = _read(one_by_one, signpost)
        one_by_one_s = time.perf_counter() - started
        started = time.perf_counter()
        again, again_records, again_calls = _read(at_once, signpost)
        at_once_s = time.perf_counter() - started
    deals = len(list(sb.world.zoho["Deals"].live()))
    assert sum(len(r) for r in records) > deals  # a created row per deal and its changes
    assert again_records == records
    assert [p.state for p in again] == [p.state for p in pages]
    assert again_calls == calls  # the list pages, then one timeline call per deal
    assert at_once_s < 0.6 * one_by_one_s  # the calls really were made at once


def test_timelines_read_at_once_through_faults_and_an_expired_token(sb, connect) -> None:
    signpost = connect().server_time()
    _, expected, _ = _read(connect(per_record_workers=1, page_size=25), signpost)
    connector = connect(per_record_workers=4, page_size=25)
    got = []
    with _across_a_network(sb, "flaky", 0.2):
        for page in connector.read("history", None, ReadOptions(signpost=signpost)):
            got.append(page.records)
            if len(got) == 1:
                sb.clock.advance(3700)  # the server's 1 h token lifetime passes mid-read
    assert got == expected, (len(got), len(expected))
    assert connector.http.retry.retries > 0  # faults really happened and were retried
    assert connector.tokens.refreshes >= 2  # the expired token was replaced


def test_won_deals_products_read_at_once_are_those_read_one_after_another(sb, connect) -> None:
    one_by_one = connect(per_record_workers=1, page_size=25)
    signpost = one_by_one.server_time()
    pages, records, calls = _read(one_by_one, signpost, "deal_products")
    won = [d for d in sb.world.zoho["Deals"].live() if d.get("Stage") == "Closed Won"]
    assert len(won) > 25 and sum(len(r) for r in records) >= len(won)  # a product or more each
    at_once = connect(per_record_workers=4, page_size=25)
    at_once.server_time()
    with _across_a_network(sb):
        again, again_records, again_calls = _read(at_once, signpost, "deal_products")
    assert again_records == records
    assert [p.state for p in again] == [p.state for p in pages]
    assert again_calls == calls
