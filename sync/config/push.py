"""The ``push:`` section: which published value goes to which CRM field, and how.

Example::

    push:
      create_fields: false        # opt in to creating missing custom fields via the API
      targets:
        - key: incentive_total    # the key the computing step publishes
          source: salesforce      # a configured source
          object: deals           # store table: deals, contacts, accounts, users, leads, cases
          field: crmsync_incentive_total
          type: currency
          label: Incentive total (crmsync)
          conflict: overwrite     # overwrite | skip_and_flag | only_if_empty
        - key: usage_score        # HubSpot owners have no custom fields: put the owner's
          source: hubspot         # score on each deal they own
          object: deals
          via: owned_records
          field: crmsync_owner_usage_score
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["CONFLICT_POLICIES", "FIELD_TYPES", "PushConfig", "PushTarget"]

CONFLICT_POLICIES = ("overwrite", "skip_and_flag", "only_if_empty")
FIELD_TYPES = ("text", "number", "currency", "percent", "date", "datetime")
OBJECTS = ("deals", "contacts", "accounts", "users", "leads", "cases")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class PushTarget(BaseModel):
    """One published value key written to one CRM field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(description="Published value key, e.g. incentive_total or usage_score.")
    source: str = Field(description="Name of the configured source (CRM) to write to.")
    object: Literal["deals", "contacts", "accounts", "users", "leads", "cases"] = Field(
        description="Store object whose CRM records get the field."
    )
    field: str = Field(
        description="Custom field name (lower case; the connector forms the field's API "
        "name from it, with the CRM's custom-field suffix or from the label)."
    )
    type: Literal["text", "number", "currency", "percent", "date", "datetime"] = Field(
        "number", description="Field type, used when creating the field and to compare values."
    )
    label: str | None = Field(None, description="Field label shown in the CRM (default: key).")
    conflict: Literal["overwrite", "skip_and_flag", "only_if_empty"] = Field(
        "overwrite",
        description="When the CRM value was changed by someone else: overwrite it, skip the "
        "record and flag the conflict, or write only while the field is empty.",
    )
    via: Literal["record", "owned_records"] = Field(
        "record",
        description="record: the value published on the record itself; owned_records: the "
        "value published on the record's owner (object users), for CRMs without custom "
        "user fields.",
    )
    decimals: int = Field(2, ge=0, le=8, description="Decimal places of number values.")
    clear_when_missing: bool = Field(
        True, description="Empty the field when its published value disappears."
    )

    @model_validator(mode="after")
    def _check(self) -> PushTarget:
        if not _NAME.match(self.field):
            raise ValueError(
                f"field {self.field!r}: use lower-case letters, digits and _ (at most 40), "
                "starting with a letter"
            )
        if self.via == "owned_records" and self.object == "users":
            raise ValueError("via: owned_records writes to the records users own, not to users")
        return self

    @property
    def display_label(self) -> str:
        return self.label or self.key.replace("_", " ").capitalize()

    @property
    def value_object(self) -> str:
        """The store object the value is published on."""
        return "users" if self.via == "owned_records" else self.object


class PushConfig(BaseModel):
    """Write-back of computed values into the CRMs (``crmsync push``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    create_fields: bool = Field(
        False,
        description="Create missing custom fields through the CRM's API (needs admin "
        "rights); otherwise crmsync prints what to create.",
    )
    max_attempts: int = Field(
        3, ge=1, le=10, description="Attempts per record in one run for retriable failures."
    )
    targets: list[PushTarget] = Field(
        default_factory=list, description="Published value key -> CRM field mappings."
    )

    @model_validator(mode="after")
    def _unique(self) -> PushConfig:
        seen: set[tuple[str, str, str]] = set()
        for target in self.targets:
            spot = (target.source, target.object, target.field)
            if spot in seen:
                raise ValueError(
                    f"two targets write {target.source} {target.object}.{target.field}"
                )
            seen.add(spot)
        return self
