"""The customers' event stream: deterministic, its own random stream (the CRMs' data is the
same with or without it), hard the way real data is, and with a truth for every id."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson
from generator_helpers import snapshot

from sandbox.clock import DEFAULT_ANCHOR
from sandbox.generator import generate
from sandbox.generator.events import generate_events, write_events
from sandbox.generator.events_people import customers
from sandbox.world import World


def test_the_stream_is_deterministic_and_leaves_the_crms_alone(small_world: World) -> None:
    before = snapshot(small_world)
    stream = generate_events(small_world, 2)
    assert snapshot(small_world) == before  # nothing in the CRMs or their truth changed
    again = generate_events(generate(3, "small", DEFAULT_ANCHOR), 2)
    assert again.messages == stream.messages
    assert again.devices == stream.devices


def test_the_stream_is_hard_the_way_real_data_is(small_world: World) -> None:
    stream = generate_events(small_world, 4)
    kinds = Counter(d["kind"] for d in stream.devices)
    assert set(kinds) == {"person", "shared", "bot", "stranger"}
    assert {m["type"] for m in stream.messages} == {"page", "track", "identify", "screen", "alias"}
    ids = Counter(m["messageId"] for m in stream.messages)
    assert sum(1 for n in ids.values() if n > 1) > 0  # some messages delivered twice
    # shared devices were identified on by both their people
    assert all(len(d["identified"]) == 2 for d in stream.devices if d["kind"] == "shared")
    # some people never identify on a device, some clear cookies (a second id, one person)
    people = [d for d in stream.devices if d["kind"] == "person"]
    assert any(not d["identified"] for d in people)
    per_person = Counter(d["people"][0] for d in people)
    assert max(per_person.values()) >= 3
    # every e-mail a message carries is one of its person's, typo'd at times, or a stranger's
    known = {e for c in customers(small_world) for e in c.emails}
    carried = [
        m.get("properties", {}).get("email") or m.get("traits", {}).get("email")
        for m in stream.messages
    ]
    carried = [e for e in carried if e]
    typos = [e for e in carried if e not in known and "mailinator" not in e and "visitor" not in e]
    assert 0.02 < len(typos) / len(carried) < 0.1
    campaigns = Counter(
        m["context"]["campaign"]["medium"]
        for m in stream.messages
        if "campaign" in m.get("context", {})
    )
    assert {"cpc", "qr", "email", "referral", "paid_social", "social"} <= set(campaigns)


def test_exports_are_monthly_json_lines_with_a_few_broken_lines(
    tmp_path: Path, tiny_world: World
) -> None:
    stream = generate_events(tiny_world, 2)
    lines = write_events(stream, tmp_path / "events", tmp_path / "truth")
    files = sorted(p.name for p in (tmp_path / "events").iterdir())
    assert files[0].startswith("events-") and files[-1] == "events-2026-10.jsonl"
    assert lines == len(stream.messages) + len(stream.broken)
    written = [
        line for name in files for line in (tmp_path / "events" / name).read_bytes().splitlines()
    ]
    assert len(written) == lines
    truth = (tmp_path / "truth" / "event_devices.jsonl").read_bytes().splitlines()
    assert [orjson.loads(row) for row in truth] == stream.devices
