"""Rows of Salesforce's history objects, written when a tracked record changes.

A creation writes a ``Field = 'created'`` row to the object's field history (and, for an
opportunity, its first ``OpportunityHistory`` snapshot); a change writes one field-history
row per changed tracked field (``OwnerId`` is recorded as ``Owner``, ``DataType``
``EntityId``, twice as Salesforce records a lookup: once with the users' ids and once with
their names), and an opportunity whose stage,
amount, close date or probability changed gets a new ``OpportunityHistory`` snapshot.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sandbox.salesforce.schema import salesforce_id
from sandbox.salesforce.schema_history import FIELD_HISTORY

if TYPE_CHECKING:
    from sandbox.store import Record
    from sandbox.world import World

__all__ = ["SalesforceHistory"]

_DATA_TYPES = {
    "StageName": "DynamicEnum",
    "Status": "DynamicEnum",
    "Amount": "Currency",
    "CloseDate": "Date",
    "OwnerId": "EntityId",
    "Probability": "Percent",
    "NextStep": "Text",
}
_SNAPSHOT = ("StageName", "Amount", "CloseDate", "Probability")
_FORECAST = (("Closed Won", "Closed"), ("Closed Lost", "Omitted"))


def _forecast(stage: Any, probability: Any) -> str:
    for name, category in _FORECAST:
        if stage == name:
            return category
    p = float(probability or 0)
    return "Commit" if p >= 70 else "BestCase" if p >= 40 else "Pipeline"


class SalesforceHistory:
    """Writes history rows into the world's Salesforce history tables."""

    def __init__(self, world: World) -> None:
        self.world = world

    def _field_history_id(self, obj: str) -> str:
        # all field-history objects share prefix 017: number them on one sequence
        seq = self.world.sequences["salesforce:FieldHistory"]
        self.world.sequences["salesforce:FieldHistory"] += 1
        return salesforce_id(obj, seq)

    def created(
        self, obj: str, record: Record, values: dict[str, Any], at: datetime, by: Any
    ) -> None:
        self._field_row(obj, record["Id"], "created", None, None, at, by)
        if obj == "Opportunity":
            self._snapshot({**record, **values}, None, at, by)

    def changed(
        self,
        obj: str,
        record: Record,
        diffs: dict[str, tuple[Any, Any]],
        at: datetime,
        by: Any,
    ) -> None:
        for name, (old, new) in diffs.items():
            self._field_row(obj, record["Id"], name, old, new, at, by)
            if name == "OwnerId":
                # Salesforce records a lookup change twice: by ids and by names
                self._field_row(obj, record["Id"], name, self._name(old), self._name(new), at, by)
        if obj == "Opportunity" and any(name in diffs for name in _SNAPSHOT):
            before = {name: old for name, (old, _) in diffs.items()}
            self._snapshot(record, before, at, by)

    def _name(self, user_id: Any) -> str | None:
        user = self.world.salesforce["User"].get(str(user_id)) if user_id else None
        return None if user is None else user.get("Name")

    def _field_row(
        self, obj: str, rid: str, name: str, old: Any, new: Any, at: datetime, by: Any
    ) -> None:
        history, parent_field = FIELD_HISTORY[obj]
        self.world.salesforce[history].insert(
            {
                "Id": self._field_history_id(history),
                "IsDeleted": False,
                parent_field: rid,
                "CreatedDate": at,
                "CreatedById": by,
                "Field": "Owner" if name == "OwnerId" else name,
                "DataType": _DATA_TYPES.get(name, "Text") if name != "created" else "Text",
                "OldValue": old,
                "NewValue": new,
            }
        )

    def _snapshot(
        self, record: Record, before: dict[str, Any] | None, at: datetime, by: Any
    ) -> None:
        amount, probability = record.get("Amount"), record.get("Probability")
        expected = None
        if amount is not None and probability is not None:
            expected = round(float(amount) * float(probability) / 100, 2)
        before = before or {}
        self.world.salesforce["OpportunityHistory"].insert(
            {
                "Id": self.world.mint("salesforce", "OpportunityHistory"),
                "IsDeleted": False,
                "OpportunityId": record["Id"],
                "StageName": record.get("StageName"),
                "Amount": amount,
                "ExpectedRevenue": expected,
                "CloseDate": record.get("CloseDate"),
                "Probability": probability,
                "ForecastCategory": _forecast(record.get("StageName"), probability),
                "PrevAmount": before.get("Amount", amount) if before else None,
                "PrevCloseDate": before.get("CloseDate", record.get("CloseDate"))
                if before
                else None,
                "CreatedDate": at,
                "CreatedById": by,
                "LastModifiedDate": at,
                "LastModifiedById": by,
                "SystemModstamp": at,
            }
        )
