"""Validating one write item and applying it to a table (insert or update)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sandbox.store import Record, Table
from sandbox.zoho.convert import DATA_TYPES, Invalid, to_stored
from sandbox.zoho.errors import item_error

if TYPE_CHECKING:
    from sandbox.zoho.app import ZohoEmulator

__all__ = ["ItemError", "apply_insert", "apply_update", "changes_for", "result_details"]

# read-only or system fields a client may send back unchanged; they are ignored
_IGNORED_PREFIX = "$"


class ItemError(Exception):
    """A per-item failure; ``body`` is the item's Zoho error dict."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body["code"])
        self.body = body


def changes_for(
    app: ZohoEmulator, table: Table, item: Any, index: int, inserting: bool
) -> dict[str, Any]:
    """Typed changes from one wire item, or ``ItemError`` (INVALID_DATA / MANDATORY_NOT_FOUND)."""
    if not isinstance(item, dict):
        raise ItemError(
            item_error(
                "INVALID_DATA",
                "invalid data",
                expected_data_type="jsonobject",
                json_path=f"$.data[{index}]",
            )
        )
    schema = table.schema
    changes: dict[str, Any] = {}
    for name, value in item.items():
        if name == "id" or name.startswith(_IGNORED_PREFIX):
            continue
        f = schema.field(name)
        path = f"$.data[{index}].{name}"
        if f is None:
            raise ItemError(
                item_error(
                    "INVALID_DATA",
                    "the field api name given seems to be invalid",
                    api_name=name,
                    json_path=path,
                )
            )
        if not f.updateable:
            continue
        try:
            typed = to_stored(f, value)
            if f.type == "reference" and typed is not None:
                modules = f.ref
                if name == "What_Id":
                    se = item.get("$se_module")
                    if se not in f.ref:
                        raise Invalid
                    modules = (se,)
                    changes["$se_module"] = se
                if app.renderer.find_ref(modules, typed) is None:
                    raise Invalid
        except Invalid:
            raise ItemError(
                item_error(
                    "INVALID_DATA",
                    "invalid data",
                    api_name=name,
                    json_path=path,
                    expected_data_type=DATA_TYPES.get(f.type, "text"),
                )
            ) from None
        changes[name] = typed
    if inserting:
        for f in schema.fields:
            if f.required and f.updateable and changes.get(f.name) in (None, ""):
                raise ItemError(
                    item_error(
                        "MANDATORY_NOT_FOUND",
                        "required field not found",
                        api_name=f.name,
                        json_path=f"$.data[{index}].{f.name}",
                    )
                )
    return changes


def _full_name(table: Table, record: Record) -> None:
    if table.schema.field("Full_Name") is not None:
        parts = [p for p in (record.get("First_Name"), record.get("Last_Name")) if p]
        record["Full_Name"] = " ".join(parts) or None


def apply_insert(
    app: ZohoEmulator, table: Table, changes: dict[str, Any], now: datetime, user: str | None
) -> Record:
    record: Record = {f.name: None for f in table.schema.fields}
    record.update(changes)
    record["id"] = app.world.mint("zoho", table.name)
    record["Owner"] = record.get("Owner") or user
    record.update(Created_Time=now, Modified_Time=now, Created_By=user, Modified_By=user)
    if table.name == "Leads":
        record["Converted__s"] = False
    _full_name(table, record)
    return table.insert(record)


def apply_update(
    table: Table, rid: str, changes: dict[str, Any], now: datetime, user: str | None
) -> Record:
    record = table.update(rid, {**changes, "Modified_By": user}, when=now)
    _full_name(table, record)
    return record


def result_details(app: ZohoEmulator, table: Table, record: Record) -> dict[str, Any]:
    schema = table.schema
    out: dict[str, Any] = {}
    for name in ("Modified_Time", "Modified_By", "Created_Time", "id", "Created_By"):
        f = schema.field(name)
        out[name] = app.renderer.render_value(f, record.get(name)) if f else record.get(name)
    return out
