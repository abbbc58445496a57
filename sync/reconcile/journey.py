"""The customer journey: every touch on a person or organisation identity, across CRMs.

Touches are activities (calls, e-mails, meetings, tasks, notes), campaign memberships,
cases and deals of the identity's member records, in time order, each with its channel and
the employee identity behind it (through the CRM owner's user), and the digital events
(visits, clicks, sign-ups, app logins) identity stitching links to a person, which often
come before the first CRM record.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, or_, select

from connectors.core.records import EMAIL_DELIVERED, EMAIL_SENT
from sync.reconcile.stitching import linked_events
from sync.store.records import (
    ActivityRow,
    CampaignMemberRow,
    CaseRow,
    ContactRow,
    DealContactRow,
    DealRow,
    LeadRow,
)
from sync.store.table_model import table_of
from sync.store.view.identity_map import IdentityMap

__all__ = ["Touch", "journey"]


@dataclass(frozen=True)
class Touch:
    """One touch of a journey."""

    at: datetime | None
    source: str
    kind: str  # activity type, campaign, case, deal
    channel: str | None
    summary: str
    record: str
    employee_id: str | None
    employee: str | None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat() if self.at else None
        return data


def _when(value: datetime | date | None) -> datetime | None:
    if isinstance(value, datetime) or value is None:
        return value
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def _digital(connection: Any, identity_id: str) -> list[Touch]:
    """The person's digital events, as touches with no employee behind them. A marketing
    e-mail's send is the company's touch (``outbound``), and its delivery report is left
    out: it is the same message, and the person did nothing."""
    touches = []
    for row in linked_events(connection, identity_id):
        if row.event_type == "track" and row.name == EMAIL_DELIVERED:
            continue
        kind = f"{row.event_type}: {row.name}" if row.name else row.event_type
        campaign = " / ".join(p for p in (row.utm_source, row.utm_medium, row.utm_campaign) if p)
        parts = ("outbound" if row.name == EMAIL_SENT else "", row.url or "")
        summary = " ".join(p for p in (*parts, f"[{campaign}]" if campaign else "") if p)
        record = f"{row.source}:events:{row.remote_id}"
        touches.append(
            Touch(row.occurred_at, row.source, kind, row.channel, summary, record, None, None)
        )
    return touches


def journey(engine: Engine, identities: IdentityMap, identity_id: str) -> list[Touch]:
    """Every touch of ``identity_id`` in time order (undated last), deleted records left out;
    an organisation's journey includes its contacts' touches."""
    members = identities.members(identity_id)
    people: dict[str, list[str]] = {}
    accounts: dict[str, list[str]] = {}
    for source, table, remote_id in members:
        target = accounts if table == "accounts" else people
        target.setdefault(source, []).append(remote_id)
    employees = identities.employees()
    touches: list[Touch] = []

    def employee(source: str, owner: str | None) -> tuple[str | None, str | None]:
        ident = identities.employee_of(source, owner) if owner else None
        return ident, employees[ident].name if ident in employees else None

    with engine.connect() as connection:
        for source in sorted(set(people) | set(accounts)):
            ids, orgs = people.get(source, []), accounts.get(source, [])
            if orgs:
                # An organisation's journey includes the touches of its people.
                k = table_of(ContactRow).c
                staff = select(k.remote_id).where(k.source == source, k.account_id.in_(orgs))
                ids = sorted({*ids, *connection.execute(staff).scalars()})
            for table, model in (("leads", LeadRow), ("contacts", ContactRow)):
                # The record's creation is the first touch: how the person came in.
                p = table_of(model).c
                query = select(*p).where(p.source == source, p.remote_id.in_(ids))
                for row in connection.execute(query).mappings():
                    touches.append(
                        Touch(
                            _when(row["remote_created_at"]),
                            source,
                            f"{table[:-1]} created",
                            row["source_channel"],
                            row["source_detail"] or "",
                            f"{source}:{table}:{row['remote_id']}",
                            *employee(source, row["owner_id"]),
                        )
                    )
            a = table_of(ActivityRow).c
            clauses = [a.lead_id.in_(ids), a.contact_id.in_(ids), a.account_id.in_(orgs)]
            query = select(*a).where(a.source == source, a.is_deleted.is_(False), or_(*clauses))
            for row in connection.execute(query).mappings():
                touches.append(
                    Touch(
                        _when(row["occurred_at"] or row["remote_created_at"]),
                        source,
                        row["activity_type"],
                        row["channel"],
                        " ".join(p for p in (row["direction"], row["subject"]) if p),
                        f"{source}:activities:{row['remote_id']}",
                        *employee(source, row["owner_id"]),
                    )
                )
            m = table_of(CampaignMemberRow).c
            query = select(*m).where(
                m.source == source,
                m.is_deleted.is_(False),
                or_(m.lead_id.in_(ids), m.contact_id.in_(ids)),
            )
            for row in connection.execute(query).mappings():
                touches.append(
                    Touch(
                        _when(row["first_responded_at"]) or _when(row["remote_created_at"]),
                        source,
                        "campaign",
                        "event",
                        f"{row['campaign_name'] or row['campaign_id']}: {row['status'] or ''}",
                        f"{source}:campaign_members:{row['remote_id']}",
                        None,
                        None,
                    )
                )
            c = table_of(CaseRow).c
            query = select(*c).where(
                c.source == source,
                c.is_deleted.is_(False),
                or_(c.contact_id.in_(ids), c.account_id.in_(orgs)),
            )
            for row in connection.execute(query).mappings():
                touches.append(
                    Touch(
                        _when(row["opened_at"] or row["remote_created_at"]),
                        source,
                        "case",
                        row["origin_channel"],
                        f"{row['subject'] or ''} ({row['status'] or ''})",
                        f"{source}:cases:{row['remote_id']}",
                        *employee(source, row["owner_id"]),
                    )
                )
            dc = table_of(DealContactRow).c
            roles = select(dc.deal_id).where(dc.source == source, dc.contact_id.in_(ids))
            d = table_of(DealRow).c
            query = select(*d).where(
                d.source == source,
                d.is_deleted.is_(False),
                or_(d.contact_id.in_(ids), d.account_id.in_(orgs), d.remote_id.in_(roles)),
            )
            for row in connection.execute(query).mappings():
                outcome = "won" if row["is_won"] else "lost" if row["is_closed"] else "open"
                touches.append(
                    Touch(
                        _when(row["remote_created_at"]),
                        source,
                        "deal",
                        row["source_channel"],
                        f"{row['name'] or ''}: {row['stage'] or ''} ({outcome}) "
                        f"{row['amount'] or ''} {row['currency'] or ''}".strip(),
                        f"{source}:deals:{row['remote_id']}",
                        *employee(source, row["owner_id"]),
                    )
                )
        touches += _digital(connection, identity_id)
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(touches, key=lambda t: (t.at or far, t.source, t.record))
