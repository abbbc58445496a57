"""Reconciliation on PostgreSQL: migration, full and incremental runs, an admin unlink."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert
from sync_support import postgres_schema, postgres_url

from sync.config.reconcile import ReconcileConfig
from sync.reconcile.persist import save_decision
from sync.reconcile.reconciling import reconcile
from sync.store import open_store
from sync.store.changes import next_change
from sync.store.records import ContactRow, LeadRow, UserRow
from sync.store.view.identity_map import load_identity_map

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _row(source: str, rid: str, at: datetime, **values: Any) -> dict[str, Any]:
    # Written outside a sync: numbered with the change a sync's page would take.
    return {
        "change_seq": values.pop("change"),
        "source": source,
        "remote_id": rid,
        "content_hash": "x",
        "first_seen_at": at,
        "synced_at": at,
        "remote_created_at": at,
        "is_deleted": False,
        "custom_fields": {},
        "raw": {},
        **values,
    }


def _person(source: str, rid: str, at: datetime, **values: Any) -> dict[str, Any]:
    blank = {"first_name": None, "last_name": None, "email": None, "phone": None}
    return _row(source, rid, at, other_emails=[], merged_ids=[], **{**blank, **values})


def test_reconcile_runs_on_postgresql() -> None:
    base = postgres_url()
    if base is None:
        pytest.skip("CRMSYNC_TEST_POSTGRES_URL is not set (a PostgreSQL URL for tests)")
    with postgres_schema(base) as url:
        engine = open_store(url)
        try:
            with engine.begin() as connection:
                change = next_change(connection)
                connection.execute(
                    insert(ContactRow.__table__),  # type: ignore[attr-defined]
                    [
                        _person(
                            "hubspot",
                            "1",
                            T0,
                            change=change,
                            first_name="Robert",
                            last_name="Lee",
                            email="robert.lee@acme.com",
                            phone="+16175550101",
                        ),
                        _person(
                            "zoho",
                            "2",
                            T0,
                            change=change,
                            first_name="Bob",
                            last_name="Lee",
                            email="robert.lee@acme.com",
                        ),
                    ],
                )
                connection.execute(
                    insert(LeadRow.__table__),  # type: ignore[attr-defined]
                    [
                        _person(
                            "salesforce",
                            "00Q1",
                            T0,
                            change=change,
                            first_name="Ann",
                            last_name="Moss",
                        )
                    ],
                )
                connection.execute(
                    insert(UserRow.__table__),  # type: ignore[attr-defined]
                    [
                        _row(
                            "salesforce",
                            "005A",
                            T0,
                            change=change,
                            first_name="Chris",
                            last_name="Hall",
                            email="chris.hall@altamira.com",
                            is_active=True,
                        ),
                        _row(
                            "hubspot",
                            "70",
                            T0,
                            change=change,
                            first_name="Christopher",
                            last_name="Hall",
                            email="christopher.hall@altamira.es",
                            is_active=True,
                        ),
                    ],
                )
            config = ReconcileConfig()
            assert reconcile(engine, config, T0, "auto").mode == "full"
            ids = load_identity_map(engine)
            robert = ids.identity_of("hubspot", "contacts", "1")
            assert robert is not None and ids.identity_of("zoho", "contacts", "2") == robert
            assert ids.employee_of("salesforce", "005A") == ids.employee_of("hubspot", "70")

            later = T0 + timedelta(hours=1)
            with engine.begin() as connection:
                change = next_change(connection)
                connection.execute(
                    insert(LeadRow.__table__),  # type: ignore[attr-defined]
                    [
                        _person(
                            "salesforce",
                            "00Q2",
                            later,
                            change=change,
                            first_name="Rob",
                            last_name="Lee",
                            email="Robert.Lee@ACME.com",
                        )
                    ],
                )
                save_decision(
                    connection, "unlink", "hubspot:contacts:1", "zoho:contacts:2", None, later
                )
            report = reconcile(
                engine, config, later, "auto", touched=["hubspot:contacts:1", "zoho:contacts:2"]
            )
            assert report.mode == "incremental"
            ids = load_identity_map(engine)
            assert ids.identity_of("hubspot", "contacts", "1") != ids.identity_of(
                "zoho", "contacts", "2"
            )
            assert ids.identity_of("salesforce", "leads", "00Q2") in {
                ids.identity_of("hubspot", "contacts", "1"),
                ids.identity_of("zoho", "contacts", "2"),
            }
        finally:
            engine.dispose()
