"""Tiered commission never depends on the order deals close in (marginal and retroactive)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from engine_helpers import RATES, book, credit, deal, inputs, plan
from hypothesis import given, settings
from hypothesis import strategies as st

from compensation.engine import run_period
from compensation.plans import Period

D = Decimal
Q4 = Period.parse("2026-Q4")
QUOTA = D(100_000)
TIERS = ((D(0), D("0.5"), D("0.02")), (D("0.5"), D(1), D("0.04")), (D(1), None, D("0.06")))


def _pay(closes: dict[str, date], amounts: dict[str, str], mode: str = "marginal") -> dict:
    deals = [deal(key, amounts[key], closes[key]) for key in sorted(amounts)]
    body = plan()
    body["components"][0]["mode"] = mode
    result = run_period(inputs(deals, [credit(d) for d in deals]), book(body), Q4, RATES)
    rep = result.employee("R1")
    assert rep is not None
    return {line.deal: line.amount for line in rep.lines} | {"total": rep.total}


@pytest.mark.parametrize(
    "order",
    [("d1", "d2", "d3"), ("d1", "d3", "d2"), ("d3", "d2", "d1"), ("d2", "d1", "d3")],
)
def test_marginal_pay_is_the_tiers_on_net_attainment_in_any_close_order(order) -> None:  # type: ignore[no-untyped-def]
    # Quota 100,000; tiers 0-50% at 2%, 50-100% at 4%, from 100% at 6%.
    # Credits d1 +60,000, d2 -20,000, d3 +20,000: net 60,000, attainment 60%.
    # Period pay = 50,000 x 2% + 10,000 x 4% = 1,000 + 400 = 1,400.00 in every order
    # (before, the negative came off at the rate where it landed: 1,600.00 or 1,400.00).
    closes = {key: date(2026, 10, 5) + timedelta(days=10 * i) for i, key in enumerate(order)}
    paid = _pay(closes, {"d1": "60000", "d2": "-20000", "d3": "20000"})
    assert paid["total"] == D("1400.00")
    # The negative comes off the top: positives reach 80%, the net is 60%, so the
    # 20,000 between them is all in tier 2: -20,000 x 4% = -800.00.
    assert paid["d2"] == D("-800.00")
    # Positive credits fill the tiers in close order: d1 first 0-60% pays 1,400.00 and
    # d3 60-80% pays 20,000 x 4% = 800.00; d3 first 0-20% pays 20,000 x 2% = 400.00 and
    # d1 20-80% pays 30,000 x 2% + 30,000 x 4% = 600 + 1,200 = 1,800.00.
    if order.index("d1") < order.index("d3"):
        assert (paid["d1"], paid["d3"]) == (D("1400.00"), D("800.00"))
    else:
        assert (paid["d1"], paid["d3"]) == (D("1800.00"), D("400.00"))


def _tiered(attainment: Decimal) -> Decimal:
    """The tiers on an attainment, by hand: each tier's rate on the part inside it (tier 1
    extends below 0%)."""
    if attainment < 0:
        return attainment * QUOTA * TIERS[0][2]
    total = D(0)
    for start, end, rate in TIERS:
        top = attainment if end is None else min(attainment, end)
        if top > start:
            total += (top - start) * QUOTA * rate
    return total


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(-8_000_000, 9_000_000), min_size=1, max_size=6),
    st.data(),
    st.sampled_from(["marginal", "retroactive"]),
)
def test_pay_does_not_depend_on_close_order(
    cents: list[int], data: st.DataObject, mode: str
) -> None:
    amounts = {f"d{i}": str(D(c).scaleb(-2)) for i, c in enumerate(cents)}
    days = [date(2026, 10, 1) + timedelta(days=i) for i in range(len(cents))]
    shuffled = data.draw(st.permutations(days))
    first = _pay(dict(zip(sorted(amounts), days, strict=True)), amounts, mode)
    second = _pay(dict(zip(sorted(amounts), shuffled, strict=True)), amounts, mode)
    assert first["total"] == second["total"]
    net = sum((D(a) for a in amounts.values()), D(0))
    if mode == "marginal":
        expected = _tiered(net / QUOTA).quantize(D("0.01"), rounding=ROUND_HALF_UP)
        assert first["total"] == expected
    else:
        # Retroactive: every line at the rate of the tier the net attainment reaches.
        assert {k: v for k, v in first.items() if k != "total"} == {
            k: v for k, v in second.items() if k != "total"
        }
