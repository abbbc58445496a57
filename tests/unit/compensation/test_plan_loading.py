"""Plan YAML: the shipped examples load; every error names file, line and key path."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from textwrap import dedent

import pytest

from compensation.inputs import Employee
from compensation.plans import PlanFileError, load_plans

ROOT = Path(__file__).resolve().parents[3]

PLAN = """\
plan: field
version: 1
effective_from: 2026-01-01
currency: USD
quota: {amount: "100000"}
components:
  - name: revenue
    kind: commission
    tiers:
      - {from: "0%", to: "90%", rate: "2%"}
      - {from: "100%", rate: "4%"}
"""


def write(tmp_path: Path, **files: str) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(dedent(text))
    return tmp_path


def problems(directory: Path) -> list[str]:
    with pytest.raises(PlanFileError) as caught:
        load_plans(directory)
    return [p.replace(f"{directory}/", "") for p in caught.value.problems]


def test_the_example_plans_for_altamira_load() -> None:
    book = load_plans(ROOT / "config" / "plans")
    assert book.plans == [
        "call_centre", "dach_sales", "field_sales", "iberia_sales", "leadership", "marketing",
        "service",
    ]  # fmt: skip
    rep = Employee("E1", "Rep", team="field_sales", role="field_sales")
    boss = Employee("E2", "Boss", team="field_sales", role="manager")
    iberia_boss = Employee("E3", "Jefa", team="iberia_sales", role="manager")
    assert book.plan_for(rep, date(2026, 3, 31)).id == "field_sales@1"  # type: ignore[union-attr]
    assert book.plan_for(rep, date(2026, 7, 1)).id == "field_sales@2"  # type: ignore[union-attr]
    assert book.plan_for(boss, date(2026, 7, 1)).plan == "leadership"  # type: ignore[union-attr]
    placement = book.placement(iberia_boss, date(2026, 10, 31))
    assert placement is not None and placement.version.plan == "iberia_sales"
    assert placement.quota is not None and str(placement.quota.amount) == "240000"
    assert book.plan_for(rep, date(2024, 12, 31)) is None


def test_tier_gap_is_reported_in_admin_words_with_file_and_line(tmp_path: Path) -> None:
    directory = write(tmp_path, **{"field.yaml": PLAN})
    assert problems(directory) == [
        "field.yaml:11: components[0].tiers[1].from: tier 2 starts at 100% but tier 1 ends "
        "at 90% (a gap); make them meet"
    ]


def test_shape_errors_name_the_key_and_suggest_the_spelling(tmp_path: Path) -> None:
    text = PLAN.replace('"90%"', '"100%"').replace("    tiers:", "    tires:")
    text = text.replace("currency: USD\n", "")
    directory = write(tmp_path, **{"field.yaml": text})
    assert problems(directory) == [
        "field.yaml:1: currency: required key is missing",
        "field.yaml:6: components[0].tiers: required key is missing",
        "field.yaml:8: components[0].tires: unknown key; did you mean 'tiers'?",
    ]


def test_bad_values_and_invalid_yaml(tmp_path: Path) -> None:
    text = PLAN.replace('"90%"', '"100%"').replace('rate: "4%"', 'rate: "four"')
    directory = write(
        tmp_path, **{"a.yaml": text, "b.yaml": "plan: [unclosed\n", "c.yaml": "- 1\n"}
    )
    assert problems(directory) == [
        "a.yaml:11: components[0].tiers[1].rate: 'four' is not a number",
        "b.yaml:2: not valid YAML: expected ',' or ']', but got '<stream end>'",
        "c.yaml:1: expected a plan (plan: ...) or assignments: list",
    ]


def test_overlapping_versions_and_bad_assignments(tmp_path: Path) -> None:
    good = PLAN.replace('"90%"', '"100%"')
    second = good.replace("version: 1", "version: 2").replace("2026-01-01", "2026-07-01")
    assignments = """\
    assignments:
      - {plan: field, team: field_sales, from: 2026-01-01}
      - {plan: feld, role: rep, from: 2026-01-01}
      - {plan: field, team: field_sales, from: 2026-06-01}
    teams: [field_sales]
    roles: [rep]
    """
    directory = write(
        tmp_path, **{"v1.yaml": good, "v2.yaml": second, "assignments.yaml": assignments}
    )
    assert problems(directory) == [
        "v2.yaml:3: effective_from: plan field version 2 starts 2026-07-01 but version 1 runs "
        "until no end date; end version 1 the day before",
        "assignments.yaml:3: assignments[1].plan: no plan 'feld' (plans: field)",
        "assignments.yaml:4: assignments[2].from: team field_sales is already assigned over "
        "these dates (assignments[0]); end one before the other starts",
    ]


def test_component_rules(tmp_path: Path) -> None:
    extra = """\
  - name: revenue
    kind: usage_multiplier
    applies_to: [bonus]
    bands:
      - {min_score: 50, multiplier: "1.1"}
      - {min_score: 80, multiplier: "1.2"}
  - name: launch
    kind: spiff
    products: [HPLC]
"""
    directory = write(tmp_path, **{"field.yaml": PLAN.replace('"90%"', '"100%"') + extra})
    assert problems(directory) == [
        "field.yaml:12: components[1].name: component name 'revenue' is used twice",
        "field.yaml:14: components[1].applies_to[0]: 'bonus' is not a commission component here",
        "field.yaml:17: components[1].bands[1].min_score: band 2 starts at 80, not below band 1 "
        "(50): list bands from the highest",
        "field.yaml:18: components[2]: SPIFF 'launch': give exactly one of per_deal and rate",
    ]


def test_unknown_kind_crediting_and_near_miss_keys(tmp_path: Path) -> None:
    text = """\
plan: x
version: 1
effective_from: 2026-01-01
currency: USD
gates: {documented_days: 2}
components:
  - {name: b, kind: bogus}
crediting:
  slots: [{name: s, weight: "50%"}]
"""
    assert problems(write(tmp_path, **{"x.yaml": text})) == [
        "x.yaml:5: gates.documented_days: unknown key; did you mean "
        "'documented_days_before_close'?",
        "x.yaml:7: components[0]: unknown kind 'bogus'; use one of 'commission', 'spiff', "
        "'usage_multiplier', 'usage_bonus', 'kpi_bonus'",
        "x.yaml:8: crediting: slot weights must sum to exactly 1, got 0.5 (s 0.5)",
    ]


def test_a_typo_does_not_hide_the_tier_problems_of_the_same_plan(tmp_path: Path) -> None:
    text = PLAN.replace("    kind: commission\n", "    kind: commission\n    capp: 3\n")
    text = text.replace('      - {from: "100%", rate: "4%"}\n', "")
    text += """\
      - {from: "90%", to: "150%", rate: "4%"}
      - {from: "140%", rate: "6%"}
assignments_note: wrong place
"""
    directory = write(tmp_path, **{"field.yaml": text})
    assert problems(directory) == [
        "field.yaml:9: components[0].capp: unknown key; did you mean 'cap'?",
        "field.yaml:14: assignments_note: unknown key",
        "field.yaml:13: components[0].tiers[2].from: tier 3 starts at 140% but tier 2 ends "
        "at 150% (an overlap); make them meet",
    ]
