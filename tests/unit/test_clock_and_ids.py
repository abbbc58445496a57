from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from sandbox.clock import DEFAULT_ANCHOR, AnchoredClock, ManualClock
from sandbox.salesforce.schema import salesforce_id
from sandbox.world import World


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(datetime(2026, 1, 1, tzinfo=UTC))
    assert clock.now() == datetime(2026, 1, 1, tzinfo=UTC)
    assert clock.advance(90) == datetime(2026, 1, 1, 0, 1, 30, tzinfo=UTC)
    with pytest.raises(ValueError):
        ManualClock(datetime(2026, 1, 1))


def test_anchored_clock_starts_at_anchor_and_advances() -> None:
    clock = AnchoredClock(DEFAULT_ANCHOR)
    first = clock.now()
    assert DEFAULT_ANCHOR <= first < DEFAULT_ANCHOR + timedelta(seconds=1)
    time.sleep(0.01)
    assert clock.now() > first
    assert clock.advance(3600) >= first + timedelta(hours=1)


def test_salesforce_ids_have_prefix_and_case_safe_suffix() -> None:
    # Suffix computed by hand: chunk "00Q5g" has uppercase at position 2 -> bit 4 -> "E".
    assert salesforce_id("Lead", 0) == "00Q5g0000000000EAA"
    ids = {salesforce_id("Account", n) for n in range(5000)}
    assert len(ids) == 5000
    assert all(len(i) == 18 and i.startswith("001") for i in ids)
    # Case-insensitively unique, which is what the suffix is for.
    assert len({i.lower() for i in ids}) == 5000


def test_world_mints_never_reused_ids() -> None:
    world = World.empty(1, "tiny", DEFAULT_ANCHOR)
    assert world.mint("hubspot", "contacts") == "100001"
    assert world.mint("hubspot", "contacts") == "100002"
    assert world.mint("zoho", "Leads") == "5725767000000000001"
    assert world.mint("zoho", "Deals") == "5725767000000000002"
    with pytest.raises(ValueError):
        world.mint("pipedrive", "deals")
