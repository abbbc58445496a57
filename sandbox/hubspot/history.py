"""HubSpot property history (``propertiesWithHistory``), as the CRM objects API serves it.

Each requested property maps to its versions, newest first, each
``{"value", "timestamp", "sourceType", "sourceId", "updatedByUserId"}`` with the value as
HubSpot renders it (a string). Tracked properties (``sandbox.history.TRACKED``) have a
version per recorded change; any other property has its current value as one version,
stamped with the record's creation (HubSpot keeps every property's history; the sandbox
only the ones crmsync reads). Changes made through the API carry ``sourceType`` ``API``;
the generated past and churn, made by people, ``CRM_UI``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.hubspot.render import iso, render_record, render_value, select_properties
from sandbox.store import Record, Table

if TYPE_CHECKING:
    from sandbox.world import World

__all__ = ["property_history"]


def property_history(
    world: World, table: Table, record: Record, names: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """``propertiesWithHistory`` of one record for the requested ``names``."""
    tracked = world.history.entries_of("hubspot", table.name, str(record["id"]))
    selection = select_properties(table.schema, names)
    current = render_record(table, record, selection)
    out: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        field = table.schema.field(name)
        if field is None:
            continue  # unknown properties are ignored, as in HubSpot
        entries = [entry for entry in tracked if name in entry["changes"]]
        versions = [
            _version(render_value(field.type, entry["changes"][name][1]), entry)
            for entry in entries
        ]
        # A record made without a creation entry (a line generated without history) had,
        # until its first recorded change, the value that change replaced: HubSpot keeps
        # that first version too, stamped with the record's creation.
        if entries and entries[0].get("action") != "added":
            first = entries[0]["changes"][name][0]
            if first is not None:
                versions.insert(0, _created_version(render_value(field.type, first), current))
        elif not versions:
            value = current["properties"].get(name)
            if value is None:
                continue
            versions = [_created_version(value, current)]
        out[name] = list(reversed(versions))
    return out


def _created_version(value: str | None, current: dict[str, Any]) -> dict[str, Any]:
    return {
        "value": "" if value is None else value,
        "timestamp": current["createdAt"],
        "sourceType": "CRM_UI",
        "sourceId": None,
        "updatedByUserId": None,
    }


def _version(value: str | None, entry: dict[str, Any]) -> dict[str, Any]:
    by = entry.get("by")
    return {
        "value": "" if value is None else value,
        "timestamp": iso(entry["at"]),
        "sourceType": entry.get("source") or "CRM_UI",
        "sourceId": None,
        "updatedByUserId": int(by) if isinstance(by, int | str) and str(by).isdigit() else None,
    }
