"""Salesforce rows (REST JSON shape) to common records.

One small function per object. Custom fields (``__c``, found by describe) go into
``custom_fields``; the row itself, minus ``attributes``, into ``raw``. A row that cannot be
mapped (bad value, missing required reference) becomes a ``Quarantined`` entry with the
reason: it never aborts the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from connectors.core.channels import ChannelMap
from connectors.core.contract import Quarantined
from connectors.core.records import (
    Account,
    Activity,
    ActivityLinkName,
    ActivityLinks,
    CampaignMember,
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
from connectors.salesforce.person_accounts import person_account_values
from connectors.salesforce.values import (
    date_value,
    day_start,
    decimal_value,
    domain,
    int_value,
    parse_datetime,
)

__all__ = ["RecordMapper", "parse_datetime"]

Row = dict[str, Any]
# key prefixes of the records an activity can point at (WhoId / WhatId)
_WHO: dict[str, ActivityLinkName] = {"00Q": "lead_id", "003": "contact_id"}
_WHAT: dict[str, ActivityLinkName] = {"006": "deal_id", "001": "account_id", "500": "case_id"}


class RecordMapper:
    """Maps pages of Salesforce rows of one object to common records."""

    def __init__(self, source: str, channels: ChannelMap) -> None:
        self.source = source
        self.channels = channels
        self._by_object: dict[str, Callable[[Row, dict[str, Any]], CommonRecord]] = {
            "User": self._user,
            "Lead": self._lead,
            "Contact": self._contact,
            "Account": self._account,
            "Opportunity": self._deal,
            "OpportunityContactRole": self._deal_contact,
            "Task": self._task,
            "Event": self._event,
            "Case": self._case,
            "CampaignMember": self._campaign_member,
            "OpportunityLineItem": self._deal_product,
            "OpportunitySplit": self._deal_split,
        }

    def map_rows(
        self, object_name: str, rows: Sequence[Row], custom: Sequence[str]
    ) -> tuple[list[CommonRecord], list[Quarantined]]:
        """Records for the rows that map, ``Quarantined`` entries for those that do not."""
        build = self._by_object[object_name]
        records: list[CommonRecord] = []
        quarantined: list[Quarantined] = []
        for row in rows:
            row.pop("attributes", None)
            try:
                common = self._common(row, custom)
                records.append(build(row, common))
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                reason = f"{object_name}: cannot map ({type(exc).__name__}: {exc})"
                quarantined.append(Quarantined(row.get("Id"), reason, row))
        return records, quarantined

    def _common(self, row: Row, custom: Sequence[str]) -> dict[str, Any]:
        deleted = bool(row.get("IsDeleted"))
        updated = parse_datetime(row.get("SystemModstamp"))
        return {
            "source": self.source,
            "remote_id": row["Id"],
            "remote_created_at": parse_datetime(row.get("CreatedDate")),
            "remote_updated_at": updated,
            "deleted": deleted,
            "deleted_at": updated if deleted else None,
            "custom_fields": {name: row.get(name) for name in custom},
            "raw": row,
        }

    def _person(self, row: Row, prefix: str) -> dict[str, Any]:
        source = row.get("LeadSource")
        return {
            "first_name": row.get("FirstName"),
            "last_name": row.get("LastName"),
            "title": row.get("Title"),
            "email": row.get("Email"),
            "phone": row.get("Phone"),
            "mobile": row.get("MobilePhone"),
            "street": row.get(f"{prefix}Street"),
            "city": row.get(f"{prefix}City"),
            "state": row.get(f"{prefix}State"),
            "postal_code": row.get(f"{prefix}PostalCode"),
            "country": row.get(f"{prefix}Country"),
            "source_channel": self.channels.lead_source(source),
            "source_detail": source,
            "owner_id": row.get("OwnerId"),
            "merged_into_id": row.get("MasterRecordId"),
        }

    def _user(self, row: Row, common: dict[str, Any]) -> User:
        active = row.get("IsActive")
        return User(
            **common,
            email=row.get("Email"),
            first_name=row.get("FirstName"),
            last_name=row.get("LastName"),
            name=row.get("Name"),
            is_active=True if active is None else bool(active),
            title=row.get("Title"),
            department=row.get("Department"),
            role=row.get("UserRoleId"),
        )

    def _lead(self, row: Row, common: dict[str, Any]) -> Lead:
        return Lead(
            **common,
            **self._person(row, ""),
            company=row.get("Company"),
            status=row.get("Status"),
            converted=bool(row.get("IsConverted")),
            converted_at=day_start(row.get("ConvertedDate")),
            converted_contact_id=row.get("ConvertedContactId"),
            converted_account_id=row.get("ConvertedAccountId"),
            converted_deal_id=row.get("ConvertedOpportunityId"),
        )

    def _contact(self, row: Row, common: dict[str, Any]) -> Contact:
        return Contact(**common, **self._person(row, "Mailing"), account_id=row.get("AccountId"))

    def _account(self, row: Row, common: dict[str, Any]) -> Account:
        website = row.get("Website")
        values: dict[str, Any] = dict(
            name=row.get("Name"),
            domain=domain(website),
            website=website,
            industry=row.get("Industry"),
            phone=row.get("Phone"),
            street=row.get("BillingStreet"),
            city=row.get("BillingCity"),
            state=row.get("BillingState"),
            postal_code=row.get("BillingPostalCode"),
            country=row.get("BillingCountry"),
            employees=int_value(row.get("NumberOfEmployees")),
            annual_revenue=decimal_value(row.get("AnnualRevenue")),
            owner_id=row.get("OwnerId"),
            parent_id=row.get("ParentId"),
            merged_into_id=row.get("MasterRecordId"),
        )
        values.update(person_account_values(row))  # a consumer: their name, phone, home
        return Account(**common, **values)

    def _deal(self, row: Row, common: dict[str, Any]) -> Deal:
        source = row.get("LeadSource")
        return Deal(
            **common,
            name=row.get("Name"),
            account_id=row.get("AccountId"),
            contact_id=row.get("ContactId"),
            stage=row.get("StageName"),
            is_closed=bool(row.get("IsClosed")),
            is_won=bool(row.get("IsWon")),
            amount=decimal_value(row.get("Amount")),
            currency=row.get("CurrencyIsoCode"),
            close_date=date_value(row.get("CloseDate")),
            probability=decimal_value(row.get("Probability")),
            source_channel=self.channels.lead_source(source),
            source_detail=source,
            owner_id=row.get("OwnerId"),
            campaign_id=row.get("CampaignId"),
            deal_type=row.get("Type"),
            next_step=row.get("NextStep") or None,
        )

    def _deal_contact(self, row: Row, common: dict[str, Any]) -> DealContact:
        deal, contact = row.get("OpportunityId"), row.get("ContactId")
        if not deal or not contact:
            raise ValueError("a contact role needs both OpportunityId and ContactId")
        return DealContact(
            **common,
            deal_id=deal,
            contact_id=contact,
            role=row.get("Role"),
            is_primary=bool(row.get("IsPrimary")),
        )

    def _deal_product(self, row: Row, common: dict[str, Any]) -> DealProduct:
        deal = row.get("OpportunityId")
        if not deal:
            raise ValueError("an opportunity product needs its OpportunityId")
        product = row.get("Product2") or {}
        return DealProduct(
            **common,
            deal_id=deal,
            product_id=row.get("Product2Id"),
            product_name=product.get("Name") if isinstance(product, dict) else None,
            product_code=row.get("ProductCode"),
            quantity=decimal_value(row.get("Quantity")),
            unit_price=decimal_value(row.get("UnitPrice")),
            amount=decimal_value(row.get("TotalPrice")),
            currency=row.get("CurrencyIsoCode"),
        )

    def _deal_split(self, row: Row, common: dict[str, Any]) -> DealSplit:
        deal, user = row.get("OpportunityId"), row.get("SplitOwnerId")
        if not deal or not user:
            raise ValueError("a split needs both OpportunityId and SplitOwnerId")
        kind = row.get("SplitType") or {}
        name = kind.get("DeveloperName") if isinstance(kind, dict) else None
        return DealSplit(
            **common,
            deal_id=deal,
            user_id=user,
            split_type=name.casefold() if name else None,
            percent=decimal_value(row.get("SplitPercentage")),
            amount=decimal_value(row.get("SplitAmount")),
            currency=row.get("CurrencyIsoCode"),
            note=row.get("SplitNote"),
        )

    @staticmethod
    def _links(row: Row) -> ActivityLinks:
        links: ActivityLinks = {}
        who, what = row.get("WhoId"), row.get("WhatId")
        if who and (name := _WHO.get(who[:3])):
            links[name] = who
        if what and (name := _WHAT.get(what[:3])):
            links[name] = what
        return links

    def _task(self, row: Row, common: dict[str, Any]) -> Activity:
        subtype = row.get("TaskSubtype") or "Task"
        direction = None
        if subtype == "Call":
            kind = "call"
            call_type = (row.get("CallType") or "").lower()
            direction = call_type if call_type in ("inbound", "outbound") else None
        elif subtype in ("Email", "ListEmail"):
            kind = "email"
        else:
            kind = "task"
        occurred = parse_datetime(row.get("CompletedDateTime")) or day_start(
            row.get("ActivityDate")
        )
        return Activity(
            **common,
            **self._links(row),
            activity_type=kind,
            channel=self.channels.activity(subtype),
            direction=direction,
            owner_id=row.get("OwnerId"),
            occurred_at=occurred or common["remote_created_at"],
            subject=row.get("Subject"),
            status=row.get("Status"),
            duration_seconds=int_value(row.get("CallDurationInSeconds")),
            outcome=(row.get("CallDisposition") or None) if kind == "call" else None,
        )

    def _event(self, row: Row, common: dict[str, Any]) -> Activity:
        minutes = int_value(row.get("DurationInMinutes"))
        occurred = parse_datetime(row.get("StartDateTime")) or parse_datetime(
            row.get("ActivityDateTime")
        )
        return Activity(
            **common,
            **self._links(row),
            activity_type="meeting",
            channel=self.channels.activity("Event"),
            owner_id=row.get("OwnerId"),
            occurred_at=occurred or day_start(row.get("ActivityDate")),
            subject=row.get("Subject"),
            duration_seconds=None if minutes is None else minutes * 60,
        )

    def _case(self, row: Row, common: dict[str, Any]) -> Case:
        origin = row.get("Origin")
        return Case(
            **common,
            number=row.get("CaseNumber"),
            subject=row.get("Subject"),
            status=row.get("Status"),
            is_closed=bool(row.get("IsClosed")),
            origin_channel=self.channels.case_origin(origin),
            origin_detail=origin,
            priority=row.get("Priority"),
            account_id=row.get("AccountId"),
            contact_id=row.get("ContactId"),
            owner_id=row.get("OwnerId"),
            opened_at=common["remote_created_at"],
            closed_at=parse_datetime(row.get("ClosedDate")),
        )

    def _campaign_member(self, row: Row, common: dict[str, Any]) -> CampaignMember:
        campaign = row.get("Campaign") or {}
        campaign_id = row.get("CampaignId")
        if not campaign_id:
            raise ValueError("a campaign member needs a CampaignId")
        return CampaignMember(
            **common,
            campaign_id=campaign_id,
            campaign_name=campaign.get("Name") if isinstance(campaign, dict) else None,
            lead_id=row.get("LeadId"),
            contact_id=row.get("ContactId"),
            status=row.get("Status"),
            responded=bool(row.get("HasResponded")),
            first_responded_at=date_value(row.get("FirstRespondedDate")),
        )
