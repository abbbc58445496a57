"""The usage score: 0-100 per employee and team, from ratios over the employee's own records.

``score = 100 × Σ w_i·c_i / Σ w_i`` over the components where the employee had records
(a component with n = 0 is "no opportunity to act" and drops out, renormalising the rest).
Each component is a ratio k/n over records the employee owns or created in the window
(``as_of - window_days``, ``as_of``]. Deals closed in the window count for freshness (was
the deal in the CRM before it closed?) and activity coverage, so a rep who enters deals
only when they close is judged on them rather than dropped for having no open deals.

Shrinkage gives thin evidence the benefit of the doubt and nothing else: with fewer than
m records (m = ``shrink_m``), a ratio below the team's pooled ratio ``p_team = Σk/Σn`` is
lifted by (m − n)/m of the gap, ``raw + (m − n)/m · (p_team − raw)``; from m records on,
and for a ratio at or above the team's, the rep's own ratio counts as it is. So one bad
record out of one does not make a 0, a rep's diligence is never diluted by a weaker team,
a perfect record (1.0) always stays above every imperfect one, and two reps with the same
ratio on m records or more score the same whatever their volume (a new joiner, a rep back
from leave, a rep with twice the deals).
Uniqueness shrinks the duplicate-free share the same way and maps the duplicate rate with
``max(0, 1 - rate/dup_rate_cap)``; it only counts when reconcile's identities exist.
Owners the store has no user for are not employees: they are reported by the
``unknown_user`` rule and score nothing. Team score: the mean of active member scores
weighted by each member's record count.

Every figure is exact: ratios and weights are ``Fraction``/``Decimal``, never floats. A
component's value is rounded to 4 places, an employee's and a team's score to 1 place, each
once and half to even on the exact value (``sync.store.view.usage.figure``); the config's
weights, ``shrink_m`` and ``dup_rate_cap`` are read as the decimals they are written as.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sync.audit.checks import (
    Context,
    case_closed_at,
    case_hours,
    deal_last_touch,
    has_contact_role,
    invalid_fields,
    is_late_entry,
    is_lead,
    is_reopened,
    late_entries,
    lead_response,
    lead_rows,
    missing_fields,
    needs_next_step,
    never_contacted,
    outcome_missing,
    owner_touches,
)
from sync.audit.employees import Directory
from sync.audit.findings import Finding
from sync.audit.history import deal_history, responsible_owner
from sync.audit.snapshot import Row, actor
from sync.config.audit import COMPONENTS
from sync.store.view.usage import Component, UsageScore, figure

__all__ = [
    "RULE_COMPONENTS",
    "Component",
    "UsageScore",
    "compute_scores",
    "decimal_of",
    "shrink",
    "team_ratios",
    "team_scores",
]

NO_TEAM = "(no team)"
_RECORD_LINKS = ("deal_id", "case_id", "lead_id", "contact_id", "account_id")

# The component each rule's findings lower (``audit explain`` shows it on each line).
# ``owned_by_inactive_user`` and ``unknown_user`` are about records whose owner is not an
# active employee: they lower nobody's score.
RULE_COMPONENTS: dict[str, str] = {
    "won_deal_no_activity": "activity_coverage",
    "open_deal_stale": "freshness",
    "open_deal_past_close": "freshness",
    "deal_created_at_close": "freshness",
    "late_activity_entry": "freshness",
    "case_over_sla": "freshness",  # open cases; closed ones: responsiveness
    "missing_required_fields": "completeness",
    "missing_source_channel": "completeness",
    "won_deal_no_contact_role": "completeness",
    "slow_lead_response": "responsiveness",
    "lead_never_contacted": "responsiveness",
    "case_closed_unrecorded": "activity_coverage",
    "call_without_outcome": "activity_coverage",
    "open_deal_no_next_step": "completeness",
    "case_reopened": "responsiveness",
    "duplicate_created": "uniqueness",
    # from the CRM's history (sync.audit.history): a closed deal's record is not fresh
    "deal_entered_at_won": "freshness",
    "deal_changed_after_close": "freshness",
    "close_date_not_won_day": "freshness",
    "close_date_pushed": "freshness",
    "lost_after_reassignment": "freshness",
}


Counts = dict[str, dict[str, list[int]]]


class _Tally:
    """k and n of every component per employee key, and the window they are counted in."""

    def __init__(self, ctx: Context, people: Directory) -> None:
        self.ctx = ctx
        self.people = people
        self.start = ctx.as_of - timedelta(days=ctx.config.window_days)
        self.today, self.first_day = ctx.as_of.date(), self.start.date()
        self.counts: Counts = defaultdict(lambda: {c: [0, 0] for c in COMPONENTS})

    def add(self, user: str | None, source: str, component: str, ok: bool) -> None:
        key = self.people.known_key(source, user)
        if key is not None:
            cell = self.counts[key][component]
            cell[0] += int(ok)
            cell[1] += 1

    def in_window(self, row: Row) -> bool:
        created = row.get("remote_created_at")
        return created is not None and self.start < created <= self.ctx.as_of


def _count(ctx: Context, people: Directory, findings: list[Finding]) -> Counts:
    """k and n of every component per employee key (known employees only)."""
    tally = _Tally(ctx, people)
    judged: set[tuple[str, str]] = set()  # late activities already judged on their deal
    for deal in ctx.snapshot.rows("deals"):
        _count_deal(tally, deal, judged)
    _count_late_records(tally, judged)
    for case in ctx.snapshot.rows("cases"):
        _count_case(tally, case)
    _count_leads(tally)
    _count_records(tally, findings)
    return tally.counts


def _count_deal(tally: _Tally, deal: Row, judged: set[tuple[str, str]]) -> None:
    ctx, add = tally.ctx, tally.add
    created = deal.get("remote_created_at")
    if created is None or created > ctx.as_of:
        return
    is_open = not deal.get("is_closed")
    close = deal.get("close_date")
    closed_in_window = closed_in(deal, tally.first_day, tally.today)
    # the loss of a deal reassigned just before it was lost is its previous owner's
    owner, source = responsible_owner(ctx, deal), deal["source"]
    history = deal_history(ctx, deal)
    touches = owner_touches(ctx.snapshot, deal)
    # A call logged without its outcome does not show the deal was worked.
    worked = [a for a in touches if not outcome_missing(ctx, a)]
    # A deal whose activities in the window entered the CRM late was not kept current.
    late = late_entries(ctx, touches)
    logged_late = bool(late)
    if is_open or closed_in_window or tally.in_window(deal):
        add(owner, source, "activity_coverage", bool(worked))
    if needs_next_step(ctx, deal):
        # A late-stage deal's record is complete only with what happens next.
        add(owner, source, "completeness", bool((deal.get("next_step") or "").strip()))
    if is_open:
        last = deal_last_touch(ctx.snapshot, deal, ctx.as_of) or created
        past_due = close is not None and close < tally.today
        fresh = ctx.as_of - last <= timedelta(days=ctx.config.stale_days) and not past_due
        pushed = history is not None and history.pushed
        add(owner, source, "freshness", fresh and not logged_late and not pushed)
    elif closed_in_window:
        # Pipeline freshness of a closed deal: was it in the CRM before it closed?
        on_time = not is_late_entry(deal, ctx.config.late_entry_days)
        # its history: entered at won, changed after close, close date off or pushed,
        # lost just after a reassignment (charged to the owner before)
        kept = history is None or not (history.closed_faults or history.loss_owner)
        add(owner, source, "freshness", on_time and not logged_late and kept)
    if is_open or closed_in_window:
        judged.update((a["source"], a["remote_id"]) for a in late)


def _count_late_records(tally: _Tally, judged: set[tuple[str, str]]) -> None:
    # Late entries on records other than the deals above (a lead, a contact, a case): one
    # failed freshness check per record, for whoever answers for the activity. Records
    # kept current add nothing here (their activities are timely).
    ctx = tally.ctx
    late_records: set[tuple[tuple[str, str | None, Any], str | None]] = set()
    for activity in late_entries(ctx, ctx.snapshot.rows("activities")):
        source = activity["source"]
        if (source, activity["remote_id"]) in judged:
            continue
        link = next((k for k in _RECORD_LINKS if activity.get(k)), None)
        record = (source, link, activity.get(link) if link else activity["remote_id"])
        user = actor(activity) or ctx.snapshot.record_owner(activity)
        if (record, user) not in late_records:
            late_records.add((record, user))
            tally.add(user, source, "freshness", False)


def _count_case(tally: _Tally, case: Row) -> None:
    ctx, add = tally.ctx, tally.add
    sla_cases = ctx.config.case_sla_hours
    hours = case_hours(case, ctx.as_of)
    owner, source = case.get("owner_id"), case["source"]
    if case.get("is_closed") and case_closed_at(case) and tally.in_window(case):
        ok = hours is not None and hours <= sla_cases
        add(
            owner,
            source,
            "responsiveness",
            ok and not is_reopened(case, ctx.config.reopened_statuses),
        )
    elif not case.get("is_closed"):
        add(owner, source, "freshness", hours is not None and hours <= sla_cases)
    if tally.in_window(case) or not case.get("is_closed"):
        # Covered when something is recorded on it: a case closed with no activity
        # logged has no record of how (or whether) it was resolved.
        touched = any(
            not outcome_missing(ctx, a)
            for a in ctx.snapshot.touches_of(source, "case_id", case["remote_id"])
        )
        add(owner, source, "activity_coverage", touched)


def _count_leads(tally: _Tally) -> None:
    ctx = tally.ctx
    sla = ctx.config.lead_sla_hours
    for lead in lead_rows(ctx):
        if never_contacted(ctx, lead, tally.people) is not None:
            tally.add(lead.get("owner_id"), lead["source"], "responsiveness", False)
    for lead in lead_rows(ctx, measured=True):
        if not tally.in_window(lead):
            continue
        measured = lead_response(ctx, lead)
        if measured is not None:
            tally.add(
                measured[1] or lead.get("owner_id"),
                lead["source"],
                "responsiveness",
                measured[0] <= sla,
            )


def _count_records(tally: _Tally, findings: list[Finding]) -> None:
    ctx, add = tally.ctx, tally.add
    duplicates = {(f.source, f.remote_id) for f in findings if f.rule == "duplicate_created"}
    for table in ("leads", "contacts", "accounts", "deals"):
        for row in ctx.snapshot.rows(table):
            # A deal won or lost in the window is judged on its record (its contact role,
            # its fields) even when it was opened before the window.
            if not tally.in_window(row) and not (
                table == "deals" and closed_in(row, tally.first_day, tally.today)
            ):
                continue
            source, creator = row["source"], row["_creator"]
            if ctx.required(row):
                no_source = (table == "deals" or is_lead(ctx, row)) and not row.get(
                    "source_channel"
                )
                no_role = (
                    table == "deals"
                    and row.get("is_won")
                    and not has_contact_role(ctx.snapshot, row)
                )
                complete = not missing_fields(ctx, row) and not no_source and not no_role
                add(creator, source, "completeness", complete)
            add(creator, source, "validity", not invalid_fields(row))
            if tally.people.has_identities and table != "deals":
                # k counts duplicates here; turned into 1 - rate/cap at scoring time.
                add(creator, source, "uniqueness", (source, row["remote_id"]) in duplicates)


def closed_in(deal: Row, first_day: date, last_day: date) -> bool:
    """Whether a deal closed in (``first_day``, ``last_day``]."""
    close = deal.get("close_date")
    return bool(deal.get("is_closed")) and close is not None and first_day < close <= last_day


def team_ratios(
    cells: dict[str, tuple[str, dict[str, tuple[int, int]]]],
) -> dict[str, dict[str, tuple[int, int]]]:
    """Pooled (Σk, Σn) per team and component, from ``{key: (team, {component: (k, n)})}``."""
    pooled: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for team, parts in cells.values():
        for name, (k, n) in parts.items():
            tk, tn = pooled[team].get(name, (0, 0))
            pooled[team][name] = (tk + k, tn + n)
    return dict(pooled)


def decimal_of(value: float | int | Decimal) -> Decimal:
    """A number of the configuration as the decimal it is written as (YAML's ``0.3`` is
    ``Decimal("0.3")``, not the float nearest to it)."""
    return value if isinstance(value, Decimal) else Decimal(repr(value))


def shrink(
    name: str, k: int, n: int, tk: int, tn: int, m: Fraction, dup_rate_cap: Fraction
) -> Fraction:
    """A component's value from the employee's k/n and the team's pooled Σk/Σn.

    With fewer than ``m`` records a ratio below the team's is lifted toward it by
    ``(m − n)/m`` of the gap; otherwise the ratio is kept. For uniqueness
    k counts duplicates: the duplicate-free share is shrunk, then the rate is mapped with
    ``max(0, 1 - rate / dup_rate_cap)``.
    """
    if name == "uniqueness":
        good = _lift(n - k, n, tn - tk, tn, m)
        return max(Fraction(0), 1 - (1 - good) / dup_rate_cap)
    return _lift(k, n, tk, tn, m)


def _lift(k: int, n: int, tk: int, tn: int, m: Fraction) -> Fraction:
    raw, team = Fraction(k, n), Fraction(tk, tn)
    if raw >= team or n >= m:
        return raw
    return raw + (m - n) / m * (team - raw)


def compute_scores(ctx: Context, people: Directory, findings: list[Finding]) -> list[UsageScore]:
    """Usage scores of every employee with records, sorted by employee key."""
    counts = _count(ctx, people, findings)
    team_of: dict[str, str] = {}
    for key in counts:
        team = people.get(key).team
        if team is None:
            # No team in the CRM: service staff are those whose records are mostly cases.
            team = "service" if _mostly_cases(ctx, people, key) else NO_TEAM
        team_of[key] = team
    pooled = team_ratios(
        {
            key: (team_of[key], {name: (k, n) for name, (k, n) in cells.items()})
            for key, cells in counts.items()
        }
    )
    m = Fraction(decimal_of(ctx.config.shrink_m))
    cap = Fraction(decimal_of(ctx.config.dup_rate_cap))
    scores: list[UsageScore] = []
    for key in sorted(counts):
        employee = people.get(key)
        team = team_of[key]
        profile = ctx.config.profile_of(team)
        weights = {k: decimal_of(w) for k, w in ctx.config.weights[profile].items()}
        components: list[Component] = []
        for name in COMPONENTS:
            k, n = counts[key][name]
            tk, tn = pooled[team][name]
            value = None
            if n:  # no records: no opportunity to act, the component does not count
                value = figure(shrink(name, k, n, tk, tn, m, cap), 4)
            components.append(Component(name, k, n, value, weights.get(name, Decimal("0.0"))))
        scores.append(
            UsageScore(
                subject=key,
                kind="employee",
                name=employee.name,
                team=team,
                profile=profile,
                active=employee.active,
                score=_combine(components),
                records=sum(c.denominator for c in components),
                components=components,
                users=list(employee.users),
            )
        )
    return scores


def _mostly_cases(ctx: Context, people: Directory, key: str) -> bool:
    cases = sum(
        1
        for c in ctx.snapshot.rows("cases")
        if people.key_of(c["source"], c.get("owner_id")) == key
    )
    deals = sum(
        1
        for d in ctx.snapshot.rows("deals")
        if people.key_of(d["source"], d.get("owner_id")) == key
    )
    return cases > deals


def _combine(components: list[Component]) -> Decimal | None:
    used = [c for c in components if c.value is not None and c.weight > 0]
    total = sum((c.weight for c in used), Decimal(0))
    if not total:
        return None
    points = sum((c.weight * (c.value or 0) for c in used), Decimal(0))  # exact: no division
    return figure(100 * Fraction(points) / Fraction(total), 1)


def team_scores(scores: list[UsageScore]) -> list[UsageScore]:
    """Team scores: member scores weighted by each member's record count."""
    teams: dict[str, list[UsageScore]] = defaultdict(list)
    for score in scores:
        if score.score is not None and score.active:
            teams[score.team].append(score)
    result: list[UsageScore] = []
    for team in sorted(teams):
        members = teams[team]
        weight = sum(max(1, s.records) for s in members)
        value = Fraction(sum((s.score or 0) * max(1, s.records) for s in members)) / weight
        result.append(
            UsageScore(
                subject=f"team:{team}",
                kind="team",
                name=team,
                team=team,
                profile=members[0].profile,
                active=True,
                score=figure(value, 1),
                records=sum(s.records for s in members),
            )
        )
    return result
