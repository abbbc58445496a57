"""The CRM-neutral wire values and HTTP helpers of ``connectors.core``."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import requests

from connectors.core.rest import CachedToken, json_body, retry_after_s
from connectors.core.values import decimal_or_none, domain_of, iso_date, iso_time, money


def test_times_and_dates_parse_iso_8601_and_empty_is_none() -> None:
    assert iso_time("2026-11-03T09:12:44+00:00") == datetime(2026, 11, 3, 9, 12, 44, tzinfo=UTC)
    assert iso_date("2026-11-03T09:12:44+00:00") == date(2026, 11, 3)
    assert iso_date("2026-02-28") == date(2026, 2, 28)
    assert (iso_time(""), iso_time(None), iso_date(""), iso_date(20261103)) == (None,) * 4


def test_decimals_keep_their_digits_and_money_is_kept_to_the_cent() -> None:
    assert decimal_or_none("1234.5678") == Decimal("1234.5678")
    assert decimal_or_none(0.1) == Decimal("0.1")
    assert (decimal_or_none(""), decimal_or_none(None), decimal_or_none("n/a")) == (None,) * 3
    assert money("1234.565") == Decimal("1234.56")  # half-even, as Decimal's context
    assert money(19) == Decimal("19.00")
    assert money("") is None


def _response(status: int, content: bytes, headers: dict[str, str]) -> requests.Response:
    response = requests.Response()
    response.status_code, response._content = status, content
    response.headers.update(headers)
    return response


def test_retry_after_takes_seconds_and_ignores_dates() -> None:
    assert retry_after_s(_response(429, b"", {"Retry-After": "2.5"})) == 2.5
    http_date = {"Retry-After": "Fri, 04 Dec 2026 10:00:00 GMT"}
    assert retry_after_s(_response(429, b"", http_date)) is None
    assert retry_after_s(_response(429, b"", {})) is None


def test_an_error_page_reads_as_an_empty_body() -> None:
    assert json_body(_response(400, b'{"error": "x"}', {})) == {"error": "x"}
    assert json_body(_response(502, b"<html>Bad gateway</html>", {})) == {}
    assert json_body(_response(500, b"", {})) == {}


def test_the_cached_token_is_granted_once_for_all_threads_until_invalidated() -> None:
    grants: list[int] = []

    def grant() -> str:
        grants.append(1)
        return f"token-{len(grants)}"

    token = CachedToken(grant)
    seen: list[str] = []
    threads = [threading.Thread(target=lambda: seen.append(token.get())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (seen, len(grants)) == (["token-1"] * 8, 1)
    token.invalidate()
    assert (token.get(), token.get(), len(grants)) == ("token-2", "token-2", 2)


def test_a_website_gives_its_host_without_www() -> None:
    assert domain_of("https://www.acme.example/de/kontakt") == "acme.example"
    assert domain_of("lab.example") == "lab.example"
    assert (domain_of(""), domain_of(None)) == (None, None)
