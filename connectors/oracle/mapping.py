"""Fusion records -> crmsync's common records.

Fusion sends ids as JSON numbers (crmsync keeps them as text), times as ISO 8601 with an
offset, dates as ``YYYY-MM-DD`` and amounts as numbers. ``CreatedBy`` is a user name.
Custom attributes end in ``_c``. An activity points at what it is about with
``AccountId``, ``PrimaryContactId``, ``OpportunityId``, ``LeadId`` and ``SrId``. An
opportunity team member (``OpportunityResource``) becomes a ``DealSplit`` of type ``team``
with no percentage: who works on the deal, in which function, not a share of it. The
shares are the revenue lines' sales credits (``credits.py``, where Oracle's documents are
quoted): a ``QUOTA`` credit a ``revenue`` split, a ``NONQUOTA`` credit an ``overlay``
split, each with its recipient (``ResourcePartyId``) and ``SplitPercent``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
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
    DealProduct,
    DealSplit,
    Lead,
    User,
)
from connectors.core.values import decimal_or_none as _decimal
from connectors.core.values import domain_of
from connectors.core.values import iso_date as _date
from connectors.core.values import iso_time as _time
from connectors.core.values import money as _money
from connectors.oracle.credits import DEAL_PERCENT
from connectors.oracle.reader import CHILD_IDS, ID_FIELDS

__all__ = ["OracleMapper", "Row"]

Row = dict[str, Any]
_TYPES = {"CALL": "call", "MEETING": "meeting", "EMAIL": "email", "TODO": "task", "DEMO": "meeting"}
_CLOSED_SR = ("ORA_SVC_CLOSED", "ORA_SVC_RESOLVED")
_CREDIT_TYPES = {"QUOTA": "revenue", "NONQUOTA": "overlay"}  # SalesCreditTypeCode


def _id(raw: Any) -> str | None:
    return None if raw is None or raw == "" else str(raw)


class OracleMapper:
    def __init__(self, source: str, channels: ChannelMap) -> None:
        self.source = source
        self.channels = channels

    def map_rows(
        self, stream: str, resource: str, rows: list[Row]
    ) -> tuple[list[CommonRecord], list[Quarantined]]:
        records: list[CommonRecord] = []
        bad: list[Quarantined] = []
        build: Callable[[Row, dict[str, Any]], CommonRecord] = getattr(self, f"_{stream}")
        key = CHILD_IDS.get(resource) or ID_FIELDS[resource]
        # the items of one answer share their attributes: find the custom ones once
        custom = [k for k in rows[0] if k.endswith("_c")] if rows else []
        for row in rows:
            rid = _id(row.get(key))
            try:
                if rid is None:
                    raise KeyError(key)
                records.append(build(row, self._base(row, rid, custom)))
            except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
                bad.append(Quarantined(rid, f"cannot map {resource} record: {exc!r}", row))
        return records, bad

    def _base(self, row: Row, rid: str, custom: list[str]) -> dict[str, Any]:
        return {
            "source": self.source,
            "remote_id": rid,
            "remote_created_at": _time(row.get("CreationDate")),
            "remote_updated_at": _time(row.get("LastUpdateDate")),
            "custom_fields": {k: row.get(k) for k in custom},
            "raw": row,
        }

    def _users(self, row: Row, base: dict[str, Any]) -> User:
        return User(
            **base,
            email=row.get("EmailAddress"),
            first_name=row.get("FirstName"),
            last_name=row.get("LastName"),
            name=row.get("PartyName"),
            is_active=row.get("ResourceStatus") == "ACTIVE",
            title=row.get("JobTitle"),
            department=row.get("OrganizationName"),
        )

    def _leads(self, row: Row, base: dict[str, Any]) -> Lead:
        source = row.get("ChannelType")
        converted = row.get("StatusCode") == "CONVERTED"
        return Lead(
            **base,
            first_name=row.get("ContactFirstName"),
            last_name=row.get("ContactLastName"),
            title=row.get("ContactJobTitle"),
            email=row.get("PrimaryContactEmailAddress"),
            phone=row.get("PrimaryPhoneNumber"),
            owner_id=_id(row.get("OwnerId")),
            company=row.get("CustomerPartyName"),
            status=row.get("StatusCode"),
            converted=converted,
            converted_contact_id=_id(row.get("PrimaryContactId")) if converted else None,
            converted_account_id=_id(row.get("CustomerId")) if converted else None,
            source_channel=self.channels.lead_source(source),
            source_detail=source,
        )

    def _contacts(self, row: Row, base: dict[str, Any]) -> Contact:
        return Contact(
            **base,
            first_name=row.get("FirstName"),
            last_name=row.get("LastName"),
            title=row.get("JobTitle"),
            email=row.get("EmailAddress"),
            phone=row.get("WorkPhoneNumber"),
            mobile=row.get("MobileNumber"),
            street=row.get("AddressLine1"),
            city=row.get("City"),
            state=row.get("State"),
            postal_code=row.get("PostalCode"),
            country=row.get("Country"),
            owner_id=_id(row.get("OwnerPartyId")),
            account_id=_id(row.get("AccountPartyId")),
        )

    def _accounts(self, row: Row, base: dict[str, Any]) -> Account:
        website = row.get("URL")
        domain = domain_of(website)
        employees = row.get("EmployeesTotal")
        return Account(
            **base,
            name=row.get("OrganizationName"),
            website=website,
            domain=domain,
            phone=row.get("FormattedPhoneNumber"),
            street=row.get("AddressLine1"),
            city=row.get("City"),
            state=row.get("State"),
            postal_code=row.get("PostalCode"),
            country=row.get("Country"),
            employees=None if employees is None else int(employees),
            annual_revenue=_money(row.get("CurrentFiscalYearPotentialRevenueAmount")),
            owner_id=_id(row.get("OwnerPartyId")),
            parent_id=_id(row.get("ParentAccountPartyId")),
        )

    def _deals(self, row: Row, base: dict[str, Any]) -> Deal:
        status = row.get("StatusCode")
        return Deal(
            **base,
            name=row.get("Name"),
            account_id=_id(row.get("TargetPartyId")),
            contact_id=_id(row.get("PrimaryContactPartyId")),
            stage=row.get("SalesStage"),
            is_closed=status in ("WON", "LOST"),
            is_won=status == "WON",
            amount=_money(row.get("Revenue")),
            currency=row.get("CurrencyCode"),
            close_date=_date(row.get("EffectiveDate")),
            probability=_decimal(row.get("WinProb")),
            owner_id=_id(row.get("OwnerResourcePartyId")),
        )

    def _deal_contacts(self, row: Row, base: dict[str, Any]) -> DealContact:
        return DealContact(
            **{**base, "custom_fields": {}},
            deal_id=str(row["OptyId"]),
            contact_id=str(row["PartyId"]),
            role=row.get("RoleCd"),
            is_primary=bool(row.get("PrimaryFlag")),
        )

    def _deal_splits(self, row: Row, base: dict[str, Any]) -> DealSplit:
        if "OptyResourceId" in row:  # a team member: no share
            return DealSplit(
                **{**base, "custom_fields": {}},
                deal_id=str(row["OptyId"]),
                user_id=str(row["ResourceId"]),
                split_type="team",
                note=("owner" if row.get("OwnerFlag") else row.get("MemberFunctionCode")),
            )
        code = row.get("SalesCreditTypeCode")  # a revenue line's sales credit
        recipient = _id(row.get("ResourcePartyId"))
        if recipient is None:
            raise ValueError("a sales credit without a recipient (ResourcePartyId)")
        return DealSplit(
            **{**base, "custom_fields": {}},
            deal_id=str(row["OptyId"]),
            user_id=recipient,
            split_type=_CREDIT_TYPES.get(code or "", (code or "").lower() or None),
            percent=_decimal(row.get(DEAL_PERCENT, row.get("SplitPercent"))),
            note=code,
        )

    def _deal_products(self, row: Row, base: dict[str, Any]) -> DealProduct:
        return DealProduct(
            **{**base, "custom_fields": {}},
            deal_id=str(row["OptyId"]),
            product_id=_id(row.get("InventoryItemId")),
            product_name=row.get("Description"),
            product_code=row.get("ItemNumber"),
            quantity=_decimal(row.get("Quantity")),
            unit_price=_money(row.get("UnitPrice")),
            amount=_money(row.get("RevnAmount")),
            currency=row.get("RevnAmountCurcyCode"),
        )

    def _activities(self, row: Row, base: dict[str, Any]) -> Activity:
        raw_type = row.get("ActivityTypeCode") or ""
        start, end = _time(row.get("ActivityStartDate")), _time(row.get("ActivityEndDate"))
        due = _date(row.get("DueDate"))
        direction = row.get("DirectionCode")
        return Activity(
            **base,
            activity_type=_TYPES.get(raw_type, "task"),
            channel=self.channels.activity(raw_type),
            direction=direction.lower() if direction else None,
            owner_id=_id(row.get("OwnerId")),
            occurred_at=start
            or (datetime(due.year, due.month, due.day, tzinfo=UTC) if due else None),
            subject=row.get("Subject"),
            status=row.get("StatusCode"),
            duration_seconds=int((end - start).total_seconds()) if start and end else None,
            lead_id=_id(row.get("LeadId")),
            contact_id=_id(row.get("PrimaryContactId")),
            account_id=_id(row.get("AccountId")),
            deal_id=_id(row.get("OpportunityId")),
            case_id=_id(row.get("SrId")),
        )

    def _cases(self, row: Row, base: dict[str, Any]) -> Case:
        origin = row.get("ChannelTypeCd")
        status = row.get("StatusCd")
        return Case(
            **base,
            number=row.get("SrNumber"),
            subject=row.get("Title"),
            status=status,
            is_closed=status in _CLOSED_SR,
            origin_channel=self.channels.case_origin(origin),
            origin_detail=origin,
            priority=row.get("SeverityCd"),
            account_id=_id(row.get("AccountPartyId")),
            contact_id=_id(row.get("PrimaryContactPartyId")),
            owner_id=_id(row.get("AssigneeResourceId")),
            opened_at=_time(row.get("CreationDate")),
        )
