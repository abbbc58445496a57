"""Statements from stored plan results: the view models ``crmsync statements`` renders.

:func:`statements_for_period` maps each employee's stored result of a period (the closed
result once the period is closed, else its latest run) into a
:class:`compensation.statements.Statement`: deal lines become payable lines, bonuses,
multipliers and caps other lines, manual and prior-period lines adjustments, clawbacks
and draws their own sections. The statement version counts the different results the
employee has had for the period.

Around the run's own figures a statement shows what the rep needs to trust them (see
:class:`StatementExtras`): what each withheld line would have paid, the usage score's
components with how to raise each, what each open deal would add (open periods only),
the year's earlier periods with the year-to-date, and the payout date.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Engine

from compensation.calculation import EmployeeResult, PayLine, PeriodResult
from compensation.inputs import Employee
from compensation.plans import (
    CommissionComponent,
    PlanBook,
    PlanVersion,
    UsageBonusComponent,
    UsageMultiplierComponent,
)
from compensation.statements import (
    Adjustment,
    Attainment,
    Clawback,
    DrawBalance,
    OtherLine,
    PastPeriod,
    PayableLine,
    PlanRef,
    Recipient,
    Statement,
    UsageScore,
    WhatIf,
    WithheldLine,
)
from compensation.statements import Period as StatementPeriod
from sync.config import CrmsyncConfig
from sync.errors import OperationFailed
from sync.store.view.reads import StoreReads

__all__ = ["StatementExtras", "statement_for", "statements_for_period"]

_DEAL_KINDS = ("commission", "spiff")
# Pay not tied to one deal; manual and prior-period lines are adjustments.
_OTHER_KINDS = ("usage_multiplier", "usage_bonus", "kpi_bonus", "cap", "plan_cap")
_ZERO = Decimal(0)
_RATE = Decimal("0.000001")


@dataclass(frozen=True)
class StatementExtras:
    """What a statement shows beside the employee's result (each optional).

    ``withheld`` maps a withheld line's key to what it would have paid; ``usage`` is the
    usage score with its components (used when it is the score the run used);
    ``history`` the year's earlier periods (``None``: unknown).
    """

    withheld: Mapping[str, Decimal] = field(default_factory=dict)
    usage: UsageScore | None = None
    what_if: WhatIf | None = None
    history: tuple[PastPeriod, ...] | None = None
    payout_date: date | None = None
    deal_urls: Mapping[str, str] = field(default_factory=dict)
    attainment_after: Mapping[str, Decimal] = field(default_factory=dict)  # all deals won


def _payable(
    line: PayLine,
    names: Mapping[str, str],
    closes: Mapping[str, object],
    act_words: Mapping[str, str],
    urls: Mapping[str, str],
) -> PayableLine:
    converted = line.converted_amount if line.converted_amount is not None else line.amount
    rate = (line.amount / converted).quantize(_RATE) if converted else _ZERO
    fx = line.fx_rate if line.fx_rate is not None and line.fx_rate != 1 else None
    deal = line.deal or ""
    return PayableLine(
        deal_key=deal,
        deal_name=names.get(deal, deal),
        slot=line.slot or "",
        share=line.share if line.share is not None else Decimal(1),
        credited_amount=line.original_amount if line.original_amount is not None else converted,
        currency=line.original_currency or line.currency,
        converted_amount=converted,
        rate=rate,
        amount=line.amount,
        rule=line.rule,
        # An act the store cannot describe (a deal's ownership, which the role already
        # says) is left out rather than shown as a record id.
        acts=tuple(act_words[act] for act in line.acts if act in act_words),
        fx_rate=fx,
        close_date=closes.get(deal),  # type: ignore[arg-type]
        url=urls.get(deal),
        pool=line.pool or "",
        split=line.detail.get("credit", ""),
        fx_date=line.fx_date if fx is not None else None,
        fx_source=(line.fx_source or "") if fx is not None else "",
    )


def statement_for(
    result: EmployeeResult,
    period: PeriodResult,
    *,
    closed: bool,
    version: int,
    as_of: datetime,
    person: Employee | None,
    book: PlanBook,
    deal_names: Mapping[str, str],
    deal_closes: Mapping[str, object],
    act_words: Mapping[str, str] | None = None,
    extras: StatementExtras | None = None,
) -> Statement:
    """One employee's statement from their result (see the module docstring);
    ``act_words`` describes act keys (``hubspot:activities:301``) in the employee's words."""
    acts = act_words or {}
    more = extras or StatementExtras()
    payable, other, adjustments, clawbacks = [], [], [], []
    advanced = recovered = _ZERO
    for line in result.lines:
        if line.kind in _DEAL_KINDS and line.deal:
            payable.append(_payable(line, deal_names, deal_closes, acts, more.deal_urls))
        elif line.kind in _OTHER_KINDS:
            # The label is left to the template: the kind in the reader's language.
            other.append(OtherLine(line.kind, "", line.amount, _in_words(line.rule, book)))
        elif line.kind == "clawback":
            deal = line.deal or ""
            clawbacks.append(
                Clawback(
                    deal,
                    deal_names.get(deal, deal),
                    line.amount,
                    line.rule,
                    (line.detail or {}).get("paid_in"),
                )
            )
        elif line.kind == "draw_top_up":
            advanced += line.amount
        elif line.kind == "draw_recovery":
            recovered -= line.amount
        else:
            origin = (line.detail or {}).get("period") if line.kind == "prior_period" else None
            label = "" if line.kind in ("manual", "prior_period") else line.component
            reason = _in_words(line.rule, book)
            if line.kind == "prior_period" and line.deal:
                reason = _prior_reason(line, deal_names.get(line.deal, line.deal))
            adjustments.append(Adjustment(label, line.amount, reason, origin, line.kind))
    version_obj = next(
        (v for v in book.versions.get(result.plan, ()) if v.version == result.plan_version), None
    )
    draws = []
    if advanced or recovered or result.draw_balance_start or result.draw_balance_end:
        recoverable = bool(
            version_obj and version_obj.draw and version_obj.draw.kind == "recoverable"
        )
        draws.append(
            DrawBalance(
                "",  # "Draw" in the reader's language
                result.draw_balance_start,
                advanced,
                recovered,
                result.draw_balance_end,
                recoverable,
            )
        )
    attainment = None
    comp = next(
        (
            c
            for c in (version_obj.components if version_obj else ())
            if isinstance(c, CommissionComponent) and c.name in result.credited
        ),
        None,
    )
    if comp is not None and result.quota:
        attainment = Attainment(
            result.credited[comp.name], result.quota, tuple(t.start for t in comp.tiers)
        )
    what_if = more.what_if
    if what_if is not None and attainment is not None and comp is not None:
        after = more.attainment_after.get(comp.name)
        what_if = WhatIf(what_if.deals, what_if.potential_total, after)
    return Statement(
        statement_id=f"{period.period}:{result.employee}",
        version=max(version, 1),
        period=StatementPeriod(period.period, period.start, period.end, closed),
        recipient=Recipient(
            employee_id=result.employee,
            # The directory's name is reconciliation's golden record, the name every
            # other output shows; the stored result keeps whatever the run saw.
            name=person.name if person else result.name,
            email=person.email if person else None,
            # "" (unknown) lets the renderer apply ``statements.locale_default``.
            locale=person.locale if person else "",
            team=person.team if person else None,
            role=person.role if person else None,
        ),
        plan=PlanRef(
            result.plan,
            (version_obj.title if version_obj else "") or result.plan,
            str(result.plan_version),
        ),
        currency=result.currency,
        as_of=as_of,
        total_payable=result.total,
        payable=tuple(payable),
        other=tuple(other),
        withheld=tuple(
            WithheldLine(
                w.deal,
                deal_names.get(w.deal, w.deal),
                w.gate,
                w.reason,
                w.advice,
                more.withheld.get(w.key),
                w.slot,
            )
            for w in result.withheld
        ),
        adjustments=tuple(adjustments),
        clawbacks=tuple(clawbacks),
        draws=tuple(draws),
        attainment=attainment,
        usage=_stakes(_usage(result.usage_score, more.usage), version_obj),
        what_if=what_if,
        history=more.history,
        payout_date=more.payout_date,
    )


def _prior_reason(line: PayLine, deal_name: str) -> str:
    """A change to a closed period's deal line with the deal's name, not the line's key
    (and whose split it now follows, when a split changed it)."""
    detail = line.detail or {}
    text = (
        f"{deal_name}, {line.component.replace('_', ' ')}: paid {detail.get('was')} in "
        f"{detail.get('period')}, now computes {detail.get('now')}"
    )
    return f"{text} ({detail['credit']})" if detail.get("credit") else text


def _in_words(rule: str, book: PlanBook) -> str:
    """The engine's rule with component ids in words (``revenue_commission`` -> ``revenue
    commission``): a multiplier's rule names the component it scales."""
    for versions in book.versions.values():
        for version in versions:
            for comp in version.components:
                if "_" in comp.name and comp.name in rule:
                    rule = rule.replace(comp.name, comp.name.replace("_", " "))
    return rule


def _stakes(usage: UsageScore | None, version: PlanVersion | None) -> UsageScore | None:
    """The usage score with what the employee's plan pays on it (bonus, multiplier bands)."""
    if usage is None or version is None:
        return usage
    bonus = [c.min_score for c in version.components if isinstance(c, UsageBonusComponent)]
    bands = sorted(
        (
            (band.min_score, band.multiplier)
            for c in version.components
            if isinstance(c, UsageMultiplierComponent)
            for band in c.bands
        ),
        reverse=True,
    )
    return dataclasses.replace(usage, bonus_from=min(bonus) if bonus else None, bands=tuple(bands))


def _usage(score: Decimal | None, audited: UsageScore | None) -> UsageScore | None:
    if score is None:
        return None
    if audited is not None and audited.score == score:
        return audited
    return UsageScore(score)  # the audit has moved on since the run: its parts would not add up


def statements_for_period(
    engine: Engine, config: CrmsyncConfig, period: str, reads: StoreReads | None = None
) -> list[Statement]:
    """Every employee's statement for ``period``, from the stored plan results (``reads``:
    the rows and identity map a run's steps share)."""
    from sync.compute.history import closed_periods, latest_run, run_versions
    from sync.compute.statement_acts import describe_acts
    from sync.compute.statement_extras import build_extras

    closed = next((c for c in closed_periods(engine) if c.result.period == period), None)
    stored = latest_run(engine, period)
    if stored is None:
        raise OperationFailed(
            f"no plan results for {period}: run `crmsync plan run --period {period}` first"
        )
    result = closed.result if closed is not None else stored.result
    found = build_extras(
        engine, config, result, closed=closed is not None, ran=stored.finished_at, reads=reads
    )
    act_words = describe_acts(
        engine, {a for e in result.employees for x in e.lines for a in x.acts}
    )
    return [
        statement_for(
            emp,
            result,
            closed=closed is not None,
            version=run_versions(engine, period, emp.employee),
            as_of=stored.finished_at,
            person=found.directory.employees.get(emp.employee),
            book=found.book,
            deal_names=found.deal_names,
            deal_closes=found.deal_closes,
            act_words=act_words,
            extras=found.extras.get(emp.employee),
        )
        for emp in result.employees
    ]
