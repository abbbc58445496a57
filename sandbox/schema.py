"""Object and field definitions shared by the generator and the emulators.

Each CRM module (``salesforce/schema.py``, ``hubspot/schema.py``, ``zoho/schema.py``)
declares its objects with these classes. Stored records hold *typed* Python values,
whatever the CRM's wire format:

=============  ==========================================================
field type     stored value
=============  ==========================================================
id, string,    ``str``
textarea,
email, phone,
url, picklist
boolean        ``bool``
int            ``int``
double,        ``float`` (money rounded to 2 places)
currency,
percent
date           ``datetime.date``
datetime       ``datetime.datetime``, UTC-aware
reference      ``str`` id of the referenced record (Zoho lookups too)
=============  ==========================================================

Each emulator renders these to its CRM's wire format (ISO strings, epoch ms, strings
for every HubSpot property, ``{"id", "name"}`` objects for Zoho lookups).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Field", "FieldType", "ObjectSchema"]

FieldType = Literal[
    "id",
    "string",
    "textarea",
    "email",
    "phone",
    "url",
    "picklist",
    "boolean",
    "int",
    "double",
    "currency",
    "percent",
    "date",
    "datetime",
    "reference",
]


@dataclass(frozen=True)
class Field:
    """One field of a CRM object.

    ``ref`` names the referenced object(s) for references (several for polymorphic
    Salesforce ``WhoId``/``WhatId``); ``relationship`` is the Salesforce relationship name
    (``Owner`` for ``OwnerId``) used by SOQL paths like ``Owner.Name``.
    """

    name: str
    type: FieldType = "string"
    label: str = ""
    required: bool = False
    custom: bool = False
    updateable: bool = True
    ref: tuple[str, ...] = ()
    relationship: str | None = None
    picklist: tuple[str, ...] = ()
    length: int = 255

    @property
    def display_label(self) -> str:
        return self.label or self.name.replace("__c", "").replace("_", " ")


@dataclass
class ObjectSchema:
    """An object (Salesforce sObject, HubSpot object type, Zoho module)."""

    name: str
    fields: list[Field]
    id_field: str = "Id"
    modified_fields: tuple[str, ...] = ()
    created_fields: tuple[str, ...] = ()
    label: str = ""
    _by_name: dict[str, Field] = field(default_factory=dict, init=False, repr=False)
    _by_lower: dict[str, Field] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._reindex()

    def _reindex(self) -> None:
        self._by_name = {f.name: f for f in self.fields}
        self._by_lower = {f.name.lower(): f for f in self.fields}

    def field(self, name: str) -> Field | None:
        """Exact-name lookup."""
        return self._by_name.get(name)

    def field_ci(self, name: str) -> Field | None:
        """Case-insensitive lookup (Salesforce field names are case-insensitive)."""
        return self._by_lower.get(name.lower())

    def add_field(self, new: Field) -> None:
        """Add a custom field at run time (Tooling API, properties API, Zoho settings)."""
        if new.name in self._by_name:
            raise ValueError(f"field {new.name} already exists on {self.name}")
        self.fields.append(new)
        self._reindex()

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]
