"""Dataverse rows -> crmsync's common records.

Lookups arrive as ``_<name>_value`` with the target table in the
``@Microsoft.Dynamics.CRM.lookuplogicalname`` annotation (polymorphic lookups such as a
contact's company or an activity's "regarding" need it). Choice values become their labels
through the table's metadata; channels come from the labels through the ``ChannelMap``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from connectors.core.channels import ChannelMap
from connectors.core.contract import Quarantined
from connectors.core.records import (
    Account,
    Activity,
    CampaignMember,
    Case,
    CommonRecord,
    Contact,
    Deal,
    DealContact,
    DealProduct,
    Lead,
    User,
)
from connectors.core.values import domain_of
from connectors.dynamics.entities import ACTIVITY_LABELS

__all__ = ["DynamicsMapper", "Row"]

Row = dict[str, Any]
LOOKUP_TABLE = "@Microsoft.Dynamics.CRM.lookuplogicalname"
_REGARDING = {
    "lead": "lead_id",
    "contact": "contact_id",
    "account": "account_id",
    "opportunity": "deal_id",
    "incident": "case_id",
}


def _time(raw: Any) -> datetime | None:
    return datetime.fromisoformat(raw.replace("Z", "+00:00")) if isinstance(raw, str) else None


def _date(raw: Any) -> date | None:
    return date.fromisoformat(raw[:10]) if isinstance(raw, str) else None


def _money(raw: Any) -> Decimal | None:
    return None if raw is None else Decimal(str(raw)).quantize(Decimal("0.01"))


def _lookup(row: Row, name: str) -> tuple[str | None, str | None]:
    key = f"_{name}_value"
    value = row.get(key)
    return value, row.get(key + LOOKUP_TABLE)


class DynamicsMapper:
    def __init__(
        self,
        source: str,
        channels: ChannelMap,
        choices: Callable[[str], Mapping[str, Mapping[int, str]]],
        prefix: str,
        custom_columns: Callable[[str], tuple[str, ...]] = lambda table: ("*",),
    ) -> None:
        self.source = source
        self.channels = channels
        self.choices = choices
        self.prefix = f"{prefix}_"
        self.custom_columns = custom_columns

    def label(self, table: str, column: str, row: Row) -> str | None:
        value = row.get(column)
        if value is None:
            return None
        return self.choices(table).get(column, {}).get(int(value), str(value))

    def map_rows(
        self, stream: str, table: str, id_field: str, rows: list[Row]
    ) -> tuple[list[CommonRecord], list[Quarantined]]:
        records: list[CommonRecord] = []
        bad: list[Quarantined] = []
        build = getattr(self, f"_{stream}")
        # only a table read with custom columns has keys with the prefix (values and their
        # annotations): the others skip looking through every key of every row
        custom = bool(self.custom_columns(table))
        for row in rows:
            rid = row.get(id_field)
            try:
                record = build(table, row, self._base(row, str(rid), custom))
            except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
                bad.append(Quarantined(rid, f"cannot map {table} row: {exc!r}", row))
                continue
            if record is not None:
                records.append(record)
        return records, bad

    def _base(self, row: Row, rid: str, custom: bool) -> dict[str, Any]:
        prefix = self.prefix
        return {
            "source": self.source,
            "remote_id": rid,
            "remote_created_at": _time(row.get("createdon")),
            "remote_updated_at": _time(row.get("modifiedon")),
            "custom_fields": {k: v for k, v in row.items() if k.startswith(prefix)}
            if custom
            else {},
            "raw": row,
        }

    @staticmethod
    def _person(row: Row) -> dict[str, Any]:
        return {
            "first_name": row.get("firstname"),
            "last_name": row.get("lastname"),
            "title": row.get("jobtitle"),
            "email": row.get("emailaddress1"),
            "other_emails": [e for e in (row.get("emailaddress2"),) if e],
            "phone": row.get("telephone1"),
            "mobile": row.get("mobilephone"),
            "street": row.get("address1_line1"),
            "city": row.get("address1_city"),
            "state": row.get("address1_stateorprovince"),
            "postal_code": row.get("address1_postalcode"),
            "country": row.get("address1_country"),
            "owner_id": row.get("_ownerid_value"),
        }

    def _users(self, table: str, row: Row, base: dict[str, Any]) -> User:
        return User(
            **base,
            email=row.get("internalemailaddress"),
            first_name=row.get("firstname"),
            last_name=row.get("lastname"),
            name=row.get("fullname"),
            is_active=not row.get("isdisabled"),
            title=row.get("title"),
            department=row.get("businessunitname"),
        )

    def _leads(self, table: str, row: Row, base: dict[str, Any]) -> Lead:
        source = self.label(table, "leadsourcecode", row)
        status = self.label(table, "statecode", row)
        return Lead(
            **base,
            **self._person(row),
            company=row.get("companyname"),
            status=status,
            converted=row.get("statecode") == 1,
            converted_contact_id=row.get("_parentcontactid_value"),
            converted_account_id=row.get("_parentaccountid_value"),
            converted_deal_id=row.get("_qualifyingopportunityid_value"),
            source_channel=self.channels.lead_source(source),
            source_detail=source,
        )

    def _contacts(self, table: str, row: Row, base: dict[str, Any]) -> Contact:
        company, kind = _lookup(row, "parentcustomerid")
        return Contact(
            **base, **self._person(row), account_id=company if kind == "account" else None
        )

    def _accounts(self, table: str, row: Row, base: dict[str, Any]) -> Account:
        website = row.get("websiteurl")
        domain = domain_of(website)
        return Account(
            **base,
            name=row.get("name"),
            website=website,
            domain=domain,
            industry=self.label(table, "industrycode", row),
            phone=row.get("telephone1"),
            street=row.get("address1_line1"),
            city=row.get("address1_city"),
            state=row.get("address1_stateorprovince"),
            postal_code=row.get("address1_postalcode"),
            country=row.get("address1_country"),
            employees=row.get("numberofemployees"),
            annual_revenue=_money(row.get("revenue")),
            owner_id=row.get("_ownerid_value"),
            parent_id=row.get("_parentaccountid_value"),
        )

    def _deals(self, table: str, row: Row, base: dict[str, Any]) -> Deal:
        state = row.get("statecode")
        won = state == 1
        amount = row.get("actualvalue") if won else row.get("estimatedvalue")
        probability = row.get("closeprobability")
        return Deal(
            **base,
            name=row.get("name"),
            account_id=row.get("_parentaccountid_value"),
            contact_id=row.get("_parentcontactid_value"),
            stage=row.get("stepname") or self.label(table, "salesstagecode", row),
            is_closed=state in (1, 2),
            is_won=won,
            amount=_money(amount),
            currency=row.get("isocurrencycode"),
            close_date=_date(row.get("actualclosedate") or row.get("estimatedclosedate")),
            probability=None if probability is None else Decimal(probability),
            owner_id=row.get("_ownerid_value"),
            campaign_id=row.get("_campaignid_value"),
        )

    def _deal_contacts(self, table: str, row: Row, base: dict[str, Any]) -> DealContact | None:
        deal, deal_kind = _lookup(row, "record1id")
        contact, contact_kind = _lookup(row, "record2id")
        if deal_kind != "opportunity" or contact_kind != "contact" or not deal or not contact:
            return None  # a connection between other kinds of rows
        role = row.get("_record2roleid_value@OData.Community.Display.V1.FormattedValue")
        return DealContact(**base, deal_id=deal, contact_id=contact, role=role)

    def _deal_products(self, table: str, row: Row, base: dict[str, Any]) -> DealProduct:
        quantity = row.get("quantity")
        return DealProduct(
            **base,
            deal_id=row["_opportunityid_value"],
            product_id=row.get("_productid_value"),
            product_name=row.get("productname"),
            quantity=None if quantity is None else Decimal(str(quantity)),
            unit_price=_money(row.get("priceperunit")),
            amount=_money(row.get("extendedamount")),
        )

    def _activities(self, table: str, row: Row, base: dict[str, Any]) -> Activity:
        kind, raw_type = ACTIVITY_LABELS[table]
        links: dict[str, Any] = {}
        regarding, target = _lookup(row, "regardingobjectid")
        if regarding and target in _REGARDING:
            links[_REGARDING[target]] = regarding
        direction = row.get("directioncode")
        minutes = row.get("actualdurationminutes")
        return Activity(
            **base,
            **links,
            activity_type=kind,
            channel=self.channels.activity(raw_type),
            direction=None if direction is None else ("outbound" if direction else "inbound"),
            owner_id=row.get("_ownerid_value"),
            occurred_at=_time(row.get("actualend") or row.get("scheduledstart")),
            subject=row.get("subject"),
            status=self.label(table, "statecode", row),
            duration_seconds=None if minutes is None else int(minutes) * 60,
        )

    def _cases(self, table: str, row: Row, base: dict[str, Any]) -> Case:
        customer, kind = _lookup(row, "customerid")
        origin = self.label(table, "caseorigincode", row)
        return Case(
            **base,
            number=row.get("ticketnumber"),
            subject=row.get("title"),
            status=self.label(table, "statecode", row),
            is_closed=row.get("statecode") in (1, 2),
            origin_channel=self.channels.case_origin(origin),
            origin_detail=origin,
            priority=self.label(table, "prioritycode", row),
            account_id=customer if kind == "account" else None,
            contact_id=row.get("_primarycontactid_value")
            or (customer if kind == "contact" else None),
            owner_id=row.get("_ownerid_value"),
            opened_at=_time(row.get("createdon")),
            closed_at=_time(row.get("resolvedon")),
        )

    def _campaign_members(self, table: str, row: Row, base: dict[str, Any]) -> CampaignMember:
        who, kind = _lookup(row, "originatingactivityid")
        received = _time(row.get("receivedon"))
        return CampaignMember(
            **base,
            campaign_id=row["_regardingobjectid_value"],
            lead_id=who if kind == "lead" else None,
            contact_id=who if kind == "contact" else None,
            status=self.label(table, "responsecode", row),
            responded=True,
            first_responded_at=received.date() if received else None,
        )
