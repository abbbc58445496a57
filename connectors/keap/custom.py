"""Discovery and admin-mapped objects on Keap, which has no custom objects.

Keap cannot define an object of its own: what an account adds are custom fields (on
contacts, companies and opportunities, listed by ``GET /v1/<object>/model``), and its
e-commerce orders. So a Keap "custom object" mapping names one of Keap's own record lists
(``contacts``, ``companies``, ``opportunities``, ``orders``, ``notes``, ``tasks``,
``appointments``, ``users``) and reads it the admin's way: a shop that books visits to its stores as
appointments maps ``appointments`` to activities whose channel is read from
``location``; one that keeps a loyalty sign-up in contacts' custom fields maps them by
the fields' labels. A mapped list is read by its mapping *instead of* crmsync's default
one (the connector drops it from its standard stream), so no record is read twice.

Discovery lists each list with the fields of its JSON (v1's; v2's for companies and
opportunities, which are read through v2), flattened the way a mapping names them: a
nested record as its id under its own name (``contact``) and its other values as
``contact.email``; custom fields by their label. Reading goes through the same
``ObjectReader`` as the standard streams (``since``/``until`` windows or v2 filters where
Keap has them); Keap lists no deletes, so the engine compares ids. Remote ids carry the
list's name (``appointments/12``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any

from connectors.core.contract import Page, Quarantined, ReadOptions
from connectors.core.custom_records import RowMeta, parse_time
from connectors.core.custom_streams import MappedStreams
from connectors.core.discovery import FieldInfo, ObjectInfo
from connectors.core.records import CommonRecord
from connectors.keap.http import KeapHttp
from connectors.keap.mapping import updated_at
from connectors.keap.reader import ObjectReader
from connectors.keap.writer import CUSTOM_FIELD_OBJECTS

__all__ = ["OBJECT_FIELDS", "CustomStreams", "discover", "flatten"]

_DATES = (("date_created", "datetime"), ("last_updated", "datetime"))
_CONTACT = (
    ("contact", "reference:contacts"),
    ("contact.first_name", "string"),
    ("contact.last_name", "string"),
    ("contact.email", "string"),
)
# Each list's fields as a mapping names them (see ``flatten``), with their types.
OBJECT_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "users": (
        ("given_name", "string"),
        ("family_name", "string"),
        ("email_address", "string"),
        ("status", "string"),
        ("admin", "boolean"),
        *_DATES,
    ),
    "contacts": (
        ("given_name", "string"),
        ("family_name", "string"),
        ("email_addresses", "list"),
        ("phone_numbers", "list"),
        ("addresses", "list"),
        ("company", "reference:companies"),
        ("company.company_name", "string"),
        ("job_title", "string"),
        ("owner_id", "reference:users"),
        ("source_type", "string"),
        *_DATES,
    ),
    # companies and opportunities come through REST v2 (``reader.py``): v2's names
    "companies": (
        ("company_name", "string"),
        ("website", "string"),
        ("email_address.email", "string"),
        ("phone_number.number", "string"),
        ("fax_number", "string"),
        ("notes", "string"),
        ("address.line1", "string"),
        ("address.locality", "string"),
        ("address.region", "string"),
        ("address.postal_code", "string"),
        ("address.country_code", "string"),
        ("create_time", "datetime"),
        ("update_time", "datetime"),
    ),
    "opportunities": (
        ("opportunity_title", "string"),
        *_CONTACT,
        ("user", "reference:users"),
        ("stage", "reference:stages"),
        ("stage.name", "string"),
        ("projected_revenue_low", "number"),
        ("projected_revenue_high", "number"),
        ("estimated_close_time", "datetime"),
        ("created_time", "datetime"),
        ("last_updated_time", "datetime"),
    ),
    "orders": (
        ("title", "string"),
        ("status", "string"),
        ("total", "number"),
        *_CONTACT,
        ("order_date", "datetime"),
        ("source_type", "string"),
        ("creation_date", "datetime"),
        ("modification_date", "datetime"),
    ),
    "notes": (
        ("title", "string"),
        ("body", "string"),
        ("type", "string"),
        ("contact_id", "reference:contacts"),
        ("user_id", "reference:users"),
        *_DATES,
    ),
    "tasks": (
        ("title", "string"),
        ("description", "string"),
        ("type", "string"),
        ("completed", "boolean"),
        *_CONTACT,
        ("user_id", "reference:users"),
        ("due_date", "datetime"),
        ("completion_date", "datetime"),
        *_DATES,
    ),
    "appointments": (
        ("title", "string"),
        ("description", "string"),
        ("location", "string"),
        ("contact_id", "reference:contacts"),
        ("user", "reference:users"),
        ("start_date", "datetime"),
        ("end_date", "datetime"),
        *_DATES,
    ),
}
# the field an incremental read filters on (through v1's since/until or v2's filters)
CURSOR_FIELDS = {
    "contacts": "last_updated",
    "companies": "update_time",
    "opportunities": "last_updated_time",
    "orders": "modification_date",
    "tasks": "last_updated",
    "appointments": "last_updated",
}
Labels = Callable[[str, list[dict[str, Any]]], dict[int, str]]


def _field(name: str, kind: str) -> FieldInfo:
    kind, _, target = kind.partition(":")
    return FieldInfo(name, kind, name, False, (target,) if target else ())


def discover(http: KeapHttp, only: Collection[str] | None = None) -> list[ObjectInfo]:
    """Keap's record lists, their fields and custom fields (one model call per list that
    takes custom fields; with ``only``, just for those)."""
    found = []
    for obj, fields in OBJECT_FIELDS.items():
        infos = [FieldInfo("id", "integer", "id"), *(_field(n, k) for n, k in fields)]
        if obj in CUSTOM_FIELD_OBJECTS and (only is None or obj in only):
            model = http.call("GET", f"{obj}/model") or {}
            for f in model.get("custom_fields") or []:
                label = str(f["label"])
                infos.append(FieldInfo(label, str(f.get("field_type") or "Text"), label, True))
        cursor = CURSOR_FIELDS.get(obj)
        found.append(ObjectInfo(obj, obj.capitalize(), False, tuple(infos), cursor, False))
    return found


def flatten(row: Mapping[str, Any], labels: Mapping[int, str]) -> dict[str, Any]:
    """A v1 record as a mapping names its fields: a nested record as its id under its name
    and its other values as ``name.key``; custom fields by label."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key == "custom_fields":
            for item in value or []:
                label = labels.get(int(item.get("id", 0)))
                if label is not None:
                    out[label] = item.get("content")
            continue
        if isinstance(value, dict):
            if "id" in value:
                out[key] = value["id"]
            for sub, inner in value.items():
                if sub != "id" and not isinstance(inner, dict | list):
                    out[f"{key}.{sub}"] = inner
            continue
        out[key] = value
    return out


class CustomStreams(MappedStreams):
    """The admin's mapped Keap lists, each served as one stream."""

    crm = "Keap"

    def __init__(self, source: str, reader: ObjectReader, labels: Labels) -> None:
        super().__init__(source)
        self.reader = reader
        self.labels = labels

    @property
    def objects(self) -> set[str]:
        """The lists the mappings read (the standard streams leave them out)."""
        return {m.object for m in self.mappings.values()}

    def read(
        self, stream: str, state: Mapping[str, Any] | None, options: ReadOptions
    ) -> Iterator[Page]:
        obj = self._mapping(stream).object
        saved = (state or {}).get("object")
        for part in self.reader.read(obj, saved, options.full, options.lookback, options.signpost):
            records, bad = self._map(stream, obj, part.rows)
            yield Page(stream, records, {"object": part.state}, bad)

    def _map(
        self, stream: str, obj: str, rows: list[dict[str, Any]]
    ) -> tuple[list[CommonRecord], list[Quarantined]]:
        labels = self.labels(obj, rows)

        def read(row: dict[str, Any], rid: str) -> tuple[dict[str, Any], RowMeta]:
            flat = flatten(row, labels)
            created = parse_time(
                flat.get("date_created")
                or flat.get("creation_date")
                or flat.get("create_time")
                or flat.get("created_time")
            )
            return flat, RowMeta(rid, created, updated_at(row))

        return self._mappers[stream].map_rows(obj, rows, lambda row: f"{obj}/{row.get('id')}", read)

    def list_ids(self, stream: str) -> Iterator[str]:
        obj = self._mapping(stream).object
        for part in self.reader.read(obj, None, True, ReadOptions().lookback, None):
            yield from (f"{obj}/{row['id']}" for row in part.rows)
