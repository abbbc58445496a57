"""The Dynamics 365 profile: what crmsync outside this folder may know about Dynamics."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from connectors.core.contract import FieldUpdate
from connectors.core.profile import CrmProfile

__all__ = ["CHANNELS", "PROFILE", "write_request"]

# Choice labels as Dynamics 365 Sales ships them (the connector reads them from metadata).
CHANNELS: dict[str, dict[str, str]] = {
    "lead_source": {
        "Advertisement": "web",
        "Employee Referral": "partner",
        "External Referral": "partner",
        "Partner": "partner",
        "Public Relations": "other",
        "Seminar": "event",
        "Trade Show": "event",
        "Web": "web",
        "Word of Mouth": "partner",
        "Other": "other",
    },
    "activity": {
        "Phone Call": "phone",
        "Email": "email",
        "Appointment": "meeting",
        "Task": "other",
    },
    "case_origin": {
        "Phone": "phone",
        "Email": "email",
        "Web": "web",
        "Facebook": "social",
        "Twitter": "social",
        "IoT": "other",
    },
}
ENTITY_SETS = {
    "lead": "leads",
    "contact": "contacts",
    "account": "accounts",
    "opportunity": "opportunities",
    "incident": "incidents",
    "systemuser": "systemusers",
}


def wire(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def write_request(obj: str, updates: Sequence[FieldUpdate]) -> dict[str, Any]:
    """The ``$batch`` a batch of updates becomes (for dry runs), as its PATCH parts."""
    entity_set = ENTITY_SETS.get(obj, obj)
    parts = [
        {
            "method": "PATCH",
            "path": f"/api/data/v9.2/{entity_set}({u.remote_id})",
            "headers": {"If-Match": u.version or "*"},
            "body": {k: wire(v) for k, v in u.values.items()},
        }
        for u in updates
    ]
    return {"method": "POST", "path": "/api/data/v9.2/$batch", "body": {"requests": parts}}


PROFILE = CrmProfile(
    kind="dynamics",
    object_names={
        "leads": "lead",
        "contacts": "contact",
        "accounts": "account",
        "deals": "opportunity",
        "deal_contacts": "connection",
        "deal_products": "opportunityproduct",
        "activities": "activitypointer",
        "cases": "incident",
        "campaign_members": "campaignresponse",
        "users": "systemuser",
    },
    record_url="{base}/main.aspx?pagetype=entityrecord&etn={object}&id={id}",
    default_base_url="https://org.crm.dynamics.com",
    write_batch_size=1000,  # requests per $batch
    creator_field=("_createdby_value",),
    required_fields={
        "lead": ("lastname", "companyname", "emailaddress1", "telephone1", "jobtitle"),
        "contact": ("lastname", "emailaddress1", "telephone1", "jobtitle"),
        "account": ("name",),
        "opportunity": ("name", "estimatedclosedate", "estimatedvalue"),
    },
    lead_streams=("leads",),
    response_streams=("leads",),
    user_fields=True,  # system users take custom columns
    channels=CHANNELS,
    write_request=write_request,
    version_field=("@odata.etag",),  # W/"<versionnumber>", checked with If-Match
)
