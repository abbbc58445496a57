"""The Keap profile: what crmsync outside this folder may know about Keap."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from connectors.core.contract import FieldUpdate
from connectors.core.profile import CrmProfile

__all__ = ["CHANNELS", "PROFILE", "write_request"]

# How a contact or an order came in (``source_type``), and the note and task types.
CHANNELS: dict[str, dict[str, str]] = {
    "lead_source": {
        "WEBFORM": "web",
        "LANDINGPAGE": "web",
        "ONLINE": "web",
        "API": "web",
        "MANUAL": "other",
        "IMPORT": "other",
        "OTHER": "other",
    },
    "activity": {
        "Call": "phone",
        "Email": "email",
        "Appointment": "meeting",
        "Letter": "other",
        "Fax": "other",
        "Other": "other",
    },
}


def write_request(obj: str, updates: Sequence[FieldUpdate]) -> dict[str, Any]:
    """The call a write batch becomes (for dry runs): one PATCH, as Keap updates one record
    per call (``write_batch_size`` is 1), its custom fields named by label here (by id on
    the wire, from the object's model)."""
    first = updates[0] if updates else FieldUpdate("", {})
    fields = [
        {"label": k, "content": str(v) if isinstance(v, Decimal) else v}
        for k, v in first.values.items()
    ]
    return {
        "method": "PATCH",
        "path": f"/crm/rest/v1/{obj}/{first.remote_id}",
        "body": {"custom_fields": fields},
    }


PROFILE = CrmProfile(
    kind="keap",
    object_names={
        "users": "users",
        "contacts": "contacts",
        "accounts": "companies",
        "deals": "opportunities",
        "activities": "notes",
    },
    record_url=None,  # Keap's web app links carry the account's own host
    default_base_url="https://api.infusionsoft.com",
    write_batch_size=1,  # the REST API updates one record per call
    custom_field_suffix="",
    creator_field=(),
    required_fields={
        "contacts": ("family_name", "email_addresses"),
        "companies": ("company_name",),
        "opportunities": ("opportunity_title", "projected_revenue_high", "estimated_close_time"),
    },
    lead_streams=(),
    response_streams=(),
    user_fields=False,  # Keap users take no custom fields
    channels=CHANNELS,
    write_request=write_request,
    # the deals stream holds orders too, and REST v1 has no custom-field update for them
    unwritable={"deals": {"order-": "Keap's REST v1 cannot write custom fields on orders"}},
)
