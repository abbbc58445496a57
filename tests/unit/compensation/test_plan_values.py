"""Plan values are unambiguous: rates carry their unit; teams, roles and modes are known."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from test_plan_loading import PLAN, problems, write

from compensation.plans import load_plans

GOOD = PLAN.replace('"90%"', '"100%"')
ASSIGNMENTS = """\
teams: [marketing, field_sales]
roles: [manager, field_sales]
assignments:
  - {plan: field, team: marketng, from: 2026-01-01}
  - {plan: field, role: managr, from: 2026-01-01}
"""


def test_a_bare_rate_is_refused_with_how_to_write_it(tmp_path: Path) -> None:
    text = GOOD.replace('rate: "2%"', 'rate: "1.5"').replace('rate: "4%"', "rate: 0.04")
    directory = write(tmp_path, **{"field.yaml": text})
    assert problems(directory) == [
        "field.yaml:10: components[0].tiers[0].rate: '1.5' has no unit: write \"1.5%\" for "
        "1.5 percent, or rate_fraction: 1.5 if you mean 150%",
        'field.yaml:11: components[0].tiers[1].rate: 0.04 has no unit: write "0.04%" for '
        "0.04 percent, or rate_fraction: 0.04 if you mean 4%",
    ]


def test_a_rate_as_a_fraction_under_its_explicit_key(tmp_path: Path) -> None:
    text = GOOD.replace('rate: "2%"', "rate_fraction: 0.015")
    book = load_plans(write(tmp_path, **{"field.yaml": text}))
    tiers = book.versions["field"][0].components[0].tiers  # type: ignore[union-attr]
    assert [t.rate for t in tiers] == [Decimal("0.015"), Decimal("0.04")]


def test_bare_thresholds_and_bounds_are_refused(tmp_path: Path) -> None:
    text = GOOD.replace('to: "100%"', "to: 1").replace(
        "kind: commission", "kind: commission\n    threshold: 0.2"
    )
    assert problems(write(tmp_path, **{"field.yaml": text})) == [
        'field.yaml:9: components[0].threshold: 0.2 has no unit: write a percentage, e.g. "0.2%"',
        'field.yaml:11: components[0].tiers[0].to: 1 has no unit: write a percentage, e.g. "1%"',
    ]


def test_unknown_mode_suggests_the_spelling(tmp_path: Path) -> None:
    text = GOOD.replace("kind: commission", "kind: commission\n    mode: retroactiv")
    assert problems(write(tmp_path, **{"field.yaml": text})) == [
        "field.yaml:9: components[0].mode: unknown value 'retroactiv'; did you mean "
        "'retroactive'? (one of marginal, retroactive)",
    ]


def test_unknown_team_and_role_suggest_the_spelling(tmp_path: Path) -> None:
    directory = write(tmp_path, **{"field.yaml": GOOD, "assignments.yaml": ASSIGNMENTS})
    assert problems(directory) == [
        "assignments.yaml:4: assignments[0].team: unknown team 'marketng'; did you mean "
        "'marketing'? (declared teams: field_sales, marketing)",
        "assignments.yaml:5: assignments[1].role: unknown role 'managr'; did you mean "
        "'manager'? (declared roles: field_sales, manager)",
    ]


def test_crediting_filters_name_declared_roles(tmp_path: Path) -> None:
    text = GOOD + (
        "crediting:\n"
        "  slots:\n"
        '    - {name: close, weight: "100%", kinds: [deal_owner], roles: [feild_sales]}\n'
    )
    assignments = ASSIGNMENTS.replace("marketng", "marketing").replace("managr", "manager")
    directory = write(tmp_path, **{"field.yaml": text, "assignments.yaml": assignments})
    assert problems(directory) == [
        "field.yaml:14: crediting.slots[0].roles[0]: unknown role 'feild_sales'; did you mean "
        "'field_sales'? (declared roles: field_sales, manager)",
    ]


def test_teams_and_roles_must_be_declared_when_assignments_name_them(tmp_path: Path) -> None:
    assignments = "assignments:\n  - {plan: field, team: field_sales, from: 2026-01-01}\n"
    directory = write(tmp_path, **{"field.yaml": GOOD, "assignments.yaml": assignments})
    assert problems(directory) == [
        "assignments.yaml:1: teams: declare the teams plans and assignments name "
        "(teams: [field_sales]) so that a misspelt team is an error",
    ]


def test_a_spiff_rate_carries_its_unit_too(tmp_path: Path) -> None:
    spiff = '  - {name: launch, kind: spiff, products: [HPLC], rate: "1"}\n'
    directory = write(tmp_path, **{"field.yaml": GOOD + spiff})
    assert problems(directory) == [
        "field.yaml:12: components[1].rate: '1' has no unit: write \"1%\" for 1 percent, or "
        "rate_fraction: 1 if you mean 100%",
    ]
    fixed = GOOD + spiff.replace('rate: "1"', "rate_fraction: 0.01")
    book = load_plans(write(tmp_path, **{"field.yaml": fixed}))
    assert book.versions["field"][0].components[1].rate == Decimal("0.01")  # type: ignore[union-attr]


def test_a_pool_budget_above_100_percent_needs_its_unit(tmp_path: Path) -> None:
    """``budget: 10`` reads as 10% to one admin and as ten times the deal to the engine (a
    budget is a fraction of the deal amount): a bare number above 1 is refused."""
    crediting = (
        "crediting:\n"
        '  slots: [{name: close, weight: "100%", kinds: [deal_owner]}]\n'
        "  pools:\n"
        "    manager: {manager_of: revenue, budget: 10}\n"
    )
    directory = write(tmp_path, **{"field.yaml": GOOD + crediting})
    assert problems(directory) == [
        'field.yaml:15: crediting.pools.manager.budget: 10 has no unit: write "10%" for 10 '
        'percent (a bare budget is a fraction of the deal amount: 0.1 is 10%), or "1000%" '
        "if you mean 10 times the deal",
    ]
    for fine in ('"10%"', "0.1", '"150%"'):
        text = GOOD + crediting.replace("budget: 10", f"budget: {fine}")
        (tmp_path / "field.yaml").write_text(text)
        book = load_plans(tmp_path)
        scheme = book.versions["field"][0].crediting
        assert scheme is not None
        assert scheme.pools["manager"].budget == Decimal(fine.strip('"%')) / (
            100 if "%" in fine else 1
        )


def test_a_plan_with_a_typo_is_not_also_reported_as_missing(tmp_path: Path) -> None:
    """The assignments name a plan whose file has a problem: that problem is the one line,
    not a second "no plan 'field'" that sends the admin looking for a missing file."""
    text = GOOD.replace("kind: commission", "kind: commission\n    mode: retroactiv")
    assignments = ASSIGNMENTS.replace("marketng", "marketing").replace("managr", "manager")
    directory = write(tmp_path, **{"field.yaml": text, "assignments.yaml": assignments})
    assert problems(directory) == [
        "field.yaml:9: components[0].mode: unknown value 'retroactiv'; did you mean "
        "'retroactive'? (one of marginal, retroactive)",
    ]


def test_the_proration_convention_is_validated(tmp_path: Path) -> None:
    text = GOOD.replace("currency: USD", "currency: USD\nproration: working_day", 1)
    assert problems(write(tmp_path, **{"field.yaml": text})) == [
        "field.yaml:5: proration: unknown value 'working_day'; did you mean 'working_days'? "
        "(one of calendar_days, working_days)",
    ]
