"""Marketing attribution models with known values; Markov and Shapley reports."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction as F

import pytest

from compensation.attribution import (
    channel_credit,
    first_touch,
    full_path,
    last_touch,
    linear,
    markov_attribution,
    path_weights,
    removal_effects,
    shapley_attribution,
    time_decay,
    u_shaped,
    w_shaped,
)

D = Decimal


def test_single_touch_models() -> None:
    assert first_touch(3) == (F(1), F(0), F(0))
    assert last_touch(3) == (F(0), F(0), F(1))
    assert linear(4) == (F(1, 4),) * 4


def test_u_shaped_40_20_40() -> None:
    assert u_shaped(1) == (F(1),)
    assert u_shaped(2) == (F(1, 2), F(1, 2))
    assert u_shaped(3) == (F(2, 5), F(1, 5), F(2, 5))
    assert u_shaped(6) == (F(2, 5), F(1, 20), F(1, 20), F(1, 20), F(1, 20), F(2, 5))


def test_w_shaped_30_30_30_and_10_over_the_rest() -> None:
    assert w_shaped(5, lead_index=2, opportunity_index=4) == (
        F(3, 10),
        F(1, 20),
        F(3, 10),
        F(1, 20),
        F(3, 10),
    )
    # coinciding milestones merge: first touch is also the lead touch
    assert w_shaped(3, lead_index=0, opportunity_index=2) == (F(3, 5), F(1, 10), F(3, 10))
    # nothing outside the milestones: the rest is spread pro rata over them
    assert w_shaped(3, lead_index=1, opportunity_index=2) == (F(1, 3),) * 3


def test_full_path_22_5_each_and_10_over_the_rest() -> None:
    assert full_path(6, lead_index=1, opportunity_index=3) == (
        F(9, 40),
        F(9, 40),
        F(1, 20),
        F(9, 40),
        F(1, 20),
        F(9, 40),
    )


def test_time_decay_seven_day_half_life() -> None:
    # 2^(-age/7) for ages 0 / 7 / 14 / 28 days: 1, 1/2, 1/4, 1/16 → /1.8125
    ages = [D(0), D(7), D(14), D(28)]
    assert time_decay(ages) == (F(16, 29), F(8, 29), F(4, 29), F(1, 29))
    # the step formula floors age/H: ages 0 / 6 / 13 → 1, 1, 1/2
    step = time_decay([D(0), D(6), D(13)], formula="half_life_step")
    assert step == (F(2, 5), F(2, 5), F(1, 5))
    # continuous at 3.5 days: 2^(-1/2), deterministic to 40 digits
    half = time_decay([D(0), D("3.5")])
    assert float(half[1] / half[0]) == pytest.approx(0.7071067811865476)


def test_channel_credit_sums_exactly_to_one() -> None:
    credit = channel_credit(["web", "phone", "web", "email", "visit"], "u_shaped")
    assert credit == {
        "email": D("0.066666666667"),
        "phone": D("0.066666666667"),
        "visit": D("0.4"),
        "web": D("0.466666666666"),
    }
    assert sum(credit.values()) == 1
    weights = path_weights("time_decay", 2, ages_days=[D(7), D(0)])
    assert weights == (F(1, 3), F(2, 3))


def test_model_errors() -> None:
    with pytest.raises(ValueError, match="at least one touch"):
        linear(0)
    with pytest.raises(ValueError, match="outside a path of 3"):
        w_shaped(3, lead_index=3, opportunity_index=1)
    with pytest.raises(ValueError, match="one age"):
        path_weights("time_decay", 2)
    with pytest.raises(ValueError, match="after its conversion"):
        time_decay([D(-1)])


PATHS = [(["a", "b"], 1, 0), (["a"], 0, 1), (["b"], 1, 1)]


def test_markov_removal_effect_by_hand() -> None:
    # start→a 1/2, start→b 1/2; a→b 1/2, a→null 1/2; b→conv 2/3, b→null 1/3
    # P(conv) = 1/2·1/2·2/3 + 1/2·2/3 = 1/2; without a: 1/3 (RE 1/3); without b: 0 (RE 1)
    assert removal_effects(PATHS) == {"a": F(1, 3), "b": F(1)}
    assert markov_attribution(PATHS) == {"a": F(1, 2), "b": F(3, 2)}


def test_markov_is_deterministic_and_order_free() -> None:
    assert markov_attribution(list(reversed(PATHS))) == markov_attribution(PATHS)
    assert markov_attribution([(["a"], 0, 3)]) == {"a": F(0)}


def test_shapley_by_hand() -> None:
    # v({a}) = 1, v({b}) = 2, v({a,b}) = 1 + 1 + 2 = 4
    result = shapley_attribution([(["a", "b"], 1), (["a"], 1), (["b"], 2)])
    assert result == {"a": F(3, 2), "b": F(5, 2)}
    assert sum(result.values()) == 4  # efficiency
    with pytest.raises(ValueError, match="at most 16 channels"):
        shapley_attribution([([f"c{i}" for i in range(17)], 1)])
