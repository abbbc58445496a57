"""Tiered commission never depends on the order deals close in (marginal and retroactive)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from engine_helpers import RATES, book, credit, deal, inputs, plan
from hypothesis import given, settings
from hypothesis import strategies as st

from compensation.calculation import run_period
from compensation.plans import Period

D = Decimal
Q4 = Period.parse("2026-Q4")
TierRow = tuple[Decimal, Decimal | None, Decimal]
TIERS: tuple[TierRow, ...] = (
    (D(0), D("0.5"), D("0.02")),
    (D("0.5"), D(1), D("0.04")),
    (D(1), None, D("0.06")),
)


def _pay(
    closes: dict[str, date],
    amounts: dict[str, str],
    mode: str = "marginal",
    table: tuple[str, tuple[TierRow, ...], str | None] = ("100000", TIERS, None),
) -> dict:
    """Pay per deal and in total; ``table`` is (quota, tiers, threshold)."""
    deals = [deal(key, amounts[key], closes[key]) for key in sorted(amounts)]
    quota, tiers, threshold = table
    body = plan(quota={"amount": quota})
    body["components"][0]["mode"] = mode
    body["components"][0]["tiers"] = [
        {"from": _pct(start), "rate": _pct(rate)} | ({} if end is None else {"to": _pct(end)})
        for start, end, rate in tiers
    ]
    if threshold is not None:
        body["components"][0]["threshold"] = threshold
    result = run_period(inputs(deals, [credit(d) for d in deals]), book(body), Q4, RATES)
    rep = result.employee("R1")
    assert rep is not None
    return {line.deal: line.amount for line in rep.lines} | {"total": rep.total}


def _pct(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"


# The issue's case: quota 50,000; tier 1 0-100% at 5%, tier 2 from 100% at 8%.
ISSUE: tuple[str, tuple[TierRow, ...], str | None] = (
    "50000",
    ((D(0), D(1), D("0.05")), (D(1), None, D("0.08"))),
    None,
)
ISSUE_AMOUNTS = {"d1": "60000", "d2": "-20000", "d3": "20000"}


@pytest.mark.parametrize(
    "order",
    [("d1", "d2", "d3"), ("d1", "d3", "d2"), ("d2", "d1", "d3"), ("d3", "d1", "d2")],
)
def test_the_reported_case_pays_3300_in_every_close_order(order: tuple[str, ...]) -> None:
    """Credits +60,000 (d1), -20,000 (d2), +20,000 (d3) against a 50,000 quota with tiers
    0-100% at 5% and from 100% at 8%. The net credit is 60,000, attainment 120%, so by hand:

        tier 1: 50,000 x 5% = 2,500.00
        tier 2: 10,000 x 8% =   800.00
        total               = 3,300.00

    in every order. (Before, the negative came off at the rate where it landed: in the
    order d1, d2, d3 it came off at 5% from 120% down to 80%, and d3 then refilled 80-120%
    half at 5% and half at 8% - 3,300 - 1,000 + 1,300 = 3,600.00; closing last it came off
    at 8% from 160% - 4,900 - 1,600 = 3,300.00.)

    Per line: the positives fill the tiers in close order and reach 80,000, 160%; the
    negative comes off the top, 160% down to 120%, all in tier 2: -20,000 x 8% = -1,600.00.
    d1 before d3: d1 0-120% pays 3,300.00 and d3 120-160% pays 20,000 x 8% = 1,600.00;
    d3 before d1: d3 0-40% pays 20,000 x 5% = 1,000.00 and d1 40-160% pays
    30,000 x 5% + 30,000 x 8% = 1,500 + 2,400 = 3,900.00."""
    closes = {key: date(2026, 10, 5) + timedelta(days=10 * i) for i, key in enumerate(order)}
    paid = _pay(closes, ISSUE_AMOUNTS, table=ISSUE)
    assert paid["total"] == D("3300.00")
    if order.index("d1") < order.index("d3"):
        lines = {"d1": D("3300.00"), "d2": D("-1600.00"), "d3": D("1600.00")}
    else:
        lines = {"d1": D("3900.00"), "d2": D("-1600.00"), "d3": D("1000.00")}
    assert {k: v for k, v in paid.items() if k != "total"} == lines


@pytest.mark.parametrize("order", [("d1", "d2", "d3"), ("d1", "d3", "d2"), ("d2", "d3", "d1")])
def test_the_reported_case_retroactive_pays_the_final_tier_on_every_line(
    order: tuple[str, ...],
) -> None:
    """Retroactive, same credits: the final attainment 120% is in tier 2, so every line
    pays 8%: 60,000 x 8% = 4,800.00, -20,000 x 8% = -1,600.00, 20,000 x 8% = 1,600.00;
    total 4,800.00 in every order."""
    closes = {key: date(2026, 10, 5) + timedelta(days=10 * i) for i, key in enumerate(order)}
    paid = _pay(closes, ISSUE_AMOUNTS, "retroactive", ISSUE)
    assert paid == {
        "d1": D("4800.00"),
        "d2": D("-1600.00"),
        "d3": D("1600.00"),
        "total": D("4800.00"),
    }


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


# (quota, tiers, threshold): the 2/4/6% ladder, the reported case, and a ladder with a
# decelerator above 150% behind a 20% threshold (the shipped field-sales plan's shape).
TABLES = [
    ("100000", TIERS, None),
    ISSUE,
    (
        "300000",
        (*TIERS[:2], (D(1), D("1.5"), D("0.06")), (D("1.5"), None, D("0.03"))),
        "20%",
    ),
]
CENT = D("0.01")


def _tiered(net: Decimal, quota: Decimal, tiers: Sequence[TierRow]) -> Decimal:
    """The tiers on a net credit, by hand: each tier's rate on the part of the credit inside
    it (tier 1 extends below 0%). Computed on amounts, not on the attainment ratio: net /
    quota is rounded to 28 digits, which can move an exact half cent below it."""
    if net < 0:
        return net * tiers[0][2]
    total = D(0)
    for start, end, rate in tiers:
        top = net if end is None else min(net, end * quota)
        if top > start * quota:
            total += (top - start * quota) * rate
    return total


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(-8_000_000, 30_000_000), min_size=1, max_size=6),
    st.data(),
    st.sampled_from(["marginal", "retroactive"]),
    st.sampled_from(range(len(TABLES))),
)
def test_pay_does_not_depend_on_close_order(
    cents: list[int], data: st.DataObject, mode: str, table: int
) -> None:
    """Any credits, closed in any two orders, pay exactly the same total (Decimal equality)
    and exactly the figure computed by hand from the net attainment."""
    quota_text, tiers, threshold = TABLES[table]
    amounts = {f"d{i}": str(D(c).scaleb(-2)) for i, c in enumerate(cents)}
    days = [date(2026, 10, 1) + timedelta(days=i) for i in range(len(cents))]
    shuffled = data.draw(st.permutations(days))
    first = _pay(dict(zip(sorted(amounts), days, strict=True)), amounts, mode, TABLES[table])
    second = _pay(dict(zip(sorted(amounts), shuffled, strict=True)), amounts, mode, TABLES[table])
    assert first["total"] == second["total"]
    quota = D(quota_text)
    net = sum((D(a) for a in amounts.values()), D(0))
    if threshold is not None and net < D(threshold.rstrip("%")) / 100 * quota:
        assert first["total"] == D(0)
    elif mode == "marginal":
        exact = _tiered(net, quota, tiers)
        assert first["total"] == exact.quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        # Retroactive: every line at the rate of the tier the net attainment reaches
        # (tier 1 below its start), each line rounded.
        rate = [r for start, _, r in tiers if net >= start * quota][-1:] or [tiers[0][2]]
        lines = {
            k: (D(a) * rate[0]).quantize(CENT, rounding=ROUND_HALF_UP) for k, a in amounts.items()
        }
        assert {k: v for k, v in first.items() if k != "total"} == lines
        assert {k: v for k, v in second.items() if k != "total"} == lines
        assert first["total"] == sum(lines.values(), D(0))


@pytest.mark.parametrize("first", ["d0", "d1"])
def test_an_exact_half_cent_above_quota_rounds_up_in_either_order(first: str) -> None:
    """Quota 300,000 with tiers 0-50% at 2%, 50-100% at 4%, 100-150% at 6%: credits
    4,945.75 and 300,000.00 net 304,945.75, so 150,000 x 2% + 150,000 x 4% + 4,945.75 x 6%
    = 3,000 + 6,000 + 296.745 = 9,296.745, which ROUND_HALF_UP pays as 9,296.75. (The
    attainment as a ratio, 1.0164858333..., is not exact: priced through it the half cent
    became 9,296.7449... and 9,296.74.)"""
    other = "d1" if first == "d0" else "d0"
    closes = {first: date(2026, 10, 1), other: date(2026, 10, 2)}
    paid = _pay(closes, {"d0": "4945.75", "d1": "300000.00"}, "marginal", TABLES[2])
    assert paid["total"] == D("9296.75")
    assert paid["d0"] + paid["d1"] == D("9296.75")
