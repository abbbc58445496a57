"""The store's link lookup (``sync.store.linked.StoredLinks``) answers as of each question:
rows written, relinked or deleted after its first read of a kind are seen by the next."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from connectors.core.contract import Page
from connectors.core.records import Activity, CommonRecord
from sync.store import open_store
from sync.store.linked import StoredLinks
from sync.store.pages import write_page

NOW = datetime(2026, 12, 5, 6, 0, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield store
    store.dispose()


def _activity(rid: str, kind: str = "call", source: str = "crm", **links: str) -> Activity:
    return Activity(source=source, remote_id=rid, activity_type=kind, **links)


def _write(engine: Engine, source: str, *records: CommonRecord) -> None:
    with engine.begin() as conn:
        write_page(conn, source, Page("activities", list(records), {}), "activity", None, NOW)


def test_links_are_read_from_the_link_columns_of_live_rows_of_the_source(engine: Engine) -> None:
    _write(
        engine,
        "crm",
        _activity("1", contact_id="c1", deal_id="d1"),
        _activity("2", "email", contact_id="c1"),
        _activity("3", contact_id="c2"),
    )
    _write(engine, "other", _activity("9", source="other", contact_id="c1"))
    linked = StoredLinks(engine, "crm")
    assert linked("activity", "contact", ["c1", "c3"]) == {"1": "c1", "2": "c1"}
    assert linked("activity", "contact", ["c1"], {"activity_type": "email"}) == {"2": "c1"}
    assert linked("activity", "deal", {"d1"}) == {"1": "d1"}
    assert linked("activity", "campaign", ["c1"]) == {}  # activities have no campaign_id
    assert linked("activity", "contact", ["c1"], {"colour": "red"}) == {}
    assert linked("nothing", "contact", ["c1"]) == {}
    assert linked("activity", "contact", []) == {}


def test_rows_written_after_the_first_question_are_seen_by_the_next(engine: Engine) -> None:
    _write(engine, "crm", _activity("1", contact_id="c1"), _activity("2", contact_id="c1"))
    linked = StoredLinks(engine, "crm")
    assert linked("activity", "contact", ["c1"]) == {"1": "c1", "2": "c1"}
    deleted = Activity(source="crm", remote_id="2", activity_type="call", deleted=True)
    _write(engine, "crm", _activity("1", contact_id="c2"), deleted, _activity("4", contact_id="c1"))
    assert linked("activity", "contact", ["c1", "c2"]) == {"1": "c2", "4": "c1"}
    _write(engine, "crm", _activity("2", contact_id="c1"))  # back again
    assert linked("activity", "contact", ["c1"]) == {"2": "c1", "4": "c1"}
    assert linked("activity", "deal", ["d1"]) == {}  # a new field: the kind is read again


def test_several_link_columns_are_asked_about_in_one_question(engine: Engine) -> None:
    _write(
        engine,
        "crm",
        _activity("1", contact_id="c1", deal_id="d1"),
        _activity("2", "email", account_id="a1"),
        _activity("3", contact_id="c2", case_id="k1"),
        *(_activity(str(10 + i), contact_id=f"c{10 + i}") for i in range(300)),
    )
    linked = StoredLinks(engine, "crm")
    wanted = {
        "contact": ["c1", "c9", *(f"c{10 + i}" for i in range(0, 300, 2))],  # over a query's share
        "account": ["a1"],
        "deal": ["d1"],
        "case": ["k2"],
        "campaign": ["x"],  # activities have no campaign_id: not answered
    }
    assert linked.any_of("activity", wanted) == {
        "contact": {"1": "c1", **{str(10 + i): f"c{10 + i}" for i in range(0, 300, 2)}},
        "account": {"2": "a1"},
        "deal": {"1": "d1"},
        "case": {},
    }
    assert linked.any_of("activity", wanted, {"activity_type": "email"}) == {
        "contact": {},
        "account": {"2": "a1"},
        "deal": {},
        "case": {},
    }
    assert linked.any_of("activity", {"contact": [], "deal": []}) == {}
    assert linked.any_of("nothing", {"contact": ["c1"]}) == {}


def test_a_question_of_the_same_shape_sees_the_rows_written_since_the_last(
    engine: Engine,
) -> None:
    """HubSpot asks the same of each engagement type in turn, the streams in between
    writing activities: each answer is as of its question, whether read from the table or
    from the rows kept since the last one and the rows written after it."""
    _write(
        engine,
        "crm",
        _activity("1", contact_id="c1"),
        _activity("2", "email", contact_id="c1"),
        _activity("3", "note", deal_id="d1"),
    )
    linked = StoredLinks(engine, "crm")
    wanted = {"contact": ["c1"], "deal": ["d1"]}
    assert linked.any_of("activity", wanted, {"activity_type": "call"}) == {
        "contact": {"1": "c1"},
        "deal": {},
    }
    deleted = Activity(source="crm", remote_id="2", activity_type="email", deleted=True)
    _write(
        engine,
        "crm",
        deleted,
        _activity("1", contact_id="c9"),  # no longer linked
        _activity("4", "email", contact_id="c1"),  # new
        _activity("3", "email", deal_id="d1"),  # another type now
    )
    _write(engine, "other", _activity("5", "email", source="other", contact_id="c1"))
    assert linked.any_of("activity", wanted, {"activity_type": "email"}) == {
        "contact": {"4": "c1"},
        "deal": {"3": "d1"},
    }
    assert linked.any_of("activity", wanted, {"activity_type": "call"}) == {
        "contact": {},
        "deal": {},
    }
    assert linked("activity", "contact", ["c1"], {"activity_type": "email"}) == {"4": "c1"}
    _write(engine, "crm", _activity("2", "email", contact_id="c1"))  # back again
    assert linked.any_of("activity", wanted, {"activity_type": "email"}) == {
        "contact": {"2": "c1", "4": "c1"},
        "deal": {"3": "d1"},
    }
