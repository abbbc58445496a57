"""Incremental identity stitching: a run after new events stitches again only the anonymous
ids those events touch (and the ids their user ids were seen on), and its links are exactly
the links a full stitching of the same store gives."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from connectors.core.channels import ChannelMap
from connectors.core.contract import Page
from connectors.core.records import Lead
from connectors.events.connector import EVENTS_PROFILE
from connectors.events.spec import EventRefused, parse_event
from sandbox.clock import DEFAULT_ANCHOR
from sandbox.generator import generate
from sandbox.generator.events import generate_events
from sandbox.generator.events_people import customers
from sync.reconcile.stitching import StitchReport, stitch
from sync.store import open_store
from sync.store.event_links import EventLinkRow, EventStitchPeopleRow
from sync.store.pages import write_page

NOW = datetime(2026, 10, 31, 12, tzinfo=UTC)
_CHANNELS = ChannelMap(EVENTS_PROFILE)


def _write(engine: Engine, kind: str, records: list[Any]) -> None:
    with engine.begin() as conn:
        write_page(
            conn, "crm" if kind == "lead" else "web", Page(kind, records, {}), kind, None, NOW
        )


def _events(messages: list[dict[str, Any]]) -> list[Any]:
    found = []
    for message in messages:
        try:
            found.append(parse_event("web", message, _CHANNELS))
        except EventRefused:
            continue  # the stream's broken lines: quarantined by the connector
    return found


def _links(engine: Engine) -> list[tuple[Any, ...]]:
    table = EventLinkRow.__table__  # type: ignore[attr-defined]
    columns = [c for c in table.c if c.name not in ("id", "run_id")]
    with engine.connect() as conn:
        rows = conn.execute(select(*columns).order_by(table.c.anonymous_id, table.c.identity_id))
        return [tuple(row) for row in rows]


def _full_links(engine: Engine, tmp_path: Path, name: str) -> list[tuple[Any, ...]]:
    """The links a full stitching gives, in a copy of the store (the store itself keeps its
    incremental state)."""
    copy = tmp_path / f"{name}.sqlite"
    raw = engine.raw_connection()
    try:
        target = __import__("sqlite3").connect(copy)
        raw.driver_connection.backup(target)  # type: ignore[union-attr]
        target.close()
    finally:
        raw.close()
    other = open_store(f"sqlite:///{copy}")
    report = stitch(other, NOW, full=True)
    assert report.mode == "full"
    links = _links(other)
    other.dispose()
    return links


def _lead(n: int, email: str | None, phone: str | None) -> Lead:
    return Lead(source="crm", remote_id=f"L{n}", email=email, phone=phone, last_name=f"P{n}")


def _message(n: int, kind: str, **fields: Any) -> dict[str, Any]:
    at = f"2026-09-01T09:{n:02d}:00Z"
    return {"type": kind, "messageId": f"m{n}", "timestamp": at, **fields}


def test_new_events_restitch_only_what_they_touch_and_match_a_full_stitching(
    tmp_path: Path,
) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    _write(
        engine,
        "lead",
        [_lead(1, "ana@x.org", "+34 600 000 001"), _lead(2, "bo@x.org", "+34 600 000 002")],
    )
    _write(
        engine,
        "event",
        _events(
            [
                _message(1, "page", anonymousId="A1"),
                _message(2, "identify", anonymousId="A1", traits={"email": "ana@x.org"}),
                _message(3, "screen", anonymousId="A2", userId="u-1", name="Home"),
                _message(
                    4, "identify", anonymousId="A3", userId="u-1", traits={"email": "ana@x.org"}
                ),
                _message(5, "page", anonymousId="A4"),
                _message(6, "track", userId="u-1", event="Order Viewed"),
            ]
        ),
    )
    first = stitch(engine, NOW)
    assert (first.mode, first.events, first.anonymous_ids, first.linked) == ("full", 6, 5, 4)
    assert _links(engine) == _full_links(engine, tmp_path, "first")

    # u-1 now also proves to be Bo: every id it was seen on is stitched again, and A4
    # (a new identify) too; A1 is not touched
    _write(
        engine,
        "event",
        _events(
            [
                _message(
                    7, "identify", anonymousId="A5", userId="u-1", traits={"email": "bo@x.org"}
                ),
                _message(8, "identify", anonymousId="A4", traits={"phone": "+34 600 000 002"}),
                _message(9, "alias", userId="u-1", previousId="A6"),
            ]
        ),
    )
    second = stitch(engine, NOW)
    assert second.mode == "incremental"
    # A2, A3, A4, A5, A6 and user:u-1, with their own events only
    assert (second.anonymous_ids, second.events, second.ambiguous_user_ids) == (6, 7, 1)
    assert _links(engine) == _full_links(engine, tmp_path, "second")
    by_key = {row[0]: row for row in _links(engine)}
    assert sorted(by_key) == ["A1", "A3", "A4", "A5"]  # u-1 proves no one any more

    # nothing new: nothing stitched, nothing changed
    before = _links(engine)
    third = stitch(engine, NOW)
    assert (third.mode, third.anonymous_ids, third.events) == ("incremental", 0, 0)
    assert _links(engine) == before

    # Carla identifies before she is anyone's lead: evidence of no one yet
    _write(
        engine,
        "event",
        _events([_message(10, "identify", anonymousId="A7", traits={"email": "carla@x.org"})]),
    )
    assert stitch(engine, NOW).unmatched_evidence == 1
    assert "A7" not in {row[0] for row in _links(engine)}

    # a new person: only the events whose e-mail is on a changed key's domain (x.org: A1,
    # A3, A5, A7) are stitched again, with every id of their user id u-1 (A2, A6,
    # user:u-1)
    _write(engine, "lead", [_lead(3, "carla@x.org", None)])
    fourth = stitch(engine, NOW)
    assert (fourth.mode, fourth.people_changed, fourth.anonymous_ids) == ("incremental", 1, 7)
    assert _links(engine) == _full_links(engine, tmp_path, "fourth")
    assert {row[0]: row[1] for row in _links(engine)}["A7"] == "crm:leads:L3"

    # an e-mail edited: Ana's old address proves no one any more, so u-1 now proves Bo
    # alone, and every id it was seen on is his
    _write(engine, "lead", [_lead(1, "ana@y.org", "+34 600 000 001")])
    fifth = stitch(engine, NOW)
    assert (fifth.mode, fifth.people_changed) == ("incremental", 2)
    assert _links(engine) == _full_links(engine, tmp_path, "fifth")
    linked = {row[0]: row[1] for row in _links(engine)}
    assert linked == {
        "A2": "crm:leads:L2",
        "A3": "crm:leads:L2",
        "A4": "crm:leads:L2",
        "A5": "crm:leads:L2",
        "A6": "crm:leads:L2",
        "A7": "crm:leads:L3",
        "user:u-1": "crm:leads:L2",
    }

    # a phone edited: only the events with that number (A4) are read again
    _write(engine, "lead", [_lead(2, "bo@x.org", "+34 600 000 009")])
    sixth = stitch(engine, NOW)
    assert (sixth.mode, sixth.people_changed, sixth.anonymous_ids) == ("incremental", 2, 1)
    assert _links(engine) == _full_links(engine, tmp_path, "sixth")

    # people evidence the store did not keep (stitched before it was kept): all again
    with engine.begin() as conn:
        conn.execute(EventStitchPeopleRow.__table__.delete())  # type: ignore[attr-defined]
    _write(engine, "lead", [_lead(4, "dan@z.org", None)])
    assert stitch(engine, NOW).mode == "full"
    assert _links(engine) == _full_links(engine, tmp_path, "seventh")
    assert stitch(engine, NOW).mode == "incremental"  # kept again by the full run
    engine.dispose()


def test_a_stream_stitched_in_parts_gives_the_links_of_a_full_stitching(tmp_path: Path) -> None:
    world = generate(3, "tiny", DEFAULT_ANCHOR)
    stream = generate_events(world, 6)
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    leads = []
    for person in customers(world):
        emails, phones = person.emails, person.phones
        leads.append(
            Lead(
                source="crm",
                remote_id=person.identity,
                email=emails[0] if emails else None,
                other_emails=emails[1:],
                phone=phones[0] if phones else None,
                mobile=phones[1] if len(phones) > 1 else None,
                last_name=person.identity,
            )
        )
    _write(engine, "lead", leads[::2])  # the other half become leads later
    messages = list(stream.messages)
    random.Random(7).shuffle(messages)  # later batches reach back into earlier devices
    cuts = [0, len(messages) // 2, len(messages) * 3 // 4, len(messages)]
    reports: list[StitchReport] = []
    for n, (start, stop) in enumerate(itertools.pairwise(cuts)):
        if n == 2:
            _write(engine, "lead", leads[1::2])
        _write(engine, "event", _events(messages[start:stop]))
        reports.append(stitch(engine, NOW))
        assert _links(engine) == _full_links(engine, tmp_path, f"part{n}")
    assert [r.mode for r in reports] == ["full", "incremental", "incremental"]
    assert reports[2].people_changed > 0
    assert len(_links(engine)) == 85
    engine.dispose()
