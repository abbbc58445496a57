"""Zoho wire records -> common records.

Lookups arrive as ``{"name", "id"}`` objects and are reduced to ids; datetimes are ISO
8601 with an offset; money becomes ``Decimal``. Custom fields go to ``custom_fields`` and
the wire record to ``raw``. A record that cannot be mapped is quarantined with the reason;
it never stops the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from connectors.core.channels import ChannelMap
from connectors.core.contract import Quarantined
from connectors.core.errors import SkippableRecordError
from connectors.core.records import (
    Account,
    Activity,
    Case,
    CommonRecord,
    Contact,
    Deal,
    DealContact,
    DealProduct,
    Lead,
    User,
)
from connectors.zoho.convert import date_value as _date
from connectors.zoho.convert import links as _links
from connectors.zoho.convert import money as _money
from connectors.zoho.convert import parse_time
from connectors.zoho.convert import ref as _ref

__all__ = ["ZohoMapper", "parse_time"]


# where the connector puts a deal row's related products before mapping it
RELATED_PRODUCTS = "_related_products"
Row = dict[str, Any]
_CLOSED_STAGES = ("closed",)
_WON = "closed won"
_ACTIVITY_TYPES = {"Tasks": "task", "Calls": "call", "Events": "event"}
_DIRECTIONS = {"Inbound": "inbound", "Outbound": "outbound", "Missed": "inbound"}


class ZohoMapper:
    """Maps the rows of one source; ``custom`` lists each module's custom field names."""

    def __init__(self, source: str, channels: ChannelMap) -> None:
        self.source = source
        self.channels = channels
        self.custom: dict[str, tuple[str, ...]] = {}
        self._mappers: dict[str, Callable[[str, Row], list[CommonRecord]]] = {
            "leads": self._lead,
            "contacts": self._contact,
            "accounts": self._account,
            "deals": self._deal,
            "deal_contacts": self._deal_contact,
            "deal_products": self._deal_product,
            "activities": self._activity,
            "cases": self._case,
            "users": self._user,
        }

    def map_rows(
        self, stream: str, module: str, rows: Iterable[Row]
    ) -> tuple[list[CommonRecord], list[Quarantined]]:
        mapper = self._mappers[stream]
        records: list[CommonRecord] = []
        bad: list[Quarantined] = []
        for row in rows:
            try:
                records.extend(mapper(module, row))
            except (KeyError, ValueError, TypeError, SkippableRecordError) as exc:
                rid = row.get("id") if isinstance(row, dict) else None
                reason = f"{module} record cannot be mapped: {type(exc).__name__}: {exc}"
                bad.append(Quarantined(str(rid) if rid else None, reason, dict(row)))
        return records, bad

    # -- helpers -----------------------------------------------------------------------

    def _base(self, module: str, row: Row) -> dict[str, Any]:
        rid = row["id"]
        if not rid:
            raise ValueError("record without id")
        custom = {k: row[k] for k in self.custom.get(module, ()) if k in row}
        return {
            "source": self.source,
            "remote_id": str(rid),
            "remote_created_at": parse_time(row.get("Created_Time")),
            "remote_updated_at": parse_time(row.get("Modified_Time")),
            "custom_fields": custom,
            "raw": row,
        }

    def _person(self, row: Row) -> dict[str, Any]:
        second = row.get("Secondary_Email")
        return {
            "first_name": row.get("First_Name"),
            "last_name": row.get("Last_Name"),
            "email": row.get("Email"),
            "other_emails": [second] if second else [],
            "phone": row.get("Phone"),
            "mobile": row.get("Mobile"),
            "source_channel": self.channels.lead_source(row.get("Lead_Source")),
            "source_detail": row.get("Lead_Source"),
            "owner_id": _ref(row.get("Owner")),
        }

    # -- one function per stream -------------------------------------------------------

    def _user(self, module: str, row: Row) -> list[CommonRecord]:
        role = row.get("role")
        return [
            User(
                source=self.source,
                remote_id=str(row["id"]),
                remote_created_at=parse_time(row.get("created_time")),
                remote_updated_at=parse_time(row.get("Modified_Time")),
                raw=row,
                email=row.get("email"),
                first_name=row.get("first_name"),
                last_name=row.get("last_name"),
                name=row.get("full_name"),
                is_active=(row.get("status") or "active") == "active",
                role=role.get("name") if isinstance(role, dict) else role,
            )
        ]

    def _lead(self, module: str, row: Row) -> list[CommonRecord]:
        return [
            Lead(
                **self._base(module, row),
                **self._person(row),
                title=row.get("Designation"),
                street=row.get("Street"),
                city=row.get("City"),
                state=row.get("State"),
                postal_code=row.get("Zip_Code"),
                country=row.get("Country"),
                company=row.get("Company"),
                status=row.get("Lead_Status"),
                converted=bool(row.get("Converted__s")),
                converted_at=parse_time(row.get("Converted_Date_Time")),
            )
        ]

    def _contact(self, module: str, row: Row) -> list[CommonRecord]:
        return [
            Contact(
                **self._base(module, row),
                **self._person(row),
                title=row.get("Title"),
                street=row.get("Mailing_Street"),
                city=row.get("Mailing_City"),
                state=row.get("Mailing_State"),
                postal_code=row.get("Mailing_Zip"),
                country=row.get("Mailing_Country"),
                account_id=_ref(row.get("Account_Name")),
            )
        ]

    def _account(self, module: str, row: Row) -> list[CommonRecord]:
        employees = row.get("Employees")
        return [
            Account(
                **self._base(module, row),
                name=row.get("Account_Name"),
                website=row.get("Website"),
                industry=row.get("Industry"),
                phone=row.get("Phone"),
                street=row.get("Billing_Street"),
                city=row.get("Billing_City"),
                state=row.get("Billing_State"),
                postal_code=row.get("Billing_Code"),
                country=row.get("Billing_Country"),
                employees=int(employees) if employees is not None else None,
                annual_revenue=_money_field(row, "Annual_Revenue"),
                owner_id=_ref(row.get("Owner")),
                parent_id=_ref(row.get("Parent_Account")),
            )
        ]

    def _deal(self, module: str, row: Row) -> list[CommonRecord]:
        stage = row.get("Stage")
        lowered = (stage or "").casefold()
        probability = row.get("Probability")
        return [
            Deal(
                **self._base(module, row),
                name=row.get("Deal_Name"),
                account_id=_ref(row.get("Account_Name")),
                contact_id=_ref(row.get("Contact_Name")),
                stage=stage,
                pipeline=row.get("Pipeline"),
                is_closed=lowered.startswith(_CLOSED_STAGES),
                is_won=lowered == _WON,
                amount=_money_field(row, "Amount"),
                currency=row.get("Currency"),
                close_date=_date(row.get("Closing_Date")),
                probability=_money(probability),
                source_channel=self.channels.lead_source(row.get("Lead_Source")),
                source_detail=row.get("Lead_Source"),
                owner_id=_ref(row.get("Owner")),
                deal_type=row.get("Type"),
                next_step=row.get("Next_Step") or None,
            )
        ]

    def _deal_contact(self, module: str, row: Row) -> list[CommonRecord]:
        contact = _ref(row.get("Contact_Name"))
        if contact is None:
            return []
        base = self._base(module, row)
        deal = base["remote_id"]
        base["remote_id"] = f"{deal}:{contact}"
        base["custom_fields"] = {}
        return [DealContact(**base, deal_id=deal, contact_id=contact, is_primary=True)]

    def _deal_product(self, module: str, row: Row) -> list[CommonRecord]:
        """The deal's products (its Products related list, under ``RELATED_PRODUCTS``):
        Zoho relates a product to a deal without a price or quantity."""
        base = self._base(module, row)
        deal = base["remote_id"]
        out: list[CommonRecord] = []
        for product in row.get(RELATED_PRODUCTS) or ():
            out.append(
                DealProduct(
                    **{
                        **base,
                        "remote_id": f"{deal}:{product['id']}",
                        "custom_fields": {},
                        "raw": {"deal_id": deal, **product},
                    },
                    deal_id=deal,
                    product_id=str(product["id"]),
                    product_name=product.get("Product_Name"),
                    product_code=product.get("Product_Code"),
                )
            )
        return out

    def _activity(self, module: str, row: Row) -> list[CommonRecord]:
        kind = _ACTIVITY_TYPES[module]
        links = _links(row)
        duration = row.get("Call_Duration_in_seconds")
        if module == "Calls":
            when, subject = parse_time(row.get("Call_Start_Time")), row.get("Subject")
        elif module == "Events":
            when, subject = parse_time(row.get("Start_DateTime")), row.get("Event_Title")
            end = parse_time(row.get("End_DateTime"))
            if when is not None and end is not None:
                duration = int((end - when).total_seconds())
        else:
            due = _date(row.get("Due_Date"))
            closed = parse_time(row.get("Closed_Time"))
            when = closed or (datetime(due.year, due.month, due.day, tzinfo=UTC) if due else None)
            subject = row.get("Subject")
        return [
            Activity(
                **self._base(module, row),
                activity_type=kind,
                channel=self.channels.activity(module),
                direction=_DIRECTIONS.get(row.get("Call_Type") or ""),
                owner_id=_ref(row.get("Owner")),
                occurred_at=when,
                subject=subject,
                status=row.get("Status") or row.get("Call_Result"),
                duration_seconds=int(duration) if duration is not None else None,
                outcome=(row.get("Call_Result") or None) if kind == "call" else None,
                **links,
            )
        ]

    def _case(self, module: str, row: Row) -> list[CommonRecord]:
        status = row.get("Status")
        origin = row.get("Case_Origin")
        return [
            Case(
                **self._base(module, row),
                number=row.get("Case_Number"),
                subject=row.get("Subject"),
                status=status,
                is_closed=(status or "").casefold() == "closed",
                origin_channel=self.channels.case_origin(origin),
                origin_detail=origin,
                priority=row.get("Priority"),
                account_id=_ref(row.get("Account_Name")),
                contact_id=_ref(row.get("Related_To")),
                deal_id=_ref(row.get("Deal_Name")),
                owner_id=_ref(row.get("Owner")),
                opened_at=parse_time(row.get("Created_Time")),
                closed_at=parse_time(row.get("Resolved_Time")),
            )
        ]


def _money_field(row: dict[str, Any], name: str) -> Decimal | None:
    """A money field, or a ValueError naming the field (it becomes the quarantine reason)."""
    try:
        return _money(row.get(name))
    except ValueError as exc:
        raise ValueError(f"field {name}: {exc}") from exc
