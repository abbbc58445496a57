"""Migration 0021 on SQLite and PostgreSQL: usage scores, component values and weights
stored as REAL become exact decimal text, each the figure the plans read from the float
before (a score to 1 place, a value to 4, a weight as it is); downgrade makes them REAL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sync_support import alembic_config, old_table, sqlite_or_postgres

from sync.store import migrate, open_store
from sync.store.view.usage import ComponentFigures, UsageFigures, latest_usage_figures

AS_OF = datetime(2026, 10, 31, tzinfo=UTC)
BEFORE = "0020_event_stitch_state"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from sqlite_or_postgres(request.param, tmp_path / "old.sqlite")


def test_stored_floats_become_the_decimals_the_plans_read(store_url: str) -> None:
    engine = open_store(store_url, migrate_schema=False)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), BEFORE)
        # Rows as the audit wrote them before: REAL, rounded in floats.
        connection.execute(
            sa.insert(old_table("audit_runs", "id", "as_of", "window_days", "findings",
                             "employees", "identities_used")),
            {"id": 1, "as_of": AS_OF, "window_days": 90, "findings": 0, "employees": 2,
             "identities_used": False},
        )  # fmt: skip
        scores = old_table("usage_scores", "run_id", "as_of", "subject", "kind", "name", "team",
                        "profile", "active", "score", "records", "users")  # fmt: skip
        for subject, score in (("hubspot:70", 62.7), ("hubspot:71", 100.0), ("hubspot:72", None)):
            connection.execute(
                sa.insert(scores),
                {"run_id": 1, "as_of": AS_OF, "subject": subject, "kind": "employee",
                 "name": subject, "team": "t", "profile": "sales", "active": True,
                 "score": score, "records": 3, "users": "[]"},
            )  # fmt: skip
        parts = old_table("usage_components", "run_id", "subject", "component", "numerator",
                       "denominator", "value", "weight")  # fmt: skip
        for component, value, weight in (
            ("activity_coverage", 0.2933, 0.25),
            ("freshness", 0.8125, 0.2),
            ("completeness", 0.834999999, 0.2),  # not rounded yet: to 4 places, 0.835
            ("validity", 1.0, 0.35),
            ("responsiveness", None, 0.0),
        ):
            connection.execute(
                sa.insert(parts),
                {"run_id": 1, "subject": "hubspot:70", "component": component,
                 "numerator": 1, "denominator": 2, "value": value, "weight": weight},
            )  # fmt: skip

    migrate(engine)
    with engine.connect() as connection:
        texts = connection.execute(
            sa.text("SELECT subject, score FROM usage_scores ORDER BY subject")
        ).all()
        columns = connection.execute(
            sa.text("SELECT component, value, weight FROM usage_components ORDER BY id")
        ).all()
    assert [tuple(r) for r in texts] == [
        ("hubspot:70", "62.7"), ("hubspot:71", "100.0"), ("hubspot:72", None),
    ]  # fmt: skip
    assert [tuple(r) for r in columns] == [
        ("activity_coverage", "0.2933", "0.25"),
        ("freshness", "0.8125", "0.2"),
        ("completeness", "0.835", "0.2"),
        ("validity", "1.0", "0.35"),
        ("responsiveness", None, "0.0"),
    ]
    d = Decimal
    assert latest_usage_figures(engine)["hubspot:70"] == UsageFigures(
        "hubspot:70",
        d("62.7"),
        (
            ComponentFigures("activity_coverage", d("0.2933"), d("29.3"), d("0.25")),
            ComponentFigures("freshness", d("0.8125"), d("81.3"), d("0.2")),
            ComponentFigures("completeness", d("0.835"), d("83.5"), d("0.2")),
            ComponentFigures("validity", d("1.0"), d("100.0"), d("0.35")),
        ),
    )
    assert latest_usage_figures(engine)["hubspot:71"].score == d("100.0")

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), BEFORE)
    with engine.connect() as connection:
        back = connection.execute(
            sa.text("SELECT value, weight FROM usage_components ORDER BY id")
        ).all()
        score = connection.execute(
            sa.text("SELECT score FROM usage_scores WHERE subject = 'hubspot:70'")
        ).scalar_one()
    assert [tuple(r) for r in back] == [
        (0.2933, 0.25), (0.8125, 0.2), (0.835, 0.2), (1.0, 0.35), (None, 0.0),
    ]  # fmt: skip
    assert score == 62.7
    engine.dispose()
