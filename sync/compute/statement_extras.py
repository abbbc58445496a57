"""Everything a period's statements need beside the stored results, read once.

The run's inputs are rebuilt from the store as ``crmsync plan explain`` does (the same
payees, reconciled names, deals and credits); from them come the withheld amounts and the
what-if of each open deal (:mod:`sync.compute.statement_pay`). The usage audit gives the
score's components, the stored runs the year's earlier periods
(:mod:`sync.compute.statement_history`), and ``statements.payout_*`` the payout date.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Engine

from compensation.calculation import PeriodResult, PriorState
from compensation.plans import Period, PlanBook
from compensation.statements import PipelineDeal, UsageComponent, UsageScore, WhatIf
from compensation.statements.usage_words import USAGE, USAGE_ADVICE
from sync.compute.directory import Directory
from sync.compute.statement_history import payout_date, year_history
from sync.compute.statement_pay import Pipeline, pipelines, withheld_amounts
from sync.compute.statements import StatementExtras
from sync.config import CrmsyncConfig
from sync.store.table_model import table_of
from sync.store.view.reads import StoreReads
from sync.store.view.usage import latest_usage_figures

__all__ = ["Found", "build_extras", "usage_breakdown"]


@dataclass
class Found:
    """What :func:`build_extras` read: the payees, plans, deals, and each employee's extras."""

    directory: Directory
    book: PlanBook
    deal_names: dict[str, str]
    deal_closes: dict[str, date | None]
    extras: dict[str, StatementExtras] = field(default_factory=dict)


def _deals(engine: Engine) -> tuple[dict[str, str], dict[str, date | None]]:
    from sync.store.records import DealRow

    table = table_of(DealRow)
    with engine.connect() as conn:
        rows = conn.execute(
            table.select().with_only_columns(
                table.c.source, table.c.remote_id, table.c.name, table.c.close_date
            )
        ).all()
    names = {f"{r.source}:deals:{r.remote_id}": r.name or r.remote_id for r in rows}
    closes = {f"{r.source}:deals:{r.remote_id}": r.close_date for r in rows}
    return names, closes


def usage_breakdown(engine: Engine, employees: Collection[str]) -> dict[str, UsageScore]:
    """employee -> their latest audited usage score with the components that counted.

    A component's weight is its share of the weights that counted (a component with no
    records drops out), so the score is the weighted sum of the components' scores."""
    figures = latest_usage_figures(engine)
    out: dict[str, UsageScore] = {}
    for employee in employees:
        item = figures.get(employee)
        if item is None:
            continue
        parts = tuple(
            UsageComponent(
                c.name,
                USAGE.get(c.name, {}).get("en", c.name.replace("_", " ")),
                c.percent,
                c.share,
                USAGE_ADVICE.get(c.name, {}).get("en", ""),
            )
            for c in item.components
            if c.share is not None
        )
        out[employee] = UsageScore(item.score, parts)  # the score the engine reads
    return out


def _what_ifs(found: Mapping[str, Pipeline]) -> dict[str, tuple[WhatIf, Mapping[str, Decimal]]]:
    out: dict[str, tuple[WhatIf, Mapping[str, Decimal]]] = {}
    for employee, pipeline in found.items():
        deals = tuple(
            PipelineDeal(
                item.deal.key,
                item.deal.name or item.deal.key,
                item.potential,
                item.deal.stage,
                item.deal.close_date,
                item.note,
                item.gate,
            )
            for item in pipeline.items
        )
        out[employee] = (WhatIf(deals, pipeline.total), pipeline.attainment_after)
    return out


def build_extras(
    engine: Engine,
    config: CrmsyncConfig,
    result: PeriodResult,
    *,
    closed: bool,
    ran: datetime,
    reads: StoreReads | None = None,
) -> Found:
    """Read what the statements of ``result`` show beside it (see the module docstring);
    the what-if only for an open period, whose deals can still close in it. ``reads``: the
    rows and identity map a run's steps share."""
    from sync.compute.history import closed_periods, load_adjustments, paid_deals
    from sync.compute.prepare import prepare

    period = Period.parse(result.period)
    earlier = closed_periods(engine)
    paid = paid_deals(earlier)
    prior = PriorState(tuple(c for c in earlier if c.result.period != result.period))
    prepared = prepare(
        engine,
        config.compensation,
        period,
        result.as_of or min(ran.date(), period.end),
        paid_deals=paid,
        closed=[Period.parse(c.result.period) for c in prior.closed],
        kinds=config.source_kinds(),
        reads=reads,
    )
    names, closes = _deals(engine)
    found = Found(prepared.directory, prepared.book, names, closes)
    adjustments = load_adjustments(engine)
    args = (prepared.inputs, prepared.book, period, prepared.rates, prior, adjustments)
    held: dict[str, dict[str, Decimal]] = {}
    for (who, key), amount in withheld_amounts(result.employees, *args).items():
        held.setdefault(who, {})[key] = amount
    ids = [e.employee for e in result.employees]
    what_ifs = {} if closed else _what_ifs(pipelines(ids, *args))
    usage = usage_breakdown(engine, ids)
    history = year_history(engine, period, ids)
    day = config.statements.payout_day
    payout = (
        payout_date(period.end, day, config.statements.payout_months_after)
        if day is not None
        else None
    )
    urls = {d.key: d.url for d in prepared.inputs.deals if d.url}
    for emp in result.employees:
        what_if, after = what_ifs.get(emp.employee, (None, {}))
        found.extras[emp.employee] = StatementExtras(
            withheld=held.get(emp.employee, {}),
            usage=usage.get(emp.employee),
            what_if=what_if,
            history=tuple(
                past
                for currency, past in history.get(emp.employee, ())
                # A closed period's statement is final: it counts final figures only, so
                # re-running an earlier open period never changes a statement already sent.
                if currency == emp.currency and (past.period.closed or not closed)
            ),
            payout_date=payout,
            deal_urls=urls,
            attainment_after=after,
        )
    return found
