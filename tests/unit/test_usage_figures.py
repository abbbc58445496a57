"""Usage scores reach the plans and statements as ``Decimal`` figures, rounded once on the
stored float (``sync.store.view.usage.latest_usage_figures``)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from sync.store import open_store
from sync.store.audit import AuditRunRow, UsageComponentRow, UsageScoreRow
from sync.store.view.usage import ComponentFigures, UsageFigures, latest_usage_figures

AS_OF = datetime(2026, 11, 30, tzinfo=UTC)


def test_scores_and_components_become_decimals_rounded_on_the_stored_float(
    tmp_path: Path,
) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    with Session(engine) as session:
        session.add(AuditRunRow(id=1, as_of=AS_OF, window_days=90, findings=0, employees=2))
        for subject, score in (("salesforce:U1", 83.45678), ("salesforce:U2", None)):
            session.add(
                UsageScoreRow(
                    run_id=1, as_of=AS_OF, subject=subject, kind="employee", name=subject,
                    team="Field", profile="sales", score=score, records=12,
                )
            )  # fmt: skip
        for name, value, weight in (
            ("missing_fields", 0.835, 3.0),
            ("stale_deals", 0.91237, 1.0),
            ("slow_response", 0.5, 0.0),  # weighs nothing: no share
            ("no_activity_logging", None, 2.0),  # no records: left out
        ):
            session.add(
                UsageComponentRow(
                    run_id=1, subject="salesforce:U1", component=name, numerator=5,
                    denominator=6, value=value, weight=weight,
                )
            )  # fmt: skip
        session.commit()
    d = Decimal
    parts = (
        ComponentFigures("missing_fields", d("0.835"), d("83.5"), d("0.75")),
        ComponentFigures("stale_deals", d("0.9124"), d("91.2"), d("0.25")),
        ComponentFigures("slow_response", d("0.5"), d("50.0"), None),
    )
    assert latest_usage_figures(engine) == {
        "salesforce:U1": UsageFigures("salesforce:U1", d("83.46"), parts)
    }
    engine.dispose()


def test_a_store_without_an_audit_run_has_no_figures(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    assert latest_usage_figures(engine) == {}
    engine.dispose()
