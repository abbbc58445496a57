"""The Salesforce profile: what crmsync outside this folder may know about Salesforce."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connectors.core.contract import FieldUpdate
from connectors.core.profile import CrmProfile
from connectors.salesforce.writer import sobject_name, wire_value

__all__ = ["PROFILE", "write_request"]

CHANNELS: dict[str, dict[str, str]] = {
    "lead_source": {
        "Web": "web",
        "Phone Inquiry": "phone",
        "Partner Referral": "partner",
        "Purchased List": "other",
        "Other": "other",
        "Advertisement": "web",
        "Employee Referral": "partner",
        "External Referral": "partner",
        "Trade Show": "event",
        "Word of mouth": "other",
        "Email": "email",
        "Social": "social",
        "Store": "store",
        "Chat": "chat",
    },
    "activity": {
        "Call": "phone",
        "Email": "email",
        "ListEmail": "email",
        "Task": "other",
        "Meeting": "meeting",
        "Event": "meeting",
        "Other": "other",
    },
    "case_origin": {
        "Phone": "phone",
        "Email": "email",
        "Web": "web",
        "Chat": "chat",
        "Social": "social",
        "Store": "store",
    },
}


def write_request(obj: str, updates: Sequence[FieldUpdate]) -> dict[str, Any]:
    """The sObject Collections request a batch of updates becomes (for dry runs)."""
    sobject = sobject_name(obj)
    records = [
        {
            "attributes": {"type": sobject},
            **{k: wire_value(v) for k, v in u.values.items()},
            "Id": u.remote_id,
        }
        for u in updates
    ]
    return {
        "method": "PATCH",
        "path": "/services/data/vXX.X/composite/sobjects",
        "body": {"allOrNone": False, "records": records},
    }


PROFILE = CrmProfile(
    kind="salesforce",
    object_names={
        "leads": "Lead",
        "contacts": "Contact",
        "accounts": "Account",
        "deals": "Opportunity",
        "cases": "Case",
        "activities": "Task",
        "users": "User",
    },
    record_url="{base}/lightning/r/{object}/{id}/view",
    default_base_url="https://login.salesforce.com",
    write_batch_size=200,  # sObject Collections
    custom_field_suffix="__c",
    creator_field=("CreatedById",),
    required_fields={
        "Lead": ("LastName", "Company", "Email", "Phone", "Title"),
        "Contact": ("LastName", "Email", "Phone", "Title"),
        "Account": ("Name",),
        "Opportunity": ("Name", "StageName", "CloseDate", "Amount"),
    },
    business_fields={"Contact": ("Title",)},
    lead_streams=("leads",),
    # Salesforce leads are not measured by default: their first touch is often logged in
    # another CRM.
    response_streams=(),
    user_fields=True,
    channels=CHANNELS,
    write_request=write_request,
)
