"""compensation.money: exact conversion, quantizing and largest-remainder splits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compensation.money import (
    FloatMoneyError,
    MoneyError,
    allocate,
    allocate_units,
    quantize,
    to_decimal,
)

D = Decimal


def test_to_decimal_accepts_str_int_decimal() -> None:
    assert to_decimal("1000.01") == D("1000.01")
    assert to_decimal(" 1_000.5 ") == D("1000.5")
    assert to_decimal(7) == D(7)
    assert to_decimal(D("-0.10")) == D("-0.10")


def test_to_decimal_refuses_float_with_a_clear_error() -> None:
    with pytest.raises(FloatMoneyError, match=r"refusing float 0\.1 as money.*'0\.1'"):
        to_decimal(0.1)
    with pytest.raises(TypeError):  # FloatMoneyError is also a TypeError
        to_decimal(2.5)


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", True, None, [1]])
def test_to_decimal_refuses_non_money(value: object) -> None:
    with pytest.raises(MoneyError):
        to_decimal(value)


def test_quantize_uses_the_named_rounding_mode() -> None:
    assert quantize(D("2.345")) == D("2.34")  # half even
    assert quantize(D("2.345"), rounding="ROUND_HALF_UP") == D("2.35")
    assert quantize(D("2.5"), 0) == D("2")
    assert quantize(D("-2.345"), 2, "ROUND_HALF_UP") == D("-2.35")
    with pytest.raises(MoneyError, match="unknown rounding mode 'HALF_UP'"):
        quantize(D(1), rounding="HALF_UP")


def test_allocate_worked_example_with_a_cent_to_place() -> None:
    weights = [D("0.1"), D("0.2"), D("0.3"), D("0.4")]
    keys = ["lead_source", "qualification", "field_work", "close"]
    # exact: 100.001 / 200.002 / 300.003 / 400.004; the leftover cent goes to the
    # largest remainder (0.4 of a cent)
    assert allocate(D("1000.01"), weights, keys) == [
        D("100.00"),
        D("200.00"),
        D("300.00"),
        D("400.01"),
    ]


def test_allocate_breaks_ties_by_key_not_position() -> None:
    ones = [D(1)] * 3
    assert allocate(D("1.00"), ones, ["c", "b", "a"]) == [D("0.33"), D("0.33"), D("0.34")]
    assert allocate(D("1.00"), ones, ["a", "b", "c"]) == [D("0.34"), D("0.33"), D("0.33")]
    assert allocate(D("0.02"), ones, ["b", "a", "c"]) == [D("0.01"), D("0.01"), D("0.00")]


def test_allocate_zero_weights_get_exactly_zero() -> None:
    assert allocate(D("0.05"), [D(0), D(1), D(0)], ["a", "b", "c"]) == [
        D("0.00"),
        D("0.05"),
        D("0.00"),
    ]
    assert allocate(D(0), [D(0), D(0)], ["a", "b"]) == [D("0.00"), D("0.00")]


def test_allocate_negative_total_mirrors() -> None:
    weights = [D(1), D(1), D(1)]
    keys = ["x", "y", "z"]
    assert allocate(D("-10.00"), weights, keys) == [D("-3.34"), D("-3.33"), D("-3.33")]


def test_allocate_other_places() -> None:
    assert allocate(D(100), [D(1), D(2)], ["a", "b"], places=0) == [D(33), D(67)]
    assert allocate(D("1"), [D(1)] * 3, ["a", "b", "c"], places=3) == [
        D("0.334"),
        D("0.333"),
        D("0.333"),
    ]


@pytest.mark.parametrize(
    ("total", "weights", "keys", "message"),
    [
        (D("1.005"), [D(1)], ["a"], "more than 2 decimal places"),
        (D(1), [D(1)], ["a", "b"], "1 weights but 2 keys"),
        (D(1), [D(-1), D(2)], ["a", "b"], "must not be negative"),
        (D(1), [D(0)], ["a"], "all weights are zero"),
        (D(1), [], [], "over no weights"),
    ],
)
def test_allocate_errors(
    total: Decimal, weights: list[Decimal], keys: list[str], message: str
) -> None:
    with pytest.raises(MoneyError, match=message):
        allocate(total, weights, keys)


def test_allocate_units_is_the_integer_core() -> None:
    assert allocate_units(10, [1, 1, 1], ["b", "a", "c"]) == [3, 4, 3]
    with pytest.raises(MoneyError):
        allocate_units(1, [0, 0], ["a", "b"])


cents = st.integers(min_value=-(10**12), max_value=10**12)
weight_lists = st.lists(
    st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=8,
).filter(lambda ws: any(ws))


@given(cents, weight_lists, st.randoms(use_true_random=False))
def test_allocate_properties(units: int, weights: list[Decimal], rnd: object) -> None:
    total = D(units).scaleb(-2)
    keys = [f"k{i}" for i in range(len(weights))]
    parts = allocate(total, weights, keys)
    # sums exactly
    assert sum(parts) == total
    # each part within one cent of its exact share; zero weights get zero
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = total * weight / weight_sum
        assert abs(part - exact) < D("0.01")
        if weight == 0:
            assert part == 0
    # a clawback mirrors the split exactly
    assert allocate(-total, weights, keys) == [-p for p in parts]
    # input order does not matter
    order = list(range(len(weights)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    shuffled = allocate(total, [weights[i] for i in order], [keys[i] for i in order])
    assert {keys[i]: p for i, p in zip(order, shuffled, strict=True)} == dict(
        zip(keys, parts, strict=True)
    )
