"""Data-quality score per record and engagement score per customer account.

DQ score (0-100) = share of a record's checks it passes: required fields filled, formats
valid, source channel set (leads, HubSpot lead-stage contacts, deals); for deals also a
logged activity by the owner, a contact role (won deals) and, when open, not stale or past
its close date.

Engagement (0-100) of an account over the last 90 days before ``as_of``, from activities
linked to the account or its contacts, across CRMs when reconcile grouped the accounts:
``100 × (0.5·recency + 0.35·frequency + 0.15·breadth)`` with recency
``max(0, 1 - days since last touch / 180)``, frequency ``min(1, touches / 12)`` and
breadth ``min(1, distinct channels / 3)``.

Both are exact: computed as fractions (the engagement weights as the decimals they are
written as) and rounded once, half to even, to 1 place (``sync.store.view.usage.figure``);
they are ``Decimal`` from here to the store and the CRMs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from sync.audit.checks import (
    Context,
    deal_last_touch,
    has_contact_role,
    invalid_fields,
    is_lead,
    missing_fields,
    owner_touches,
)
from sync.audit.employees import Directory
from sync.audit.snapshot import Row
from sync.store.view.usage import figure

__all__ = ["DqScore", "Engagement", "engagement_scores", "record_dq_scores"]

_ENGAGEMENT_DAYS = 90
# recency, frequency and breadth weights, exact
_RECENCY, _FREQUENCY, _BREADTH = Fraction("0.5"), Fraction("0.35"), Fraction("0.15")


@dataclass(frozen=True)
class DqScore:
    """A record's data-quality score and the checks it failed."""

    source: str
    table: str
    remote_id: str
    score: Decimal
    failed: tuple[str, ...]


@dataclass(frozen=True)
class Engagement:
    """A customer account's engagement score."""

    account: str
    name: str | None
    score: Decimal
    touches: int
    channels: int
    last_touch_at: datetime | None


def _checks(ctx: Context, row: Row) -> dict[str, bool]:
    checks = {"required_fields": not missing_fields(ctx, row)} if ctx.required(row) else {}
    checks["valid_format"] = not invalid_fields(row)
    table = row["_table"]
    if table == "deals" or is_lead(ctx, row):
        checks["source_channel"] = bool(row.get("source_channel"))
    if table == "deals":
        checks["logged_activity"] = bool(owner_touches(ctx.snapshot, row))
        if row.get("is_won"):
            checks["contact_role"] = has_contact_role(ctx.snapshot, row)
        if not row.get("is_closed"):
            last = deal_last_touch(ctx.snapshot, row, ctx.as_of) or row.get("remote_created_at")
            stale = last is not None and ctx.as_of - last > timedelta(days=ctx.config.stale_days)
            close = row.get("close_date")
            checks["fresh"] = not stale and not (close and close < ctx.as_of.date())
    return checks


def record_dq_scores(ctx: Context) -> list[DqScore]:
    """DQ scores of leads, contacts, accounts and deals, sorted by source, table, id."""
    scores: list[DqScore] = []
    for table in ("leads", "contacts", "accounts", "deals"):
        for row in ctx.snapshot.rows(table):
            checks = _checks(ctx, row)
            passed = sum(checks.values())
            failed = tuple(sorted(name for name, ok in checks.items() if not ok))
            score = figure(Fraction(100 * passed, len(checks)), 1)
            scores.append(DqScore(row["source"], table, row["remote_id"], score, failed))
    return scores


def engagement_scores(ctx: Context, people: Directory) -> list[Engagement]:
    """Engagement of every customer account (an identity when reconcile grouped them)."""
    start = ctx.as_of - timedelta(days=_ENGAGEMENT_DAYS)
    key_of: dict[tuple[str, str], str] = {}
    names: dict[str, str | None] = {}
    for account in ctx.snapshot.rows("accounts"):
        source, rid = account["source"], account["remote_id"]
        key = people.identity_of(source, "accounts", rid) or f"{source}:{rid}"
        key_of[(source, rid)] = key
        names.setdefault(key, account.get("name"))
    contact_account: dict[tuple[str, str], str] = {}
    for contact in ctx.snapshot.rows("contacts"):
        if contact.get("account_id"):
            contact_account[(contact["source"], contact["remote_id"])] = contact["account_id"]
    seen: dict[str, dict[str, Row]] = defaultdict(dict)
    for activity in ctx.snapshot.rows("activities"):
        at = activity.get("occurred_at")
        if at is None or at > ctx.as_of:
            continue
        source = activity["source"]
        account_id = activity.get("account_id") or contact_account.get(
            (source, activity.get("contact_id") or "")
        )
        identity = key_of.get((source, account_id or ""))
        if identity is not None:
            seen[identity][f"{source}:{activity['remote_id']}"] = activity
    result: list[Engagement] = []
    for key in sorted(names):
        touches = list(seen.get(key, {}).values())
        last = max((a["occurred_at"] for a in touches), default=None)
        recent = [a for a in touches if a["occurred_at"] > start]
        channels = {a.get("channel") or a.get("activity_type") for a in recent}
        recency = max(Fraction(0), 1 - Fraction((ctx.as_of - last).days, 180)) if last else 0
        frequency = min(Fraction(1), Fraction(len(recent), 12))
        breadth = min(Fraction(1), Fraction(len(channels), 3))
        exact = 100 * (_RECENCY * recency + _FREQUENCY * frequency + _BREADTH * breadth)
        score = figure(exact, 1)
        result.append(Engagement(key, names[key], score, len(recent), len(channels), last))
    return result
