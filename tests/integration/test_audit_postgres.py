"""The audit tables and their readers on PostgreSQL (a fresh schema per test)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlmodel import Session
from sync_support import postgres_schema, postgres_url

from sync.audit import (
    AuditConfig,
    account_engagement_scores,
    deal_dq_scores,
    latest_findings,
    latest_usage_scores,
    run_audit,
)
from sync.store import open_store
from sync.store.records import ActivityRow, DealRow, UserRow

AS_OF = datetime(2026, 10, 31, tzinfo=UTC)


def _bookkeeping(remote_id: str, created: datetime) -> dict[str, object]:
    return {
        "source": "salesforce",
        "remote_id": remote_id,
        "remote_created_at": created,
        "content_hash": remote_id,
        "first_seen_at": AS_OF,
        "synced_at": AS_OF,
    }


def test_audit_results_round_trip_on_postgres() -> None:
    base = postgres_url()
    if base is None:
        pytest.skip("CRMSYNC_TEST_POSTGRES_URL is not set (a PostgreSQL server to test on)")
    with postgres_schema(base) as url:
        engine = open_store(url)
        created = datetime(2026, 10, 1, tzinfo=UTC)
        with Session(engine) as session:
            session.add(
                UserRow(
                    **_bookkeeping("U1", created),
                    name="Ann",
                    is_active=True,
                    department="field_sales",
                )
            )
            session.add(
                DealRow(
                    **_bookkeeping("D1", created),
                    owner_id="U1",
                    is_closed=True,
                    is_won=True,
                    close_date=date(2026, 10, 1),
                    amount=Decimal("10"),
                    currency="EUR",
                    source_channel="web",
                    raw={
                        "Name": "x",
                        "StageName": "Closed Won",
                        "CloseDate": "2026-10-01",
                        "Amount": 10,
                        "CreatedById": "U1",
                    },
                )
            )
            session.add(
                ActivityRow(
                    **_bookkeeping("A1", created),
                    activity_type="call",
                    outcome="Connected",
                    owner_id="U1",
                    occurred_at=created,
                    deal_id="D1",
                )
            )
            session.commit()
        result = run_audit(engine, AuditConfig(), AS_OF)
        assert [(f.rule, f.remote_id) for f in result.findings] == [
            ("deal_created_at_close", "D1"),
            ("won_deal_no_contact_role", "D1"),
        ]
        assert latest_findings(engine, rule="deal_created_at_close")[0].employee == (
            "salesforce:U1"
        )
        stored = latest_usage_scores(engine)["salesforce:U1"]
        assert stored == result.scores[0]  # every Decimal back as it was computed
        # 100 × (0.25 × 1.0 + 0.1 × 1.0) / 0.75 = 46.66…: 46.7, read back as stored
        assert [str(stored.score)] + [
            f"{c.name} {c.value} {c.weight}" for c in stored.components
        ] == [
            "46.7",
            "activity_coverage 1.0 0.25",
            "freshness 0.0 0.2",
            "completeness 0.0 0.2",
            "responsiveness None 0.15",
            "uniqueness None 0.1",
            "validity 1.0 0.1",
        ]
        assert deal_dq_scores(engine) == {("salesforce", "D1"): 80.0}
        assert account_engagement_scores(engine) == {}
        engine.dispose()
