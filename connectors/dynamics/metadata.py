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

All of it is one ``$batch`` call (``load``), made when the run takes the environment's
time (``server_time``: the batch's ``Date`` header), so a run costs one call beyond its
reads and sees a column or option added since the last run without any version check.
The same batch carries the first delta page of each table the run goes on reading
(``DynamicsConnector.plan_reads``), so an incremental run with few changes costs that one
call in all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from connectors.core.errors import ConnectorFatalError
from connectors.dynamics.batch import BatchAnswer, get_batch
from connectors.dynamics.http import DynamicsHttp

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
        # (table, kind) of the option sets read: a State part only for statecode
        self.option_sets = [
            (table, kind)
            for table, columns in choice_columns.items()
            for kind in _KINDS
            if any((c == "statecode") == (kind == "State") for c in columns)
        ]
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

    def load(self, more: Sequence[tuple[str, Mapping[str, str]]] = ()) -> list[BatchAnswer]:
        """Every table's choices, tracking flag and (written tables') custom columns; the
        answers to ``more`` GET requests (path or URL, headers), sent in the same batch."""
        names = " or ".join(f"LogicalName eq '{t}'" for t in self.tables)
        requests: list[tuple[str, dict[str, str]]] = [
            (
                "EntityDefinitions?$select=LogicalName,ChangeTrackingEnabled,EntitySetName,"
                f"PrimaryIdAttribute&$filter={names}",
                {},
            )
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
            requests.append((self._attributes(table, ",AttributeType"), {}))
        answers = iter(get_batch(self.http, [*requests, *more]))
        definitions = self._body(next(answers), "EntityDefinitions")
        self._definitions = {d["LogicalName"]: d for d in definitions.get("value", [])}
        self._tracked = {
            name: bool(d.get("ChangeTrackingEnabled", True))
            for name, d in self._definitions.items()
        }
        self._choices = {table: {} for table in self.tables}
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

    @staticmethod
    def _attributes(table: str, more: str = "") -> str:
        return (
            f"EntityDefinitions(LogicalName='{table}')/Attributes"
            f"?$select=LogicalName,IsCustomAttribute{more}"
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
