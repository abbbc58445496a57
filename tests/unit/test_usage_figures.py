"""Usage scores reach the plans and statements as the ``Decimal`` figures the audit stored,
exactly (``sync.store.view.usage.latest_usage_figures``), and ``figure`` rounds exact
values once, half to even (or half up where asked)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from sync.store import open_store
from sync.store.audit import AuditRunRow, UsageComponentRow, UsageScoreRow
from sync.store.view.usage import (
    ComponentFigures,
    UsageFigures,
    figure,
    latest_usage_figures,
    latest_usage_scores,
)

AS_OF = datetime(2026, 11, 30, tzinfo=UTC)
d = Decimal


def test_scores_and_components_are_read_as_stored_with_percent_and_share(
    tmp_path: Path,
) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    with Session(engine) as session:
        session.add(AuditRunRow(id=1, as_of=AS_OF, window_days=90, findings=0, employees=2))
        for subject, score in (("salesforce:U1", d("83.5")), ("salesforce:U2", None)):
            session.add(
                UsageScoreRow(
                    run_id=1, as_of=AS_OF, subject=subject, kind="employee", name=subject,
                    team="Field", profile="sales", score=score, records=12,
                )
            )  # fmt: skip
        for name, value, weight in (
            ("missing_fields", d("0.835"), d("0.3")),
            ("stale_deals", d("0.8125"), d("0.1")),  # 81.25: half up to 81.3
            ("uniqueness", d("0.4545"), d("0.2")),  # 45.45: half up to 45.5
            ("slow_response", d("0.5"), d("0.0")),  # weighs nothing: no share
            ("no_activity_logging", None, d("0.4")),  # no records: left out
        ):
            session.add(
                UsageComponentRow(
                    run_id=1, subject="salesforce:U1", component=name, numerator=5,
                    denominator=6, value=value, weight=weight,
                )
            )  # fmt: skip
        session.commit()
    parts = (
        ComponentFigures("missing_fields", d("0.835"), d("83.5"), d("0.5")),
        ComponentFigures("stale_deals", d("0.8125"), d("81.3"), d("0.1667")),
        ComponentFigures("uniqueness", d("0.4545"), d("45.5"), d("0.3333")),
        ComponentFigures("slow_response", d("0.5"), d("50.0"), None),
    )
    figures = latest_usage_figures(engine)
    assert figures == {"salesforce:U1": UsageFigures("salesforce:U1", d("83.5"), parts)}
    # the same digits as stored, not only the same numbers
    assert [str(c.value) for c in figures["salesforce:U1"].components] == [
        "0.835", "0.8125", "0.4545", "0.5",
    ]  # fmt: skip
    stored = latest_usage_scores(engine)["salesforce:U1"]
    assert [(c.value, c.weight) for c in stored.components][-1] == (None, d("0.4"))
    assert stored.components[0].raw == Fraction(5, 6)
    engine.dispose()


def test_a_store_without_an_audit_run_has_no_figures(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    assert latest_usage_figures(engine) == {}
    engine.dispose()


@pytest.mark.parametrize(
    ("value", "places", "rounding", "text"),
    [
        (Fraction(1, 160), 4, None, "0.0062"),  # 0.00625: a tie, to the even digit
        (Fraction(3, 160), 4, None, "0.0188"),  # 0.01875
        (Fraction(1, 160), 4, ROUND_HALF_UP, "0.0063"),
        (Fraction(5, 6), 4, None, "0.8333"),
        (Fraction(2, 3), 1, None, "0.7"),
        (Decimal("81.25"), 1, None, "81.2"),
        (Decimal("81.25"), 1, ROUND_HALF_UP, "81.3"),
        (Decimal("100.00"), 1, None, "100.0"),  # at least one decimal, as before
        (Decimal("0.8000"), 4, None, "0.8"),  # no trailing zeros
        (Fraction(0), 4, None, "0.0"),
        (Decimal("99.96"), 1, None, "100.0"),
    ],
)
def test_figure_rounds_the_exact_value_once(
    value: Fraction | Decimal, places: int, rounding: str | None, text: str
) -> None:
    result = figure(value, places) if rounding is None else figure(value, places, rounding)
    assert str(result) == text
