"""Where the sandbox's story ends and where its clock starts.

By default (`--anchor today`) the story ends at the start of the host's UTC day and the
clock runs from the host's time, so a client that bookmarks its own clock misses no change
and the reports agree with the host on "now". Tests pass both instants explicitly: nothing
here reads today's date.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sandbox import Sandbox, SandboxError, SandboxOptions
from sandbox.clock import host_anchor, parse_anchor
from tests import cli_process

HOST_NOW = datetime(2027, 3, 9, 16, 42, 5, tzinfo=UTC)


def test_today_is_the_start_of_the_hosts_utc_day() -> None:
    assert host_anchor(HOST_NOW) == datetime(2027, 3, 9, tzinfo=UTC)
    assert parse_anchor("today", HOST_NOW) == datetime(2027, 3, 9, tzinfo=UTC)
    assert parse_anchor(" Today ", HOST_NOW) == datetime(2027, 3, 9, tzinfo=UTC)
    assert parse_anchor("2026-10-31", HOST_NOW) == datetime(2026, 10, 31, tzinfo=UTC)


def test_an_anchor_that_is_not_a_day_says_what_to_write() -> None:
    with pytest.raises(ValueError, match=r"anchor '31/10/2026' is not a day: write YYYY-MM-DD"):
        parse_anchor("31/10/2026", HOST_NOW)


def test_the_clock_starts_at_clock_start_and_the_story_at_the_anchor(tmp_path: Path) -> None:
    anchor = datetime(2027, 3, 9, tzinfo=UTC)
    options = SandboxOptions(seed=2, scale="tiny", anchor=anchor, clock_start=HOST_NOW)
    with Sandbox(options) as sandbox:
        now = sandbox.clock.now()
        assert HOST_NOW <= now < HOST_NOW + timedelta(seconds=30)
        assert sandbox.world is not None
        stamps = [
            r[field]
            for name in ("Lead", "Contact", "Opportunity", "Task")
            for r in sandbox.world.salesforce[name].all()
            for field in ("CreatedDate", "LastModifiedDate")
        ]
    # the story (every generated change) ends by the anchor, before the clock's start, and
    # reaches into its last month
    assert max(stamps) <= anchor
    assert max(stamps) > anchor - timedelta(days=31)


def test_a_clock_cannot_start_before_its_story_ends() -> None:
    options = SandboxOptions(anchor=HOST_NOW, clock_start=HOST_NOW - timedelta(days=1))
    with pytest.raises(SandboxError, match="cannot start before its story's anchor"):
        Sandbox(options)


def test_by_default_the_story_ends_at_the_hosts_day_and_the_clock_runs_from_its_time() -> None:
    assert SandboxOptions().story(HOST_NOW) == (datetime(2027, 3, 9, tzinfo=UTC), HOST_NOW)
    later = HOST_NOW + timedelta(hours=2)
    assert SandboxOptions(clock_start=later).story(HOST_NOW) == (
        datetime(2027, 3, 9, tzinfo=UTC),
        later,
    )


def test_an_explicit_anchor_is_the_same_story_on_any_day() -> None:
    from sandbox import DEFAULT_ANCHOR

    options = SandboxOptions(anchor=DEFAULT_ANCHOR)
    assert options.story(HOST_NOW) == (DEFAULT_ANCHOR, DEFAULT_ANCHOR)
    assert options.story(HOST_NOW + timedelta(days=400)) == (DEFAULT_ANCHOR, DEFAULT_ANCHOR)


def test_the_cli_default_is_today_and_a_bad_anchor_is_one_line() -> None:
    import sys

    from sync.cli_sandbox import AnchorOption, anchor_and_clock

    assert AnchorOption.default == "today"
    assert anchor_and_clock("today") == (None, None)
    assert anchor_and_clock("2026-10-31") == (datetime(2026, 10, 31, tzinfo=UTC), None)
    result = cli_process.run(
        [sys.executable, "-m", "sync", "demo", "--anchor", "31/10/2026"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: --anchor: anchor '31/10/2026' is not a day: write YYYY-MM-DD or today"
    )
