"""Sugar records -> crmsync's common records.

Sugar sends datetimes as ISO 8601 with an offset, dates as ``YYYY-MM-DD``, decimals
(``amount``) as strings, and ``deleted`` on every record (seen with ``show_deleted``).
Custom fields end in ``_c``. Calls, meetings and tasks point at what they are about with
``parent_type`` (a module) and ``parent_id``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from connectors.core.channels import ChannelMap
from connectors.core.contract import Quarantined
from connectors.core.records import (
    Account,
    Activity,
    Case,
    CommonRecord,
    Contact,
    Deal,
    DealContact,
    Lead,
    User,
)
from connectors.core.values import decimal_or_none as _decimal
from connectors.core.values import domain_of
from connectors.core.values import iso_date as _date
from connectors.core.values import iso_time as _time
from connectors.core.values import money as _money

__all__ = ["ACTIVITY_MODULES", "Row", "SugarMapper", "pair_id"]

Row = dict[str, Any]
# module -> (activity type, the raw value channels map from)
ACTIVITY_MODULES = {
    "Calls": ("call", "Call"),
    "Meetings": ("meeting", "Meeting"),
    "Tasks": ("task", "Task"),
}
_PARENTS = {
    "Leads": "lead_id",
    "Contacts": "contact_id",
    "Accounts": "account_id",
    "Opportunities": "deal_id",
    "Cases": "case_id",
}
_CLOSED = {"Closed Won", "Closed Lost"}


def pair_id(deal_id: str, contact_id: str) -> str:
    """The remote id of a contact's role on an opportunity: the link has no id of its own,
    and the two GUIDs together are longer than a remote id may be, so a GUID made from
    them (the same for the same pair, run after run)."""
    key = f"sugarcrm:opportunities_contacts:{deal_id}:{contact_id}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, key))


class SugarMapper:
    def __init__(self, source: str, channels: ChannelMap) -> None:
        self.source = source
        self.channels = channels

    def map_rows(
        self, stream: str, module: str, rows: list[Row]
    ) -> tuple[list[CommonRecord], list[Quarantined]]:
        records: list[CommonRecord] = []
        bad: list[Quarantined] = []
        build: Callable[[str, Row, dict[str, Any]], CommonRecord] = getattr(self, f"_{stream}")
        for row in rows:
            rid = row.get("id")
            try:
                records.append(build(module, row, self._base(row, str(rid))))
            except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
                bad.append(Quarantined(rid, f"cannot map {module} record: {exc!r}", row))
        return records, bad

    def _base(self, row: Row, rid: str) -> dict[str, Any]:
        return {
            "source": self.source,
            "remote_id": rid,
            "remote_created_at": _time(row.get("date_entered")),
            "remote_updated_at": _time(row.get("date_modified")),
            "custom_fields": {k: v for k, v in row.items() if k.endswith("_c")},
            "raw": row,
        }

    @staticmethod
    def _person(row: Row, address: str) -> dict[str, Any]:
        return {
            "first_name": row.get("first_name"),
            "last_name": row.get("last_name"),
            "title": row.get("title"),
            "email": row.get("email1"),
            "phone": row.get("phone_work"),
            "mobile": row.get("phone_mobile"),
            "street": row.get(f"{address}_street"),
            "city": row.get(f"{address}_city"),
            "state": row.get(f"{address}_state"),
            "postal_code": row.get(f"{address}_postalcode"),
            "country": row.get(f"{address}_country"),
            "owner_id": row.get("assigned_user_id"),
        }

    def _users(self, module: str, row: Row, base: dict[str, Any]) -> User:
        return User(
            **base,
            email=row.get("email1"),
            first_name=row.get("first_name"),
            last_name=row.get("last_name"),
            name=row.get("full_name"),
            is_active=row.get("status") == "Active",
            title=row.get("title"),
            department=row.get("department"),
        )

    def _leads(self, module: str, row: Row, base: dict[str, Any]) -> Lead:
        source = row.get("lead_source")
        return Lead(
            **base,
            **self._person(row, "primary_address"),
            company=row.get("account_name"),
            status=row.get("status"),
            converted=bool(row.get("converted")),
            converted_contact_id=row.get("contact_id"),
            converted_account_id=row.get("account_id"),
            converted_deal_id=row.get("opportunity_id"),
            source_channel=self.channels.lead_source(source),
            source_detail=source,
        )

    def _contacts(self, module: str, row: Row, base: dict[str, Any]) -> Contact:
        source = row.get("lead_source")
        return Contact(
            **base,
            **self._person(row, "primary_address"),
            account_id=row.get("account_id"),
            source_channel=self.channels.lead_source(source),
            source_detail=source,
        )

    def _accounts(self, module: str, row: Row, base: dict[str, Any]) -> Account:
        website = row.get("website")
        domain = domain_of(website)
        employees = _decimal(row.get("employees"))
        return Account(
            **base,
            name=row.get("name"),
            website=website,
            domain=domain,
            industry=row.get("industry"),
            phone=row.get("phone_office"),
            street=row.get("billing_address_street"),
            city=row.get("billing_address_city"),
            state=row.get("billing_address_state"),
            postal_code=row.get("billing_address_postalcode"),
            country=row.get("billing_address_country"),
            employees=None if employees is None else int(employees),
            annual_revenue=_money(row.get("annual_revenue")),
            owner_id=row.get("assigned_user_id"),
            parent_id=row.get("parent_id"),
        )

    def _deals(self, module: str, row: Row, base: dict[str, Any]) -> Deal:
        stage = row.get("sales_stage")
        currency = row.get("currency_id")
        return Deal(
            **base,
            name=row.get("name"),
            account_id=row.get("account_id"),
            stage=stage,
            is_closed=stage in _CLOSED,
            is_won=stage == "Closed Won",
            amount=_money(row.get("amount")),
            currency="USD" if currency in (None, "-99") else currency,  # -99: the base currency
            close_date=_date(row.get("date_closed")),
            probability=_decimal(row.get("probability")),
            owner_id=row.get("assigned_user_id"),
            campaign_id=row.get("campaign_id") or None,
        )

    def _deal_contacts(self, module: str, row: Row, base: dict[str, Any]) -> DealContact:
        deal, contact = row["_opportunity_id"], row["id"]
        base = {**base, "remote_id": pair_id(deal, contact), "custom_fields": {}}
        return DealContact(
            **base, deal_id=deal, contact_id=contact, role=row.get("opportunity_role")
        )

    def _activities(self, module: str, row: Row, base: dict[str, Any]) -> Activity:
        kind, raw_type = ACTIVITY_MODULES[module]
        links: dict[str, Any] = {}
        parent = _PARENTS.get(row.get("parent_type") or "")
        if parent and row.get("parent_id"):
            links[parent] = row["parent_id"]
        if row.get("contact_id"):
            links["contact_id"] = row["contact_id"]
        direction = row.get("direction")
        hours, minutes = row.get("duration_hours"), row.get("duration_minutes")
        duration = None
        if hours is not None or minutes is not None:
            duration = (int(hours or 0) * 60 + int(minutes or 0)) * 60
        return Activity(
            **base,
            **links,
            activity_type=kind,
            channel=self.channels.activity(raw_type),
            direction=direction.lower() if direction else None,
            owner_id=row.get("assigned_user_id"),
            occurred_at=_time(row.get("date_start") or row.get("date_due")),
            subject=row.get("name"),
            status=row.get("status"),
            duration_seconds=duration,
        )

    def _cases(self, module: str, row: Row, base: dict[str, Any]) -> Case:
        origin = row.get("source")
        number = row.get("case_number")
        status = row.get("status") or ""
        return Case(
            **base,
            number=None if number is None else str(number),
            subject=row.get("name"),
            status=status or None,
            is_closed=status.startswith(("Closed", "Rejected", "Duplicate")),
            origin_channel=self.channels.case_origin(origin),
            origin_detail=origin,
            priority=row.get("priority"),
            account_id=row.get("account_id"),
            contact_id=row.get("primary_contact_id"),
            owner_id=row.get("assigned_user_id"),
            opened_at=_time(row.get("date_entered")),
        )
