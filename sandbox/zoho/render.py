"""Typed stored records -> Zoho wire dicts.

Lookups render as ``{"name", "id"}`` (user lookups add ``email``), polymorphic ``What_Id``
adds ``"$se_module"``, datetimes are ISO 8601 with offset, dates ``YYYY-MM-DD``. Lookup
objects are memoised per world generation (any write to any Zoho table starts a new one),
which keeps a full read cheap. Callers hold ``world.lock``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sandbox.schema import Field, ObjectSchema
from sandbox.store import Record

if TYPE_CHECKING:
    from sandbox.world import World

__all__ = ["DISPLAY_FIELDS", "Renderer", "display_name", "iso"]

DISPLAY_FIELDS = {
    "Accounts": "Account_Name",
    "Contacts": "Full_Name",
    "Leads": "Full_Name",
    "Deals": "Deal_Name",
    "users": "full_name",
    "Tasks": "Subject",
    "Calls": "Subject",
    "Cases": "Subject",
    "Events": "Event_Title",
}

Converter = Callable[[Record], Any]


def iso(value: datetime) -> str:
    """Zoho's datetime format: seconds precision with the offset (``+00:00``)."""
    return value.isoformat(timespec="seconds")


def display_name(module: str, record: Record) -> str | None:
    key = DISPLAY_FIELDS.get(module)
    value = record.get(key) if key else None
    if value is None and module in ("Contacts", "Leads", "users"):
        first, last = (
            ("first_name", "last_name") if module == "users" else ("First_Name", "Last_Name")
        )
        parts = [p for p in (record.get(first), record.get(last)) if p]
        value = " ".join(parts) or None
    return value


class Renderer:
    """Renders the records of one world, with per-generation lookup memos."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._generation = -1
        self._lookups: dict[tuple[str, str], dict[str, Any] | None] = {}

    def generation(self) -> int:
        """Changes whenever any Zoho table (or its schema) changes."""
        return sum(t.version + len(t.schema.fields) for t in self.world.zoho.values())

    def refresh(self) -> int:
        gen = self.generation()
        if gen != self._generation:
            self._generation = gen
            self._lookups = {}
        return gen

    def find_ref(self, modules: Iterable[str], rid: str) -> tuple[str, Record] | None:
        for module in modules:
            table = self.world.zoho.get(module)
            record = table.get(rid, include_deleted=True) if table else None
            if record is not None:
                return module, record
        return None

    def lookup(self, modules: tuple[str, ...], rid: str) -> dict[str, Any]:
        key = (modules[0] if len(modules) == 1 else "*", rid)
        obj = self._lookups.get(key)
        if obj is None:
            found = self.find_ref(modules, rid)
            if found is None:
                obj = {"name": None, "id": rid}
            elif found[0] == "users":
                user = found[1]
                obj = {"name": display_name("users", user), "id": rid, "email": user.get("email")}
            else:
                obj = {"name": display_name(found[0], found[1]), "id": rid}
            self._lookups[key] = obj
        return obj

    def converter(self, f: Field, id_only: bool = False) -> Converter:
        name = f.name
        if f.type == "datetime":
            return lambda r: iso(v) if (v := r.get(name)) is not None else None
        if f.type == "date":
            return lambda r: v.isoformat() if (v := r.get(name)) is not None else None
        if f.type == "reference":
            if id_only:
                return lambda r: {"id": v} if (v := r.get(name)) is not None else None
            modules = f.ref
            lookup = self.lookup
            return lambda r: lookup(modules, v) if (v := r.get(name)) is not None else None
        return lambda r: r.get(name)

    def plan(
        self, schema: ObjectSchema, fields: Iterable[str], id_only: bool = False
    ) -> list[tuple[str, Converter]]:
        """(output key, converter) pairs for the requested fields, ``id`` always first."""
        out: list[tuple[str, Converter]] = []
        seen = set()
        for name in ["id", *fields]:
            f = schema.field(name)
            if f is None or name in seen:
                continue
            seen.add(name)
            out.append((name, self.converter(f, id_only)))
            if name == "What_Id":
                out.append(("$se_module", lambda r: r.get("$se_module")))
        return out

    def render(
        self, records: Iterable[Record], plan: list[tuple[str, Converter]]
    ) -> list[dict[str, Any]]:
        return [{key: conv(r) for key, conv in plan} for r in records]

    def render_value(self, f: Field, value: Any) -> Any:
        """One typed value in wire form (used for write-result details)."""
        if value is None:
            return None
        if isinstance(value, datetime):
            return iso(value)
        if isinstance(value, date):
            return value.isoformat()
        if f.type == "reference":
            return self.lookup(f.ref, value)
        return value
