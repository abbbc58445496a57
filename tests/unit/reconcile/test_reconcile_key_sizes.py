"""An increment sizes the changed records' block keys in the database, and a key whose
block pairs no one in a full run (held by too many records) is not read at all."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, event

from connectors.core.contract import Page
from connectors.core.records import Contact
from sync.config.reconcile import ReconcileConfig
from sync.reconcile.blocking import silent_keys
from sync.reconcile.persist import key_sizes
from sync.reconcile.reconciling import reconcile
from sync.store import open_store
from sync.store.pages import write_page


def _store(tmp_path: Path, rows: list[tuple[str, str]]) -> Engine:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO reconcile_keys (block_key, record_key) VALUES (?, ?)", rows
        )
    return engine


def test_key_sizes_count_the_stored_holders_but_the_gone_ones_of_one_kind(tmp_path: Path) -> None:
    rows = [("person/sc:harbour|dover", f"crm:contacts:{n}") for n in range(12)]
    rows += [("person/e:ann@x.com", "crm:contacts:0"), ("person/e:ann@x.com", "crm:leads:9")]
    rows += [("organisation/sc:harbour|dover", "crm:accounts:1")]  # another kind's key
    engine = _store(tmp_path, rows)
    try:
        with engine.connect() as connection:
            sizes = key_sizes(
                connection,
                "person",
                {"sc:harbour|dover", "e:ann@x.com", "p:+441234"},
                gone={"crm:contacts:0", "crm:contacts:99"},  # changed: its old keys leave
            )
    finally:
        engine.dispose()
    assert +sizes == {"sc:harbour|dover": 11, "e:ann@x.com": 1}


def test_a_key_is_silent_past_its_kinds_limit_and_the_records_limit() -> None:
    sizes = {
        "sc:harbour|dover": 11,  # a street in a town: blocks of ten at most
        "hc:7|dover": 10,
        "l3:ann|2000": 51,  # a name's start at a place: fifty
        "nc:ann|dover": 50,
        "e:ann@x.com": 1001,  # any other key: max_key_records
        "p:+441234": 1000,
    }
    assert silent_keys(sizes, max_key_records=1000) == {
        "sc:harbour|dover",
        "l3:ann|2000",
        "e:ann@x.com",
    }


def test_an_increment_never_reads_the_records_of_a_key_that_pairs_no_one(
    tmp_path: Path,
) -> None:
    now = datetime(2026, 10, 31, tzinfo=UTC)
    names = ["Ann Lee", "Bo Li", "Cy Ode", "Di Fox", "Ed Hay", "Flo Ng", "Gus Orr",
             "Hal Poe", "Ida Roe", "Jo Sax", "Kim Tor", "Lu Vey"]  # fmt: skip

    def contact(n: int, name: str) -> Contact:
        first, last = name.split()
        return Contact(source="zoho", remote_id=f"c{n}", first_name=first, last_name=last,
                       street=f"{n + 1} Harbour Street", city="Dover")  # fmt: skip

    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    asked: list[str] = []

    def _block_keys_read(connection, cursor, statement, parameters, *_args) -> None:  # type: ignore[no-untyped-def]
        if "reconcile_keys.record_key" in statement and "block_key IN" in statement:
            asked.extend(p for p in parameters if isinstance(p, str))

    try:
        with engine.begin() as conn:
            people = [contact(n, name) for n, name in enumerate(names[:11])]
            write_page(conn, "zoho", Page("contacts", people, {}), "contact", None, now)
        reconcile(engine, ReconcileConfig(), now, "full")
        with engine.begin() as conn:  # the twelfth on the street: eleven held its key
            page = Page("contacts", [contact(11, names[11])], {})
            write_page(conn, "zoho", page, "contact", None, now)
        event.listen(engine, "before_cursor_execute", _block_keys_read)
        report = reconcile(engine, ReconcileConfig(), now, "incremental")
    finally:
        event.remove(engine, "before_cursor_execute", _block_keys_read)
        engine.dispose()
    assert report.mode == "incremental" and report.kinds["person"]["changed"] == 1
    # The new person's keys but the street in the town (12 records: over ten) are read.
    assert "person/nc:lu|dover" in asked and "person/hc:12|dover" in asked
    assert "person/sc:harb|dover" not in asked
