"""``RetrieveMetadataChanges``: the choices' option sets, and only what changed since a stamp.

``GET RetrieveMetadataChanges(Query=@p1)?@p1=<EntityQueryExpression JSON>`` answers the
tables the query's ``Criteria`` names (``LogicalName`` ``Equals``, ``Or``-ed) with their
choice columns (the ``AttributeQuery`` criteria: ``AttributeType`` ``Equals`` ``Picklist`` or
``State``), each with its ``OptionSet``, and a ``ServerVersionStamp``. With
``ClientVersionStamp=@p2`` (a stamp a previous answer gave) only the tables with a choice
column changed since then come, with only those columns; every option of a changed option
set is listed, and only the options added or relabelled since the stamp carry their
``Label`` (as Microsoft's "Cache schema data" page describes it). A stamp older than the
environment keeps changes for (``expire``), or one it did not hand out, fails with
``ExpiredVersionStamp`` (400, ``0x80044352``). ``DeletedMetadata`` is always empty: the
emulator deletes no metadata.

The metadata version moves when an option is added or relabelled (``set_option``) and when
a custom column is created (``touch``).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import orjson
from werkzeug.wrappers import Request, Response

from sandbox.dynamics.errors import BAD_QUERY, EXPIRED_DELTA, ODataError
from sandbox.dynamics.schema import OPTION_SETS
from sandbox.http import json_response

if TYPE_CHECKING:
    from sandbox.dynamics.app import DynamicsEmulator

__all__ = ["MetadataLog", "register"]

_SUFFIX = "!metadata"
_NAMESPACE = "#Microsoft.Dynamics.CRM."


class MetadataLog:
    """The environment's metadata version, and the version each option last changed at."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version = 1
        self.oldest = 0  # stamps before this version have expired
        # (table, column) -> value -> (label, version it was added or relabelled at)
        self.options: dict[tuple[str, str], dict[int, tuple[str, int]]] = {
            key: {value: (label, 0) for value, label in options}
            for key, options in OPTION_SETS.items()
        }
        self.changed: dict[tuple[str, str], int] = {}  # column -> version of its last change
        self.asked: list[int | None] = []  # each request's client version (None: none sent)

    def set_option(self, table: str, column: str, value: int, label: str) -> None:
        """Add (or relabel) an option of a choice column."""
        with self.lock:
            self.version += 1
            self.options.setdefault((table, column), {})[value] = (label, self.version)
            self.changed[(table, column)] = self.version

    def touch(self, table: str, column: str) -> None:
        """A column was created or changed."""
        with self.lock:
            self.version += 1
            self.changed[(table, column)] = self.version

    def expire(self) -> None:
        """Every stamp handed out so far is too old from now on."""
        with self.lock:
            self.version += 1
            self.oldest = self.version

    def stamp(self) -> str:
        return f"{self.version}{_SUFFIX}"

    def since(self, stamp: str | None) -> int | None:
        """The version a client stamp stands for; ``ExpiredVersionStamp`` when too old."""
        if stamp is None:
            self.asked.append(None)
            return None
        number = stamp[: -len(_SUFFIX)] if stamp.endswith(_SUFFIX) else ""
        self.asked.append(int(number) if number.isdigit() else -1)
        if not number.isdigit() or not self.oldest <= int(number) <= self.version:
            raise ODataError(
                400,
                EXPIRED_DELTA,
                "Version stamp associated with the client has expired. Please perform a full sync.",
            )
        return int(number)


def _values(conditions: list[dict[str, Any]], name: str) -> list[str]:
    found = []
    for c in conditions:
        if c.get("PropertyName") != name or c.get("ConditionOperator") != "Equals":
            raise ODataError(400, BAD_QUERY, f"Unsupported metadata condition: {c}")
        found.append(str((c.get("Value") or {}).get("Value")))
    return found


def _label(text: str) -> dict[str, Any]:
    localized = {"Label": text, "LanguageCode": 1033, "IsManaged": True}
    return {"LocalizedLabels": [localized], "UserLocalizedLabel": localized}


def register(app: DynamicsEmulator) -> None:
    log = app.metadata_log

    def changes(request: Request, version: str) -> Response:
        try:
            query = orjson.loads(request.args.get("@p1") or "")
            tables = _values(query["Criteria"]["Conditions"], "LogicalName")
            kinds = _values(query["AttributeQuery"]["Criteria"]["Conditions"], "AttributeType")
        except (orjson.JSONDecodeError, KeyError, TypeError):
            raise ODataError(400, BAD_QUERY, "The Query parameter is not valid.") from None
        raw = request.args.get("@p2")
        with log.lock:
            since = log.since(raw.strip("'") if raw is not None else None)
            value = []
            for table in tables:
                if table not in app.world.dynamics:
                    continue
                attributes = []
                for field in app.world.dynamics[table].schema.fields:
                    options = log.options.get((table, field.name))
                    kind = "State" if field.name == "statecode" else "Picklist"
                    if options is None or kind not in kinds:
                        continue
                    if since is not None and log.changed.get((table, field.name), 0) <= since:
                        continue
                    listed = [
                        {"Value": v, "Label": _label(lbl)}
                        if since is None or at > since
                        else {"Value": v, "Label": None}
                        for v, (lbl, at) in sorted(options.items())
                    ]
                    attributes.append(
                        {
                            "@odata.type": f"{_NAMESPACE}Complex{kind}AttributeMetadata",
                            "LogicalName": field.name,
                            "HasChanged": None if since is None else False,
                            "OptionSet": {
                                "HasChanged": None if since is None else True,
                                "Options": listed,
                            },
                        }
                    )
                if attributes or since is None:
                    value.append(
                        {
                            "LogicalName": table,
                            "HasChanged": None if since is None else False,
                            "Attributes": attributes,
                        }
                    )
            stamp = log.stamp()
        response = f"{_NAMESPACE[1:]}RetrieveMetadataChangesResponse"
        context = f"{app.api_root(request)}$metadata#{response}"
        return json_response(
            {
                "@odata.context": context,
                "EntityMetadata": value,
                "ServerVersionStamp": stamp,
                "DeletedMetadata": {"Keys": [], "Values": []},
            }
        )

    app.api_route("GET", "/RetrieveMetadataChanges(Query=@p1)", changes)
    app.api_route("GET", "/RetrieveMetadataChanges(Query=@p1,ClientVersionStamp=@p2)", changes)
