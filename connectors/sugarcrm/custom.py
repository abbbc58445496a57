"""Discovery (``GET /rest/v11/metadata?type_filter=modules``) and admin-mapped custom modules.

One metadata call lists every module the user can see with its field definitions (their
vardefs: ``name``, ``type``, ``vname``, ``source: custom_fields`` for fields added in
Studio, which end in ``_c``). A module built in Module Builder is named after its package
key (``cstm_StoreVisits``). Every module is read incrementally on ``date_modified``, and
its deletes come back with ``show_deleted``.

A mapped module is read like a standard one (``ModuleReader``: keyset pages on
``date_modified`` then ``id``, deleted records on incremental reads). Remote ids carry the
module (``cstm_StoreVisits/<guid>``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from typing import Any

from connectors.core.contract import Page, Quarantined, ReadOptions
from connectors.core.custom_records import RowMeta, parse_time
from connectors.core.custom_streams import MappedStreams
from connectors.core.discovery import FieldInfo, ObjectInfo
from connectors.core.records import CommonRecord
from connectors.sugarcrm.http import SugarHttp
from connectors.sugarcrm.reader import ModuleReader

__all__ = ["CustomStreams", "discover"]

_CURSOR = "date_modified"
# Module Builder names a module <package key>_<Module>; Sugar's own process modules too
_BUILT = re.compile(r"^[a-z][a-z0-9]{0,9}_[A-Z]\w*$")
_STOCK_PREFIXES = ("pmse_",)


def _custom_module(name: str) -> bool:
    return bool(_BUILT.match(name)) and not name.startswith(_STOCK_PREFIXES)


def _field(name: str, vardef: Mapping[str, Any]) -> FieldInfo:
    module = vardef.get("module")
    return FieldInfo(
        name,
        str(vardef.get("type") or "varchar"),
        str(vardef.get("vname") or ""),
        vardef.get("source") == "custom_fields",
        (str(module),) if module else (),
    )


def discover(http: SugarHttp, only: Collection[str] | None = None) -> list[ObjectInfo]:
    """Every module with its fields, from one metadata call; with ``only``, the others by
    name alone."""
    body = http.call("GET", "metadata", params={"type_filter": "modules"}) or {}
    found = []
    for name, module in sorted((body.get("modules") or {}).items()):
        vardefs = (module or {}).get("fields") or {}
        if not isinstance(vardefs, dict) or "id" not in vardefs:
            continue  # not a module of records (Home, the activity stream)
        fields = tuple(
            _field(str(key), vardef)
            for key, vardef in vardefs.items()
            if isinstance(vardef, dict) and vardef.get("type") != "link"
        )
        wanted = only is None or name in only
        found.append(
            ObjectInfo(
                name,
                name,
                _custom_module(name),
                fields if wanted else (),
                _CURSOR if _CURSOR in vardefs else None,
            )
        )
    return found


class CustomStreams(MappedStreams):
    """The admin's mapped custom modules, each served as one stream."""

    crm = "SugarCRM"

    def __init__(self, source: str, reader: ModuleReader) -> None:
        super().__init__(source)
        self.reader = reader

    def read(
        self, stream: str, state: Mapping[str, Any] | None, options: ReadOptions
    ) -> Iterator[Page]:
        module = self._mapping(stream).object
        for part in self.reader.read(
            module, (state or {}).get("module"), options.full, options.lookback, options.signpost
        ):
            records, bad = self._map(stream, module, part.rows)
            deleted = [f"{module}/{rid}" for rid in part.deleted_ids]
            yield Page(stream, records, {"module": part.state}, bad, deleted)

    def _map(
        self, stream: str, module: str, rows: list[dict[str, Any]]
    ) -> tuple[list[CommonRecord], list[Quarantined]]:
        def read(row: dict[str, Any], rid: str) -> tuple[dict[str, Any], RowMeta]:
            created, updated = row.get("date_entered"), row.get(_CURSOR)
            return row, RowMeta(rid, parse_time(created), parse_time(updated))

        return self._mappers[stream].map_rows(
            module, rows, lambda row: f"{module}/{row.get('id')}", read
        )

    def list_ids(self, stream: str) -> Iterator[str]:
        module = self._mapping(stream).object
        for part in self.reader.read(module, None, True, ReadOptions().lookback, None, ["id"]):
            yield from (f"{module}/{r['id']}" for r in part.rows)
