"""HubSpot records (raw JSON, every property a string) -> common records.

Built per connector with the portal's pipelines (stage -> closed/won/probability) and the
names of its custom properties (``hubspotDefined`` false), which go to ``custom_fields``.
A record that cannot be mapped raises ``SkippableRecordError``; the connector quarantines
it and the page goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.core.channels import ChannelMap
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
    User,
)
from connectors.hubspot.dispositions import call_outcome
from connectors.hubspot.owners import map_owner

__all__ = ["HubSpotMapper", "Stage", "activity_type"]

_SINGULAR = {"calls": "call", "emails": "email", "meetings": "meeting", "notes": "note"}
_SUBJECT = {
    "calls": "hs_call_title",
    "emails": "hs_email_subject",
    "meetings": "hs_meeting_title",
    "tasks": "hs_task_subject",
}
_STATUS = {
    "calls": "hs_call_status",
    "emails": "hs_email_status",
    "meetings": "hs_meeting_outcome",
    "tasks": "hs_task_status",
}
_DIRECTION = {
    "INBOUND": "inbound",
    "OUTBOUND": "outbound",
    "INCOMING_EMAIL": "inbound",
    "EMAIL": "outbound",
    "FORWARDED_EMAIL": "outbound",
}


def activity_type(object_type: str) -> str:
    """The common ``activity_type`` of an engagement object (other types are tasks)."""
    return _SINGULAR.get(object_type, "task")


def _percent(fraction: Decimal | None) -> Decimal | None:
    """A stage's win probability: a fraction in HubSpot, percent in the common model."""
    return None if fraction is None else fraction * 100


@dataclass(frozen=True)
class Stage:
    """A pipeline stage's meaning, from the pipelines API's stage metadata."""

    label: str
    is_closed: bool
    is_won: bool
    probability: Decimal | None


def _dt(raw: str | None) -> datetime | None:
    return datetime.fromisoformat(raw) if raw else None


def _date(raw: str | None) -> date | None:
    if not raw:
        return None
    return date.fromisoformat(raw[:10])


def _dec(raw: str | None) -> Decimal | None:
    if raw is None or raw == "":
        return None
    value = Decimal(raw)
    if not value.is_finite():
        raise InvalidOperation(raw)
    return value


def _int(raw: str | None) -> int | None:
    return None if raw is None or raw == "" else int(Decimal(raw))


def _ids(raw: str | None) -> list[str]:
    return [part for part in (raw or "").split(";") if part]


def _first(links: Mapping[str, list[str]], to_type: str) -> str | None:
    ids = links.get(to_type)
    return ids[0] if ids else None


class HubSpotMapper:
    """Maps one portal's raw records; cheap enough for thousands per second."""

    def __init__(
        self,
        source: str,
        channels: ChannelMap,
        stages: Mapping[str, Mapping[str, Stage]] | None = None,
        custom: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        self.source = source
        self.channels = channels
        self.stages = stages if stages is not None else {}
        # shared with the catalog, which fills it as it reads each type's properties
        self.custom = custom if custom is not None else {}
        self._by_type: dict[str, Callable[[str, dict[str, Any], dict[str, Any]], Any]] = {
            "contacts": self._contact,
            "companies": self._account,
            "deals": self._deal,
            "tickets": self._case,
            "line_items": self._deal_product,
        }

    def map(self, object_type: str, raw: dict[str, Any]) -> CommonRecord:
        """One record; ``SkippableRecordError`` when it cannot be mapped."""
        rid = str(raw.get("id") or "")
        try:
            if not rid:
                raise ValueError("the record has no id")
            props = raw["properties"]
            fn = self._by_type.get(object_type)
            common = self._common(object_type, rid, raw, props)
            if fn is None:
                return self._activity(object_type, common, raw, props)
            return fn(object_type, common, raw)
        except (ValueError, InvalidOperation, KeyError, TypeError, AttributeError) as exc:
            raise SkippableRecordError(
                f"cannot map {object_type} {rid or '?'}: {type(exc).__name__}: {exc}",
                source=self.source,
                record_id=rid or None,
            ) from exc

    def deal_contacts(self, deal: dict[str, Any], deleted: bool = False) -> list[DealContact]:
        """The deal's contact associations as roles (``{deal}:{contact}``)."""
        deal_id = str(deal["id"])
        return [
            DealContact(
                source=self.source,
                remote_id=f"{deal_id}:{contact_id}",
                deal_id=deal_id,
                contact_id=contact_id,
                is_primary=index == 0,
                deleted=deleted,
                raw={"deal_id": deal_id, "contact_id": contact_id},
            )
            for index, contact_id in enumerate(deal.get("links", {}).get("contacts") or ())
        ]

    def dropped_roles(self, deal_id: str, contact_ids: Iterable[str]) -> list[DealContact]:
        """Deleted roles of a deal, for contacts no longer linked to it (archived)."""
        return [
            DealContact(
                source=self.source,
                remote_id=f"{deal_id}:{contact_id}",
                deal_id=deal_id,
                contact_id=contact_id,
                deleted=True,
                raw={"deal_id": deal_id, "contact_id": contact_id},
            )
            for contact_id in sorted(contact_ids, key=int)
        ]

    def user(self, owner: dict[str, Any]) -> User:
        """An owner; archived owners (people who left) are deleted users."""
        return map_owner(self.source, owner)

    # -- per type ----------------------------------------------------------------------

    def _common(
        self, object_type: str, rid: str, raw: dict[str, Any], props: dict[str, Any]
    ) -> dict[str, Any]:
        custom = self.custom.get(object_type)
        archived = bool(raw.get("archived"))
        return {
            "source": self.source,
            "remote_id": rid,
            "remote_created_at": _dt(raw.get("createdAt")),
            "remote_updated_at": _dt(raw.get("updatedAt")),
            "deleted": archived,
            "deleted_at": _dt(raw.get("archivedAt")) if archived else None,
            "custom_fields": {k: props.get(k) for k in custom if k in props} if custom else {},
            "raw": raw,
        }

    def _deal_product(self, _type: str, common: dict[str, Any], raw: dict[str, Any]) -> DealProduct:
        """A line item on a deal; its ``name`` is the product's (HubSpot copies it)."""
        p = raw["properties"]
        deals = raw.get("links", {}).get("deals") or ()
        if not deals:
            raise ValueError("the line item is on no deal")
        return DealProduct(
            **common,
            deal_id=str(deals[0]),
            product_id=p.get("hs_product_id") or None,
            product_name=p.get("name"),
            product_code=p.get("hs_sku") or None,
            quantity=_dec(p.get("quantity")),
            unit_price=_dec(p.get("price")),
            amount=_dec(p.get("amount")),
            currency=p.get("hs_line_item_currency_code") or None,
        )

    def _contact(self, _type: str, common: dict[str, Any], raw: dict[str, Any]) -> Contact:
        p = raw["properties"]
        source = p.get("hs_analytics_source")
        return Contact(
            **common,
            first_name=p.get("firstname"),
            last_name=p.get("lastname"),
            title=p.get("jobtitle"),
            email=p.get("email"),
            other_emails=_ids(p.get("hs_additional_emails")),
            phone=p.get("phone"),
            mobile=p.get("mobilephone"),
            street=p.get("address"),
            city=p.get("city"),
            state=p.get("state"),
            postal_code=p.get("zip"),
            country=p.get("country"),
            source_channel=self.channels.lead_source(source),
            source_detail=source,
            owner_id=p.get("hubspot_owner_id") or None,
            merged_ids=_ids(p.get("hs_merged_object_ids")),
            account_id=p.get("associatedcompanyid") or None,
            lifecycle_stage=p.get("lifecyclestage"),
        )

    def _account(self, _type: str, common: dict[str, Any], raw: dict[str, Any]) -> Account:
        p = raw["properties"]
        domain = p.get("domain")
        return Account(
            **common,
            name=p.get("name"),
            domain=domain,
            website=p.get("website") or (f"https://{domain}" if domain else None),
            industry=p.get("industry"),
            phone=p.get("phone"),
            street=p.get("address"),
            city=p.get("city"),
            state=p.get("state"),
            postal_code=p.get("zip"),
            country=p.get("country"),
            employees=_int(p.get("numberofemployees")),
            annual_revenue=_dec(p.get("annualrevenue")),
            owner_id=p.get("hubspot_owner_id") or None,
            merged_ids=_ids(p.get("hs_merged_object_ids")),
        )

    def _deal(self, _type: str, common: dict[str, Any], raw: dict[str, Any]) -> Deal:
        p = raw["properties"]
        links = raw.get("links") or {}
        stage_id = p.get("dealstage")
        stage = self.stages.get("deals", {}).get(stage_id or "")
        source = p.get("hs_analytics_source")
        return Deal(
            **common,
            name=p.get("dealname"),
            account_id=_first(links, "companies"),
            contact_id=_first(links, "contacts"),
            stage=stage_id,
            pipeline=p.get("pipeline"),
            is_closed=stage.is_closed if stage else p.get("hs_is_closed") == "true",
            is_won=stage.is_won if stage else p.get("hs_is_closed_won") == "true",
            amount=_dec(p.get("amount")),
            currency=p.get("deal_currency_code"),
            close_date=_date(p.get("closedate")),
            probability=_percent(stage.probability) if stage else None,
            source_channel=self.channels.lead_source(source),
            source_detail=source,
            owner_id=p.get("hubspot_owner_id") or None,
            deal_type=p.get("dealtype"),
            next_step=p.get("hs_next_step") or None,
        )

    def _case(self, _type: str, common: dict[str, Any], raw: dict[str, Any]) -> Case:
        p = raw["properties"]
        links = raw.get("links") or {}
        stage_id = p.get("hs_pipeline_stage")
        stage = self.stages.get("tickets", {}).get(stage_id or "")
        origin = p.get("source_type")
        return Case(
            **common,
            number=common["remote_id"],
            subject=p.get("subject"),
            status=stage.label if stage else stage_id,
            is_closed=stage.is_closed if stage else bool(p.get("closed_date")),
            origin_channel=self.channels.case_origin(origin),
            origin_detail=origin,
            priority=p.get("hs_ticket_priority"),
            account_id=_first(links, "companies"),
            contact_id=_first(links, "contacts"),
            deal_id=_first(links, "deals"),
            owner_id=p.get("hubspot_owner_id") or None,
            opened_at=_dt(p.get("createdate")) or common["remote_created_at"],
            closed_at=_dt(p.get("closed_date")),
        )

    def _activity(
        self, object_type: str, common: dict[str, Any], raw: dict[str, Any], p: dict[str, Any]
    ) -> Activity:
        links = raw.get("links") or {}
        direction = p.get("hs_call_direction") or p.get("hs_email_direction")
        duration = _int(p.get("hs_call_duration"))
        subject_key = _SUBJECT.get(object_type)
        status_key = _STATUS.get(object_type)
        return Activity(
            **common,
            activity_type=activity_type(object_type),
            channel=self.channels.activity(object_type),
            direction=_DIRECTION.get(direction) if direction else None,
            owner_id=p.get("hubspot_owner_id") or None,
            occurred_at=_dt(p.get("hs_timestamp")),
            subject=p.get(subject_key) if subject_key else None,
            status=p.get(status_key) if status_key else None,
            duration_seconds=duration // 1000 if duration is not None else None,
            outcome=call_outcome(p.get("hs_call_disposition")),
            contact_id=_first(links, "contacts"),
            account_id=_first(links, "companies"),
            deal_id=_first(links, "deals"),
            case_id=_first(links, "tickets"),
        )
