"""Faults, token expiry, the daily credit limit, the page-token cap and quarantine."""

from __future__ import annotations

import pytest
from zohoconn_support import live_ids, read_all

from connectors.core.errors import QuotaExhausted

STREAMS = ("leads", "contacts", "accounts", "deals", "activities", "cases")


def test_flaky_profile_gives_the_same_records_as_a_clean_read(sb, connect) -> None:
    clean = connect()
    signpost = clean.server_time()
    expected = {s: _ids(read_all(clean, s, None, signpost=signpost)[0]) for s in STREAMS}
    sb.apps["zoho"].faults.configure("flaky", 0.2)
    try:
        flaky = connect()
        got = {s: _ids(read_all(flaky, s, None, signpost=signpost)[0]) for s in STREAMS}
    finally:
        sb.apps["zoho"].faults.configure("none")
    assert got == expected
    assert flaky.http.retry.retries > 0  # faults really happened and were retried
    assert 1.0 in flaky.waits  # a 429 with Retry-After: 1 was honoured


def test_token_expiry_mid_read_is_survived(sb, connect) -> None:
    connector = connect(page_size=5)
    pages = []
    for page in connector.read("activities", None, _options(connector)):
        pages.append(page)
        if len(pages) == 1:
            sb.clock.advance(3700)  # the server's 1 h token lifetime passes
    assert _ids(pages) == live_ids(sb, "activities")
    assert connector.tokens.refreshes == 2


def test_token_is_refreshed_before_it_expires(connect) -> None:
    connector = connect(token_refresh_margin_s=3600)  # every token is "about to expire"
    read_all(connector, "cases", None, signpost=connector.server_time())
    # server_time's token call, then a fresh token before the fields and the list call
    assert (connector.tokens.refreshes, connector.api_usage().calls) == (3, 5)


def test_daily_limit_raises_quota_exhausted_and_the_state_resumes(sb, connect) -> None:
    app = sb.apps["zoho"]
    connector = connect(page_size=5)
    signpost = connector.server_time()
    used = app.credits.used(sb.clock.now().timestamp())
    app.limits.daily = used + 6
    pages = []
    try:
        with pytest.raises(QuotaExhausted) as raised:
            for page in connector.read("activities", None, _options(connector, signpost)):
                pages.append(page)
    finally:
        app.limits.daily = 1_000_000
    assert "resumes" in raised.value.user_message
    assert 0 < len(pages) < 13
    resumed, _ = read_all(connect(), "activities", pages[-1].state, signpost=signpost)
    assert _ids(pages) | _ids(resumed) == live_ids(sb, "activities")


def test_page_token_cap_is_crossed_by_restarting_the_query(sb, connect) -> None:
    app = sb.apps["zoho"]
    app.limits.page_token_records = 10
    try:
        connector = connect(page_size=2, page_token_records=10)
        pages, _ = read_all(connector, "activities", None, signpost=connector.server_time())
    finally:
        app.limits.page_token_records = 100_000
    ids = [r.remote_id for p in pages for r in p.records]
    assert set(ids) == live_ids(sb, "activities")
    assert len(ids) == len(set(ids))  # boundary rows of a restart are not yielded twice
    assert len(live_ids(sb, "activities")) > 20


def test_a_record_that_cannot_be_mapped_is_quarantined(sb, connect) -> None:
    deals = sb.world.zoho["Deals"]
    row = deals.rows["5725767000000000012"]
    amount = row["Amount"]
    with sb.world.lock:
        deals.update(row["id"], {"Amount": "lots"})
    try:
        connector = connect()
        pages, _ = read_all(connector, "deals", None, signpost=connector.server_time())
    finally:
        with sb.world.lock:
            deals.update(row["id"], {"Amount": amount})
    bad = [q for p in pages for q in p.quarantined]
    assert [q.remote_id for q in bad] == ["5725767000000000012"]
    assert bad[0].reason == (
        "Deals record cannot be mapped: ValueError: field Amount: not an amount: 'lots'"
    )
    assert bad[0].raw["Amount"] == "lots"
    assert _ids(pages) == live_ids(sb, "deals") - {"5725767000000000012"}


def _ids(pages) -> set[str]:
    return {r.remote_id for p in pages for r in p.records}


def _options(connector, signpost=None):
    from connectors.core.contract import ReadOptions

    return ReadOptions(signpost=signpost or connector.server_time())
