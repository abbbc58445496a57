"""Table metadata the connector needs, read for all tables in one ``$batch`` per run.

- Choice labels: choice columns (``leadsourcecode``, ``caseorigincode``, ``statecode``...)
  hold integers; their labels, which the channel map and the statuses use, come from the
  table's option-set metadata (``Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata``
  and ``StateAttributeMetadata`` with ``OptionSet`` expanded), never from hard-coded numbers.
- Custom columns (those with the publisher prefix) of the tables written back, which are
  read along with the standard ones.
- Whether each table has change tracking on (``EntityDefinitions``'
  ``ChangeTrackingEnabled``, the check Microsoft documents): a table without it is read
  in a ``modifiedon`` window instead of through delta links.

- For the admin's mapped custom tables (``add_tables``): their entity set and key column
  (``EntityDefinitions``' ``EntitySetName`` and ``PrimaryIdAttribute``), their columns with
  their types, and their choices' labels.

The standard tables' choice labels come from ``RetrieveMetadataChanges`` (one part for all
tables): the labels read and its ``ServerVersionStamp`` are kept in the streams' state
(``snapshot``), and a run that has them (``restore``) sends the stamp as
``ClientVersionStamp``, so only option sets changed since come back (the options added or
relabelled with their labels, the others by value); a stamp Dataverse no longer accepts
(``ExpiredVersionStamp``, ``0x80044352``) makes the run read them all again.

All of it is one ``$batch`` call (``load``), made when the run takes the environment's
time (``server_time``: the batch's ``Date`` header), so a run costs one call beyond its
reads and sees a column or option added since the last run.
The same batch carries the first delta page of each table the run goes on reading
(``DynamicsConnector.plan_reads``), so an incremental run with few changes costs that one
call in all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import orjson

from connectors.core.errors import ConnectorFatalError
from connectors.dynamics.batch import BatchAnswer, get_batch
from connectors.dynamics.http import EXPIRED_DELTA, DynamicsHttp

__all__ = ["TableMetadata"]

_OPTIONS = "?$select=LogicalName&$expand=OptionSet($select=Options)"
_KINDS = ("Picklist", "State")


def _label(option: dict[str, Any]) -> str | None:
    label = option.get("Label") or {}
    user = label.get("UserLocalizedLabel") or {}
    if user.get("Label"):
        return str(user["Label"])
    localized = label.get("LocalizedLabels") or []
    return str(localized[0]["Label"]) if localized else None


class TableMetadata:
    def __init__(
        self,
        http: DynamicsHttp,
        prefix: str,
        tables: Iterable[str],
        writable: Iterable[str],
        choice_columns: Mapping[str, tuple[str, ...]],
    ) -> None:
        self.http = http
        self.prefix = f"{prefix}_"
        self.tables = tuple(dict.fromkeys(tables))
        # the standard tables whose choices RetrieveMetadataChanges reads, and the kinds
        self.choice_tables = tuple(choice_columns)
        columns = [c for cs in choice_columns.values() for c in cs]
        self.kinds = tuple(
            k for k in _KINDS if any((c == "statecode") == (k == "State") for c in columns)
        )
        # (table, kind) of the option sets read apart (the mapped custom tables')
        self.option_sets: list[tuple[str, str]] = []
        self.stamp: str | None = None  # ServerVersionStamp of the choices held
        self.writable = tuple(dict.fromkeys(writable))
        self._choices: dict[str, dict[str, dict[int, str]]] = {}
        self._custom: dict[str, tuple[str, ...]] = {}
        self._tracked: dict[str, bool] = {}
        self._definitions: dict[str, dict[str, Any]] = {}
        self.described: tuple[str, ...] = ()  # tables whose columns are read (custom ones)
        self._columns: dict[str, dict[str, str]] = {}
        self.loaded = False

    def add_tables(self, tables: Iterable[str]) -> None:
        """Also read these tables' definitions, columns and choices (on the next ``load``)."""
        for table in tables:
            if table not in self.described:
                self.described += (table,)
            if table not in self.tables:
                self.tables += (table,)
                self.option_sets.append((table, "Picklist"))
        self.loaded = False

    def restore(self, stamp: str | None, choices: Mapping[str, Any]) -> None:
        """Choices kept by an earlier run (``snapshot``) with their ``ServerVersionStamp``:
        the next ``load`` asks only for the option sets changed since. Ignored unless
        every standard table's choices are there."""
        if not stamp or any(t not in choices for t in self.choice_tables):
            return
        self.stamp = stamp
        self._choices = {
            t: {c: {int(v): str(lbl) for v, lbl in o.items()} for c, o in choices[t].items()}
            for t in self.choice_tables
        }

    def snapshot(self, tables: Iterable[str]) -> dict[str, Any] | None:
        """What the state keeps of these tables' choices, with the stamp they are as of."""
        wanted = [t for t in tables if t in self.choice_tables]
        if not wanted or self.stamp is None:
            return None
        return {
            "stamp": self.stamp,
            "choices": {
                t: {c: {str(v): lbl for v, lbl in o.items()} for c, o in self._choices[t].items()}
                for t in wanted
            },
        }

    def load(self, more: Sequence[tuple[str, Mapping[str, str]]] = ()) -> list[BatchAnswer]:
        """Every table's choices, tracking flag and (written tables') custom columns; the
        answers to ``more`` GET requests (path or URL, headers), sent in the same batch."""
        names = " or ".join(f"LogicalName eq '{t}'" for t in self.tables)
        requests: list[tuple[str, dict[str, str]]] = [
            (
                "EntityDefinitions?$select=LogicalName,ChangeTrackingEnabled,EntitySetName,"
                f"PrimaryIdAttribute&$filter={names}",
                {},
            ),
            (self._changes_query(self.stamp), {}),
        ]
        for table, kind in self.option_sets:
            requests.append(
                (
                    f"EntityDefinitions(LogicalName='{table}')/Attributes/"
                    f"Microsoft.Dynamics.CRM.{kind}AttributeMetadata{_OPTIONS}",
                    {},
                )
            )
        for table in self.writable:
            requests.append((self._attributes(table), {}))
        for table in self.described:
            requests.append((self._attributes(table, ",AttributeType", custom_only=False), {}))
        answers = iter(get_batch(self.http, [*requests, *more]))
        definitions = self._body(next(answers), "EntityDefinitions")
        self._definitions = {d["LogicalName"]: d for d in definitions.get("value", [])}
        self._tracked = {
            name: bool(d.get("ChangeTrackingEnabled", True))
            for name, d in self._definitions.items()
        }
        changes = next(answers)
        if self.stamp is not None and changes.error_code == EXPIRED_DELTA:
            self.stamp = None  # the stamp expired: read every option set again
            changes = get_batch(self.http, [(self._changes_query(None), {})])[0]
        self._apply_changes(self._body(changes, "RetrieveMetadataChanges"))
        for table in self.tables:
            self._choices.setdefault(table, {})
        for table, _ in self.option_sets:
            found = self._choices.setdefault(table, {})
            answer = next(answers)
            if table in self.described and not answer.ok:
                continue  # a mapped table the environment lacks: its read says so
            for attribute in self._body(answer, table).get("value", []):
                options = (attribute.get("OptionSet") or {}).get("Options") or []
                found[attribute["LogicalName"]] = {
                    int(o["Value"]): _label(o) or str(o["Value"]) for o in options
                }
        for table in self.writable:
            self._custom[table] = self._prefixed(self._body(next(answers), table))
        for table in self.described:
            answer = next(answers)  # a table the environment lacks: no columns, no definition
            body = answer.body if answer.ok and isinstance(answer.body, dict) else {}
            self._columns[table] = {
                str(a["LogicalName"]): str(a.get("AttributeType") or "")
                for a in body.get("value", [])
            }
        self.loaded = True
        return list(answers)

    def definition(self, table: str) -> dict[str, Any] | None:
        """``EntityDefinitions``' entry of a table read or added (None: no such table)."""
        if not self.loaded:
            self.load()
        return self._definitions.get(table)

    def columns(self, table: str) -> dict[str, str]:
        """Column -> ``AttributeType`` of a table given to ``add_tables``."""
        if not self.loaded:
            self.load()
        return self._columns.get(table, {})

    def choices(self, table: str) -> dict[str, dict[int, str]]:
        """Column -> {value: label} for every choice column of ``table``."""
        if not self.loaded:
            self.load()
        return self._choices.get(table, {})

    def tracked(self, table: str) -> bool:
        """Whether ``table`` has change tracking on."""
        if not self.loaded:
            self.load()
        return self._tracked.get(table, True)

    def custom_columns(self, table: str) -> tuple[str, ...]:
        """The table's columns with the publisher prefix."""
        if not self.loaded:
            self.load()
        if table not in self._custom:
            body = self.http.call("GET", self._attributes(table)).body or {}
            self._custom[table] = self._prefixed(body)
        return self._custom[table]

    def known_custom(self, table: str) -> tuple[str, ...]:
        """The custom columns read with ``table`` (none for a table not written back)."""
        return self._custom.get(table, ())

    def forget(self, table: str) -> None:
        self._custom.pop(table, None)

    # -- helpers -------------------------------------------------------------------------

    def _changes_query(self, stamp: str | None) -> str:
        """``RetrieveMetadataChanges`` for the standard tables' choice columns."""

        def equals(name: str, value: str, kind: str) -> dict[str, Any]:
            typed = {"Type": kind, "Value": value}
            return {"PropertyName": name, "ConditionOperator": "Equals", "Value": typed}

        query = {
            "Criteria": {
                "FilterOperator": "Or",
                "Conditions": [
                    equals("LogicalName", t, "System.String") for t in self.choice_tables
                ],
            },
            "Properties": {"AllProperties": False, "PropertyNames": ["LogicalName", "Attributes"]},
            "AttributeQuery": {
                "Criteria": {
                    "FilterOperator": "Or",
                    "Conditions": [
                        equals("AttributeType", k, "Microsoft.Dynamics.CRM.AttributeTypeCode")
                        for k in self.kinds
                    ],
                },
                "Properties": {
                    "AllProperties": False,
                    "PropertyNames": ["LogicalName", "OptionSet"],
                },
            },
        }
        p1 = quote(orjson.dumps(query).decode(), safe="")
        if stamp is None:
            return f"RetrieveMetadataChanges(Query=@p1)?@p1={p1}"
        p2 = quote(f"'{stamp}'", safe="")
        return f"RetrieveMetadataChanges(Query=@p1,ClientVersionStamp=@p2)?@p1={p1}&@p2={p2}"

    def _apply_changes(self, body: dict[str, Any]) -> None:
        """The choices as of the answer's stamp: all of them (no stamp sent), or the ones
        held with the changed option sets replaced (an option without a label keeps the
        label held for its value)."""
        if self.stamp is None:
            self._choices = {t: {} for t in self.choice_tables}
        for entity in body.get("EntityMetadata") or []:
            found = self._choices.setdefault(str(entity["LogicalName"]), {})
            for attribute in entity.get("Attributes") or []:
                column = str(attribute["LogicalName"])
                held = found.get(column, {})
                options = (attribute.get("OptionSet") or {}).get("Options") or []
                found[column] = {
                    int(o["Value"]): _label(o) or held.get(int(o["Value"])) or str(o["Value"])
                    for o in options
                }
        self.stamp = str(body.get("ServerVersionStamp") or "") or None

    @staticmethod
    def _attributes(table: str, more: str = "", custom_only: bool = True) -> str:
        """A table's columns: its custom ones (those written back are among them), or
        every column with ``custom_only=False``."""
        only = "&$filter=IsCustomAttribute eq true" if custom_only else ""
        return (
            f"EntityDefinitions(LogicalName='{table}')/Attributes"
            f"?$select=LogicalName,IsCustomAttribute{more}{only}"
        )

    def _prefixed(self, body: dict[str, Any]) -> tuple[str, ...]:
        return tuple(
            sorted(
                a["LogicalName"]
                for a in body.get("value", [])
                if a.get("IsCustomAttribute") and a["LogicalName"].startswith(self.prefix)
            )
        )

    def _body(self, answer: Any, what: str) -> dict[str, Any]:
        if not answer.ok or not isinstance(answer.body, dict):
            raise ConnectorFatalError(
                f"Dataverse refused the metadata of {what}: HTTP {answer.status} "
                f"{answer.error_code or ''}".rstrip(),
                source=self.http.source,
            )
        return answer.body
