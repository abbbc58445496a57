"""A full run starts from empty reconcile tables, whatever an earlier run left in them, and
holds its SQLite connection at a small page cache until its last write (pages a cache grew
to stay with the process through the million people loaded after them)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, event, text

from connectors.core.contract import Page
from connectors.core.records import Account, Contact, Lead
from sync.config.reconcile import ReconcileConfig
from sync.reconcile.entities import load_entities
from sync.reconcile.normalize import (
    company_key,
    fold,
    is_placeholder,
    name_key,
    phone_key,
    street_key,
)
from sync.reconcile.reconciling import reconcile
from sync.store import open_store
from sync.store.pages import write_page

NOW = datetime(2026, 10, 31, tzinfo=UTC)
STORE_CACHE = -262_144  # the store's own (sync.store.db), in KiB
RUN_CACHE = -16_384
TABLES = ("identities", "identity_members", "reconcile_pairs", "reconcile_keys")


def _store(tmp_path: Path) -> Engine:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    accounts = [Account(source="salesforce", remote_id="001A", name="Acme Labs Inc.")]
    contacts = [
        Contact(source="salesforce", remote_id="003A", first_name="Ana", last_name="Ruiz",
                email="ana@acme.com", account_id="001A"),
        Contact(source="salesforce", remote_id="003B", first_name="Bo", last_name="Li",
                email="bo@acme.com", account_id="001A"),
    ]  # fmt: skip
    leads = [
        Lead(source="salesforce", remote_id="00QA", first_name="Ana", last_name="Ruiz",
             email="ana@acme.com", company="Acme Labs"),
    ]  # fmt: skip
    with engine.begin() as conn:
        write_page(conn, "salesforce", Page("accounts", accounts, {}), "account", None, NOW)
        write_page(conn, "salesforce", Page("contacts", contacts, {}), "contact", None, NOW)
        write_page(conn, "salesforce", Page("leads", leads, {}), "lead", None, NOW)
    return engine


def _rows(engine: Engine) -> dict[str, list[tuple[str, ...]]]:
    queries = {
        "identities": "SELECT kind, identity_id FROM identities",
        "identity_members": "SELECT kind, source, table_name, remote_id FROM identity_members",
        "reconcile_pairs": "SELECT kind, a_key, b_key, status FROM reconcile_pairs",
        "reconcile_keys": "SELECT block_key, record_key FROM reconcile_keys",
    }
    with engine.connect() as connection:
        return {
            table: sorted(tuple(row) for row in connection.execute(text(query)))
            for table, query in queries.items()
        }


def test_a_full_run_forgets_what_any_earlier_run_stored_of_every_kind(tmp_path: Path) -> None:
    engine = _store(tmp_path)
    try:
        reconcile(engine, ReconcileConfig(), NOW, "full")
        first = _rows(engine)
        assert [len(first[t]) > 0 for t in TABLES] == [True] * 4
        with engine.begin() as connection:  # what a record deleted since left behind
            for kind in ("employee", "organisation", "person"):
                connection.execute(
                    text(
                        "INSERT INTO identities (identity_id, kind, golden, provenance, "
                        "member_count, updated_at, run_id) "
                        "VALUES (:i, :k, '{}', '{}', 1, :now, 1)"
                    ),
                    {"i": f"gone-{kind}", "k": kind, "now": NOW},
                )
                connection.execute(
                    text(
                        "INSERT INTO identity_members (identity_id, kind, source, table_name, "
                        "remote_id, method) VALUES (:i, :k, 'salesforce', 'contacts', :i, "
                        "'single')"
                    ),
                    {"i": f"gone-{kind}", "k": kind},
                )
                connection.execute(
                    text(
                        "INSERT INTO reconcile_pairs (kind, a_key, b_key, score, status, "
                        "detail, run_id) VALUES (:k, :a, 'salesforce:contacts:003B', 12.0, "
                        "'match', '{}', 1)"
                    ),
                    {"k": kind, "a": f"salesforce:contacts:gone-{kind}"},
                )
                connection.execute(
                    text(
                        "INSERT INTO reconcile_keys (block_key, record_key) "
                        "VALUES (:b, 'salesforce:contacts:gone')"
                    ),
                    {"b": f"{kind}/e:gone@acme.com"},
                )
        reconcile(engine, ReconcileConfig(), NOW, "full")
        assert _rows(engine) == first
    finally:
        engine.dispose()


def _pragma_at_each_statement(engine: Engine, pragma: str) -> list[tuple[str, int]]:
    """(the statement's first three words, ``pragma``'s value when it ran), filled as
    ``engine`` runs statements (PRAGMAs aside), for the engine's life."""
    seen: list[tuple[str, int]] = []

    def _record(connection, cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith("PRAGMA"):
            value = cursor.connection.execute(f"PRAGMA {pragma}").fetchone()[0]
            seen.append((" ".join(statement.split()[:3]), value))

    event.listen(engine, "before_cursor_execute", _record)
    return seen


def test_a_full_run_holds_a_small_page_cache_until_its_last_write(tmp_path: Path) -> None:
    engine = _store(tmp_path)
    seen = _pragma_at_each_statement(engine, "cache_size")
    try:
        reconcile(engine, ReconcileConfig(), NOW, "full")
        deletes = [cache for statement, cache in seen if statement.startswith("DELETE FROM")]
        assert deletes == [RUN_CACHE] * 4  # the four tables emptied, with the run's cache
        # From those deletes to the people's write (in the writer's thread, unseen here)
        # every statement ran with 16 MB or less (loads and index builds with less); the
        # run ends by recording itself, after that write, with the store's cache back.
        first = next(n for n, (statement, _) in enumerate(seen) if statement.startswith("DELETE"))
        assert [cache for _, cache in seen[:first]] == [STORE_CACHE] * first
        assert all(RUN_CACHE <= cache < 0 for _, cache in seen[first:-1])
        assert seen[-1] == ("UPDATE reconcile_runs SET", STORE_CACHE)
        with engine.connect() as connection:  # the pooled connection has its own again
            assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == STORE_CACHE
    finally:
        engine.dispose()


def test_loading_records_lets_the_normalisers_remembered_answers_go(tmp_path: Path) -> None:
    # They serve one load; a million people's were a million entries held, with the memory
    # around them, through the scoring and the write that followed.
    engine = _store(tmp_path)
    cached = (fold, is_placeholder, street_key, phone_key, name_key, company_key)
    try:
        name_key("Ana")  # remembered from an earlier load
        people = load_entities(engine, "person")
        assert sorted((e.first, e.last, e.company) for e in people) == [
            ("ana", "ruiz", "acme labs"),
            ("ana", "ruiz", "acme labs"),
            ("bo", "li", "acme labs"),
        ]
        assert [function.cache_info().currsize for function in cached] == [0] * 6
    finally:
        engine.dispose()


def test_a_full_run_frees_its_tables_pages_unzeroed_and_zeroes_elsewhere_as_set(
    tmp_path: Path,
) -> None:
    engine = _store(tmp_path)
    reconcile(engine, ReconcileConfig(), NOW, "full")  # rows for the next run to free
    engine.dispose()

    def _secure_delete_on(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.execute("PRAGMA secure_delete=ON")  # as Debian 12's libsqlite3 is built

    event.listen(engine, "connect", _secure_delete_on)
    seen = _pragma_at_each_statement(engine, "secure_delete")
    try:
        reconcile(engine, ReconcileConfig(), NOW, "full")
        deletes = [(statement, setting) for statement, setting in seen if "DELETE" in statement]
        assert deletes == [(f"DELETE FROM {table}", 2) for table in TABLES]  # 2: FAST
        others = {setting for statement, setting in seen if "DELETE" not in statement}
        assert others == {1}
        with engine.connect() as connection:  # the pooled connection has its own again
            assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    finally:
        engine.dispose()
