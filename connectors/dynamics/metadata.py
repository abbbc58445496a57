"""Table metadata the connector needs: choice labels and custom columns, read once.

Choice columns (``leadsourcecode``, ``caseorigincode``, ``statecode``...) hold integers;
their labels, which the channel map and the statuses use, come from the table's option-set
metadata (``Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata`` and
``StateAttributeMetadata`` with ``OptionSet`` expanded), never from hard-coded numbers.
Custom columns (those with the publisher prefix) are read along with the standard ones.
"""

from __future__ import annotations

from typing import Any

from connectors.dynamics.http import DynamicsHttp

__all__ = ["TableMetadata"]

_OPTIONS = "?$select=LogicalName&$expand=OptionSet($select=Options)"


def _label(option: dict[str, Any]) -> str | None:
    label = option.get("Label") or {}
    user = label.get("UserLocalizedLabel") or {}
    if user.get("Label"):
        return str(user["Label"])
    localized = label.get("LocalizedLabels") or []
    return str(localized[0]["Label"]) if localized else None


class TableMetadata:
    def __init__(self, http: DynamicsHttp, prefix: str) -> None:
        self.http = http
        self.prefix = f"{prefix}_"
        self._choices: dict[str, dict[str, dict[int, str]]] = {}
        self._custom: dict[str, tuple[str, ...]] = {}

    def choices(self, table: str) -> dict[str, dict[int, str]]:
        """Column -> {value: label} for every choice column of ``table``."""
        if table not in self._choices:
            found: dict[str, dict[int, str]] = {}
            for kind in ("Picklist", "State"):
                path = (
                    f"EntityDefinitions(LogicalName='{table}')/Attributes/"
                    f"Microsoft.Dynamics.CRM.{kind}AttributeMetadata{_OPTIONS}"
                )
                for attribute in (self.http.call("GET", path).body or {}).get("value", []):
                    options = (attribute.get("OptionSet") or {}).get("Options") or []
                    found[attribute["LogicalName"]] = {
                        int(o["Value"]): _label(o) or str(o["Value"]) for o in options
                    }
            self._choices[table] = found
        return self._choices[table]

    def custom_columns(self, table: str, refresh: bool = False) -> tuple[str, ...]:
        """The table's columns with the publisher prefix."""
        if refresh or table not in self._custom:
            path = f"EntityDefinitions(LogicalName='{table}')/Attributes"
            body = self.http.call(
                "GET", path, params={"$select": "LogicalName,IsCustomAttribute"}
            ).body
            self._custom[table] = tuple(
                sorted(
                    a["LogicalName"]
                    for a in (body or {}).get("value", [])
                    if a.get("IsCustomAttribute") and a["LogicalName"].startswith(self.prefix)
                )
            )
        return self._custom[table]

    def forget(self, table: str) -> None:
        self._custom.pop(table, None)
