"""Per-record checks shared by the rules, the usage score and the data-quality score.

All pure: they read a :class:`~sync.audit.snapshot.Snapshot` row and ``as_of``, never the
wall clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from connectors.core.registry import profile_of
from sync.audit.employees import Directory
from sync.audit.snapshot import Row, Snapshot, actor, entered_at, raw_value
from sync.config.audit import AuditConfig

__all__ = [
    "Context",
    "case_closed_at",
    "case_hours",
    "deal_last_touch",
    "entry_lag_days",
    "has_contact_role",
    "invalid_fields",
    "is_late_entry",
    "is_lead",
    "is_reopened",
    "late_entries",
    "lead_response",
    "lead_rows",
    "missing_fields",
    "never_contacted",
    "owner_touches",
]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PLACEHOLDER_EMAILS = {"noemail@example.com", "n/a", "none", "na", "test@test.com"}
_PHONE_JUNK = re.compile(r"[\s().\-+/]")


@dataclass
class Context:
    """What every check needs: the records, the configuration and the audit date."""

    snapshot: Snapshot
    config: AuditConfig
    as_of: datetime

    _required: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    _touched_identities: set[str] | None = None

    def required(self, row: Row) -> list[str]:
        """Required CRM fields of a row's object."""
        key = (row["source"], row["_object"])
        if key not in self._required:
            kind = self.snapshot.kind(key[0])
            self._required[key] = self.config.required_for(key[0], kind, key[1])
        return self._required[key]


def missing_fields(ctx: Context, row: Row) -> list[str]:
    """Required fields left blank on a record, in configuration order."""
    # Rules, scores and DQ all ask: computed once per row and audit.
    cached = row.get("_missing")
    if cached is None or cached[0] is not ctx:
        raw = row.get("raw") or {}
        required = ctx.required(row)
        if is_consumer(ctx, row):
            business = profile_of(ctx.snapshot.kind(row["source"])).business_fields
            required = [n for n in required if n not in business.get(row["_object"], ())]
        found = [name for name in required if _blank(raw_value(raw, name))]
        cached = row["_missing"] = (ctx, found)
    return list(cached[1])


def is_consumer(ctx: Context, row: Row) -> bool:
    """A consumer's contact (no employer, no job title): a person account's contact, or a
    contact that meets its source's consumer rule (``audit.consumer_contacts``)."""
    if row["_table"] != "contacts":
        return False
    account, source = row.get("account_id"), row["source"]
    if account and ctx.snapshot.person_accounts.get((source, account)) == row["remote_id"]:
        return True
    rule = ctx.config.consumer_rule(source, ctx.snapshot.kind(source))
    if rule is None:
        return False
    raw = row.get("raw") or {}
    if not all(_blank(raw_value(raw, name)) for name in rule.blank):
        return False
    return all(
        str(raw_value(raw, name) or "").strip() in values for name, values in rule.equals.items()
    )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_late_entry(deal: Row, days: int) -> bool:
    """A closed deal created on, or ``days`` days before, its close date (or after it)."""
    created, close = deal.get("remote_created_at"), deal.get("close_date")
    if not deal.get("is_closed") or created is None or close is None:
        return False
    return created.date() >= close - timedelta(days=days)


def has_contact_role(snapshot: Snapshot, deal: Row) -> bool:
    """Whether a deal names a contact (a contact role, or its primary contact); a deal on a
    consumer's person account names one by its account: the account is the person."""
    key = (deal["source"], deal["remote_id"])
    if deal.get("contact_id") or key in snapshot.deal_contacts:
        return True
    return (deal["source"], deal.get("account_id")) in snapshot.person_accounts


def owner_touches(snapshot: Snapshot, deal: Row) -> list[Row]:
    """A deal's activities on the deal itself, or by its owner on its lead or contacts
    (an activity no employee answers for, an integration's, counts as the owner's)."""
    owner, created = deal.get("owner_id"), deal.get("remote_created_at")
    leads = set(snapshot.lead_of_deal.get((deal["source"], deal["remote_id"]), []))
    found: list[Row] = []
    for a in snapshot.deal_touches(deal):
        if a.get("deal_id") == deal["remote_id"]:
            found.append(a)
        elif owner and actor(a) in (owner, None):
            # On the lead it came from: any time; on its contacts: once the deal existed.
            at = a["occurred_at"]
            if a.get("lead_id") in leads or created is None or (at and at >= created):
                found.append(a)
    return found


def deal_last_touch(snapshot: Snapshot, deal: Row, as_of: datetime) -> datetime | None:
    """When the deal's last logged activity happened, up to ``as_of``."""
    times = [
        a["occurred_at"]
        for a in snapshot.deal_touches(deal)
        if a["occurred_at"] is not None and a["occurred_at"] <= as_of
    ]
    return max(times) if times else None


def entry_lag_days(activity: Row) -> float | None:
    """Days from when an activity says it happened to when it entered the CRM (``None``
    when the CRM gave no creation time or no activity time: nothing to judge)."""
    occurred, created = activity.get("occurred_at"), activity.get("remote_created_at")
    if occurred is None or created is None:
        return None
    return max(0.0, (created - occurred).total_seconds() / 86400)


def late_entries(ctx: Context, activities: list[Row]) -> list[Row]:
    """Activities that happened in the usage window and entered the CRM more than
    ``entry_lag_days`` after it."""
    start = ctx.as_of - timedelta(days=ctx.config.window_days)
    limit = ctx.config.entry_lag_days
    found = []
    for activity in activities:
        occurred, lag = activity.get("occurred_at"), entry_lag_days(activity)
        if occurred is not None and lag is not None and start < occurred and lag > limit:
            found.append(activity)
    return found


def without_outcome(ctx: Context, activities: list[Row]) -> list[Row]:
    """Activities in the usage window of a type whose outcome must be logged (a call's
    disposition), logged with none."""
    start = ctx.as_of - timedelta(days=ctx.config.window_days)
    return [
        a
        for a in activities
        if outcome_missing(ctx, a)
        and (at := a.get("occurred_at")) is not None
        and start < at <= ctx.as_of
    ]


def outcome_missing(ctx: Context, activity: Row) -> bool:
    """Whether an activity of a type that needs an outcome was logged without one."""
    return activity.get("activity_type") in ctx.config.outcome_activity_types and not (
        activity.get("outcome")
    )


def needs_next_step(ctx: Context, deal: Row) -> bool:
    """An open deal far enough along (win probability, percent) to need a next step."""
    probability = deal.get("probability")
    if deal.get("is_closed") or probability is None:
        return False
    return float(probability) >= ctx.config.next_step_probability


def lead_rows(ctx: Context, measured: bool = False) -> list[Row]:
    """The rows that are leads: lead tables, and contacts where a CRM has no lead object.

    With ``measured``, only the tables whose response time is measured.
    """
    return [
        row
        for table in ("leads", "contacts")
        for row in ctx.snapshot.rows(table)
        if is_lead(ctx, row, measured)
    ]


def is_lead(ctx: Context, row: Row, measured: bool = False) -> bool:
    """Whether a lead or contact row is a lead (HubSpot: a contact past ``subscriber``)."""
    objects = ctx.config.response_objects if measured else ctx.config.lead_objects
    if row["_table"] not in objects.get(ctx.snapshot.kind(row["source"]), []):
        return False
    skip = {stage.casefold() for stage in ctx.config.non_lead_stages}
    return (row.get("lifecycle_stage") or "").casefold() not in skip


def lead_response(ctx: Context, lead: Row) -> tuple[float, str | None] | None:
    """Hours from lead created to its first outbound touch in the CRM, and who touched it.

    A touch counts from when it entered the CRM (``entered_at``): a call logged two days
    after it was made left the lead untouched, as far as anyone could see, for two days.
    ``None`` when the lead has no touch yet (or no creation time).
    """
    created = lead.get("remote_created_at")
    if created is None:
        return None
    link = "lead_id" if lead["_table"] == "leads" else "contact_id"
    first: tuple[datetime, Row] | None = None
    for activity in ctx.snapshot.touches_of(lead["source"], link, lead["remote_id"]):
        occurred, at = activity["occurred_at"], entered_at(activity)
        if at is None or at > ctx.as_of or activity.get("direction") == "inbound":
            continue
        if (occurred or at) < created - timedelta(minutes=1):
            continue
        if first is None or at < first[0]:
            first = (at, activity)
    if first is None:
        return None
    return ((first[0] - created).total_seconds() / 3600, actor(first[1]))


def never_contacted(ctx: Context, lead: Row, people: Directory) -> float | None:
    """Hours a lead created in the usage window has waited, past its response SLA, with
    no outbound touch in the CRM (``None`` when touched, converted, still inside its
    SLA, outside the window, or with no creation time: nothing to hold against anyone).

    A lead whose response is not timed (its first touch is often logged in another CRM)
    is judged only with reconcile's identities, and a touch on any record of the same
    person, in any CRM, counts as contact."""
    created = lead.get("remote_created_at")
    start = ctx.as_of - timedelta(days=ctx.config.window_days)
    if created is None or not start < created <= ctx.as_of or lead.get("converted"):
        return None
    hours = (ctx.as_of - created).total_seconds() / 3600
    if hours <= ctx.config.lead_sla_hours:
        return None
    identity = people.identity_of(lead["source"], lead["_table"], lead["remote_id"])
    if not is_lead(ctx, lead, measured=True) and identity is None:
        return None
    if lead_response(ctx, lead) is not None:
        return None
    if identity is not None and identity in _touched_identities(ctx, people):
        return None
    return hours


def _touched_identities(ctx: Context, people: Directory) -> set[str]:
    """Person identities with an outbound touch in the CRM on any of their leads or
    contacts, in any CRM (computed once per audit)."""
    if ctx._touched_identities is None:
        found: set[str] = set()
        for table, link in (("leads", "lead_id"), ("contacts", "contact_id")):
            for row in ctx.snapshot.rows(table):
                source, rid = row["source"], row["remote_id"]
                identity = people.identity_of(source, table, rid)
                if identity is None or identity in found:
                    continue
                for activity in ctx.snapshot.touches_of(source, link, rid):
                    at = entered_at(activity)
                    if activity.get("direction") != "inbound" and at and at <= ctx.as_of:
                        found.add(identity)
                        break
        ctx._touched_identities = found
    return ctx._touched_identities


def case_closed_at(case: Row) -> datetime | None:
    """When a closed case was closed: its close time, else its last modification.

    A CRM that does not stamp a close time (or an API write that left it blank) still
    changed the case's status when it closed; the last modification is that stage change
    or later, never the audit date. ``None`` for an open case.
    """
    if not case.get("is_closed"):
        return None
    return case.get("closed_at") or case.get("remote_updated_at")


def case_hours(case: Row, as_of: datetime) -> float | None:
    """Resolution time of a case in hours (age so far for an open case); ``None`` for a
    closed case with no close or modification time."""
    opened = case.get("opened_at") or case.get("remote_created_at")
    if opened is None:
        return None
    end = case_closed_at(case) if case.get("is_closed") else as_of
    if end is None:
        return None
    return max(0.0, (end - opened).total_seconds() / 3600)


def is_reopened(case: Row, statuses: list[str]) -> bool:
    """Whether a case's status says it was reopened."""
    wanted = {s.casefold() for s in statuses}
    return (case.get("status") or "").casefold() in wanted


def invalid_fields(row: Row) -> list[str]:
    """Format problems of a record: e-mail syntax, phone digits, zero or negative amounts."""
    problems: list[str] = []
    email = row.get("email")
    if email is not None and (
        email.strip().casefold() in _PLACEHOLDER_EMAILS or not _EMAIL.match(email.strip())
    ):
        problems.append("email")
    for key in ("phone", "mobile"):
        value = row.get(key)
        if value:
            digits = _PHONE_JUNK.sub("", value)
            if not digits.isdigit() or not 7 <= len(digits) <= 15:
                problems.append(key)
    if row["_table"] == "deals":
        amount = row.get("amount")
        if amount is None or amount <= 0:
            problems.append("amount")
        if row.get("close_date") is None:
            problems.append("close_date")
    return problems
