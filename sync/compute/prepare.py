"""From the store to the engine's inputs: payees, deal evidence, credits, usage, KPIs.

Each deal is credited once, under the crediting scheme of its owner's plan on its close
date (or ``compensation.crediting_plan`` when that plan declares none), so a deal's
shares sum to 1 whoever is paid on it. Deals are credited in one call per scheme.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine

from compensation.calculation import PeriodInputs
from compensation.crediting import (
    FRACTION_PLACES,
    CreditingError,
    CreditScheme,
    DealExplanation,
    credit_deals,
)
from compensation.crediting.fill import SplitRow
from compensation.inputs import Credit, DealEvidence, Employee, Kpi, ManagerSpan, UsageScore
from compensation.money import allocate
from compensation.plans import Period, PlanBook, PlanError, load_plans
from compensation.plans.errors import describe_problems
from compensation.plans.overrides import load_split_overrides
from compensation.rates import RatesFileError, RateTable
from sync.compute.crm_rates import with_crm_rates
from sync.compute.crm_splits import crm_splits, unfilled_splits, usable_splits
from sync.compute.digital import digital_lead_acts
from sync.compute.directory import (
    Directory,
    UserFacts,
    build_directory,
    reports_to_warnings,
)
from sync.compute.evidence import Evidence, build_evidence
from sync.compute.managers import manager_spans, record_managers
from sync.compute.overrides import load_overrides, overrides_in_force
from sync.compute.snapshot import StoreSnapshot, load_store_snapshot
from sync.config.compensation import CompensationConfig
from sync.errors import OperationFailed, UsageError
from sync.store.view.identity_map import IdentityLookup, load_identity_map
from sync.store.view.reads import StoreReads, read_identities
from sync.store.view.usage import latest_usage_figures

__all__ = [
    "Prepared",
    "case_kpis",
    "credit",
    "load_book",
    "load_directory",
    "payees",
    "prepare",
]

KPI_CASE_RESOLUTION = "case_resolution_rate"


@dataclass
class Prepared:
    """Everything a run reads, built once from the store."""

    book: PlanBook
    rates: RateTable
    directory: Directory
    evidence: Evidence
    inputs: PeriodInputs
    explanations: dict[str, DealExplanation] = field(default_factory=dict)
    scheme_of: dict[str, str] = field(default_factory=dict)  # deal -> plan version id
    warnings: list[str] = field(default_factory=list)


def load_book(config: CompensationConfig) -> tuple[PlanBook, RateTable]:
    """Plans and rates; the problems of both (every plan file, the split overrides and
    the rates file) are raised together as one usage error, one line each."""
    problems: list[str] = []
    failure: Exception | None = None
    book, rates = None, RateTable()
    try:
        book = load_plans(Path(config.plans_dir))
    except PlanError as exc:
        problems += getattr(exc, "problems", [str(exc)])
        failure = exc
    try:  # so `plan validate` reports the split overrides' problems with the plans'
        load_split_overrides(Path(config.plans_dir))
    except PlanError as exc:
        problems += getattr(exc, "problems", [str(exc)])
        failure = exc
    path = config.rates_path()
    if path.exists():
        try:
            rates = RateTable.load(path)
        except RatesFileError as exc:
            problems += exc.problems
            failure = exc
    if failure is not None or book is None:
        problems = list(dict.fromkeys(problems))  # plans_dir/rates.yaml is read by both
        raise UsageError(describe_problems("the plans", problems)) from failure
    return book, rates


def _users(snapshot: StoreSnapshot) -> list[UserFacts]:
    out = []
    for row in snapshot.rows("users"):
        name = row.get("name") or " ".join(
            p for p in (row.get("first_name"), row.get("last_name")) if p
        )
        out.append(
            UserFacts(
                source=row["source"],
                remote_id=row["remote_id"],
                name=name or f"{row['source']}:{row['remote_id']}",
                email=row.get("email"),
                active=bool(row.get("is_active")) and not row.get("is_deleted"),
                title=row.get("title"),
                department=row.get("department"),
                role=row.get("role"),
                raw=raw if isinstance(raw := row.get("raw"), dict) else {},
            )
        )
    return out


def load_directory(
    snapshot: StoreSnapshot,
    identities: IdentityLookup | None,
    config: CompensationConfig,
    engine: Engine | None = None,
) -> Directory:
    """Payees from the users table, grouped by reconciled employee identity
    (``identities`` defaults to reconcile's map when ``engine`` is given)."""
    if identities is None and engine is not None:
        identities = load_identity_map(engine)
    found: dict[tuple[str, str], str] = {}
    golden: dict[str, tuple[str | None, str | None]] = {}
    if identities is not None:
        for row in snapshot.rows("users"):
            key = identities.employee_of(row["source"], row["remote_id"])
            if key:
                found[(row["source"], row["remote_id"])] = key
        golden = {k: (v.name, v.email) for k, v in identities.employees().items()}
    return build_directory(_users(snapshot), found, config.directory, golden)


def _schemes(
    evidence: Sequence[DealEvidence],
    book: PlanBook,
    directory: Directory,
    config: CompensationConfig,
    as_of: date,
) -> tuple[dict[str, tuple[str, CreditScheme]], list[str]]:
    fallback_plan = config.crediting_plan
    if fallback_plan is None:
        fallback_plan = next(
            (p for p in book.plans if any(v.crediting for v in book.versions[p])), None
        )
    chosen: dict[str, tuple[str, CreditScheme]] = {}
    warnings: list[str] = []
    for item in evidence:
        deal = item.deal
        day = deal.close_date or as_of
        person = directory.employees.get(deal.owner or "")
        version = book.plan_for(person, day) if person is not None else None
        if (version is None or version.crediting is None) and person is not None:
            # A manager closing a deal: the deal follows the plan of the manager's team.
            member = Employee(person.id, person.name, team=person.team)
            version = book.plan_for(member, day)
        if version is None or version.crediting is None:
            version = book.version(fallback_plan, day) if fallback_plan else None
        if version is None or version.crediting is None:
            warnings.append(f"deal {deal.key}: no plan with a crediting scheme on {day}")
            continue
        chosen[deal.key] = (version.id, version.crediting)
    return chosen, warnings


def credit(
    evidence: Sequence[DealEvidence],
    schemes: Mapping[str, tuple[str, CreditScheme]],
    directory: Directory,
    explain: bool,
    splits: Mapping[str, Mapping[str, Sequence[SplitRow]]] | None = None,
    hierarchy: Sequence[ManagerSpan] = (),
) -> tuple[list[Credit], dict[str, DealExplanation]]:
    """Credit every deal under its scheme; one crediting call per scheme. ``splits``
    (deal → pool → CRM split rows) fill those pools instead of acts; ``hierarchy``
    dates who managed whom (roll-ups use the span covering a deal's close date)."""
    groups: dict[str, list[DealEvidence]] = {}
    by_id: dict[str, CreditScheme] = {}
    for item in evidence:
        found = schemes.get(item.deal.key)
        if found is not None:
            groups.setdefault(found[0], []).append(item)
            by_id[found[0]] = found[1]
    credits: list[Credit] = []
    explanations: dict[str, DealExplanation] = {}
    for version_id in sorted(groups):
        try:
            result = credit_deals(
                groups[version_id],
                by_id[version_id],
                employees=directory.employees,
                explain=explain,
                splits=splits,
                hierarchy=hierarchy,
            )
        except CreditingError as exc:
            raise OperationFailed(f"crediting under {version_id} failed: {exc}") from exc
        credits += result.credits
        explanations.update(result.explanations)
    if len(groups) > 1:
        credits = _apportion_across(credits, groups, by_id)
    return credits, explanations


def _apportion_across(
    credits: list[Credit],
    groups: Mapping[str, Sequence[DealEvidence]],
    schemes: Mapping[str, CreditScheme],
) -> list[Credit]:
    """Crediting apportions an act shared by several deals within one call; deals
    credited under different schemes need it across calls too: an act creditable in
    several deals gets fractions by |deal amount| summing to exactly 1 over all of them."""
    windows: list[tuple[DealEvidence, date, date]] = []
    seen: dict[str, str] = {}
    across: set[str] = set()
    for version_id, items in groups.items():
        days = schemes[version_id].lookback_days
        for item in items:
            end = item.deal.close_date or max((a.at.date() for a in item.acts), default=None)
            if end is None:
                continue
            start = end - timedelta(days=days)
            windows.append((item, start, end))
            for act in item.acts:
                creditable = act.employee is not None and start <= act.at.date() <= end
                if creditable and seen.setdefault(act.key, version_id) != version_id:
                    across.add(act.key)  # used under two schemes
    if not across:
        return credits
    where: dict[str, dict[str, Decimal]] = {}
    for item, start, end in windows:
        for act in item.acts:
            if act.key in across and act.employee is not None and start <= act.at.date() <= end:
                where.setdefault(act.key, {})[item.deal.key] = abs(item.deal.amount)
    fractions: dict[str, dict[str, Decimal]] = {}
    for act_key, deals in where.items():
        keys = sorted(deals)
        weights = [deals[k] for k in keys]
        if not any(weights):
            weights = [Decimal(1)] * len(keys)
        split = allocate(Decimal(1), weights, keys, FRACTION_PLACES)
        fractions[act_key] = {k: f.normalize() for k, f in zip(keys, split, strict=True)}
    if not fractions:
        return credits
    out = []
    for credit in credits:
        if any(a in fractions for a in credit.acts):
            shares = tuple(
                fractions[a][credit.deal] if a in fractions else f
                for a, f in zip(credit.acts, credit.act_fractions, strict=True)
            )
            credit = dataclasses.replace(credit, act_fractions=shares)
        out.append(credit)
    return out


def _usage(engine: Engine, directory: Directory) -> list[UsageScore]:
    figures = latest_usage_figures(engine)
    return [
        UsageScore(subject, item.score, {c.name: c.value for c in item.components})
        for subject, item in sorted(figures.items())
        if subject in directory.employees
    ]


def case_kpis(
    snapshot: StoreSnapshot, directory: Directory, periods: Collection[Period], as_of: date
) -> list[Kpi]:
    """Case resolution rate per case owner and period: cases opened in the period and
    closed by ``as_of``, over cases opened in the period."""
    counts: dict[tuple[str, str], list[int]] = {}
    for case in snapshot.rows("cases"):
        opened = case.get("opened_at")
        owner = directory.key_of(case["source"], case.get("owner_id"))
        if opened is None or owner is None:
            continue
        for period in periods:
            if period.contains(opened.date()):
                cell = counts.setdefault((owner, period.key), [0, 0])
                closed = case.get("closed_at")
                cell[0] += int(
                    bool(case.get("is_closed")) and (closed is None or closed.date() <= as_of)
                )
                cell[1] += 1
    return [
        Kpi(owner, KPI_CASE_RESOLUTION, Decimal(done) / Decimal(total), period)
        for (owner, period), (done, total) in sorted(counts.items())
        if total
    ]


def payees(
    directory: Directory,
    credits: Sequence[Credit],
    evidence: Evidence,
    period: Period,
    closed: Collection[Period],
) -> list[Employee]:
    """Active employees; those whose last day worked falls in or after the run's period
    (the draw of the period they leave in is prorated, so they are owed it even without
    a deal); and those who left but hold credit on a deal closed in the run or a closed
    period (they are owed it, or it is clawed back). Anyone else who left is no payee,
    so no draw. The engine pays leavers what they earned and no draw for a period after
    they left (``Employee.left_before``), and settles a recoverable balance by the plan's
    ``draw.on_leaving``."""
    start = min([period.start, *(p.start for p in closed)])
    closes = {e.deal.key: e.deal.close_date for e in evidence.deals}
    owed = set()
    for c in credits:
        day = closes.get(c.deal)
        if c.employee and day is not None and start <= day <= period.end:
            owed.add(c.employee)
    return [
        e
        for e in directory.employees.values()
        if e.active or not e.left_before(period.start) or e.id in owed
    ]


def prepare(
    engine: Engine,
    config: CompensationConfig,
    period: Period,
    as_of: date,
    *,
    identities: IdentityLookup | None = None,
    paid_deals: Collection[str] = (),
    closed: Collection[Period] = (),
    explain: bool = False,
    kinds: Mapping[str, str] | None = None,
    observed_at: datetime | None = None,
    reads: StoreReads | None = None,
) -> Prepared:
    """Read the store once and build the engine's inputs for ``period``.

    ``identities`` defaults to reconcile's identity map; ``paid_deals`` are deals paid
    in closed periods (a reversal claws them back); ``closed`` are the closed periods,
    whose KPIs the engine re-checks; ``observed_at`` (a storing run's clock) records the
    directory's managers as seen that day before the dated hierarchy is read; ``reads``
    holds what a run's steps share (the statements take its plan run's inputs).
    """
    args = (engine, config, period, as_of, identities, paid_deals, closed, explain, kinds)

    def make() -> Prepared:
        return _make_inputs(*args, observed_at=observed_at, reads=reads)

    if reads is None or identities is not None:
        return make()
    key = (
        config.model_dump_json(),
        period.key,
        as_of,
        frozenset(paid_deals),
        tuple(sorted(p.key for p in closed)),
        explain,
        tuple(sorted((kinds or {}).items())),
    )
    # a storing run records the managers it sees: its inputs are always made
    return reads.kept(engine, "plan inputs", key, make, fresh=observed_at is not None)


def _make_inputs(
    engine: Engine,
    config: CompensationConfig,
    period: Period,
    as_of: date,
    identities: IdentityLookup | None,
    paid_deals: Collection[str],
    closed: Collection[Period],
    explain: bool,
    kinds: Mapping[str, str] | None,
    *,
    observed_at: datetime | None,
    reads: StoreReads | None,
) -> Prepared:
    book, rates = load_book(config)
    rates = with_crm_rates(engine, config, rates)  # the CRMs' own, where the config says
    if identities is None:
        identities = read_identities(engine, reads)
    snapshot = load_store_snapshot(engine, reads)
    directory = load_directory(snapshot, identities, config)
    if observed_at is not None:
        record_managers(engine, directory.employees, observed_at.date(), observed_at)
    known = directory.employees
    hierarchy = [s for s in manager_spans(engine) if s.manager in known]
    evidence = build_evidence(
        snapshot,
        identities,
        directory,
        as_of=as_of,
        lookback_days=config.lookback_days,
        default_currency=config.default_currency,
        paid_deals=paid_deals,
        kinds=kinds,
        digital=digital_lead_acts(engine, snapshot, identities, directory, config.digital),
    )
    schemes, warnings = _schemes(evidence.deals, book, directory, config, as_of)
    warnings += reports_to_warnings(directory, config.directory)
    credited = [e.deal for e in evidence.deals if e.deal.key in schemes]
    splits: dict[str, dict[str, list[SplitRow]]] = {}
    if config.crm_splits == "use":
        splits, problems = usable_splits(credited, crm_splits(snapshot, directory))
        warnings += problems
    # An admin's override in force replaces the CRM's split and the acts in its pool.
    overrides = load_overrides(Path(config.plans_dir))
    for key, pools in overrides_in_force(overrides, directory, evidence.refs, as_of).items():
        if key in schemes:
            splits.setdefault(key, {}).update(pools)
        else:
            warnings.append(f"deal {key}: split override not used: no plan credits the deal")
    credits, explanations = credit(evidence.deals, schemes, directory, explain, splits, hierarchy)
    if splits:
        credits = unfilled_splits(credits, credited, splits)
    inputs = PeriodInputs(
        employees=payees(directory, credits, evidence, period, closed),
        credits=credits,
        deals=[e.deal for e in evidence.deals],
        usage=_usage(engine, directory),
        kpis=case_kpis(snapshot, directory, {period, *closed}, as_of),
        as_of=as_of,
        activities=evidence.activities,
    )
    return Prepared(
        book=book,
        rates=rates,
        directory=directory,
        evidence=evidence,
        inputs=inputs,
        explanations=explanations,
        scheme_of={k: v[0] for k, v in schemes.items()},
        warnings=warnings,
    )
