"""Salesforce objects served by the emulator, and Salesforce-style record ids.

Field names are the real API names. Every object but ``User`` has the system fields
``Id, IsDeleted, CreatedDate, CreatedById, LastModifiedDate, LastModifiedById,
SystemModstamp``; ``User`` has no ``IsDeleted`` (users are deactivated, not deleted).
"""

from __future__ import annotations

from sandbox.salesforce.schema_currency import CURRENCY_KEY_PREFIXES
from sandbox.salesforce.schema_custom import CUSTOM_KEY_PREFIXES, custom_objects
from sandbox.salesforce.schema_history import (
    FIELD_HISTORY,
    HISTORY_KEY_PREFIXES,
    history_objects,
)
from sandbox.salesforce.schema_products import PRODUCT_KEY_PREFIXES, product_objects
from sandbox.schema import Field, ObjectSchema

__all__ = ["API_VERSION", "KEY_PREFIXES", "OBJECTS", "build_schemas", "salesforce_id"]

API_VERSION = "59.0"

KEY_PREFIXES = {
    "Account": "001",
    "Contact": "003",
    "Lead": "00Q",
    "Opportunity": "006",
    "OpportunityContactRole": "00K",
    "Task": "00T",
    "Event": "00U",
    "Case": "500",
    "User": "005",
    "Campaign": "701",
    "CampaignMember": "00v",
    **PRODUCT_KEY_PREFIXES,
    **CUSTOM_KEY_PREFIXES,
    **CURRENCY_KEY_PREFIXES,  # served only by an org with dated rates enabled
    **HISTORY_KEY_PREFIXES,
}

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def salesforce_id(object_name: str, sequence: int) -> str:
    """An 18-character id with the object's key prefix and a valid case-safe suffix."""
    digits = ""
    n = sequence
    while True:
        n, rem = divmod(n, 62)
        digits = _BASE62[rem] + digits
        if n == 0:
            break
    short = f"{KEY_PREFIXES[object_name]}5g0{digits.rjust(9, '0')}"
    return short + _checksum(short)


def _checksum(short: str) -> str:
    suffix = ""
    for start in (0, 5, 10):
        chunk = short[start : start + 5]
        bits = sum(1 << i for i, ch in enumerate(chunk) if "A" <= ch <= "Z")
        suffix += _SUFFIX[bits]
    return suffix


def _ref(
    name: str,
    target: str | tuple[str, ...],
    relationship: str,
    required: bool = False,
    updateable: bool = True,
) -> Field:
    targets = (target,) if isinstance(target, str) else target
    return Field(
        name,
        "reference",
        ref=targets,
        relationship=relationship,
        required=required,
        updateable=updateable,
    )


def _system(with_deleted: bool = True) -> list[Field]:
    fields = [Field("Id", "id", updateable=False)]
    if with_deleted:
        fields.append(Field("IsDeleted", "boolean", updateable=False))
    return fields + [
        Field("CreatedDate", "datetime", updateable=False),
        _ref("CreatedById", "User", "CreatedBy", updateable=False),
        Field("LastModifiedDate", "datetime", updateable=False),
        _ref("LastModifiedById", "User", "LastModifiedBy", updateable=False),
        Field("SystemModstamp", "datetime", updateable=False),
    ]


_LEAD_STATUS = (
    "Open - Not Contacted",
    "Working - Contacted",
    "Closed - Converted",
    "Closed - Not Converted",
)
_LEAD_SOURCE = (
    "Web",
    "Phone Inquiry",
    "Partner Referral",
    "Purchased List",
    "Other",
    "Advertisement",
    "Employee Referral",
    "External Referral",
    "Trade Show",
    "Word of mouth",
    "Email",
    "Social",
    "Store",
    "Chat",
)
_STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
)
_ORIGINS = ("Phone", "Email", "Web", "Chat", "Social", "Store")
_CURRENCIES = ("USD", "EUR", "GBP", "CHF", "CAD")


def _objects() -> dict[str, list[Field]]:
    owner = _ref("OwnerId", "User", "Owner")
    return {
        "User": [
            *_system(with_deleted=False),
            Field("Username", "string", required=True),
            Field("Email", "email", required=True),
            Field("FirstName"),
            Field("LastName", required=True),
            Field("Name", updateable=False),
            Field("IsActive", "boolean"),
            Field("Title"),
            Field("Department"),
            Field("CompanyName"),
            Field("ProfileId"),
            Field("UserRoleId"),
            Field("TimeZoneSidKey"),
            Field("LocaleSidKey"),
        ],
        "Account": [
            *_system(),
            Field("Name", required=True),
            Field("Type", "picklist"),
            Field("Industry", "picklist"),
            Field("Website", "url"),
            Field("Phone", "phone"),
            Field("BillingStreet", "textarea"),
            Field("BillingCity"),
            Field("BillingState"),
            Field("BillingPostalCode"),
            Field("BillingCountry"),
            Field("AnnualRevenue", "currency"),
            Field("NumberOfEmployees", "int"),
            owner,
            _ref("ParentId", "Account", "Parent"),
            _ref("MasterRecordId", "Account", "MasterRecord", updateable=False),
            Field(
                "Region__c",
                "picklist",
                label="Region",
                custom=True,
                picklist=("North", "South", "East", "West", "International"),
            ),
        ],
        "Contact": [
            *_system(),
            _ref("AccountId", "Account", "Account"),
            Field("FirstName"),
            Field("LastName", required=True),
            Field("Name", updateable=False),
            Field("Title"),
            Field("Email", "email"),
            Field("Phone", "phone"),
            Field("MobilePhone", "phone"),
            Field("MailingStreet", "textarea"),
            Field("MailingCity"),
            Field("MailingState"),
            Field("MailingPostalCode"),
            Field("MailingCountry"),
            Field("LeadSource", "picklist", picklist=_LEAD_SOURCE),
            owner,
            _ref("MasterRecordId", "Contact", "MasterRecord", updateable=False),
        ],
        "Lead": [
            *_system(),
            Field("FirstName"),
            Field("LastName", required=True),
            Field("Name", updateable=False),
            Field("Company", required=True),
            Field("Title"),
            Field("Email", "email"),
            Field("Phone", "phone"),
            Field("MobilePhone", "phone"),
            Field("Street", "textarea"),
            Field("City"),
            Field("State"),
            Field("PostalCode"),
            Field("Country"),
            Field("Status", "picklist", required=True, picklist=_LEAD_STATUS),
            Field("LeadSource", "picklist", picklist=_LEAD_SOURCE),
            Field("Industry", "picklist"),
            Field("Rating", "picklist"),
            Field("Description", "textarea", length=32000),
            owner,
            Field("IsConverted", "boolean", updateable=False),
            Field("ConvertedDate", "date", updateable=False),
            _ref("ConvertedAccountId", "Account", "ConvertedAccount", updateable=False),
            _ref("ConvertedContactId", "Contact", "ConvertedContact", updateable=False),
            _ref("ConvertedOpportunityId", "Opportunity", "ConvertedOpportunity", updateable=False),
            _ref("MasterRecordId", "Lead", "MasterRecord", updateable=False),
        ],
        "Opportunity": [
            *_system(),
            Field("Name", required=True),
            _ref("AccountId", "Account", "Account"),
            Field("StageName", "picklist", required=True, picklist=_STAGES),
            Field("CloseDate", "date", required=True),
            Field("Amount", "currency"),
            Field("CurrencyIsoCode", "picklist", picklist=_CURRENCIES),
            Field("Probability", "percent"),
            Field("NextStep"),  # string(255)
            Field("IsClosed", "boolean", updateable=False),
            Field("IsWon", "boolean", updateable=False),
            Field("ForecastCategoryName", "picklist", updateable=False),
            Field("LeadSource", "picklist", picklist=_LEAD_SOURCE),
            _ref("CampaignId", "Campaign", "Campaign"),
            _ref("Pricebook2Id", "Pricebook2", "Pricebook2"),
            Field("HasOpportunityLineItem", "boolean", updateable=False),
            owner,
            Field("Type", "picklist"),
            Field(
                "Region__c",
                "picklist",
                label="Region",
                custom=True,
                picklist=("North", "South", "East", "West", "International"),
            ),
        ],
        "OpportunityContactRole": [
            *_system(),
            _ref("OpportunityId", "Opportunity", "Opportunity", required=True),
            _ref("ContactId", "Contact", "Contact", required=True),
            Field("Role", "picklist"),
            Field("IsPrimary", "boolean"),
        ],
        "Task": [
            *_system(),
            Field("Subject"),
            Field("Status", "picklist", required=True),
            Field("Priority", "picklist"),
            Field("ActivityDate", "date"),
            _ref("WhoId", ("Lead", "Contact"), "Who"),
            _ref("WhatId", ("Account", "Opportunity", "Case", "Campaign"), "What"),
            owner,
            Field("TaskSubtype", "picklist", picklist=("Task", "Email", "Call", "ListEmail")),
            Field("Type", "picklist"),
            Field("CallType", "picklist", picklist=("Inbound", "Outbound", "Internal")),
            Field("CallDurationInSeconds", "int"),
            Field("CallDisposition"),  # string(255): the call's result as the rep logged it
            Field("IsClosed", "boolean", updateable=False),
            Field("Description", "textarea"),
            Field("CompletedDateTime", "datetime", updateable=False),
        ],
        "Event": [
            *_system(),
            Field("Subject"),
            Field("Type", "picklist"),
            Field("StartDateTime", "datetime"),
            Field("EndDateTime", "datetime"),
            Field("ActivityDateTime", "datetime"),
            Field("ActivityDate", "date"),
            Field("DurationInMinutes", "int"),
            Field("Location"),
            Field("IsAllDayEvent", "boolean"),
            _ref("WhoId", ("Lead", "Contact"), "Who"),
            _ref("WhatId", ("Account", "Opportunity", "Case", "Campaign"), "What"),
            owner,
            Field("Description", "textarea"),
        ],
        "Case": [
            *_system(),
            Field("CaseNumber", updateable=False),
            Field("Subject"),
            Field("Description", "textarea"),
            Field("Status", "picklist", required=True),
            Field("Origin", "picklist", picklist=_ORIGINS),
            Field("Priority", "picklist"),
            Field("Type", "picklist"),
            Field("Reason", "picklist"),
            Field("IsClosed", "boolean", updateable=False),
            Field("ClosedDate", "datetime", updateable=False),
            _ref("AccountId", "Account", "Account"),
            _ref("ContactId", "Contact", "Contact"),
            owner,
        ],
        "Campaign": [
            *_system(),
            Field("Name", required=True),
            Field("Type", "picklist"),
            Field("Status", "picklist"),
            Field("StartDate", "date"),
            Field("EndDate", "date"),
            Field("IsActive", "boolean"),
            owner,
        ],
        "CampaignMember": [
            *_system(),
            _ref("CampaignId", "Campaign", "Campaign", required=True),
            _ref("LeadId", "Lead", "Lead"),
            _ref("ContactId", "Contact", "Contact"),
            Field("Status", "picklist"),
            Field("HasResponded", "boolean"),
            Field("FirstRespondedDate", "date"),
        ],
        **product_objects(_system, _ref),
        **custom_objects(_system, _ref),
        **history_objects(_system, _ref),
    }


OBJECTS = tuple(_objects())
FIELD_HISTORY_OBJECTS = frozenset(name for name, _ in FIELD_HISTORY.values())


def build_schemas() -> dict[str, ObjectSchema]:
    """Fresh, mutable schemas (custom fields can be added per sandbox instance)."""
    return {
        name: ObjectSchema(
            name=name,
            fields=fields,
            id_field="Id",
            # field-history rows are never modified (no LastModifiedDate, SystemModstamp)
            modified_fields=(
                () if name in FIELD_HISTORY_OBJECTS else ("LastModifiedDate", "SystemModstamp")
            ),
            created_fields=("CreatedDate",),
        )
        for name, fields in _objects().items()
    }
