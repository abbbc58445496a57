"""The common record types every connector maps its CRM's records to.

Every record keeps where it came from (``source``, ``remote_id``), the CRM's own
created/updated times, whether it is deleted in the CRM, the custom fields and the raw
payload. References to other records (``owner_id``, ``account_id``...) are the CRM's remote
ids in the same source; the store resolves them. Money is ``Decimal`` with its currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal, TypedDict

__all__ = [
    "EMAIL_DELIVERED",
    "EMAIL_SENT",
    "OUTBOUND_EMAIL_EVENTS",
    "RECORD_TYPES",
    "Account",
    "Activity",
    "ActivityLinkName",
    "ActivityLinks",
    "CampaignMember",
    "Case",
    "CommonRecord",
    "Contact",
    "Deal",
    "DealContact",
    "DealProduct",
    "DealSplit",
    "DigitalEvent",
    "FieldChange",
    "Lead",
    "User",
]


@dataclass(kw_only=True, slots=True)
class CommonRecord:
    """Fields every record has."""

    kind: ClassVar[str] = "record"
    source: str
    remote_id: str
    remote_created_at: datetime | None = None
    remote_updated_at: datetime | None = None
    deleted: bool = False
    deleted_at: datetime | None = None
    custom_fields: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(kw_only=True, slots=True)
class User(CommonRecord):
    kind: ClassVar[str] = "user"
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    name: str | None = None
    is_active: bool = True
    title: str | None = None
    department: str | None = None
    role: str | None = None


@dataclass(kw_only=True, slots=True)
class _Person(CommonRecord):
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    email: str | None = None
    other_emails: list[str] = field(default_factory=list)
    phone: str | None = None
    mobile: str | None = None
    street: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    source_channel: str | None = None
    source_detail: str | None = None
    owner_id: str | None = None
    merged_into_id: str | None = None
    merged_ids: list[str] = field(default_factory=list)


@dataclass(kw_only=True, slots=True)
class Lead(_Person):
    kind: ClassVar[str] = "lead"
    company: str | None = None
    status: str | None = None
    converted: bool = False
    converted_at: datetime | None = None
    converted_contact_id: str | None = None
    converted_account_id: str | None = None
    converted_deal_id: str | None = None


@dataclass(kw_only=True, slots=True)
class Contact(_Person):
    kind: ClassVar[str] = "contact"
    account_id: str | None = None
    lifecycle_stage: str | None = None


@dataclass(kw_only=True, slots=True)
class Account(CommonRecord):
    kind: ClassVar[str] = "account"
    name: str | None = None
    domain: str | None = None
    website: str | None = None
    industry: str | None = None
    phone: str | None = None
    street: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    employees: int | None = None
    annual_revenue: Decimal | None = None
    owner_id: str | None = None
    parent_id: str | None = None
    merged_into_id: str | None = None
    merged_ids: list[str] = field(default_factory=list)
    # A consumer's account (a Salesforce person account): the contact that is the same
    # person, so that deals and cases on the account reach the person's other records.
    person_contact_id: str | None = None


@dataclass(kw_only=True, slots=True)
class Deal(CommonRecord):
    kind: ClassVar[str] = "deal"
    name: str | None = None
    account_id: str | None = None
    contact_id: str | None = None
    stage: str | None = None
    pipeline: str | None = None
    is_closed: bool = False
    is_won: bool = False
    amount: Decimal | None = None
    currency: str | None = None
    close_date: date | None = None
    probability: Decimal | None = None
    source_channel: str | None = None
    source_detail: str | None = None
    owner_id: str | None = None
    campaign_id: str | None = None
    deal_type: str | None = None
    next_step: str | None = None  # what the owner plans to do next, as the CRM holds it


@dataclass(kw_only=True, slots=True)
class DealContact(CommonRecord):
    """A contact's role on a deal (Salesforce OpportunityContactRole, HubSpot association)."""

    kind: ClassVar[str] = "deal_contact"
    deal_id: str
    contact_id: str
    role: str | None = None
    is_primary: bool = False


@dataclass(kw_only=True, slots=True)
class Activity(CommonRecord):
    """A call, email, meeting, task, note or event, with the channel it happened on."""

    kind: ClassVar[str] = "activity"
    activity_type: str  # call | email | meeting | task | note | event
    channel: str | None = None
    direction: str | None = None  # inbound | outbound | None
    owner_id: str | None = None
    occurred_at: datetime | None = None
    subject: str | None = None
    status: str | None = None
    duration_seconds: int | None = None
    outcome: str | None = None  # a call's result as logged (disposition); None: not recorded
    lead_id: str | None = None
    contact_id: str | None = None
    account_id: str | None = None
    deal_id: str | None = None
    case_id: str | None = None


ActivityLinkName = Literal["lead_id", "contact_id", "account_id", "deal_id", "case_id"]


class ActivityLinks(TypedDict, total=False):
    """The records an activity is about, as keyword arguments for :class:`Activity`."""

    lead_id: str
    contact_id: str
    account_id: str
    deal_id: str
    case_id: str


@dataclass(kw_only=True, slots=True)
class Case(CommonRecord):
    kind: ClassVar[str] = "case"
    number: str | None = None
    subject: str | None = None
    status: str | None = None
    is_closed: bool = False
    origin_channel: str | None = None
    origin_detail: str | None = None
    priority: str | None = None
    account_id: str | None = None
    contact_id: str | None = None
    deal_id: str | None = None
    owner_id: str | None = None
    opened_at: datetime | None = None
    closed_at: datetime | None = None


@dataclass(kw_only=True, slots=True)
class CampaignMember(CommonRecord):
    kind: ClassVar[str] = "campaign_member"
    campaign_id: str
    campaign_name: str | None = None
    lead_id: str | None = None
    contact_id: str | None = None
    status: str | None = None
    responded: bool = False
    first_responded_at: date | None = None


@dataclass(kw_only=True, slots=True)
class DealProduct(CommonRecord):
    """A product sold on a deal (an opportunity product, a line item): ``product_name`` is
    the catalogue product's name, which plans match (SPIFFs by product)."""

    kind: ClassVar[str] = "deal_product"
    deal_id: str
    product_id: str | None = None
    product_name: str | None = None
    product_code: str | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    amount: Decimal | None = None
    currency: str | None = None


@dataclass(kw_only=True, slots=True)
class DealSplit(CommonRecord):
    """A CRM's own credit split of a deal: ``user_id`` gets ``percent`` of the amount;
    ``split_type`` is ``revenue`` (the shares total 100%), ``overlay`` or the CRM's name."""

    kind: ClassVar[str] = "deal_split"
    deal_id: str
    user_id: str
    split_type: str | None = None
    percent: Decimal | None = None
    amount: Decimal | None = None
    currency: str | None = None
    note: str | None = None


@dataclass(kw_only=True, slots=True)
class FieldChange(CommonRecord):
    """One change of one tracked field of a record, as the CRM's own history holds it
    (Salesforce ``OpportunityFieldHistory``, HubSpot property history, Zoho's timeline).

    ``field`` is the common name (``stage``, ``amount``, ``close_date``, ``owner_id``,
    ``status``, ``next_step``, ``probability``) or ``created`` for the row that records the
    record's creation; ``remote_field`` is the CRM's own name. Values are text in a common
    form: money and numbers as decimals, dates as ``YYYY-MM-DD``, owners as the CRM's user
    id. For stage and status changes ``new_state`` says what the new value means: ``won``,
    ``lost``, ``open`` or ``closed`` (a case). ``changed_by`` is the CRM user who made it.
    """

    kind: ClassVar[str] = "field_change"
    record_type: str  # deal | lead | case | contact
    record_id: str
    field: str
    remote_field: str | None = None
    old_value: str | None = None
    new_value: str | None = None
    new_state: str | None = None
    changed_at: datetime | None = None
    changed_by: str | None = None


@dataclass(kw_only=True, slots=True)
class DigitalEvent(CommonRecord):
    """A digital touch (a page view, a click, a sign-up, an app login) in the Segment /
    RudderStack spec: ``remote_id`` is its ``messageId``, ``occurred_at`` its
    ``timestamp``. ``anonymous_id`` names a device or browser, ``user_id`` a known
    person; ``email``/``phone`` come from the traits or properties that carry them (the
    evidence identity stitching uses); ``channel`` is mapped from the UTM fields."""

    kind: ClassVar[str] = "event"
    event_type: str  # identify | track | page | screen | alias
    occurred_at: datetime | None = None
    anonymous_id: str | None = None
    user_id: str | None = None
    previous_id: str | None = None  # alias: the id the user was known by before
    name: str | None = None  # a track's event name, a page's or screen's name
    email: str | None = None
    phone: str | None = None
    url: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_term: str | None = None
    utm_content: str | None = None
    channel: str | None = None


# The e-mail events (Segment's e-mail spec names) a marketing tool records of its own
# sending: the company wrote to the person, who has done nothing yet. A send is shown in
# the journey as the company's touch, its delivery report is left out (it is the same
# message), and neither is a touch that brought a lead.
EMAIL_SENT = "Email Sent"
EMAIL_DELIVERED = "Email Delivered"
OUTBOUND_EMAIL_EVENTS = (EMAIL_SENT, EMAIL_DELIVERED)


RECORD_TYPES: dict[str, type[CommonRecord]] = {
    cls.kind: cls
    for cls in (
        User,
        Lead,
        Contact,
        Account,
        Deal,
        DealContact,
        Activity,
        Case,
        CampaignMember,
        DealProduct,
        DealSplit,
        FieldChange,
        DigitalEvent,
    )
}
