"""Marginal tiers price each slice exactly and round each payable line once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from engine_helpers import RATES, book, credit, deal, inputs, plan
from hypothesis import example, given, settings
from hypothesis import strategies as st

from compensation.calculation import run_period
from compensation.plans import Period

D = Decimal
Q4 = Period.parse("2026-Q4")
CENT = D("0.01")


def _run(amounts: list[str], quota: str, tiers: list[dict[str, str]]) -> dict[str, Decimal]:
    deals = [
        deal(f"d{i}", amount, date(2026, 10, 1) + timedelta(days=i))
        for i, amount in enumerate(amounts)
    ]
    body = plan(quota={"amount": quota})
    body["components"][0]["tiers"] = tiers
    result = run_period(inputs(deals, [credit(d) for d in deals]), book(body), Q4, RATES)
    rep = result.employee("R1")
    assert rep is not None
    return {line.deal or line.key: line.amount for line in rep.lines} | {"total": rep.total}


def test_the_reported_half_cent_rounds_up_once() -> None:
    """Quota 100,000; tier 1 0-20% at 3%, tier 2 from 20% at 5%; one deal of 24,000.10.

    By hand, slice by slice:
        20,000.00 x 3% = 600.000
         4,000.10 x 5% = 200.005
        exact line     = 800.005  -> ROUND_HALF_UP once -> 800.01

    (Before: the line was priced at a blended rate of 28 digits, 24,000.10 x 0.0333331... =
    800.004999..., which rounds to 800.00.)"""
    paid = _run(
        ["24000.10"],
        "100000",
        [{"from": "0%", "to": "20%", "rate": "3%"}, {"from": "20%", "rate": "5%"}],
    )
    assert paid == {"d0": D("800.01"), "total": D("800.01")}


def _by_hand(cents: list[int], quota: Decimal, bounds: list[int], rates: list[int]) -> Decimal:
    """The exact tiered amount of the period: each tier's rate on the revenue inside it
    (tier 1 reaches below 0 for a net negative)."""
    net = sum((D(c).scaleb(-2) for c in cents), D(0))
    edges = [D(b).scaleb(-2) * quota for b in bounds]
    total = D(0)
    for index, rate in enumerate(rates):
        low = edges[index] if index else min(net, D(0))
        high = edges[index + 1] if index + 1 < len(edges) else None
        top = net if high is None else min(net, high)
        if top > low:
            total += (top - low) * D(rate).scaleb(-4)
    return total


@settings(max_examples=120, deadline=None)
@given(
    st.lists(st.integers(1, 5_000_000), min_size=1, max_size=5),
    st.lists(st.integers(1, 150), min_size=1, max_size=3, unique=True),
    st.lists(st.integers(1, 1500), min_size=4, max_size=4),
    st.sampled_from(["100000", "12345.67", "250000"]),
)
@example([2400010], [20], [300, 500, 1, 1], "100000")  # the reported 800.005
def test_a_single_line_pays_its_exact_slices_rounded_once(
    cents: list[int], starts: list[int], rates: list[int], quota: str
) -> None:
    """For a random tier table (starts in whole percents, rates in basis points) and random
    credits, each line pays the exact sum of its slices x their rates, rounded once with
    ROUND_HALF_UP, and the period total is the exact tiered amount rounded once."""
    bounds = [0, *sorted(starts)]
    table = [
        {"from": f"{b}%", "rate": f"{D(r).scaleb(-2)}%"}
        | ({"to": f"{bounds[i + 1]}%"} if i + 1 < len(bounds) else {})
        for i, (b, r) in enumerate(zip(bounds, rates, strict=False))
    ]
    used = rates[: len(bounds)]
    paid = _run([str(D(c).scaleb(-2)) for c in cents], quota, table)
    q = D(quota)
    assert paid["total"] == _by_hand(cents, q, bounds, used).quantize(CENT, ROUND_HALF_UP)
    # Each line on its own: the slices of the cumulative revenue it covers.
    before = 0
    lines: dict[str, Decimal] = {}
    for i, c in enumerate(cents):
        exact = _by_hand([before + c], q, bounds, used) - _by_hand([before], q, bounds, used)
        lines[f"d{i}"] = exact
        before += c
    rounded = {k: v.quantize(CENT, ROUND_HALF_UP) for k, v in lines.items()}
    if len(cents) == 1:
        assert paid["d0"] == rounded["d0"]
    else:
        # Lines are rounded so they sum to the rounded total: each is within a cent of its
        # exact slices rounded once.
        for key, value in rounded.items():
            assert abs(paid[key] - value) <= CENT
