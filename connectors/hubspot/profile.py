"""The HubSpot profile: what crmsync outside this folder may know about HubSpot."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connectors.core.channels import UTM_CHANNELS
from connectors.core.contract import FieldUpdate
from connectors.core.profile import CrmProfile
from connectors.hubspot.writer import OBJECT_NAMES

__all__ = ["PROFILE", "write_request"]

CHANNELS: dict[str, dict[str, str]] = {
    "lead_source": {
        "ORGANIC_SEARCH": "web",
        "PAID_SEARCH": "web",
        "EMAIL_MARKETING": "email",
        "SOCIAL_MEDIA": "social",
        "REFERRALS": "partner",
        "OTHER_CAMPAIGNS": "event",
        "DIRECT_TRAFFIC": "web",
        "OFFLINE": "other",
        "PAID_SOCIAL": "social",
    },
    "activity": {
        "calls": "phone",
        "emails": "email",
        "meetings": "meeting",
        "notes": "other",
        "tasks": "other",
    },
    "case_origin": {"CHAT": "chat", "EMAIL": "email", "FORM": "web", "PHONE": "phone"},
    # form submissions' landing pages and marketing e-mail links (``marketing_events``)
    "utm": dict(UTM_CHANNELS),
}


def write_request(obj: str, updates: Sequence[FieldUpdate]) -> dict[str, Any]:
    """The batch update request a batch of updates becomes (for dry runs)."""
    inputs = [
        {
            "id": u.remote_id,
            "properties": {k: "" if v is None else str(v) for k, v in u.values.items()},
        }
        for u in updates
    ]
    return {
        "method": "POST",
        "path": f"/crm/v3/objects/{OBJECT_NAMES.get(obj, obj)}/batch/update",
        "body": {"inputs": inputs},
    }


PROFILE = CrmProfile(
    kind="hubspot",
    # HubSpot has no lead object: leads are contacts.
    object_names={
        "contacts": "contacts",
        "accounts": "companies",
        "deals": "deals",
        "cases": "tickets",
        "activities": "engagements",
        "users": "owners",
    },
    record_url="https://app.hubspot.com/contacts/{portal}/record/{type_id}/{id}",
    object_type_ids={"contacts": "0-1", "companies": "0-2", "deals": "0-3", "tickets": "0-5"},
    write_batch_size=100,  # batch update
    # The creator is a HubSpot *user* id; users are owners, carrying it as ``userId``.
    creator_field=("properties", "hs_created_by_user_id"),
    creator_user_key="userId",
    required_fields={
        "contacts": ("lastname", "email", "phone", "jobtitle", "company"),
        "companies": ("name",),
        "deals": ("dealname", "dealstage", "closedate", "amount"),
    },
    business_fields={"contacts": ("jobtitle", "company")},
    lead_streams=("contacts",),
    response_streams=("contacts",),
    user_fields=False,  # owners take no custom fields
    channels=CHANNELS,
    write_request=write_request,
)
