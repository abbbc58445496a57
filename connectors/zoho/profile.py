"""The Zoho CRM profile: what crmsync outside this folder may know about Zoho CRM."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from connectors.core.contract import FieldUpdate
from connectors.core.profile import CrmProfile
from connectors.zoho.writer import module_name

__all__ = ["PROFILE", "write_request"]

CHANNELS: dict[str, dict[str, str]] = {
    "lead_source": {
        "Advertisement": "web",
        "Cold Call": "phone",
        "Employee Referral": "partner",
        "External Referral": "partner",
        "Online Store": "store",
        "Partner": "partner",
        "Public Relations": "other",
        "Sales Email Alias": "email",
        "Seminar Partner": "event",
        "Internal Seminar": "event",
        "Trade Show": "event",
        "Web Download": "web",
        "Web Research": "web",
        "Chat": "chat",
        "X (Twitter)": "social",
        "Facebook": "social",
    },
    "activity": {"Calls": "phone", "Tasks": "other", "Events": "meeting"},
    "case_origin": {
        "Email": "email",
        "Phone": "phone",
        "Web": "web",
        "Chat": "chat",
        "Social": "social",
        "Store": "store",
    },
}


def write_request(obj: str, updates: Sequence[FieldUpdate]) -> dict[str, Any]:
    """The bulk update request a batch of updates becomes (for dry runs)."""
    data = [
        {
            **{k: float(v) if isinstance(v, Decimal) else v for k, v in u.values.items()},
            "id": u.remote_id,
        }
        for u in updates
    ]
    return {"method": "PUT", "path": f"/crm/v8/{module_name(obj)}", "body": {"data": data}}


PROFILE = CrmProfile(
    kind="zoho",
    object_names={
        "leads": "Leads",
        "contacts": "Contacts",
        "accounts": "Accounts",
        "deals": "Deals",
        "cases": "Cases",
        "activities": "Activities",
        "users": "users",
    },
    record_url="{base}/crm/tab/{object}/{id}",
    default_base_url="https://crm.zoho.com",
    write_batch_size=100,  # bulk update
    creator_field=("Created_By", "id"),
    required_fields={
        "Leads": ("Last_Name", "Company", "Email", "Phone", "Designation"),
        "Contacts": ("Last_Name", "Email", "Phone", "Title"),
        "Accounts": ("Account_Name",),
        "Deals": ("Deal_Name", "Stage", "Closing_Date", "Amount"),
    },
    business_fields={"Contacts": ("Title",)},
    lead_streams=("leads",),
    response_streams=("leads",),
    user_fields=False,  # users take no custom fields
    channels=CHANNELS,
    write_request=write_request,
)
