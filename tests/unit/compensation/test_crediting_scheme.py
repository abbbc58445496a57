"""CreditScheme: the crediting section of a plan, validated with clear errors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import yaml
from crediting_helpers import CHAIN_SLOTS
from pydantic import ValidationError

from compensation.crediting import CreditScheme

PLAN_YAML = """
lookback_days: 180
vacancy: house
slots:
  - {name: lead_source, weight: 0.1, kinds: [lead_source, campaign]}
  - {name: qualification, weight: "20%", kinds: [touch], roles: [call_centre]}
  - {name: field_work, weight: "0.30", kinds: [touch], roles: [field_sales]}
  - {name: close, weight: 0.4, kinds: [deal_owner], pick: last}
pools:
  overlay:
    budget: "10%"
    vacancy: redistribute
    strategy: {model: time_decay, time_decay: {half_life_days: 7, formula: half_life_step}}
  manager:
    manager_of: revenue
"""


def test_a_plan_section_parses_with_floats_percentages_and_strings() -> None:
    scheme = CreditScheme.model_validate(yaml.safe_load(PLAN_YAML))
    assert [s.weight for s in scheme.slots] == [
        Decimal("0.1"),
        Decimal("0.2"),
        Decimal("0.30"),
        Decimal("0.4"),
    ]
    assert scheme.pools["overlay"].budget == Decimal("0.1")
    assert scheme.pool_order() == ("revenue", "overlay", "manager")
    assert scheme.vacancy_of("revenue") == "house"
    assert scheme.vacancy_of("overlay") == "redistribute"
    assert scheme.vacancy_of("manager") == "house"
    assert scheme.needs_employees()


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as info:
        CreditScheme.model_validate(data)
    return str(info.value)


def test_weights_must_sum_to_exactly_one() -> None:
    slots = [dict(s) for s in CHAIN_SLOTS]
    slots[3]["weight"] = "0.39"
    assert (
        "crediting: slot weights must sum to exactly 1, got 0.99 (lead_source 0.10 + "
        "qualification 0.20 + field_work 0.30 + close 0.39)"
    ) in _error({"slots": slots})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"slots": [{**CHAIN_SLOTS[0], "colour": "red"}]}, "slots.0.colour"),
        ({"slots": [{"name": "a", "weight": 1, "pick": "best"}]}, "slots.0.pick"),
        ({"slots": [{"name": "a", "weight": 1, "kinds": ["fax"]}]}, "slots.0.kinds.0"),
        ({"slots": [{"name": "a", "weight": "1.5"}]}, "slots.0.weight"),
        (
            {"slots": [{"name": "a", "weight": "0.5"}, {"name": "a", "weight": "0.5"}]},
            "slot names must be unique, repeated: a",
        ),
        ({}, "crediting: give exactly one of slots, strategy, manager_of (none of them)"),
        (
            {"slots": CHAIN_SLOTS, "strategy": {"model": "linear"}},
            "give exactly one of slots, strategy, manager_of (slots and strategy)",
        ),
        (
            {"slots": CHAIN_SLOTS, "pools": {"revenue": {"manager_of": "revenue"}}},
            "'revenue' is the main pool",
        ),
        (
            {"slots": CHAIN_SLOTS, "pools": {"manager": {"manager_of": "sales"}}},
            "crediting.pools.manager: manager_of names unknown pool 'sales'",
        ),
        (
            {"slots": [{"name": "a", "weight": 1, "time_decay": {"half_life_days": 7}}]},
            "slot 'a': time_decay is set but pick is 'first'",
        ),
        ({"strategy": {"model": "markov"}}, "strategy.model"),
        (
            {"strategy": {"model": "time_decay", "time_decay": {"formula": "exp"}}},
            "strategy.time_decay.formula",
        ),
        ({"slots": CHAIN_SLOTS, "vacancy": "skip"}, "vacancy"),
        ({"slots": CHAIN_SLOTS, "lookback_days": 0}, "lookback_days"),
    ],
)
def test_mistakes_are_reported_with_their_path(data: dict[str, Any], message: str) -> None:
    assert message in _error(data)


def test_schemes_without_people_filters_need_no_directory() -> None:
    scheme = CreditScheme.model_validate({"strategy": {"model": "w_shaped"}})
    assert not scheme.needs_employees()
