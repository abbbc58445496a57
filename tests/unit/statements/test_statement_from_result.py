"""Statements built from a stored plan result read like the rest of crmsync: the
configured default language for an employee whose CRMs give no locale, an index of
previews by display name."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from compensation.calculation import EmployeeResult, PayLine, PeriodResult
from compensation.plans import PlanBook
from compensation.statements.samples import sample_statement
from sync.compute.directory import DirectoryConfig, UserFacts, build_directory
from sync.compute.statements import statement_for
from sync.config import CrmsyncConfig
from sync.mail.service import make_renderer, write_previews

AS_OF = datetime(2026, 10, 31, 12, tzinfo=UTC)


def _line(slot: str, acts: tuple[str, ...]) -> PayLine:
    return PayLine(
        key=f"commission|revenue|salesforce:deals:006A|revenue|{slot}",
        kind="commission",
        component="revenue",
        amount=Decimal("150.00"),
        currency="EUR",
        rule="base rate",
        deal="salesforce:deals:006A",
        slot=slot,
        share=Decimal("0.3"),
        acts=acts,
        converted_amount=Decimal("3000.00"),
    )


def _statement(  # type: ignore[no-untyped-def]
    raw: dict[str, str],
    lines: tuple[PayLine, ...] = (),
    acts: dict[str, str] | None = None,
    golden: str | None = None,
    stored_name: str | None = None,
):
    user = UserFacts(
        "hubspot", "11", "Rita Rep", "rita@example.com", True, None, "Sales", None, raw
    )
    names = {"hubspot:11": (golden, None)} if golden else None
    (person,) = build_directory([user], {}, DirectoryConfig(), names).employees.values()
    result = EmployeeResult(
        employee=person.id,
        name=stored_name or person.name,
        plan="field_sales",
        plan_version=1,
        currency="EUR",
        lines=lines,
        withheld=(),
        total=sum((line.amount for line in lines), Decimal(0)),
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
        deal_names={"salesforce:deals:006A": "Acme - Spectrophotometer"},
        deal_closes={},
        act_words=acts or {},
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


FIELD_WORK = (
    _line("field_work", ("salesforce:activities:00U1", "salesforce:activities:00U9")),
    _line("close", ("salesforce:deals:006A#owner",)),
)
ACTS = {"salesforce:activities:00U1": "Visit, 2026-09-24"}


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "en",
            [
                "* Acme - Spectrophotometer: €150.00",
                "  Your role: closing · Share 30% · Credited €3,000.00 · Rate 5%",
                "* Acme - Spectrophotometer: €150.00",
                "  Your role: field work · Share 30% · Credited €3,000.00 · Rate 5%",
                "  Your acts: Visit, 2026-09-24",
            ],
        ),
        (
            "fr",
            [
                "* Acme - Spectrophotometer\u202f: 150,00\u00a0€",
                "  Votre rôle\u202f: signature · Part 30\u00a0%"
                " · Crédité 3\u202f000,00\u00a0€ · Taux 5\u00a0%",
                "* Acme - Spectrophotometer\u202f: 150,00\u00a0€",
                "  Votre rôle\u202f: travail terrain · Part 30\u00a0%"
                " · Crédité 3\u202f000,00\u00a0€ · Taux 5\u00a0%",
                "  Vos actions\u202f: Visit, 2026-09-24",
            ],
        ),
        (
            "es",
            [
                "* Acme - Spectrophotometer: 150,00\u00a0€",
                "  Su función: cierre · Parte 30\u00a0%"
                " · Acreditado 3.000,00\u00a0€ · Tasa 5\u00a0%",
                "* Acme - Spectrophotometer: 150,00\u00a0€",
                "  Su función: trabajo de campo · Parte 30\u00a0%"
                " · Acreditado 3.000,00\u00a0€ · Tasa 5\u00a0%",
                "  Sus acciones: Visit, 2026-09-24",
            ],
        ),
    ],
)
def test_a_line_names_the_deal_the_role_in_words_and_the_acts_never_by_id(
    locale: str, expected: list[str]
) -> None:
    statement = _statement({"locale": locale}, FIELD_WORK, ACTS)
    text = make_renderer(CrmsyncConfig()).render(statement).text
    lines = [
        line
        for line in text.splitlines()
        if line.startswith(
            ("* Acme", "  Your r", "  Votre r", "  Su f", "  Your a", "  Vos a", "  Sus a")
        )
    ]
    assert lines == expected
    html = make_renderer(CrmsyncConfig()).render(statement).html
    assert "field_work" not in html and "activities:" not in html and "#owner" not in html


def test_the_statement_greets_the_employee_by_the_reconciled_golden_name() -> None:
    # The stored result kept the name of the run (one CRM's "Lola"); reconciliation's
    # golden record, which the rest of crmsync shows, says "Dolores".
    statement = _statement({"locale": "es"}, golden="Dolores Romero", stored_name="Lola Romero")
    assert statement.recipient.name == "Dolores Romero"
    text = make_renderer(CrmsyncConfig()).render(statement).text
    assert [line for line in text.splitlines() if line.startswith("Hola")] == [
        "Hola, Dolores Romero: esto es lo que ha ganado en octubre 2026, y por qué."
    ]
