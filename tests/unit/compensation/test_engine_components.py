"""Components beyond tiers: SPIFFs, usage multipliers and bonuses, KPI bonuses, caps,
thresholds, the other gates, and what-if simulation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from engine_helpers import RATES, REP, book, credit, deal, inputs, plan

from compensation.calculation import EngineError, explain_employee, run_period, simulate
from compensation.inputs import Employee, Kpi, UsageScore
from compensation.plans import Period

D = Decimal
Q4 = Period.parse("2026-Q4")


def flat(rate: str = "5%") -> list[dict]:  # type: ignore[type-arg]
    return [{"name": "revenue", "kind": "commission", "tiers": [{"from": "0%", "rate": rate}]}]


def lines(result, employee: str = "R1") -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {line.key: str(line.amount) for line in result.employee(employee).lines}


def test_spiff_usage_multiplier_usage_bonus_and_caps() -> None:
    body = plan(
        components=[
            {**flat()[0], "cap": "3000"},
            {
                "name": "usage",
                "kind": "usage_multiplier",
                "applies_to": ["revenue"],
                "bands": [
                    {"min_score": 85, "multiplier": "1.10"},
                    {"min_score": 0, "multiplier": "0.90"},
                ],
            },
            {
                "name": "hplc",
                "kind": "spiff",
                "products": ["HPLC"],
                "per_deal": "500",
                "window": {"from": "2026-11-01", "to": "2026-11-30"},
            },
            {"name": "crm", "kind": "usage_bonus", "min_score": 80, "amount": "300"},
        ],
        cap="4000",
    )
    big = deal("big", "80000", date(2026, 11, 3), products=("HPLC",))
    small = deal("small", "10000", date(2026, 10, 3), products=("HPLC",))
    snapshot = inputs(
        [big, small],
        [credit(big, share="0.5"), credit(small)],
        usage=[UsageScore("R1", D("90"))],
    )
    result = run_period(snapshot, book(body), Q4, RATES)
    # commission 40,000 × 5% + 10,000 × 5% = 2,500 (under the 3,000 cap); × 1.10 usage
    # adds 250; SPIFF 500 × 0.5 share on big only (small closed in October); bonus 300;
    # 3,300 is under the plan cap of 4,000
    assert lines(result) == {
        "bonus|crm": "300.00",
        "commission|revenue|big|revenue|close": "2000.00",
        "commission|revenue|small|revenue|close": "500.00",
        "spiff|hplc|big|revenue|close": "250.00",
        "usage|usage": "250.00",
    }
    capped = plan(**{**body, "cap": "3000"})
    result = run_period(snapshot, book(capped), Q4, RATES)
    assert lines(result)["cap|plan"] == "-300.00"
    assert result.employee("R1").total == D("3000.00")  # type: ignore[union-attr]
    low = inputs([big, small], [credit(big), credit(small)], usage=[UsageScore("R1", D("40"))])
    result = run_period(low, book(body), Q4, RATES)
    # 4,500 commission is capped at 3,000 (−1,500); × 0.90 takes 300 off the capped 3,000
    assert {k: v for k, v in lines(result).items() if "commission" not in k} == {
        "cap|revenue": "-1500.00",
        "spiff|hplc|big|revenue|close": "500.00",
        "usage|usage": "-300.00",
    }


def test_kpi_bonus_threshold_and_monthly_scaling() -> None:
    body = plan(
        period="quarter",
        quota={"amount": "90000", "per": "quarter"},
        components=[
            {**flat()[0], "threshold": "50%"},
            {
                "name": "resolution",
                "kind": "kpi_bonus",
                "kpi": "case_resolution_rate",
                "bands": [
                    {"at_least": "95%", "amount": "1200"},
                    {"at_least": "90%", "amount": "900"},
                ],
            },
        ],
    )
    october = Period.parse("2026-10")
    sold = deal("d1", "12000", date(2026, 10, 3))
    kpis = [Kpi("R1", "case_resolution_rate", D("0.93"), "2026-10")]
    result = run_period(inputs([sold], [credit(sold)], kpis=kpis), book(body), october, RATES)
    rep = result.employee("R1")
    assert rep is not None
    # a month is a third of the quarter: quota 30,000, so 12,000 is 40% < the 50% threshold;
    # the 900 KPI band is scaled to 300
    assert rep.quota == D("30000")
    assert lines(result) == {
        "commission|revenue|d1|revenue|close": "0.00",
        "kpi|resolution": "300.00",
    }
    assert rep.lines[0].rule == "threshold 50% not reached (attainment 40%): nothing pays"
    assert rep.lines[1].rule == "case_resolution_rate 93%: at least 90%"


def test_required_fields_and_activity_gates() -> None:
    body = plan(
        components=flat(), gates={"required_fields": ["close_date", "amount"], "min_activities": 2}
    )
    blank = deal("blank", "1000", date(2026, 10, 3), missing=("amount", "lead_source"))
    quiet = deal("quiet", "1000", date(2026, 10, 3))
    busy = deal("busy", "1000", date(2026, 10, 3))
    snapshot = inputs(
        [blank, quiet, busy],
        [credit(blank), credit(quiet), credit(busy)],
        activities={"busy": 3, "quiet": 1},
    )
    rep = run_period(snapshot, book(body), Q4, RATES).employee("R1")
    assert rep is not None
    assert [line.deal for line in rep.lines] == ["busy"]
    assert [(w.deal, w.gate, w.reason) for w in rep.withheld] == [
        ("blank", "required_fields", "required field missing in the CRM: amount"),
        ("quiet", "activity", "only 1 activities logged on this deal; the plan needs 2"),
    ]
    explained = explain_employee(rep)
    # what was withheld is the credit, named as such with its component
    assert [(w["component"], w["credited"]) for w in explained["withheld"]] == [
        ("revenue", "1000.00 USD"),
        ("revenue", "1000.00 USD"),
    ]
    assert explained["withheld"][0]["advice"] == (
        "Fill in amount on the deal; it pays in the next run of an open period."
    )
    assert explained["lines"][0]["fx"]["rate"] == "1"


def test_employees_off_plan_and_unknown_credits_are_reported() -> None:
    sold = deal("d1", "1000", date(2026, 10, 3))
    stray = Employee("X1", "Xavi", team="nowhere")
    snapshot = inputs(
        [sold], [credit(sold, "X1"), credit(sold, "ghost", slot="lead")], employees=[REP, stray]
    )
    result = run_period(snapshot, book(plan(components=flat())), Q4, RATES)
    assert result.unplaced == ("X1",)
    assert result.warnings == (
        "credits name employee ghost, who is not in the employee list",
        "deal d1 (d1), won on 2026-10-03 for 1000 USD, credits 1000.00 USD of revenue to X1 "
        "(Xavi), who is on no plan on 2026-12-31: nobody is paid on it; assign X1 a plan in "
        "assignments.yaml or correct the deal's split",
        "deal d1 (d1), won on 2026-10-03 for 1000 USD, credits 1000.00 USD of revenue to "
        "ghost, who is not in the employee list: nobody is paid on it; sync and reconcile the "
        "CRM's users or correct the deal's split",
    )


def test_simulate_a_deal_an_amount_and_an_attainment() -> None:
    sold = deal("won", "40000", date(2026, 10, 5))
    pipeline = deal("open", "30000", date(2027, 1, 15), state="open")
    snapshot = inputs([sold, pipeline], [credit(sold), credit(pipeline, share="0.5")])
    plans = book()
    # today: 40,000 → 40% → 800; closing half of 30,000 adds 15,000: 10,000 at 2% and
    # 5,000 at 4%
    by_deal = simulate(snapshot, plans, Q4, RATES, "R1", deal="open")
    assert (by_deal.before, by_deal.after, by_deal.delta) == (
        D("800.00"),
        D("1200.00"),
        D("400.00"),
    )
    assert by_deal.scenario == "closing open (30000 USD) on 2026-12-31"
    assert by_deal.attainment_after == {"revenue": D("0.55")}
    by_amount = simulate(snapshot, plans, Q4, RATES, "R1", amount=D("10000"), currency="EUR")
    # 10,000 EUR at 1.25 = 12,500 USD: 10,000 at 2% and 2,500 at 4%
    assert by_amount.delta == D("300.00")
    reach = simulate(snapshot, plans, Q4, RATES, "R1", attainment=D("1.2"))
    # 80,000 more: 10,000 at 2% + 50,000 at 4% + 20,000 at 6%
    assert reach.delta == D("3400.00")
    assert reach.scenario == "reaching 120% of quota (80000.00 USD more credited)"
    with pytest.raises(EngineError):
        simulate(snapshot, plans, Q4, RATES, "R1")


def test_the_example_plans_run_the_six_step_chain_with_explanations() -> None:
    from pathlib import Path

    from crediting_helpers import chain_acts
    from crediting_helpers import deal as chain_deal

    from compensation.calculation import PeriodInputs
    from compensation.crediting import credit_deals
    from compensation.inputs import DealEvidence
    from compensation.plans import load_plans
    from compensation.rates import RateTable

    root = Path(__file__).resolve().parents[3] / "config" / "plans"
    plans, rates = load_plans(root), RateTable.load(root / "rates.yaml")
    people = {
        "M1": Employee("M1", "Mara", team="marketing", role="marketing", manager="B1"),
        "C1": Employee("C1", "Cem", team="call_centre", role="call_centre", manager="B1"),
        "F1": Employee("F1", "Fay", team="field_sales", role="field_sales", manager="B2"),
        "B1": Employee("B1", "Bea", team="call_centre", role="manager"),
        "B2": Employee("B2", "Bo", team="field_sales", role="manager"),
    }
    evidence = DealEvidence(chain_deal("D1", "100000.00", close_day=20), chain_acts())
    scheme = plans.crediting_for(people["F1"], date(2026, 10, 20))
    assert scheme is not None
    crediting = credit_deals([evidence], scheme, employees=people)
    snapshot = PeriodInputs(list(people.values()), crediting.credits, [evidence.deal])
    result = run_period(snapshot, plans, Q4, rates)
    fay = result.employee("F1")
    assert fay is not None and fay.plan == "field_sales" and fay.plan_version == 2
    # 70,000 EUR credited (field work + close) at 1.10 = 77,000 USD of a 300,000 quota
    # (25.67%): tier 1 at 2% = 1,540.00, no usage score so no multiplier; under the
    # 3,000 recoverable draw, topped up by 1,460.00
    assert {line.key: str(line.amount) for line in fay.lines} == {
        "commission|revenue_commission|D1|revenue|close": "880.00",
        "commission|revenue_commission|D1|revenue|field_work": "660.00",
        "draw|top_up": "1460.00",
    }
    explained = explain_employee(fay, crediting.explanations)
    close = explained["lines"][0]
    assert close["deal"]["crediting"]["filled_by"] == ["a6-close"]
    assert close["fx"] == {
        "original_amount": "40000.00",
        "original_currency": "EUR",
        "rate": "1.1000",
        "rate_date": "2026-10-01",
        "source": "Altamira treasury, monthly reference rates",
        "converted_amount": "44000.000000",
    }
    bo = result.employee("B2")  # Fay's manager, on the leadership plan: manager pool
    assert bo is not None and bo.plan == "leadership"
    # the manager pool is 10% of the deal (10,000 EUR), shared like revenue: Fay's 40% close
    # and 30% field work roll up to Bo, 4,000 and 3,000 EUR at 1.10, at 5%
    assert [(line.key, str(line.amount)) for line in bo.lines] == [
        ("commission|team_override|D1|manager|close", "220.00"),
        ("commission|team_override|D1|manager|field_work", "165.00"),
    ]
