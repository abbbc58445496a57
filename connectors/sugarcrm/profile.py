"""The SugarCRM profile: what crmsync outside this folder may know about SugarCRM."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson

from connectors.core.contract import FieldUpdate
from connectors.core.profile import CrmProfile

__all__ = ["CHANNELS", "PROFILE", "wire", "write_request"]

# Dropdown values as Sugar ships them (lead_source_dom, source_dom).
CHANNELS: dict[str, dict[str, str]] = {
    "lead_source": {
        "Cold Call": "phone",
        "Existing Customer": "partner",
        "Self Generated": "other",
        "Employee": "partner",
        "Partner": "partner",
        "Public Relations": "other",
        "Direct Mail": "email",
        "Conference": "event",
        "Trade Show": "event",
        "Web Site": "web",
        "Word of mouth": "partner",
        "Email": "email",
        "Campaign": "web",
        "Other": "other",
    },
    "activity": {"Call": "phone", "Meeting": "meeting", "Task": "other"},
    "case_origin": {
        "Internal": "other",
        "Forum": "web",
        "Web": "web",
        "InboundEmail": "email",
        "Twitter": "social",
        "Portal": "web",
    },
}


def wire(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def write_request(module: str, updates: Sequence[FieldUpdate]) -> dict[str, Any]:
    """The bulk API call a batch of updates becomes (for dry runs)."""
    requests = [
        {
            "url": f"/v11/{module}/{u.remote_id}",
            "method": "PUT",
            "data": orjson.dumps({k: wire(v) for k, v in u.values.items()}).decode(),
        }
        for u in updates
    ]
    return {"method": "POST", "path": "/rest/v11/bulk", "body": {"requests": requests}}


PROFILE = CrmProfile(
    kind="sugarcrm",
    object_names={
        "leads": "Leads",
        "contacts": "Contacts",
        "accounts": "Accounts",
        "deals": "Opportunities",
        "deal_contacts": "opportunities_contacts",
        "activities": "Calls",
        "cases": "Cases",
        "users": "Users",
    },
    record_url="{base}/#{object}/{id}",
    default_base_url="https://example.sugarondemand.com",
    write_batch_size=100,
    custom_field_suffix="_c",
    creator_field=("created_by",),
    required_fields={
        "Leads": ("last_name", "account_name", "email1", "phone_work", "title"),
        "Contacts": ("last_name", "email1", "phone_work", "title"),
        "Accounts": ("name",),
        "Opportunities": ("name", "date_closed", "amount"),
    },
    lead_streams=("leads",),
    response_streams=("leads",),
    user_fields=True,  # Users take custom fields in Studio
    channels=CHANNELS,
    write_request=write_request,
)
