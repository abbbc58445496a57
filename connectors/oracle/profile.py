"""The Oracle profile: what crmsync outside this folder may know about Oracle CX Sales."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from connectors.core.contract import FieldUpdate
from connectors.core.profile import CrmProfile

__all__ = ["CHANNELS", "PROFILE", "wire", "write_request"]

# Lookup codes as the division's instance has them (leads' ChannelType, activities'
# ActivityTypeCode, service requests' ChannelTypeCd).
CHANNELS: dict[str, dict[str, str]] = {
    "lead_source": {
        "WEB": "web",
        "EMAIL": "email",
        "PHONE": "phone",
        "TRADESHOW": "event",
        "REFERRAL": "partner",
        "PARTNER": "partner",
        "SOCIAL": "social",
    },
    "activity": {
        "CALL": "phone",
        "MEETING": "meeting",
        "EMAIL": "email",
        "TODO": "other",
        "DEMO": "meeting",
    },
    "case_origin": {
        "ORA_SVC_EMAIL": "email",
        "ORA_SVC_PHONE": "phone",
        "ORA_SVC_WEB": "web",
        "ORA_SVC_CHAT": "chat",
        "ORA_SVC_SOCIAL": "social",
    },
}


def wire(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def write_request(resource: str, updates: Sequence[FieldUpdate]) -> dict[str, Any]:
    """The batch request a batch of updates becomes (for dry runs); the paths name the
    records' numbers, which the writer looks up first (``<id>`` here)."""
    parts = [
        {
            "id": f"part{i}",
            "path": f"/{resource}/<{u.remote_id}>",
            "operation": "update",
            "payload": {k: wire(v) for k, v in u.values.items()},
        }
        for i, u in enumerate(updates, start=1)
    ]
    return {
        "method": "POST",
        "path": "/crmRestApi/resources/11.13.18.05/",
        "headers": {"Content-Type": "application/vnd.oracle.adf.batch+json"},
        "body": {"parts": parts},
    }


PROFILE = CrmProfile(
    kind="oracle",
    object_names={
        "leads": "leads",
        "contacts": "contacts",
        "accounts": "accounts",
        "deals": "opportunities",
        "deal_contacts": "OpportunityContact",
        "activities": "activities",
        "cases": "serviceRequests",
        "users": "resourceUsers",
    },
    record_url="{base}/fscmUI/redwood/cx-sales/application/container/{object}/{id}",
    default_base_url="https://example.fa.us2.oraclecloud.com",
    write_batch_size=100,
    custom_field_suffix="_c",
    creator_field=("CreatedBy",),
    creator_user_key="Username",  # CreatedBy holds the user name, not the party id
    required_fields={
        "leads": ("Name", "ContactLastName", "PrimaryContactEmailAddress", "ChannelType"),
        "contacts": ("LastName", "EmailAddress", "WorkPhoneNumber", "JobTitle"),
        "accounts": ("OrganizationName",),
        "opportunities": ("Name", "EffectiveDate", "Revenue"),
    },
    lead_streams=("leads",),
    response_streams=("leads",),
    user_fields=False,  # resources take no custom fields crmsync writes
    channels=CHANNELS,
    write_request=write_request,
)
