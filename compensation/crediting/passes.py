"""credit_deals: evidence in, credit lines and explanations out (invariants I1–I5).

Three passes, all deterministic whatever the input order:

1. per deal (sorted by key): keep each act once, sort acts by (time, key), drop customer
   acts and acts outside the window, then fill the pools in order — revenue, act-filled
   pools as declared, then manager roll-ups — with one ``used`` set per deal, so an act
   fills at most one slot of a deal (I1);
2. per act behind several deals (creditable — in the window, with an employee — in
   each): its fractions, split by |deal amount| with largest remainder to
   :data:`FRACTION_PLACES` so they sum to exactly 1 over those deals (I1 apportioning).
   They depend only on the evidence, never on which slots or pools used the act;
3. per (deal, pool): exact weights → shares (to :data:`SHARE_PLACES`, summing to exactly
   1) and amounts (summing exactly to the pool's total), both by largest remainder with a
   tie-break on (slot order, slot, employee) (I2). A negative amount is split as its
   absolute value and negated, so a clawback mirrors the original split.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from compensation.crediting.errors import (
    CreditingError,
    DuplicateDealError,
    MissingEmployeesError,
)
from compensation.crediting.fill import (
    Line,
    Matcher,
    SplitRow,
    fill_slots,
    fill_strategy,
    roll_up,
    split_lines,
)
from compensation.crediting.result import CreditingResult, DealExplanation, SlotExplanation
from compensation.crediting.scheme import REVENUE_POOL, CreditScheme, Vacancy
from compensation.gcpause import paused_gc
from compensation.inputs import Act, Credit, DealEvidence, Employee, ManagerSpan
from compensation.money import allocate, allocate_units

__all__ = ["FRACTION_PLACES", "SHARE_PLACES", "credit_deals"]

SHARE_PLACES = 12
FRACTION_PLACES = 9
_SHARE_UNITS = 10**SHARE_PLACES
_SHARE_UNIT = Decimal(1).scaleb(-SHARE_PLACES)
_ONE = Decimal(1)
_JUST_ONE = (_ONE,)

# (pool, budget, lines, each): ``each`` when every line's weight is its own percentage of
# the budget (a split not validated to 100%) rather than a share of it.
_Pools = list[tuple[str, Decimal, list[Line], bool]]


class _Compiled:
    """The scheme with filters compiled and weights as exact fractions, once per call:
    one task per pool, in :meth:`CreditScheme.pool_order`."""

    def __init__(self, scheme: CreditScheme) -> None:
        self.lookback_days = scheme.lookback_days
        self.tasks: list[tuple[str, Decimal, Vacancy, Any]] = []
        for pool in scheme.pool_order():
            spec = scheme if pool == REVENUE_POOL else scheme.pools[pool]
            budget = _ONE if pool == REVENUE_POOL else scheme.pools[pool].budget
            vacancy = scheme.vacancy_of(pool)
            if pool != REVENUE_POOL and scheme.pools[pool].manager_of is not None:
                task: Any = (scheme.pools[pool].manager_of, scheme.pools[pool].level)
            elif spec.strategy is not None:
                task = (spec.strategy, Matcher(spec.strategy))
            else:
                task = [(s, Matcher(s), Fraction(s.weight)) for s in spec.slots]
            self.tasks.append((pool, budget, vacancy, task))
        self.act_pools = {
            pool
            for pool, _, _, task in self.tasks
            if not (isinstance(task, tuple) and isinstance(task[0], str))
        }


def _by_time(act: Act) -> tuple[datetime, str]:
    return act.at, act.key


def _by_content(act: Act) -> tuple[datetime, str, str, str, str, str, str]:
    return act.at, act.key, act.kind, act.employee or "", act.channel or "", act.source, act.detail


def _split(units: int, ints: list[int], lines: list[Line]) -> list[int]:
    """Largest remainder; tie-break keys (slot order, slot, employee) built only if needed."""
    weight_sum = sum(ints)
    floors = [units * w // weight_sum for w in ints]
    if sum(floors) == units:
        return floors
    keys = [f"{line.order:05d}|{line.slot}|{line.employee or ''}" for line in lines]
    return allocate_units(units, ints, keys)


def _prepare(
    evidence: DealEvidence, lookback_days: int
) -> tuple[list[Act], tuple[str, str], list[tuple[str, str]], datetime | None]:
    """The deal's creditable acts in (time, key) order, its window, and ignored acts."""
    acts: list[Act] = []
    seen: set[str] = set()
    try:
        ordered = sorted(evidence.acts, key=_by_time)
        if len({a.key for a in ordered}) < len(ordered):  # duplicates: order them fully
            ordered = sorted(ordered, key=_by_content)
    except TypeError as exc:
        raise CreditingError(
            f"deal {evidence.deal.key!r}: act times mix timezone-aware and naive datetimes"
        ) from exc
    for act in ordered:  # an act listed twice counts once, at its earliest time
        if act.key not in seen:
            seen.add(act.key)
            acts.append(act)
    if not acts:
        return [], ("", ""), [], None
    end: date = evidence.deal.close_date or acts[-1].at.date()
    start = end - timedelta(days=lookback_days)
    kept: list[Act] = []
    ignored: list[tuple[str, str]] = []
    reference: datetime | None = None
    for act in acts:
        day = act.at.date()
        if day < start:
            ignored.append((act.key, f"before the {lookback_days}-day lookback window"))
        elif day > end:
            ignored.append((act.key, "after the close date"))
        else:
            reference = act.at
            if act.employee is None:
                ignored.append((act.key, "no employee: the customer's own act"))
            else:
                kept.append(act)
    return kept, (start.isoformat(), end.isoformat()), ignored, reference


def _fill_deal(
    evidence: DealEvidence,
    plan: _Compiled,
    employees: Mapping[str, Employee] | None,
    managers: Mapping[str, str | None],
    explain: bool,
    fixed: Mapping[str, Sequence[SplitRow]] | None = None,
) -> tuple[_Pools, list[Act], DealExplanation | None]:
    acts, window, ignored, reference = _prepare(evidence, plan.lookback_days)
    by_kind: dict[str, list[Act]] = {}
    for act in acts:
        by_kind.setdefault(act.kind, []).append(act)
    used: set[str] = set()
    notes: list[SlotExplanation] | None = [] if explain else None
    pools: _Pools = []
    by_pool: dict[str, list[Line]] = {}
    # Pools filled by a split that need not total 100% (overlay credit), and roll-ups of
    # them: each line is its percentage of the budget (see _credits).
    each: set[str] = set()
    for pool, budget, vacancy, task in plan.tasks:
        if isinstance(task, tuple) and isinstance(task[0], str):
            source, level = task
            lines = roll_up(pool, by_pool[source], managers, vacancy, notes, level)
            if source in each:
                each.add(pool)
                _spread(by_pool[source], lines)
        elif fixed and fixed.get(pool):
            try:
                lines = split_lines(pool, evidence.deal.key, fixed[pool], notes)
            except ValueError as exc:
                raise CreditingError(str(exc)) from exc
            if not any(row.validated for row in fixed[pool]):
                each.add(pool)
        elif isinstance(task, tuple):
            strategy, match = task
            lines = fill_strategy(
                pool, strategy, match, acts, by_kind, used, employees, reference, notes
            )
        else:
            lines = fill_slots(
                pool, task, acts, by_kind, used, employees, reference, vacancy, notes
            )
        by_pool[pool] = lines
        pools.append((pool, budget, lines, pool in each))
    if notes is None:
        return pools, acts, None
    explanation = DealExplanation(evidence.deal.key, window, tuple(notes), tuple(ignored))
    return pools, acts, explanation


def _spread(source: Sequence[Line], lines: Sequence[Line]) -> None:
    """A roll-up of a pool whose lines are each a percentage: the weight of lines dropped
    (no manager, spread pro rata) goes to the others in proportion, as in a shared pool."""
    want = sum((line.weight for line in source), Fraction(0))
    got = sum((line.weight for line in lines), Fraction(0))
    if got and got != want:
        for line in lines:
            line.weight = line.weight * want / got


def _act_fractions(
    usage: Mapping[str, list[int]], ordered: Sequence[DealEvidence]
) -> dict[str, dict[str, Decimal]]:
    """For acts behind several deals: each deal's fraction, by |amount|, summing to 1."""
    result: dict[str, dict[str, Decimal]] = {}
    for act_key, deal_indexes in usage.items():
        if len(deal_indexes) < 2:
            continue
        deals = [ordered[i].deal for i in deal_indexes]
        weights = [abs(d.amount) for d in deals]
        if not any(weights):
            weights = [_ONE] * len(deals)
        keys = [d.key for d in deals]
        split = allocate(_ONE, weights, keys, FRACTION_PLACES)
        result[act_key] = {k: f.normalize() for k, f in zip(keys, split, strict=True)}
    return result


def _fractions_of(
    acts: list[str], deal: str, fractions: Mapping[str, Mapping[str, Decimal]]
) -> tuple[Decimal, ...]:
    if len(acts) == 1:
        shared = fractions.get(acts[0])
        return _JUST_ONE if shared is None else (shared[deal],)
    return tuple(fractions[a][deal] if a in fractions else _ONE for a in acts)


def _credits(
    evidence: DealEvidence,
    pools: _Pools,
    fractions: Mapping[str, Mapping[str, Decimal]],
    places: int,
    share_cache: dict[int, Decimal],
) -> list[Credit]:
    deal = evidence.deal
    unit = Decimal(1).scaleb(-places)
    out: list[Credit] = []
    for pool, budget, lines, each in pools:
        if not lines:
            continue
        common = math.lcm(*(line.weight.denominator for line in lines))
        ints = [line.weight.numerator * (common // line.weight.denominator) for line in lines]
        weight_sum = sum(ints)
        if weight_sum and _SHARE_UNITS % weight_sum == 0:  # exact shares, nothing to round
            step = _SHARE_UNITS // weight_sum
            shares = [i * step for i in ints]
        else:
            shares = _split(_SHARE_UNITS, ints, lines)
        total = (deal.amount * budget).quantize(unit, rounding=ROUND_HALF_EVEN)
        minor = int(total.scaleb(places))
        sign = -1 if minor < 0 else 1
        if each:  # each line its percentage of the budget, rounded half-even on its own
            base = Fraction(abs(deal.amount * budget)) * 10**places / 100
            sign = -1 if deal.amount < 0 else 1
            amounts = [round(base * line.weight) for line in lines]
        else:
            amounts = _split(abs(minor), ints, lines) if minor else [0] * len(lines)
        for line, share, amount in zip(lines, shares, amounts, strict=True):
            share_decimal = share_cache.get(share)
            if share_decimal is None:
                share_decimal = share_cache[share] = (Decimal(share) * _SHARE_UNIT).normalize()
            out.append(
                Credit(  # positional: the hot loop of a 200,000-deal run
                    deal.key,
                    line.employee,
                    line.slot,
                    share_decimal,
                    Decimal(sign * amount) * unit,
                    deal.currency,
                    pool,
                    tuple(line.acts),
                    _fractions_of(line.acts, deal.key, fractions),
                    line.note,
                )
            )
    return out


def credit_deals(
    evidence: Sequence[DealEvidence],
    scheme: CreditScheme,
    *,
    employees: Mapping[str, Employee] | None = None,
    explain: bool = True,
    places: int = 2,
    hierarchy: Sequence[ManagerSpan] = (),
    splits: Mapping[str, Mapping[str, Sequence[SplitRow]]] | None = None,
) -> CreditingResult:
    """Credit every deal of ``evidence`` under ``scheme``.

    ``employees`` (id → :class:`Employee`) is needed when slots filter on roles or teams
    and for manager roll-ups; ``hierarchy`` dates who reported to whom (a roll-up uses the
    span covering the deal's close date, else ``Employee.manager``); ``places`` is the
    precision of credited amounts (deal currency). Amounts of each (deal, pool) sum
    exactly to ``deal.amount × budget`` rounded half-even to ``places`` (the deal amount
    itself for the revenue pool). ``splits`` (deal key → pool → rows) fills a deal's
    pool from a CRM's own split instead of acts (one ``split`` line per employee, by
    percentage); roll-up pools then follow those lines. A validated split (the default,
    :class:`SplitRow` ``validated``) that does not sum to 100 is a :class:`CreditingError`;
    a pool filled by one that is not validated (overlay credit), and a roll-up of it,
    credits each line its percentage of ``deal.amount × budget`` rounded half-even on its
    own, whatever the set's total (its shares still sum to 1)."""
    if employees is None and scheme.needs_employees():
        raise MissingEmployeesError(
            "the crediting scheme filters on employee roles or teams or rolls up to "
            "managers; pass employees={id: Employee}"
        )
    ordered = sorted(evidence, key=lambda e: e.deal.key)
    for previous, current in itertools.pairwise(ordered):
        if previous.deal.key == current.deal.key:
            raise DuplicateDealError(current.deal.key)
    with paused_gc():
        return _credit_sorted(ordered, scheme, employees, explain, places, hierarchy, splits or {})


def _credit_sorted(
    ordered: list[DealEvidence],
    scheme: CreditScheme,
    employees: Mapping[str, Employee] | None,
    explain: bool,
    places: int,
    hierarchy: Sequence[ManagerSpan] = (),
    splits: Mapping[str, Mapping[str, Sequence[SplitRow]]] | None = None,
) -> CreditingResult:
    plan = _Compiled(scheme)
    base = {key: person.manager for key, person in (employees or {}).items()}
    dated: dict[date | None, dict[str, str | None]] = {None: base}

    def managers_on(day: date | None) -> dict[str, str | None]:
        found = dated.get(day)
        if found is None:
            assert day is not None
            found = dated[day] = base | {
                s.employee: s.manager
                for s in sorted(hierarchy, key=lambda s: (s.start, s.employee))
                if s.covers(day)
            }
        return found

    filled: list[_Pools] = []
    explanations: dict[str, DealExplanation] = {}
    usage: dict[str, list[int]] = {}
    for index, item in enumerate(ordered):
        managers = managers_on(item.deal.close_date if hierarchy else None)
        fixed = splits.get(item.deal.key) if splits else None
        pools, creditable, explanation = _fill_deal(item, plan, employees, managers, explain, fixed)
        filled.append(pools)
        if explanation is not None:
            explanations[item.deal.key] = explanation
        for act in creditable:
            usage.setdefault(act.key, []).append(index)
    fractions = _act_fractions(usage, ordered)
    credits: list[Credit] = []
    share_cache: dict[int, Decimal] = {}
    for item, pools in zip(ordered, filled, strict=True):
        credits.extend(_credits(item, pools, fractions, places, share_cache))
    return CreditingResult(credits, explanations)
