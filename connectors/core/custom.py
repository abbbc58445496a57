"""Custom objects mapped by the admin: the mapping as written in YAML, and the capability.

A source's ``custom_objects`` list maps CRM objects crmsync does not read by default (a
custom object or module: store visits, orders, loyalty sign-ups) to a common kind. Each
mapping becomes one more stream of the source, read incrementally on its cursor field,
with deletes, the delete guard and quarantine like every standard stream. Field names are
the CRM's API names; ``crmsync connectors discover`` lists them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from connectors.core.channels import CHANNELS
from connectors.core.discovery import closest

__all__ = [
    "COMMON_FIELDS",
    "KIND_RECORD_TYPES",
    "ChannelRule",
    "CustomLinks",
    "CustomObjectMapping",
    "MapsCustomObjects",
]

CommonKind = Literal["activity", "case", "deal", "person", "organisation", "product", "event"]

# the common record type each kind becomes (an "event" is an activity of type "event"
# that keeps every field of the object in its custom fields)
KIND_RECORD_TYPES: dict[str, str] = {
    "activity": "activity",
    "event": "activity",
    "case": "case",
    "deal": "deal",
    "person": "contact",
    "organisation": "account",
    "product": "deal_product",  # a product sold on a deal: an order's line, say
}

# the common fields a mapping may fill, per kind, and the type each value is read as
COMMON_FIELDS: dict[str, dict[str, str]] = {
    "activity": {
        "subject": "text",
        "occurred_at": "datetime",
        "status": "text",
        "duration_seconds": "int",
        "direction": "text",
    },
    "case": {
        "number": "text",
        "subject": "text",
        "status": "text",
        "priority": "text",
        "is_closed": "bool",
        "opened_at": "datetime",
        "closed_at": "datetime",
    },
    "deal": {
        "name": "text",
        "stage": "text",
        "pipeline": "text",
        "amount": "decimal",
        "currency": "text",
        "close_date": "date",
        "is_closed": "bool",
        "is_won": "bool",
        "deal_type": "text",
    },
    "person": {
        "first_name": "text",
        "last_name": "text",
        "email": "text",
        "phone": "text",
        "mobile": "text",
        "title": "text",
        "city": "text",
        "country": "text",
        "postal_code": "text",
    },
    "organisation": {
        "name": "text",
        "website": "text",
        "industry": "text",
        "phone": "text",
        "city": "text",
        "country": "text",
        "employees": "int",
        "annual_revenue": "decimal",
    },
    "product": {
        "product_name": "text",
        "product_code": "text",
        "quantity": "decimal",
        "unit_price": "decimal",
        "amount": "decimal",
        "currency": "text",
    },
}
COMMON_FIELDS["event"] = COMMON_FIELDS["activity"]
ACTIVITY_TYPES = ("call", "email", "meeting", "task", "note", "event")
_STREAM = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChannelRule(_Strict):
    """The channel of every record (``value``), or read from ``field`` through ``map``."""

    value: str | None = Field(None, description="One channel for every record.")
    field: str | None = Field(None, description="The field whose value gives the channel.")
    map: dict[str, str] = Field(
        default_factory=dict, description="Field value -> channel (case and spacing ignored)."
    )
    default: str = Field("other", description="Channel of a value the map does not list.")

    @model_validator(mode="after")
    def _one_way(self) -> ChannelRule:
        if (self.value is None) == (self.field is None):
            raise ValueError("give either value (a fixed channel) or field (with a map)")
        for channel in [self.value, self.default, *self.map.values()]:
            if channel is not None and channel not in CHANNELS:
                raise ValueError(f"{channel!r} is not a channel; use one of {', '.join(CHANNELS)}")
        return self


class CustomLinks(_Strict):
    """Fields holding the remote ids of the records this one is about."""

    person: str | None = Field(None, description="Field with the contact's id.")
    lead: str | None = Field(None, description="Field with the lead's id (activities).")
    account: str | None = Field(None, description="Field with the account's id.")
    deal: str | None = Field(None, description="Field with the deal's id.")
    owner: str | None = Field(None, description="Field with the owning user's id.")


class CustomObjectMapping(_Strict):
    """One custom object brought into the common model."""

    object: str = Field(
        description="The CRM's object name as `crmsync connectors discover` lists it (an "
        "object's API name, a custom object's fully qualified name or type id, a module)."
    )
    kind: CommonKind = Field(
        description="Common kind: activity, case, deal, person, organisation, product (a "
        "product sold on a deal: an order's line), or event (an activity that keeps every "
        "field)."
    )
    stream: str | None = Field(
        None, description="Stream name (default: the object name in lower case)."
    )
    activity_type: str | None = Field(
        None, description="Activity type of activity records (default: event)."
    )
    direction: Literal["inbound", "outbound"] | None = Field(
        None,
        description="Direction of every activity record: inbound when the customer comes "
        "to the company (a store visit, a sign-up), which a lead's response time does not "
        "count as a reply; outbound when an employee reaches out (default: none, or the "
        "field mapped as fields.direction).",
    )
    fields: dict[str, str] = Field(
        default_factory=dict, description="Common field -> the object's field."
    )
    channel: ChannelRule | None = Field(None, description="The records' channel.")
    links: CustomLinks = Field(default_factory=CustomLinks)
    cursor_field: str | None = Field(
        None, description="Modified-time field for incremental reads (default: the CRM's)."
    )

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, fields: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        kind = info.data.get("kind")
        if kind is None:
            return fields  # the kind's own error says what is wrong
        known = COMMON_FIELDS[kind]
        unknown = sorted(set(fields) - set(known))
        if unknown:
            hint = closest(unknown[0], sorted(known)) if len(unknown) == 1 else None
            raise ValueError(
                f"{kind} has no field {', '.join(unknown)}; "
                + (f"did you mean {hint}?" if hint else f"map one of {', '.join(sorted(known))}")
            )
        return fields

    @model_validator(mode="after")
    def _consistent(self) -> CustomObjectMapping:
        if self.activity_type is not None and self.activity_type not in ACTIVITY_TYPES:
            raise ValueError(
                f"activity_type {self.activity_type!r} is not one of {', '.join(ACTIVITY_TYPES)}"
            )
        if self.activity_type is not None and KIND_RECORD_TYPES[self.kind] != "activity":
            raise ValueError("activity_type applies to kind activity or event only")
        if self.direction is not None and KIND_RECORD_TYPES[self.kind] != "activity":
            raise ValueError("direction applies to kind activity or event only")
        if self.direction is not None and "direction" in self.fields:
            raise ValueError("give direction (one for all) or fields.direction, not both")
        if self.stream is not None and not _STREAM.match(self.stream):
            raise ValueError("stream: lower-case letters, digits and _, starting with a letter")
        if self.channel is not None and self.kind in ("organisation", "product"):
            raise ValueError(
                f"an {self.kind} has no channel"
                if self.kind == "organisation"
                else "a product has no channel: its deal has"
            )
        if self.kind == "product":
            links = self.links
            if links.deal is None:
                raise ValueError("a product needs links.deal: the field with its deal's id")
            if any(v is not None for v in (links.person, links.account, links.owner)):
                raise ValueError("a product links to its deal only (links.deal)")
        if self.links.lead is not None and KIND_RECORD_TYPES[self.kind] != "activity":
            raise ValueError("links.lead applies to activities only")
        return self

    @property
    def stream_name(self) -> str:
        if self.stream is not None:
            return self.stream
        name = re.sub(r"[^a-z0-9]+", "_", self.object.casefold()).strip("_")
        name = name.removesuffix("_c") if self.object.endswith("__c") else name
        return (name if name[:1].isalpha() else f"custom_{name}")[:40]

    @property
    def record_type(self) -> str:
        return KIND_RECORD_TYPES[self.kind]

    def remote_fields(self) -> list[tuple[str, str]]:
        """(key path, field) of every remote field this mapping reads, in YAML order."""
        used = [(f"fields.{common}", name) for common, name in self.fields.items()]
        if self.channel is not None and self.channel.field is not None:
            used.append(("channel.field", self.channel.field))
        for link, name in self.links.model_dump().items():
            if name is not None:
                used.append((f"links.{link}", name))
        if self.cursor_field is not None:
            used.append(("cursor_field", self.cursor_field))
        return used


@runtime_checkable
class MapsCustomObjects(Protocol):
    """A connector that reads admin-mapped custom objects as extra streams."""

    def add_custom_streams(self, mappings: Sequence[CustomObjectMapping]) -> None:
        """Serve each mapping as a stream (``streams``, ``read`` and ``list_ids``)."""
