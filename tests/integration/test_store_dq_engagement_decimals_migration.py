"""Migration 0023 on SQLite and PostgreSQL: record DQ and account engagement scores stored
as REAL become exact decimal text, each the figure write-back published from the float
before (rounded to 1 place); downgrade makes them REAL again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sync_support import alembic_config, old_table, sqlite_or_postgres

from sync.audit.audits import account_engagement_scores, deal_dq_scores
from sync.store import migrate, open_store

AS_OF = datetime(2026, 10, 31, tzinfo=UTC)
BEFORE = "0022_event_stitch_people"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from sqlite_or_postgres(request.param, tmp_path / "old.sqlite")


def test_stored_floats_become_the_decimals_write_back_published(store_url: str) -> None:
    engine = open_store(store_url, migrate_schema=False)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), BEFORE)
        # Rows as the audit wrote them before: REAL, rounded in floats (one not rounded).
        dq = old_table("record_dq_scores", "run_id", "source", "table_name", "remote_id",
                    "score", "failed")  # fmt: skip
        for remote_id, score in (("d1", 66.7), ("d2", 100.0), ("d3", 0.0), ("d4", 83.34999)):
            connection.execute(
                sa.insert(dq),
                {"run_id": 1, "source": "hubspot", "table_name": "deals",
                 "remote_id": remote_id, "score": score, "failed": "[]"},
            )  # fmt: skip
        engagement = old_table("account_engagement", "run_id", "account", "name", "score",
                            "touches", "channels", "last_touch_at")  # fmt: skip
        for account, score in (("hubspot:a1", 57.9), ("hubspot:a2", 0.0), ("id-9", 33.35)):
            connection.execute(
                sa.insert(engagement),
                {"run_id": 1, "account": account, "name": account, "score": score,
                 "touches": 2, "channels": 1, "last_touch_at": AS_OF},
            )  # fmt: skip

    migrate(engine)
    with engine.connect() as connection:
        dq_texts = connection.execute(
            sa.text("SELECT remote_id, score FROM record_dq_scores ORDER BY remote_id")
        ).all()
        engagement_texts = connection.execute(
            sa.text("SELECT account, score FROM account_engagement ORDER BY account")
        ).all()
    assert [tuple(r) for r in dq_texts] == [
        ("d1", "66.7"), ("d2", "100.0"), ("d3", "0.0"), ("d4", "83.3"),
    ]  # fmt: skip
    # 33.35 as a float is 33.35000000000000142…: round gave 33.4, and so does the migration
    assert [tuple(r) for r in engagement_texts] == [
        ("hubspot:a1", "57.9"), ("hubspot:a2", "0.0"), ("id-9", "33.4"),
    ]  # fmt: skip
    d = Decimal
    assert deal_dq_scores(engine) == {
        ("hubspot", "d1"): d("66.7"),
        ("hubspot", "d2"): d("100.0"),
        ("hubspot", "d3"): d("0.0"),
        ("hubspot", "d4"): d("83.3"),
    }
    assert account_engagement_scores(engine) == {
        "hubspot:a1": d("57.9"),
        "hubspot:a2": d("0.0"),
        "id-9": d("33.4"),
    }
    assert [str(v) for v in deal_dq_scores(engine).values()] == ["66.7", "100.0", "0.0", "83.3"]

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), BEFORE)
    with engine.connect() as connection:
        dq_back = connection.execute(
            sa.text("SELECT score FROM record_dq_scores ORDER BY remote_id")
        ).scalars()
        engagement_back = connection.execute(
            sa.text("SELECT score FROM account_engagement ORDER BY account")
        ).scalars()
        assert list(dq_back) == [66.7, 100.0, 0.0, 83.3]
        assert list(engagement_back) == [57.9, 0.0, 33.4]
    engine.dispose()
