"""Hand-made store rows for the audit unit tests (a tiny, fully known company)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sync.audit.snapshot import Snapshot

AS_OF = datetime(2026, 10, 31, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def row(source: str, remote_id: str, created: str | None = None, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "source": source,
        "remote_id": remote_id,
        "remote_created_at": at(created) if created else None,
        "remote_updated_at": None,
        "is_deleted": False,
        "raw": {},
    }
    base.update(fields)
    return base


def activity(source: str, remote_id: str, when: str, owner: str, **links: Any) -> dict[str, Any]:
    """A logged activity, a call by default; a call carries its outcome unless given one."""
    kind = links.pop("activity_type", "call")
    return row(
        source,
        remote_id,
        when,
        occurred_at=at(when),
        owner_id=owner,
        activity_type=kind,
        outcome=links.pop("outcome", "Connected" if kind == "call" else None),
        channel=links.pop("channel", "phone"),
        direction=links.pop("direction", "outbound"),
        **links,
    )


SF_LEAD_OK = {
    "LastName": "Ng",
    "Company": "Acme",
    "Email": "a@acme.com",
    "Phone": "+1555000111",
    "Title": "Chemist",
}
SF_OPP_OK = {
    "Name": "Acme deal",
    "StageName": "Closed Won",
    "CloseDate": "2026-05-10",
    "Amount": 1000,
}


C1_PROPS = {
    "properties": {
        "lastname": "A",
        "email": "c1@x.com",
        "phone": "1",
        "jobtitle": "x",
        "company": "y",
    }
}


def company() -> dict[str, list[dict[str, Any]]]:
    """Users U1 (active, field sales), U2 (inactive), HubSpot owner 70 (call centre)."""
    return {
        "users": [
            row("salesforce", "U1", name="Ann Field", is_active=True, department="field_sales"),
            row("salesforce", "U2", name="Bob Gone", is_active=False, department="field_sales"),
            row(
                "hubspot",
                "70",
                name="Cat Call",
                is_active=True,
                raw={"teams": [{"name": "call_centre", "primary": True}]},
            ),
            row("zoho", "Z9", name="Dan Desk", is_active=True, department="service"),
        ],
        "leads": [
            row(
                "salesforce",
                "L1",
                "2026-10-01T09:00:00",
                owner_id="U1",
                source_channel=None,
                raw={**SF_LEAD_OK, "Phone": None, "CreatedById": "U1"},
                email="a@acme.com",
                phone=None,
            ),
        ],
        "contacts": [
            row(
                "hubspot",
                "C1",
                "2026-10-01T00:00:00",
                owner_id="70",
                lifecycle_stage="lead",
                source_channel="web",
                email="c1@x.com",
                raw=C1_PROPS,
            ),
            row(
                "hubspot",
                "C2",
                "2026-10-01T00:00:00",
                owner_id="70",
                lifecycle_stage="subscriber",
                source_channel="email",
                raw=C1_PROPS,
            ),
        ],
        "accounts": [],
        "deals": [
            row(
                "salesforce",
                "D1",
                "2026-05-10T10:00:00",
                owner_id="U1",
                is_closed=True,
                is_won=True,
                close_date=date(2026, 5, 10),
                amount=Decimal("1000"),
                currency="USD",
                source_channel="web",
                raw={**SF_OPP_OK, "CreatedById": "U1"},
            ),
            row(
                "salesforce",
                "D2",
                "2026-01-01T00:00:00",
                owner_id="U1",
                is_closed=False,
                is_won=False,
                close_date=date(2026, 9, 1),
                amount=Decimal("500"),
                currency="EUR",
                probability=Decimal("50"),
                source_channel="event",
                raw={**SF_OPP_OK, "CreatedById": "U1"},
            ),
            row(
                "salesforce",
                "D3",
                "2026-10-20T00:00:00",
                owner_id="U2",
                is_closed=False,
                is_won=False,
                close_date=date(2026, 12, 1),
                amount=Decimal("200"),
                currency="EUR",
                probability=Decimal("10"),
                source_channel="web",
                raw={**SF_OPP_OK, "CreatedById": "U2"},
            ),
        ],
        "deal_contacts": [],
        "activities": [
            activity("salesforce", "A1", "2026-08-01T00:00:00", "U1", deal_id="D2"),
            activity("salesforce", "A2", "2026-10-25T00:00:00", "U2", deal_id="D3"),
            activity("hubspot", "H1", "2026-10-04T12:00:00", "70", contact_id="C1"),
            activity("hubspot", "H2", "2026-10-30T00:00:00", "70", contact_id="C2"),
        ],
        "cases": [
            row(
                "zoho",
                "K1",
                "2026-10-01T00:00:00",
                owner_id="Z9",
                is_closed=True,
                status="Closed",
                opened_at=at("2026-10-01T00:00:00"),
                closed_at=at("2026-10-08T00:00:00"),
                origin_channel="email",
            ),
            row(
                "zoho",
                "K2",
                "2026-10-10T00:00:00",
                owner_id="Z9",
                is_closed=True,
                status="Reopened",
                opened_at=at("2026-10-10T00:00:00"),
                closed_at=at("2026-10-10T10:00:00"),
                origin_channel="phone",
            ),
        ],
    }


def snapshot(tables: dict[str, list[dict[str, Any]]] | None = None) -> Snapshot:
    return Snapshot.from_rows(tables or company())


class Identities:
    """A stand-in for reconcile's identity map, built from explicit members."""

    def __init__(self, records: dict[tuple[str, str, str], str]) -> None:
        self._records = records

    def employee_of(self, source: str, user_remote_id: str) -> str | None:
        return self._records.get((source, "users", user_remote_id))

    def identity_of(self, source: str, table: str, remote_id: str) -> str | None:
        return self._records.get((source, table, remote_id))

    def members(self, identity_id: str) -> list[tuple[str, str, str]]:
        return sorted(k for k, v in self._records.items() if v == identity_id)

    def employees(self) -> dict[str, Any]:
        return {}  # no golden names: each employee keeps its first CRM user's

    def __len__(self) -> int:
        return len(self._records)
