"""Statements built from a stored plan result read like the rest of crmsync: the
configured default language for an employee whose CRMs give no locale, an index of
previews by display name."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from compensation.engine import EmployeeResult, PeriodResult
from compensation.plans import PlanBook
from compensation.statements.samples import sample_statement
from sync.compute.directory import DirectoryConfig, UserFacts, build_directory
from sync.compute.statements import statement_for
from sync.config import CrmsyncConfig
from sync.mail.service import make_renderer, write_previews

AS_OF = datetime(2026, 10, 31, 12, tzinfo=UTC)


def _statement(raw: dict[str, str]):  # type: ignore[no-untyped-def]
    user = UserFacts(
        "hubspot", "11", "Rita Rep", "rita@example.com", True, None, "Sales", None, raw
    )
    (person,) = build_directory([user], {}, DirectoryConfig()).employees.values()
    result = EmployeeResult(
        employee=person.id,
        name=person.name,
        plan="field_sales",
        plan_version=1,
        currency="EUR",
        lines=(),
        withheld=(),
        total=Decimal(0),
        totals={},
        attainment={},
        credited={},
    )
    period = PeriodResult("2026-10", date(2026, 10, 1), date(2026, 10, 31), None, "h", (result,))
    return statement_for(
        result,
        period,
        closed=False,
        version=1,
        as_of=AS_OF,
        person=person,
        book=PlanBook((), ()),
        deal_names={},
        deal_closes={},
    )


def test_an_employee_without_a_locale_gets_the_configured_default_language() -> None:
    config = CrmsyncConfig.model_validate({"statements": {"locale_default": "fr"}})
    rendered = make_renderer(config).render(_statement({}))
    assert rendered.subject == "Votre relevé de rémunération, octobre 2026 : 0,00 €"


def test_an_employee_whose_crm_says_english_gets_english_whatever_the_default() -> None:
    config = CrmsyncConfig.model_validate({"statements": {"locale_default": "fr"}})
    rendered = make_renderer(config).render(_statement({"locale": "en-GB"}))
    assert rendered.subject == "Your October 2026 statement: €0.00"


def test_the_preview_index_lists_employees_by_display_name(tmp_path: Path) -> None:
    statements = [sample_statement(4, locale="en"), sample_statement(1, locale="fr")]
    write_previews(statements, CrmsyncConfig(), tmp_path)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    items = [line for line in index.splitlines() if line.startswith("<li>")]
    assert items == [
        '<li><a href="E000001.html">Bruno Martin</a> (E000001) · '
        "Votre relevé de rémunération, octobre 2026 : 2 248,71 €</li>",
        '<li><a href="E000004.html">Emma García</a> (E000004) · '
        "Your October 2026 statement: €1,543.67</li>",
    ]
