"""Property tests: order never matters, and lines always sum to totals exactly."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from engine_helpers import BOSS, RATES, REP, REP2, book, plan
from hypothesis import given, settings
from hypothesis import strategies as st

from compensation.calculation import PeriodInputs, canonical_json, run_period
from compensation.inputs import Credit, Deal, UsageScore
from compensation.plans import Period

D = Decimal
Q4 = Period.parse("2026-Q4")
RICH = plan(
    components=[
        {
            "name": "revenue",
            "kind": "commission",
            "mode": "marginal",
            "cap": "9000",
            "tiers": [
                {"from": "0%", "to": "50%", "rate": "2.5%"},
                {"from": "50%", "to": "100%", "rate": "4.25%"},
                {"from": "100%", "rate": "7%"},
            ],
        },
        {
            "name": "usage",
            "kind": "usage_multiplier",
            "applies_to": ["revenue"],
            "bands": [
                {"min_score": 80, "multiplier": "1.15"},
                {"min_score": 0, "multiplier": "0.85"},
            ],
        },
        {"name": "hplc", "kind": "spiff", "products": ["HPLC"], "rate": "0.7%"},
    ],
    gates={"documented_days_before_close": 3},
    rounding="ROUND_HALF_EVEN",
    draw={"kind": "recoverable", "amount": "1000"},
    cap="12000",
)


@st.composite
def snapshots(draw: st.DrawFn) -> PeriodInputs:
    deals: list[Deal] = []
    credits: list[Credit] = []
    for i in range(draw(st.integers(0, 8))):
        close = date(2026, 10, 1) + timedelta(days=draw(st.integers(-20, 91)))
        amount = D(draw(st.integers(-50_000, 9_000_000))).scaleb(-2)
        currency = draw(st.sampled_from(["USD", "EUR", "GBP"]))
        deals.append(
            Deal(
                f"d{i}",
                f"d{i}",
                amount,
                currency,
                draw(st.sampled_from(["won", "won", "lost"])),  # type: ignore[arg-type]
                datetime.combine(close - timedelta(days=draw(st.integers(-2, 40))), time(9)),
                close,
                products=draw(st.sampled_from([(), ("HPLC",)])),
            )
        )
        people = draw(st.lists(st.sampled_from(["R1", "R2", "B1"]), min_size=1, max_size=3))
        for j, person in enumerate(people):
            share = D(1) / len(people)
            credits.append(
                Credit(
                    f"d{i}",
                    person,
                    f"slot{j}",
                    share,
                    (amount * share).quantize(D("0.01")),
                    currency,
                    acts=(f"a{i}{j}",),
                )
            )
    usage = [
        UsageScore(e, D(draw(st.integers(0, 100))))
        for e in draw(st.sets(st.sampled_from(["R1", "R2"])))
    ]
    return PeriodInputs([REP, REP2, BOSS], credits, deals, usage=usage, as_of=date(2027, 1, 2))


def _shuffled(snapshot: PeriodInputs, draw: Any) -> PeriodInputs:
    return PeriodInputs(
        draw(st.permutations(list(snapshot.employees))),
        draw(st.permutations(list(snapshot.credits))),
        draw(st.permutations(list(snapshot.deals))),
        usage=draw(st.permutations(list(snapshot.usage))),
        as_of=snapshot.as_of,
    )


@settings(max_examples=40, deadline=None)
@given(snapshots(), st.data())
def test_same_inputs_in_any_order_give_byte_identical_results(
    snapshot: PeriodInputs, data: st.DataObject
) -> None:
    plans = book(RICH)
    first = run_period(snapshot, plans, Q4, RATES)
    second = run_period(_shuffled(snapshot, data.draw), plans, Q4, RATES)
    assert canonical_json(first) == canonical_json(second)
    assert first.input_hash == second.input_hash


@settings(max_examples=40, deadline=None)
@given(snapshots())
def test_line_amounts_sum_exactly_to_totals(snapshot: PeriodInputs) -> None:
    result = run_period(snapshot, book(RICH), Q4, RATES)
    for employee in result.employees:
        assert sum((line.amount for line in employee.lines), D(0)) == employee.total
        assert sum(employee.totals.values(), D(0)) == employee.total
        assert all(line.amount == line.amount.quantize(D("0.01")) for line in employee.lines)
        assert all(line.currency == "USD" for line in employee.lines)
        assert len({line.key for line in employee.lines}) == len(employee.lines)


def test_input_hash_changes_with_any_input() -> None:
    deal = Deal(
        "d1",
        "d1",
        D("100.00"),
        "USD",
        "won",
        datetime(2026, 9, 1),
        date(2026, 10, 2),
    )
    base = PeriodInputs([REP], [Credit("d1", "R1", "close", D(1), D("100.00"), "USD")], [deal])
    other = PeriodInputs([REP], [Credit("d1", "R1", "close", D(1), D("100.01"), "USD")], [deal])
    plans = book(RICH)
    first = run_period(base, plans, Q4, RATES).input_hash
    assert first == run_period(base, plans, Q4, RATES).input_hash
    assert first != run_period(other, plans, Q4, RATES).input_hash
    assert first != run_period(base, plans, Period.parse("2026-11"), RATES).input_hash
