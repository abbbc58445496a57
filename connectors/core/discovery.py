"""Discovery: every object a source's credentials can read, with its fields.

A connector that can list its CRM's objects implements ``Discovers.discover``: one
``ObjectInfo`` per object (an sObject, an object type, a module: the CRM's word), standard
and custom, with its fields, their types, and the field an incremental read can use as
its cursor (``None``: the object can only be read whole). ``crmsync connectors discover``
prints them, and the configuration check compares an admin's custom-object mappings with
them.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

__all__ = ["Discovers", "FieldInfo", "ObjectInfo", "closest"]


@dataclass(frozen=True)
class FieldInfo:
    """One field of an object: its API name, the CRM's type name and label."""

    name: str
    type: str
    label: str = ""
    custom: bool = False
    references: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "label": self.label,
            "custom": self.custom,
            "references": list(self.references),
        }


@dataclass(frozen=True)
class ObjectInfo:
    """One readable object. ``name`` is what a mapping's ``object`` names; ``aliases`` are
    other names the CRM accepts for it (a custom object's type id)."""

    name: str
    label: str
    custom: bool
    fields: tuple[FieldInfo, ...]
    cursor_field: str | None = None
    detects_deletes: bool = True
    aliases: tuple[str, ...] = ()

    @property
    def incremental(self) -> bool:
        return self.cursor_field is not None

    def field(self, name: str) -> FieldInfo | None:
        for item in self.fields:
            if item.name == name:
                return item
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "custom": self.custom,
            "aliases": list(self.aliases),
            "incremental": self.incremental,
            "cursor_field": self.cursor_field,
            "detects_deletes": self.detects_deletes,
            "fields": [f.to_json() for f in self.fields],
        }


def closest(name: str, candidates: list[str]) -> str | None:
    """The candidate most like ``name`` (case and ``__c``-style suffixes aside), or None."""
    folded = {c.casefold(): c for c in candidates}
    if name.casefold() in folded:
        return folded[name.casefold()]
    found = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[found[0]] if found else None


@runtime_checkable
class Discovers(Protocol):
    """A connector that can list the objects its credentials read."""

    def discover(self, only: Collection[str] | None = None) -> list[ObjectInfo]:
        """Every readable object, standard and custom, with fields and cursor field.

        With ``only`` (names or aliases), just those objects are described: the others
        come with their names alone (no fields), for suggestions, at fewer calls."""
