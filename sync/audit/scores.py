"""The usage score: 0-100 per employee and team, from ratios over the employee's own records.

``score = 100 × Σ w_i·c_i / Σ w_i`` over the components where the employee had records
(a component with n = 0 is "no opportunity to act" and drops out, renormalising the rest).
Each component is a ratio k/n over records the employee owns or created in the window
(``as_of - window_days``, ``as_of``], shrunk toward the team's pooled ratio
``p_team = Σk/Σn``:  ``c = (k + m·p_team) / (n + m)`` (m = ``shrink_m``, default 10), so a
rep with three records sits near the team mean and a rep with 200 near their own ratio.
Uniqueness shrinks the duplicate rate the same way and maps it with
``max(0, 1 - rate/dup_rate_cap)``; it only counts when reconcile's identities exist.
Team score: the mean of member scores weighted by each member's record count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from sync.audit.checks import (
    Context,
    case_hours,
    deal_last_touch,
    invalid_fields,
    is_reopened,
    lead_response,
    lead_rows,
    missing_fields,
    owner_touches,
)
from sync.audit.employees import Directory
from sync.audit.findings import Finding
from sync.audit.settings import COMPONENTS
from sync.audit.snapshot import Row

__all__ = ["Component", "UsageScore", "compute_scores", "team_scores"]

NO_TEAM = "(no team)"


@dataclass
class Component:
    """One component of a score: the raw ratio, the shrunk value, and its weight."""

    name: str
    numerator: int
    denominator: int
    value: float | None
    weight: float

    @property
    def raw(self) -> float | None:
        """k/n before shrinkage (``None`` with no records)."""
        return self.numerator / self.denominator if self.denominator else None


@dataclass
class UsageScore:
    """An employee's (or team's) usage score with its explainable breakdown."""

    subject: str
    kind: str
    name: str
    team: str
    profile: str
    active: bool
    score: float | None
    records: int
    components: list[Component] = field(default_factory=list)
    users: list[tuple[str, str]] = field(default_factory=list)


Counts = dict[str, dict[str, list[int]]]


def _count(ctx: Context, people: Directory, findings: list[Finding]) -> Counts:
    """k and n of every component per employee key."""
    start = ctx.as_of - timedelta(days=ctx.config.window_days)
    counts: Counts = defaultdict(lambda: {c: [0, 0] for c in COMPONENTS})

    def add(user: str | None, source: str, component: str, ok: bool) -> None:
        key = people.key_of(source, user)
        if key is not None:
            cell = counts[key][component]
            cell[0] += int(ok)
            cell[1] += 1

    def in_window(row: Row) -> bool:
        created = row.get("remote_created_at")
        return created is not None and start < created <= ctx.as_of

    stale = timedelta(days=ctx.config.stale_days)
    today = ctx.as_of.date()
    for deal in ctx.snapshot.rows("deals"):
        created = deal.get("remote_created_at")
        if created is None or created > ctx.as_of:
            continue
        is_open = not deal.get("is_closed")
        if is_open or in_window(deal):
            add(
                deal.get("owner_id"),
                deal["source"],
                "activity_coverage",
                bool(owner_touches(ctx.snapshot, deal)),
            )
        if is_open:
            last = deal_last_touch(ctx.snapshot, deal, ctx.as_of) or created
            past_due = deal.get("close_date") is not None and deal["close_date"] < today
            add(
                deal.get("owner_id"),
                deal["source"],
                "freshness",
                ctx.as_of - last <= stale and not past_due,
            )
    sla_cases = ctx.config.case_sla_hours
    for case in ctx.snapshot.rows("cases"):
        hours = case_hours(case, ctx.as_of)
        owner, source = case.get("owner_id"), case["source"]
        if case.get("is_closed") and case.get("closed_at") and in_window(case):
            ok = hours is not None and hours <= sla_cases
            add(
                owner,
                source,
                "responsiveness",
                ok and not is_reopened(case, ctx.config.reopened_statuses),
            )
        elif not case.get("is_closed"):
            add(owner, source, "freshness", hours is not None and hours <= sla_cases)
        if in_window(case) or not case.get("is_closed"):
            touched = bool(ctx.snapshot.touches_of(source, "case_id", case["remote_id"]))
            add(owner, source, "activity_coverage", touched or bool(case.get("is_closed")))
    sla = ctx.config.lead_sla_hours
    for lead in lead_rows(ctx, measured=True):
        if not in_window(lead):
            continue
        measured = lead_response(ctx, lead)
        if measured is not None:
            add(
                measured[1] or lead.get("owner_id"),
                lead["source"],
                "responsiveness",
                measured[0] <= sla,
            )
    sourced = {"leads", "deals"}
    duplicates = {(f.source, f.remote_id) for f in findings if f.rule == "duplicate_created"}
    for table in ("leads", "contacts", "accounts", "deals"):
        for row in ctx.snapshot.rows(table):
            if not in_window(row):
                continue
            source, creator = row["source"], row["_creator"]
            if ctx.required(row):
                # A lead or deal without its source channel is incomplete too.
                no_source = table in sourced and not row.get("source_channel")
                add(creator, source, "completeness", not missing_fields(ctx, row) and not no_source)
            add(creator, source, "validity", not invalid_fields(row))
            if people.has_identities and table != "deals":
                # k counts duplicates here; turned into 1 - rate/cap at scoring time.
                add(creator, source, "uniqueness", (source, row["remote_id"]) in duplicates)
    return counts


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
    pooled: dict[str, dict[str, list[int]]] = defaultdict(lambda: {c: [0, 0] for c in COMPONENTS})
    for key, cells in counts.items():
        for name, (k, n) in cells.items():
            pooled[team_of[key]][name][0] += k
            pooled[team_of[key]][name][1] += n
    m = ctx.config.shrink_m
    scores: list[UsageScore] = []
    for key in sorted(counts):
        employee = people.get(key)
        team = team_of[key]
        profile = ctx.config.profile_of(team)
        weights = ctx.config.weights[profile]
        components: list[Component] = []
        for name in COMPONENTS:
            k, n = counts[key][name]
            tk, tn = pooled[team][name]
            value = None
            if n and tn:  # no records: no opportunity to act, the component does not count
                shrunk = (k + m * tk / tn) / (n + m) if n + m else tk / tn
                if name == "uniqueness":
                    shrunk = max(0.0, 1.0 - shrunk / ctx.config.dup_rate_cap)
                value = round(shrunk, 4)
            components.append(Component(name, k, n, value, weights.get(name, 0.0)))
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


def _combine(components: list[Component]) -> float | None:
    used = [c for c in components if c.value is not None and c.weight > 0]
    total = sum(c.weight for c in used)
    if not total:
        return None
    return round(100 * sum(c.weight * (c.value or 0.0) for c in used) / total, 1)


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
        value = sum((s.score or 0.0) * max(1, s.records) for s in members) / weight
        result.append(
            UsageScore(
                subject=f"team:{team}",
                kind="team",
                name=team,
                team=team,
                profile=members[0].profile,
                active=True,
                score=round(value, 1),
                records=sum(s.records for s in members),
            )
        )
    return result
