"""Pay a statement shows beside the run's own lines: what a withheld line would have paid,
and what each open deal would add if it closed (the what-if).

Both are computed with the plan calculation on the inputs of the run, never changing it:

- a withheld line's amount is the line the same credit pays in a run of the employee with
  the plan's gates lifted (so it is priced at the tier it would really have reached);
- an open deal's amount is what :func:`compensation.calculation.simulate` closing that one
  deal in the period adds to the employee's earnings; the total is one run with all the
  employee's open deals closed, so tiers reached only together are counted once, exactly.

Earnings leave out draw lines: a draw is an advance, so a deal that earns less than the
draw leaves this period's pay unchanged while it lowers what the employee owes back.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from compensation.calculation import (
    Adjustment,
    EmployeeResult,
    EngineError,
    PeriodInputs,
    PriorState,
    Simulation,
    WithheldLine,
    run_period,
    simulate,
)
from compensation.inputs import Credit, Deal
from compensation.plans import Gates, Period, PlanBook
from compensation.rates import MissingRateError, RateTable

__all__ = ["Pipeline", "PipelineItem", "added_earnings", "pipelines", "withheld_amounts"]

_DEAL_LINE_KINDS = ("commission", "spiff")
_DRAW_KINDS = ("draw_top_up", "draw_recovery")


@dataclass(frozen=True, slots=True)
class PipelineItem:
    """One open deal of an employee and what closing it would add to their period."""

    deal: Deal
    potential: Decimal
    gate: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Pipeline:
    """An employee's open deals, and the period with all of them closed."""

    items: tuple[PipelineItem, ...]
    total: Decimal
    attainment_after: Mapping[str, Decimal]


def _ungated(book: PlanBook) -> PlanBook:
    versions = [
        v.model_copy(update={"gates": Gates()}) for items in book.versions.values() for v in items
    ]
    return PlanBook(versions, book.assignments)


def _run(
    inputs: PeriodInputs,
    book: PlanBook,
    period: Period,
    rates: RateTable,
    prior: PriorState,
    adjustments: Sequence[Adjustment],
    employees: Collection[str],
) -> dict[str, EmployeeResult]:
    only = dataclasses.replace(inputs, employees=[e for e in inputs.employees if e.id in employees])
    result = run_period(only, book, period, rates, prior, adjustments)
    return {e.employee: e for e in result.employees}


def withheld_amounts(
    results: Sequence[EmployeeResult],
    inputs: PeriodInputs,
    book: PlanBook,
    period: Period,
    rates: RateTable,
    prior: PriorState,
    adjustments: Sequence[Adjustment],
) -> dict[tuple[str, str], Decimal]:
    """(employee, withheld line key) -> what the line would have paid without the gate.

    A line the lifted run does not pay (credit after the employee left, a plan change)
    has no amount."""
    wanted = {r.employee for r in results if r.withheld}
    if not wanted:
        return {}
    try:
        lifted = _run(inputs, _ungated(book), period, rates, prior, adjustments, wanted)
    except (EngineError, MissingRateError):
        return {}
    out: dict[tuple[str, str], Decimal] = {}
    for result in results:
        other = lifted.get(result.employee)
        if other is None:
            continue
        paid = {line.key: line.amount for line in other.lines if line.kind in _DEAL_LINE_KINDS}
        for held in result.withheld:
            out.update(_amount(result.employee, held, paid))
    return out


def _amount(
    employee: str, held: WithheldLine, paid: Mapping[str, Decimal]
) -> dict[tuple[str, str], Decimal]:
    rest = held.key.split("|", 1)[1]  # component|deal|pool|slot[#n]
    for kind in _DEAL_LINE_KINDS:
        amount = paid.get(f"{kind}|{rest}")
        if amount is not None:
            return {(employee, held.key): amount}
    return {}


def _closed_in(deal: Deal, period: Period) -> Deal:
    close = deal.close_date if deal.close_date and period.contains(deal.close_date) else period.end
    return dataclasses.replace(deal, state="won", close_date=close, reversed_on=None)


def _earned(result: EmployeeResult) -> Decimal:
    return sum((x.amount for x in result.lines if x.kind not in _DRAW_KINDS), Decimal(0))


def _added(sim: Simulation, before: EmployeeResult) -> Decimal:
    """What the simulated deal adds to the earnings (lines new or changed, draws left out)."""
    was = {x.key: x.amount for x in before.lines}
    return sum(
        (x.amount - was.get(x.key, Decimal(0)) for x in sim.changed if x.kind not in _DRAW_KINDS),
        Decimal(0),
    )


def added_earnings(sim: Simulation, before: EmployeeResult) -> Decimal:
    """What a simulation adds to ``before``'s earnings, draws left out: the figure the
    statement's what-if shows (a draw top-up can shrink by as much, leaving the payable
    total where it was)."""
    return _added(sim, before)


def _why_nothing(sim: Simulation, deal: str, added: Decimal) -> tuple[str, str]:
    """(gate, reason) when closing ``deal`` alone would pay nothing: the gate it would fail,
    else the rule of its unpaid line (a threshold not reached)."""
    if added:
        return "", ""
    if sim.withheld:
        return sim.withheld[0].gate, sim.withheld[0].reason
    rule = next((line.rule for line in sim.changed if line.deal == deal and not line.amount), "")
    return "", rule


def _per_employee(
    inputs: PeriodInputs,
    period: Period,
    open_deals: Mapping[str, Collection[str]],
    prior: PriorState,
) -> dict[str, PeriodInputs]:
    """The inputs of each employee alone, for simulating their open deals: their record,
    usage and KPIs; their credits on deals that can pay in the period or a closed one (closed
    from the first closed period's start to the period's end, or in a closed period's lines,
    for clawbacks) and on their open deals; those deals; and the activity counts the whole
    snapshot gives them. Nothing else reaches an employee's pay, so the engine indexes a few
    records per simulation instead of the company's whole history."""
    start = min([period.start, *(c.result.start for c in prior.closed)])
    payable = {
        d.key
        for d in inputs.deals
        if d.close_date is not None and start <= d.close_date <= period.end
    }
    paid: dict[str, set[str]] = defaultdict(set)
    for closed in prior.closed:
        for result in closed.result.employees:
            if result.employee in open_deals:
                paid[result.employee].update(x.deal for x in result.lines if x.deal)
    acts: dict[str, set[str]] = {}
    credits: dict[str, list[Credit]] = defaultdict(list)
    for credit in inputs.credits:
        acts.setdefault(credit.deal, set()).update(credit.acts)
        who = credit.employee
        if who is None or who not in open_deals:
            continue
        if credit.deal in payable or credit.deal in paid[who] or credit.deal in open_deals[who]:
            credits[who].append(credit)
    counts = {deal: len(keys) for deal, keys in acts.items()} | dict(inputs.activities)
    keys = {e: {c.deal for c in credits[e]} | paid[e] for e in open_deals}
    out = {}
    for person in inputs.employees:
        if person.id not in open_deals:
            continue
        mine = keys[person.id]
        out[person.id] = dataclasses.replace(
            inputs,
            employees=[person],
            credits=credits[person.id],
            deals=[d for d in inputs.deals if d.key in mine],
            usage=[u for u in inputs.usage if u.employee == person.id],
            kpis=[k for k in inputs.kpis if k.employee == person.id],
            activities={k: counts[k] for k in mine if k in counts},
        )
    return out


def pipelines(
    employees: Collection[str],
    inputs: PeriodInputs,
    book: PlanBook,
    period: Period,
    rates: RateTable,
    prior: PriorState,
    adjustments: Sequence[Adjustment],
) -> dict[str, Pipeline]:
    """employee -> their open deals (with credit) and what closing each would add."""
    deals = {d.key: d for d in inputs.deals if d.state == "open"}
    wanted = set(employees)
    mine: dict[str, set[str]] = defaultdict(set)
    for credit in inputs.credits:
        if credit.employee is not None and credit.deal in deals and credit.employee in wanted:
            mine[credit.employee].add(credit.deal)
    if not mine:
        return {}
    alone = _per_employee(inputs, period, mine, prior)
    out: dict[str, Pipeline] = {}
    for employee in sorted(mine):
        own = alone.get(employee)
        if own is None:
            continue
        try:
            found = _pipeline(
                employee, mine[employee], deals, own, book, period, rates, prior, adjustments
            )
        except (EngineError, MissingRateError):
            continue
        if found is not None:
            out[employee] = found
    return out


def _pipeline(
    employee: str,
    keys: Collection[str],
    deals: Mapping[str, Deal],
    inputs: PeriodInputs,
    book: PlanBook,
    period: Period,
    rates: RateTable,
    prior: PriorState,
    adjustments: Sequence[Adjustment],
) -> Pipeline | None:
    base = _run(inputs, book, period, rates, prior, adjustments, {employee}).get(employee)
    if base is None:
        return None
    items = []
    for key in sorted(keys):
        sim = simulate(
            inputs, book, period, rates, employee, deal=key, prior=prior, adjustments=adjustments
        )
        added = _added(sim, base)
        items.append(PipelineItem(deals[key], added, *_why_nothing(sim, key, added)))
    all_won = dataclasses.replace(
        inputs, deals=[_closed_in(d, period) if d.key in keys else d for d in inputs.deals]
    )
    after = _run(all_won, book, period, rates, prior, adjustments, {employee}).get(employee)
    if after is None:
        return None
    items.sort(key=lambda i: (-i.potential, i.deal.name.casefold(), i.deal.key))
    return Pipeline(tuple(items), _earned(after) - _earned(base), after.attainment)
