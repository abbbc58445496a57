"""A search page's association reads (one per linked object type) are made a few at once
when the portal is across a network (each call 50 ms here): the same records, states and
calls as one after another, every call counted once, through an expired token too."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import requests
from hsconn_support import read_all, reset_stats, stats

from connectors.core.contract import Page, ReadOptions
from connectors.hubspot import HubSpotConnector
from sandbox import Sandbox

# An incremental read whose look-back reaches the whole world: every engagement is found by
# search, so every page carries four association reads (contacts, companies, deals, tickets).
EVERYTHING = timedelta(days=3650)


@contextmanager
def _across_a_network(sb: Sandbox) -> Iterator[None]:
    sb.apps["hubspot"].faults.configure("none", 0.0, round_trip_s=0.05)
    try:
        yield
    finally:
        sb.apps["hubspot"].faults.configure("none", 0.0, round_trip_s=0.0)


def _incremental(connector: HubSpotConnector, state: dict[str, Any], signpost: Any) -> list[Page]:
    options = ReadOptions(lookback=EVERYTHING, signpost=signpost)
    return list(connector.read("activities", state, options))


def _starting_state(connect: Any) -> tuple[dict[str, Any], Any]:
    first = connect()
    signpost = first.server_time()
    _, state = read_all(first, "activities", None, signpost=signpost)
    assert state is not None
    return state, signpost


def test_association_reads_at_once_give_what_one_after_another_gives(
    sb: Sandbox, connect: Any, admin: requests.Session
) -> None:
    state, signpost = _starting_state(connect)
    one_by_one, at_once = connect(link_workers=1), connect(link_workers=4)
    for connector in (one_by_one, at_once):
        connector.server_time()  # connected before the timing: the calls below are reads
    with _across_a_network(sb):
        started = time.perf_counter()
        pages = _incremental(one_by_one, state, signpost)
        one_by_one_s = time.perf_counter() - started
        reset_stats(admin, sb)
        calls = at_once.http.calls
        started = time.perf_counter()
        again = _incremental(at_once, state, signpost)
        at_once_s = time.perf_counter() - started
        served = sum(stats(admin, sb).values())
    linked = [r for p in pages for r in p.records if r.raw.get("links")]
    assert len(linked) > 20  # engagements with their links, read by search
    assert [p.records for p in again] == [p.records for p in pages]
    assert [p.state for p in again] == [p.state for p in pages]
    assert [p.api_calls for p in again] == [p.api_calls for p in pages]
    # every call made from the reading threads is counted once, as the portal saw them
    assert at_once.http.calls - calls == served
    # per engagement type: a search, four association reads, an archived list (six calls
    # in turn); at once, the first association read alone, then the other three together
    assert at_once_s < 0.85 * one_by_one_s, (at_once_s, one_by_one_s)


def test_association_reads_at_once_through_an_expired_oauth_token(
    sb: Sandbox, connect: Any
) -> None:
    state, signpost = _starting_state(connect)
    expected = [p.records for p in _incremental(connect(link_workers=1), state, signpost)]
    connector = connect(oauth=True, link_workers=4)
    got = []
    with _across_a_network(sb):
        options = ReadOptions(lookback=EVERYTHING, signpost=signpost)
        for page in connector.read("activities", state, options):
            got.append(page.records)
            if len(got) == 1:
                sb.clock.advance(2000)  # the portal's 30-minute access token runs out
    assert got == expected
    assert connector.tokens is not None and connector.tokens.refreshes == 2


def test_calls_made_at_once_that_meet_an_expired_token_refresh_it_once(
    sb: Sandbox, connect: Any
) -> None:
    connector = connect(oauth=True)
    tokens = connector.tokens
    assert tokens is not None
    tokens.ensure_fresh()  # the first token
    before = tokens.refreshes
    answered = threading.Barrier(4)

    def call_meeting_an_expired_token() -> None:
        tokens.ensure_fresh()  # each call begins with the token as it is
        answered.wait()  # ... and HubSpot answers every one EXPIRED_AUTHENTICATION
        tokens.refresh()

    threads = [threading.Thread(target=call_meeting_an_expired_token) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert tokens.refreshes == before + 1
    # a call that begins after the refresh and still meets an expired token refreshes again
    tokens.ensure_fresh()
    tokens.refresh()
    assert tokens.refreshes == before + 2
