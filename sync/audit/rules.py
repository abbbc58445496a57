"""The audit rules: each yields findings naming the rule, the record, its owner and why.

Attribution: record-quality rules (missing fields, duplicates) blame the user who created
the record (the connector profile's creator field; the owner where the CRM does not say);
pipeline and case rules blame the owner; the lead-response rule blames the user whose first
touch was late (the owner when nobody touched the lead). A user id the store has no user
for is no employee: findings name it in ``user_id`` with no employee, and
``unknown_user`` reports each record it owns as a data-quality problem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

from sync.audit.checks import (
    Context,
    case_hours,
    deal_last_touch,
    has_contact_role,
    is_late_entry,
    is_reopened,
    late_entries,
    lead_response,
    lead_rows,
    missing_fields,
    needs_next_step,
    never_contacted,
    owner_touches,
    without_outcome,
)
from sync.audit.employees import Directory
from sync.audit.findings import Finding, LinkBuilder
from sync.audit.rules_history import HISTORY_RULES
from sync.audit.snapshot import Row, actor

__all__ = ["RULES", "run_rules"]

Emit = Callable[[Row, str | None, str], Finding]
Rule = Callable[[Context, Directory, Emit], Iterator[Finding]]

_QUALITY_TABLES = ("leads", "contacts", "accounts", "deals")


def _missing_required_fields(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    for table in _QUALITY_TABLES:
        for row in ctx.snapshot.rows(table):
            missing = missing_fields(ctx, row)
            if missing:
                yield emit(row, row["_creator"], f"required fields empty: {', '.join(missing)}")


def _deal_created_at_close(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    days = ctx.config.late_entry_days
    for deal in ctx.snapshot.rows("deals"):
        if is_late_entry(deal, days):
            created = deal["remote_created_at"].date().isoformat()
            yield emit(
                deal,
                deal.get("owner_id"),
                f"created {created}, closed {deal['close_date'].isoformat()}: not in the CRM "
                "before it closed",
            )


def _won_deal_no_activity(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    for deal in ctx.snapshot.rows("deals"):
        if deal.get("is_won") and not owner_touches(ctx.snapshot, deal):
            yield emit(deal, deal.get("owner_id"), "won with no activity logged by its owner")


def _won_deal_no_contact_role(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    for deal in ctx.snapshot.rows("deals"):
        if deal.get("is_won") and not has_contact_role(ctx.snapshot, deal):
            yield emit(deal, deal.get("owner_id"), "won with no contact role")


def _open_deal_stale(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    limit = timedelta(days=ctx.config.stale_days)
    for deal in ctx.snapshot.rows("deals"):
        if deal.get("is_closed"):
            continue
        last = deal_last_touch(ctx.snapshot, deal, ctx.as_of) or deal.get("remote_created_at")
        if last is not None and ctx.as_of - last > limit:
            days = (ctx.as_of - last).days
            yield emit(deal, deal.get("owner_id"), f"open, no activity for {days} days")


def _late_activity_entry(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    window = ctx.config.entry_lag_days
    for activity in late_entries(ctx, ctx.snapshot.rows("activities")):
        occurred, entered = activity["occurred_at"], activity["remote_created_at"]
        lag = (entered - occurred).total_seconds() / 86400
        yield emit(
            activity,
            actor(activity) or ctx.snapshot.record_owner(activity),
            f"{activity.get('activity_type') or 'activity'} on {occurred.date().isoformat()} "
            f"entered {entered.date().isoformat()}: {lag:.1f} days later (window {window:g} days)",
        )


def _call_without_outcome(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    for activity in without_outcome(ctx, ctx.snapshot.rows("activities")):
        occurred = activity["occurred_at"].date().isoformat()
        yield emit(
            activity,
            actor(activity) or ctx.snapshot.record_owner(activity),
            f"{activity['activity_type']} on {occurred} logged with no outcome",
        )


def _open_deal_no_next_step(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    floor = ctx.config.next_step_probability
    for deal in ctx.snapshot.rows("deals"):
        if needs_next_step(ctx, deal) and not (deal.get("next_step") or "").strip():
            yield emit(
                deal,
                deal.get("owner_id"),
                f"open at {float(deal['probability']):g}% (from {floor:g}%) with no next step",
            )


def _open_deal_past_close(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    today = ctx.as_of.date()
    for deal in ctx.snapshot.rows("deals"):
        close = deal.get("close_date")
        if not deal.get("is_closed") and close is not None and close < today:
            yield emit(deal, deal.get("owner_id"), f"open with close date {close} in the past")


def _slow_lead_response(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    sla = ctx.config.lead_sla_hours
    for lead in lead_rows(ctx, measured=True):
        measured = lead_response(ctx, lead)
        if measured is not None and measured[0] > sla:
            hours, toucher = measured
            yield emit(
                lead,
                toucher or lead.get("owner_id"),
                f"first touch after {hours:.0f} h (SLA {sla:g} h)",
            )


def _lead_never_contacted(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    sla = ctx.config.lead_sla_hours
    for lead in lead_rows(ctx):
        hours = never_contacted(ctx, lead, people)
        if hours is not None:
            created = lead["remote_created_at"].date().isoformat()
            yield emit(
                lead,
                lead.get("owner_id"),
                f"created {created}, not contacted in the {hours:.0f} h since (SLA {sla:g} h)",
            )


def _case_closed_unrecorded(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    start = ctx.as_of - timedelta(days=ctx.config.window_days)
    for case in ctx.snapshot.rows("cases"):
        created = case.get("remote_created_at")
        if not case.get("is_closed") or created is None or created <= start:
            continue
        if not ctx.snapshot.touches_of(case["source"], "case_id", case["remote_id"]):
            yield emit(
                case, case.get("owner_id"), "closed with no activity recording its resolution"
            )


def _case_over_sla(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    sla = ctx.config.case_sla_hours
    for case in ctx.snapshot.rows("cases"):
        hours = case_hours(case, ctx.as_of)
        if hours is not None and hours > sla:
            state = "resolved after" if case.get("is_closed") else "open for"
            yield emit(case, case.get("owner_id"), f"{state} {hours:.0f} h (SLA {sla:g} h)")


def _case_reopened(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    for case in ctx.snapshot.rows("cases"):
        if is_reopened(case, ctx.config.reopened_statuses):
            yield emit(case, case.get("owner_id"), f"reopened (status {case.get('status')})")


def _missing_source_channel(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    for row in [*lead_rows(ctx), *ctx.snapshot.rows("deals")]:
        if not row.get("source_channel"):
            kind = "lead" if row["_table"] != "deals" else "deal"
            yield emit(row, row["_creator"], f"{kind} without a source channel")


def _owned_by_inactive_user(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    for table in ("leads", "contacts", "accounts", "deals", "cases"):
        for row in ctx.snapshot.rows(table):
            owner = row.get("owner_id")
            if table in ("deals", "cases") and row.get("is_closed"):
                continue
            if table == "leads" and row.get("converted"):
                continue
            if owner and not people.is_active_user(ctx.snapshot, row["source"], owner):
                yield emit(row, owner, "owned by an inactive user")


def _unknown_user(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    for table in ("leads", "contacts", "accounts", "deals", "cases"):
        for row in ctx.snapshot.rows(table):
            owner = row.get("owner_id")
            if owner and people.known_key(row["source"], owner) is None:
                yield emit(row, owner, f"owner {owner} is not a user of {row['source']}")


def _duplicate_created(ctx: Context, people: Directory, emit: Emit) -> Iterator[Finding]:
    if not people.has_identities:
        return  # needs reconcile's identities
    first: dict[tuple[str, str, str], Row] = {}
    rows = [r for t in ("leads", "contacts", "accounts") for r in ctx.snapshot.rows(t)]
    rows.sort(
        key=lambda r: (r["remote_created_at"] is None, r["remote_created_at"], r["remote_id"])
    )
    for row in rows:
        identity = people.identity_of(row["source"], row["_table"], row["remote_id"])
        if identity is None:
            continue
        key = (row["source"], row["_table"], identity)
        if key not in first:
            first[key] = row
            continue
        earlier = first[key]
        yield emit(
            row,
            row["_creator"],
            f"duplicate of {earlier['remote_id']} ({identity}), which existed since "
            f"{earlier['remote_created_at'].date() if earlier['remote_created_at'] else '?'}",
        )


RULES: dict[str, Rule] = {
    "missing_required_fields": _missing_required_fields,
    "deal_created_at_close": _deal_created_at_close,
    "won_deal_no_activity": _won_deal_no_activity,
    "won_deal_no_contact_role": _won_deal_no_contact_role,
    "open_deal_stale": _open_deal_stale,
    "open_deal_past_close": _open_deal_past_close,
    "late_activity_entry": _late_activity_entry,
    "call_without_outcome": _call_without_outcome,
    "open_deal_no_next_step": _open_deal_no_next_step,
    "slow_lead_response": _slow_lead_response,
    "lead_never_contacted": _lead_never_contacted,
    "case_over_sla": _case_over_sla,
    "case_closed_unrecorded": _case_closed_unrecorded,
    "case_reopened": _case_reopened,
    "missing_source_channel": _missing_source_channel,
    "owned_by_inactive_user": _owned_by_inactive_user,
    "duplicate_created": _duplicate_created,
    "unknown_user": _unknown_user,
    **HISTORY_RULES,
}


def run_rules(ctx: Context, people: Directory, links: LinkBuilder) -> list[Finding]:
    """Run every enabled rule; findings sorted by rule, source, object and id."""
    findings: list[Finding] = []
    for name, rule in RULES.items():
        if name in ctx.config.disabled_rules:
            continue

        def emit(row: Row, user: str | None, why: str, rule_name: str = name) -> Finding:
            source, obj, rid = row["source"], row["_object"], row["remote_id"]
            return Finding(
                rule=rule_name,
                source=source,
                object=obj,
                remote_id=rid,
                employee=people.known_key(source, user),
                user_id=user,
                message=why,
                link=links(source, obj, rid),
            )

        findings.extend(rule(ctx, people, emit))
    return sorted(findings, key=Finding.sort_key)
