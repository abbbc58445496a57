"""Pairs of hand-built reps for the audit: two reps alike except for one behaviour.

``audit`` runs the whole pure audit (point-in-time view, creators, rules, scores) over
store rows and returns the scores by employee key and the findings.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from audit_rows import AS_OF, SF_OPP_OK, activity, at, row

from sync.audit.audits import audit_snapshot
from sync.audit.findings import Finding, LinkBuilder
from sync.audit.scores import UsageScore
from sync.audit.snapshot import Snapshot
from sync.config.audit import AuditConfig
from sync.store.view.identity_map import IdentityLookup

__all__ = [
    "AS_OF",
    "activity",
    "at",
    "audit",
    "audit_at",
    "deal",
    "part",
    "row",
    "rules_of",
    "user",
]

TABLES = (
    "users",
    "leads",
    "contacts",
    "accounts",
    "deals",
    "deal_contacts",
    "activities",
    "cases",
    "field_changes",
)


def user(user_id: str, source: str = "salesforce", team: str = "field_sales") -> dict[str, Any]:
    return row(source, user_id, name=f"Rep {user_id}", is_active=True, department=team)


def deal(
    deal_id: str,
    owner: str,
    created: str,
    close: date,
    *,
    closed: bool,
    source: str = "salesforce",
    **fields: Any,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "owner_id": owner,
        "is_closed": closed,
        "is_won": closed,
        "close_date": close,
        "amount": Decimal("1000"),
        "currency": "EUR",
        "source_channel": "web",
        "contact_id": "C-" + deal_id,
        "raw": {**SF_OPP_OK, "CreatedById": owner},
    }
    values.update(fields)
    return row(source, deal_id, created, **values)


def audit(
    tables: dict[str, list[dict[str, Any]]],
    config: AuditConfig | None = None,
    kinds: dict[str, str] | None = None,
    identities: IdentityLookup | None = None,
) -> tuple[dict[str, UsageScore], list[Finding]]:
    return audit_at(tables, AS_OF, config, kinds, identities)


def audit_at(
    tables: dict[str, list[dict[str, Any]]],
    as_of: datetime,
    config: AuditConfig | None = None,
    kinds: dict[str, str] | None = None,
    identities: IdentityLookup | None = None,
) -> tuple[dict[str, UsageScore], list[Finding]]:
    """``audit`` at another audit date."""
    full: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    full.update(tables)
    result = audit_snapshot(
        Snapshot.from_rows(full, kinds),
        config or AuditConfig(),
        as_of,
        identities,
        LinkBuilder({}, {}, {}, "0"),
    )
    return {s.subject: s for s in result.scores}, result.findings


def part(score: UsageScore, name: str) -> tuple[int, int, float | None]:
    found = next(c for c in score.components if c.name == name)
    return (found.numerator, found.denominator, found.value)


def rules_of(findings: list[Finding], employee: str) -> list[tuple[str, str]]:
    """(rule, record id) of one employee's findings."""
    return [(f.rule, f.remote_id) for f in findings if f.employee == employee]
