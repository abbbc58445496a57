"""Validating and applying record writes (create, update, delete, upsert matching).

Shared by the single-record sObject routes and sObject Collections. Validation is split
from applying so that an ``allOrNone`` collection can check every record before touching
any table. Callers hold ``world.lock``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sandbox.salesforce.errors import error_item
from sandbox.salesforce.products import (
    derive_line_item,
    derive_split,
    refresh_opportunity,
)
from sandbox.salesforce.soql_eval import PREFIX_TO_OBJECT
from sandbox.schema import Field, ObjectSchema
from sandbox.store import Record, Table

if TYPE_CHECKING:
    from sandbox.salesforce.app import SalesforceEmulator

__all__ = ["WriteError", "Writer", "to_18"]

_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_TEXT = frozenset({"string", "textarea", "email", "phone", "url", "picklist"})
_CLOSED_CASE_STATUSES = frozenset({"Closed"})
_STATUS_DEFAULTS = {("Task", "Status"): "Not Started", ("Case", "Status"): "New"}
_PERSON_OBJECTS = frozenset({"Lead", "Contact", "User"})


class WriteError(Exception):
    """One validation failure, rendered as a REST error or a SaveResult error."""

    def __init__(self, code: str, message: str, fields: list[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields or []

    def item(self) -> dict[str, Any]:
        return error_item(self.code, self.message, self.fields)


def to_18(rid: str) -> str:
    """The 18-character form of a 15- or 18-character id (case-safe suffix)."""
    if len(rid) != 15:
        return rid
    suffix = ""
    for start in (0, 5, 10):
        bits = sum(1 << i for i, ch in enumerate(rid[start : start + 5]) if "A" <= ch <= "Z")
        suffix += _SUFFIX[bits]
    return rid + suffix


class Writer:
    """Applies validated writes to the world on behalf of the emulator's user."""

    def __init__(self, app: SalesforceEmulator) -> None:
        self.app = app

    def table(self, object_name: str) -> Table | None:
        lowered = object_name.lower()
        return next((t for n, t in self.app.world.salesforce.items() if n.lower() == lowered), None)

    # -- validation -----------------------------------------------------------------

    def coerce(self, schema: ObjectSchema, payload: dict[str, Any], creating: bool) -> Record:
        """Typed values for ``payload``; raises ``WriteError`` on the first problem kind."""
        changes: Record = {}
        locked: list[str] = []
        for key, value in payload.items():
            if key == "attributes":
                continue
            field = schema.field_ci(key)
            if field is None:
                raise WriteError(
                    "INVALID_FIELD", f"No such column '{key}' on sobject of type {schema.name}"
                )
            if not field.updateable:
                locked.append(field.name)
                continue
            changes[field.name] = self.value_of(field, value)
        if locked:
            raise WriteError(
                "INVALID_FIELD_FOR_INSERT_UPDATE",
                f"Unable to create/update fields: {', '.join(locked)}. Please check the security "
                "settings of this field and verify that it is read/write for your profile or "
                "permission set.",
                locked,
            )
        missing = [
            f.name
            for f in schema.fields
            if f.required
            and f.updateable
            and (_blank(changes.get(f.name)) if creating or f.name in changes else False)
            and _STATUS_DEFAULTS.get((schema.name, f.name)) is None
            and not (f.type == "picklist" and f.picklist)
        ]
        if missing:
            raise WriteError(
                "REQUIRED_FIELD_MISSING",
                f"Required fields are missing: [{', '.join(missing)}]",
                missing,
            )
        return changes

    def value_of(self, field: Field, value: Any) -> Any:
        if value is None:
            return None
        kind = field.type
        label = field.display_label
        try:
            if kind in _TEXT:
                text = value if isinstance(value, str) else str(value)
                if len(text) > field.length:
                    raise WriteError(
                        "STRING_TOO_LONG",
                        f"{label}: data value too large: {text[:40]} (max length={field.length})",
                        [field.name],
                    )
                return text
            if kind == "boolean" and isinstance(value, bool):
                return value
            if kind == "int" and isinstance(value, int | float) and not isinstance(value, bool):
                return int(value)
            if kind in ("double", "currency", "percent") and not isinstance(value, bool):
                number = float(value)
                return round(number, 2) if kind == "currency" else number
            if kind == "date" and isinstance(value, str):
                return date.fromisoformat(value[:10])
            if kind == "datetime" and isinstance(value, str):
                return parse_datetime(value)
            if kind in ("reference", "id") and isinstance(value, str):
                return self._reference(field, value)
        except (TypeError, ValueError):
            pass
        raise WriteError(
            "INVALID_TYPE_ON_FIELD_IN_RECORD",
            f"{label}: value not of required type: {value}",
            [field.name],
        )

    def _reference(self, field: Field, value: str) -> str:
        if value == "":
            return ""
        if not _ID.match(value) or (field.ref and PREFIX_TO_OBJECT.get(value[:3]) not in field.ref):
            label = field.display_label.removesuffix(" Id").removesuffix("Id") or field.name
            raise WriteError(
                "MALFORMED_ID", f"{label} ID: id value of incorrect type: {value}", [field.name]
            )
        return to_18(value)

    # -- applying -------------------------------------------------------------------

    def new_record(self, table: Table, changes: Record) -> Record:
        """A full record for ``table`` from validated ``changes`` (not inserted yet)."""
        schema = table.schema
        now = self.app.clock.now()
        user = self.app.integration_user_id()
        record: Record = {f.name: None for f in schema.fields}
        record.update(changes)
        record.update(
            Id=self.app.world.mint("salesforce", schema.name),
            CreatedDate=now,
            CreatedById=user,
            LastModifiedDate=now,
            LastModifiedById=user,
            SystemModstamp=now,
        )
        if schema.field("IsDeleted") is not None:
            record["IsDeleted"] = False
        if schema.field("OwnerId") is not None and not record.get("OwnerId"):
            record["OwnerId"] = user
        for f in schema.fields:
            if f.required and record.get(f.name) is None:
                default = _STATUS_DEFAULTS.get((schema.name, f.name))
                record[f.name] = default or (f.picklist[0] if f.picklist else None)
        for name in ("IsConverted", "IsClosed", "IsWon"):
            if name in record and record[name] is None:
                record[name] = False
        if schema.name == "Case" and record.get("CaseNumber") is None:
            record["CaseNumber"] = f"{len(table.rows) + len(table.purged) + 1:08d}"
        self._derive(schema.name, record)
        return record

    def insert(self, table: Table, record: Record) -> str:
        table.insert(record)
        self._roll_up(table.name, record)
        return str(record["Id"])

    def update(self, table: Table, rid: str, changes: Record) -> None:
        record = table.rows[rid]
        merged = {**record, **changes}
        self._derive(table.name, merged)
        derived = {k: v for k, v in merged.items() if record.get(k) != v}
        derived["LastModifiedById"] = self.app.integration_user_id()
        table.update(rid, derived, when=self.app.clock.now())
        self._roll_up(table.name, table.rows[rid])

    def delete(self, table: Table, rid: str) -> None:
        now = self.app.clock.now()
        table.soft_delete(rid, now)
        table.rows[rid]["SystemModstamp"] = now
        self._roll_up(table.name, table.rows[rid])

    def _derive(self, object_name: str, record: Record) -> None:
        _derive(object_name, record)
        if object_name == "Case":
            # a case closes with a closed status (Salesforce's CaseStatus.IsClosed), stamped
            # when it closes; reopening it clears the date
            closed = str(record.get("Status") or "") in _CLOSED_CASE_STATUSES
            record["IsClosed"] = closed
            if not closed:
                record["ClosedDate"] = None
            elif record.get("ClosedDate") is None:
                record["ClosedDate"] = self.app.clock.now()
        tables = self.app.world.salesforce
        if object_name == "OpportunityLineItem":
            derive_line_item(tables, record)
        elif object_name == "OpportunitySplit":
            derive_split(tables, record)

    def _roll_up(self, object_name: str, record: Record) -> None:
        """A line item's write moves its opportunity's ``Amount``, as roll-ups do."""
        opp_id = record.get("OpportunityId")
        if object_name != "OpportunityLineItem" or not opp_id:
            return
        opps = self.app.world.salesforce["Opportunity"]
        if opps.get(opp_id) is not None:
            opps.update(
                opp_id,
                refresh_opportunity(self.app.world.salesforce, opp_id),
                when=self.app.clock.now(),
            )

    def matching(self, table: Table, field: Field, value: Any) -> list[str]:
        """Ids of live records whose ``field`` equals ``value`` (external id match)."""
        if field.name == "Id":
            rid = to_18(str(value))
            return [rid] if table.get(rid) is not None else []
        wanted = value.casefold() if isinstance(value, str) else value
        out = []
        for record in table.live():
            current = record.get(field.name)
            if isinstance(current, str):
                current = current.casefold()
            if current is not None and current == wanted:
                out.append(record["Id"])
        return out


def _blank(value: Any) -> bool:
    # Salesforce saves an empty string as null, so "" cannot fill a required field.
    return value is None or value == ""


def _derive(object_name: str, record: Record) -> None:
    """Read-only fields Salesforce computes from others."""
    if object_name in _PERSON_OBJECTS and "LastName" in record:
        parts = [record.get("FirstName"), record.get("LastName")]
        record["Name"] = " ".join(p for p in parts if p) or None
    if object_name == "Opportunity":
        stage = record.get("StageName") or ""
        record["IsClosed"] = stage.startswith("Closed")
        record["IsWon"] = stage == "Closed Won"


def parse_datetime(text: str) -> datetime:
    """ISO 8601 as Salesforce accepts it: ``Z``, ``+0000`` or ``+00:00``, or no zone (UTC)."""
    value = text.strip().replace("Z", "+00:00")
    match = re.search(r"([+-])(\d{2})(\d{2})$", value)
    if match and value[-5] in "+-":
        value = f"{value[:-5]}{match.group(1)}{match.group(2)}:{match.group(3)}"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
