"""Discovery (``EntityDefinitions`` and their ``Attributes``) and admin-mapped custom tables.

Discovery reads every table's definition in one call, then each table's columns
(``Attributes``, and the ``LookupAttributeMetadata`` cast for the tables a lookup points
at) in ``$batch`` calls of up to 1,000 parts; asked for named tables only (what
``connectors check`` needs), the definitions and their columns come in one ``$batch``.
A table is read incrementally on ``modifiedon``; its deletes are seen when change tracking
is on (``ChangeTrackingEnabled``).

A mapped table (``new_storevisit``: the logical name, publisher prefix included) is read
like a standard one (``TableReader``: change tracking with delta links, or a
``modifiedon`` window when tracking is off), every readable column selected. Its entity
set, key column, columns and choices' labels come with the run's metadata ``$batch``
(``TableMetadata.add_tables``), so a mapped table costs no metadata call of its own.
Rows are flattened for the mapping: a lookup ``_new_customerid_value`` as
``new_customerid`` (the id), a choice as its label. Remote ids carry the table
(``new_storevisit/<guid>``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

from connectors.core.contract import Page, Quarantined, ReadOptions
from connectors.core.custom import CustomObjectMapping
from connectors.core.custom_records import RowMeta, parse_time
from connectors.core.custom_streams import MappedStreams
from connectors.core.discovery import FieldInfo, ObjectInfo
from connectors.core.errors import ConnectorConfigError
from connectors.core.records import CommonRecord
from connectors.dynamics.batch import BatchAnswer, get_batch
from connectors.dynamics.entities import TableRead
from connectors.dynamics.http import DynamicsHttp
from connectors.dynamics.metadata import TableMetadata
from connectors.dynamics.reader import TableReader

__all__ = ["CustomStreams", "discover", "flatten"]

_DEFINITIONS = (
    "EntityDefinitions?$select=LogicalName,EntitySetName,PrimaryIdAttribute,DisplayName,"
    "IsCustomEntity,ChangeTrackingEnabled"
)
_COLUMNS = "?$select=LogicalName,AttributeType,DisplayName,IsCustomAttribute,AttributeOf"
_LOOKUPS = "/Microsoft.Dynamics.CRM.LookupAttributeMetadata?$select=LogicalName,Targets"
_MAX_PARTS = 1000  # requests per $batch
_LOOKUP_TYPES = frozenset({"Lookup", "Customer", "Owner"})
# columns with no value of their own (virtual names, the type of a polymorphic lookup)
_NO_VALUE = frozenset({"Virtual", "EntityName", "ManagedProperty", "CalendarRules", "PartyList"})
_CURSOR = "modifiedon"


def _label(item: Mapping[str, Any]) -> str:
    label = (item.get("DisplayName") or {}).get("UserLocalizedLabel") or {}
    return str(label.get("Label") or "")


def _fields(columns: BatchAnswer, lookups: BatchAnswer) -> tuple[FieldInfo, ...]:
    targets = {
        str(a["LogicalName"]): tuple(a.get("Targets") or ())
        for a in (lookups.body or {}).get("value", [])
        if lookups.ok
    }
    return tuple(
        FieldInfo(
            str(a["LogicalName"]),
            str(a.get("AttributeType") or ""),
            _label(a),
            bool(a.get("IsCustomAttribute")),
            targets.get(str(a["LogicalName"]), ()),
        )
        for a in (columns.body or {}).get("value", [])
        if a.get("AttributeOf") is None and a.get("AttributeType") not in _NO_VALUE
    )


def _column_reads(tables: list[str]) -> list[tuple[str, Mapping[str, str]]]:
    requests: list[tuple[str, Mapping[str, str]]] = []
    for table in tables:
        base = f"EntityDefinitions(LogicalName='{table}')/Attributes"
        requests += [(base + _COLUMNS, {}), (base + _LOOKUPS, {})]
    return requests


def discover(http: DynamicsHttp, only: Collection[str] | None = None) -> list[ObjectInfo]:
    """Every table with an entity set (what the Web API can read), with its columns; with
    ``only``, the others by name alone."""
    if only is not None:  # the definitions and the named tables' columns in one $batch
        names = sorted(set(only))
        first, *answers = get_batch(http, [(_DEFINITIONS, {}), *_column_reads(names)])
        body = first.body if first.ok and isinstance(first.body, dict) else {}
        if not first.ok:
            http.call("GET", _DEFINITIONS)  # the refusal, raised as the HTTP layer says
    else:
        body = http.call("GET", _DEFINITIONS).body or {}
    tables = [d for d in body.get("value", []) if d.get("EntitySetName")]
    if only is None:
        names = [str(d["LogicalName"]) for d in tables]
        requests = _column_reads(names)
        answers = []
        for start in range(0, len(requests), _MAX_PARTS):
            answers += get_batch(http, requests[start : start + _MAX_PARTS])
    read = dict(zip(names, zip(answers[::2], answers[1::2], strict=True), strict=True))
    wanted = [d for d in tables if d["LogicalName"] in read]
    described = {d["LogicalName"] for d in wanted}
    found = [
        ObjectInfo(str(d["LogicalName"]), _label(d), bool(d.get("IsCustomEntity")), ())
        for d in tables
        if d["LogicalName"] not in described
    ]
    for d in wanted:
        columns, lookups = read[d["LogicalName"]]
        if not columns.ok:
            continue  # defined but not readable with these credentials
        fields = _fields(columns, lookups)
        tracked = bool(d.get("ChangeTrackingEnabled"))
        has_cursor = any(f.name == _CURSOR for f in fields)
        found.append(
            ObjectInfo(
                str(d["LogicalName"]),
                _label(d) or str(d["LogicalName"]),
                bool(d.get("IsCustomEntity")),
                fields,
                _CURSOR if has_cursor else None,
                detects_deletes=tracked,
            )
        )
    return found


def flatten(row: Mapping[str, Any], choices: Mapping[str, Mapping[int, str]]) -> dict[str, Any]:
    """A row as the mapping names its columns: lookups as their id under the column's
    logical name, choices as their label, annotations left out."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if "@" in key:
            continue
        if key.startswith("_") and key.endswith("_value"):
            key = key[1:-6]
        elif key in choices and isinstance(value, int) and not isinstance(value, bool):
            value = choices[key].get(value, str(value))
        out[key] = value
    return out


class CustomStreams(MappedStreams):
    """The admin's mapped custom tables, each served as one stream."""

    crm = "Dynamics 365"

    def __init__(
        self, source: str, http: DynamicsHttp, metadata: TableMetadata, reader: TableReader
    ) -> None:
        super().__init__(source)
        self.http = http
        self.metadata = metadata
        self.reader = reader

    def add(self, mappings: Sequence[CustomObjectMapping]) -> None:
        super().add(mappings)
        self.metadata.add_tables(m.object for m in mappings)

    def table(self, stream: str) -> TableRead:
        """The mapped table's entity set, key and every column with a value of its own."""
        logical = self._mapping(stream).object
        definition = self.metadata.definition(logical)
        if definition is None or not definition.get("EntitySetName"):
            raise ConnectorConfigError(
                f"Dynamics 365 has no table {logical!r}; `crmsync connectors discover` "
                "lists the tables by logical name",
                source=self.source,
            )
        columns = tuple(
            f"_{name}_value" if kind in _LOOKUP_TYPES else name
            for name, kind in self.metadata.columns(logical).items()
            if kind not in _NO_VALUE
        )
        return TableRead(
            logical, definition["EntitySetName"], definition["PrimaryIdAttribute"], columns
        )

    def read(
        self, stream: str, state: Mapping[str, Any] | None, options: ReadOptions
    ) -> Iterator[Page]:
        table = self.table(stream)
        logical = table.logical
        for part in self.reader.read(
            table,
            ",".join(table.columns),
            (state or {}).get("table"),
            options.full,
            tracked=self.metadata.tracked(logical),
            lookback=options.lookback,
            signpost=options.signpost,
        ):
            records, bad = self._map(stream, table, part.rows)
            deleted = [f"{logical}/{rid}" for rid in part.deleted_ids]
            page = Page(stream, records, {"table": part.state}, bad, deleted)
            page.check_deletes = part.restarted
            yield page

    def _map(
        self, stream: str, table: TableRead, rows: list[dict[str, Any]]
    ) -> tuple[list[CommonRecord], list[Quarantined]]:
        choices = self.metadata.choices(table.logical)

        def read(raw: dict[str, Any], rid: str) -> tuple[dict[str, Any], RowMeta]:
            row = flatten(raw, choices)
            created, updated = row.get("createdon"), row.get(_CURSOR)
            return row, RowMeta(rid, parse_time(created), parse_time(updated))

        return self._mappers[stream].map_rows(
            table.logical, rows, lambda raw: f"{table.logical}/{raw.get(table.id_field)}", read
        )

    def list_ids(self, stream: str) -> Iterator[str]:
        table = self.table(stream)
        for rid in self.reader.list_ids(table):
            yield f"{table.logical}/{rid}"
