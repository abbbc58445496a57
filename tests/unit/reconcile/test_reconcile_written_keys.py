"""A full run's block keys go to the store as blocking reads them: one row per key of each
record, in order, under the kind's prefix; on a SQLite file the database makes the rows
from each record's list, elsewhere Python does, and the rows are the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from reconcile_people import lead
from sqlalchemy import Engine

from sync.reconcile.blocking import block_keys
from sync.reconcile.persist import stored_key, written_keys
from sync.store import open_store

PEOPLE = [
    lead(1, first="ana", last="ruiz", emails=("ana@acme.com",), city="lyon"),
    lead(2),  # nothing to block on: no key, no row
    lead(3, first="bo", last="o'neil", city="sào paulo", postcode="01310-100"),
] + [lead(n, first=f"name{n}", last="lee", phones=(f"+3361234{n:04d}",)) for n in range(4, 1300)]


@pytest.fixture(params=["file", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Engine:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}" if request.param == "file" else "sqlite://"
    engine = open_store(url)
    yield engine
    engine.dispose()


def test_each_records_keys_are_stored_in_order_and_handed_to_blocking(store: Engine) -> None:
    expected = [(stored_key("person", key), p.key) for p in PEOPLE for key in block_keys(p)]
    assert block_keys(PEOPLE[1]) == [] and len(expected) > 5_000  # several statements
    with store.begin() as connection:
        handed = list(written_keys(connection, "person", PEOPLE))
        rows = connection.exec_driver_sql(
            "SELECT block_key, record_key FROM reconcile_keys ORDER BY id"
        ).fetchall()
    assert handed == [block_keys(p) for p in PEOPLE]
    assert [tuple(row) for row in rows] == expected
