"""Result rows inserted in a thread (SQLite, as JSON arrays the database expands): the
stored values are exactly what SQLAlchemy's own insert stores, and a failure on either
side is raised, never a hang."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from sync.reconcile.bulk_inserts import inserting
from sync.reconcile.persist import IDENTITIES, MEMBERS
from sync.store import open_store

_MEMBER_COLUMNS = ("identity_id", "kind", "source", "table_name", "remote_id", "method", "score")
_IDENTITY_COLUMNS = ("identity_id", "kind", "golden", "provenance", "member_count", "updated_at")


def _stored(engine: Engine, table: str) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        columns = [row[1] for row in connection.exec_driver_sql(f"PRAGMA table_info({table})")]
        typed = ", ".join(f"{c}, typeof({c})" for c in columns if c != "id")
        return [tuple(r) for r in connection.execute(text(f"SELECT {typed} FROM {table}"))]


def _members(count: int) -> list[tuple[object, ...]]:
    rng = random.Random(5)
    texts = ["plain", 'a "quoted" name', "Zoë Ågren-Łukasz", "line\nbreak", "back\\slash", ""]
    return [
        (
            f"per_{n:06d}",
            "person",
            rng.choice(texts),
            "contacts",
            f"{n}",
            rng.choice(["single", "match", "must_link"]),
            rng.choice([None, rng.uniform(-40, 40), rng.random() * 10 ** rng.randint(-6, 6)]),
        )
        for n in range(count)
    ]


@pytest.fixture
def stores(tmp_path: Path) -> tuple[Engine, Engine]:
    ours = open_store(f"sqlite:///{tmp_path / 'ours.sqlite'}")
    theirs = open_store(f"sqlite:///{tmp_path / 'theirs.sqlite'}")
    yield ours, theirs
    ours.dispose()
    theirs.dispose()


def test_rows_are_stored_as_sqlalchemy_stores_them(stores) -> None:
    ours, theirs = stores
    members = _members(12_345)  # two full batches and a part
    when = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    identities = [
        (f"per_{n}", "person", {"name": f"Ann {n}", "score": n / 7}, {"name": "hubspot"}, n, when)
        for n in range(3)
    ]
    with ours.begin() as connection, inserting(connection) as inserter:
        inserter.insert(MEMBERS, _MEMBER_COLUMNS, iter(members))
        inserter.insert(IDENTITIES, _IDENTITY_COLUMNS, iter(identities))
    with theirs.begin() as connection:
        connection.execute(
            MEMBERS.insert(), [dict(zip(_MEMBER_COLUMNS, m, strict=True)) for m in members]
        )
        connection.execute(
            IDENTITIES.insert(), [dict(zip(_IDENTITY_COLUMNS, i, strict=True)) for i in identities]
        )
    assert _stored(ours, "identity_members") == _stored(theirs, "identity_members")
    assert _stored(ours, "identities") == _stored(theirs, "identities")
    scores = [row[12] for row in _stored(ours, "identity_members")]
    assert scores == [m[6] for m in members]  # floats bit-equal, None as NULL


def test_a_failing_insert_is_raised_and_the_rows_after_it_do_not_hang(stores) -> None:
    ours, _ = stores
    rows = _members(40_000)
    rows[7_000] = rows[3]  # the same record twice: the members' unique key refuses it
    with pytest.raises(Exception, match="UNIQUE constraint failed"):  # noqa: SIM117
        with ours.begin() as connection, inserting(connection) as inserter:
            inserter.insert(MEMBERS, _MEMBER_COLUMNS, iter(rows))
    with ours.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM identity_members").scalar() == 0


def test_a_failing_caller_waits_for_the_writer_and_rolls_back(stores) -> None:
    ours, _ = stores

    def rows():
        yield from _members(20_000)
        raise RuntimeError("golden record failed")

    with pytest.raises(RuntimeError, match="golden record failed"):  # noqa: SIM117
        with ours.begin() as connection, inserting(connection) as inserter:
            inserter.insert(MEMBERS, _MEMBER_COLUMNS, rows())
    with ours.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM identity_members").scalar() == 0


def test_a_store_in_memory_is_written_in_the_callers_thread() -> None:
    # SQLite's driver refuses an in-memory database's connection to other threads.
    engine = open_store("sqlite:///:memory:")
    with engine.begin() as connection:
        with inserting(connection) as inserter:
            inserter.insert(MEMBERS, _MEMBER_COLUMNS, iter(_members(6_000)))
        assert connection.exec_driver_sql("SELECT count(*) FROM identity_members").scalar() == (
            6_000
        )
    engine.dispose()
