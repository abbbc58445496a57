"""Salesforce's history objects, with the real API names (Object Reference, API 59.0).

``OpportunityHistory`` keeps a snapshot of an opportunity's stage, amount, close date,
probability and forecast category each time one of them changes (and when it is
created). ``OpportunityFieldHistory``, ``LeadHistory`` and ``CaseHistory`` keep one row per
changed tracked field: ``Field`` (``created`` for the creation row, ``Owner`` for
``OwnerId``), ``DataType``, ``OldValue`` and ``NewValue``. History rows are never updated,
so the field-history objects have no ``LastModifiedDate`` or ``SystemModstamp``: they are
read on ``CreatedDate``.
"""

from __future__ import annotations

from collections.abc import Callable

from sandbox.schema import Field

__all__ = ["FIELD_HISTORY", "HISTORY_KEY_PREFIXES", "history_objects"]

HISTORY_KEY_PREFIXES = {
    "OpportunityHistory": "008",
    # every field-history object shares the entity-history prefix (ids never repeat:
    # the sandbox numbers them on one sequence)
    "OpportunityFieldHistory": "017",
    "LeadHistory": "017",
    "CaseHistory": "017",
}

# tracked object -> (its field-history object, the field naming the record)
FIELD_HISTORY = {
    "Opportunity": ("OpportunityFieldHistory", "OpportunityId"),
    "Lead": ("LeadHistory", "LeadId"),
    "Case": ("CaseHistory", "CaseId"),
}

RefMaker = Callable[..., Field]


def _field_history(parent: str, parent_field: str, ref: RefMaker) -> list[Field]:
    return [
        Field("Id", "id", updateable=False),
        Field("IsDeleted", "boolean", updateable=False),
        ref(parent_field, parent, parent, updateable=False),
        Field("CreatedDate", "datetime", updateable=False),
        ref("CreatedById", "User", "CreatedBy", updateable=False),
        Field("Field", "picklist", updateable=False),
        Field("DataType", "picklist", updateable=False),
        Field("OldValue", updateable=False),
        Field("NewValue", updateable=False),
    ]


def history_objects(system: Callable[[], list[Field]], ref: RefMaker) -> dict[str, list[Field]]:
    """The four history objects' fields; ``ref`` is the schema module's helper."""
    out = {
        name: _field_history(parent, parent_field, ref)
        for parent, (name, parent_field) in FIELD_HISTORY.items()
    }
    out["OpportunityHistory"] = [
        *system(),
        ref("OpportunityId", "Opportunity", "Opportunity", updateable=False),
        Field("StageName", "picklist", updateable=False),
        Field("Amount", "currency", updateable=False),
        Field("ExpectedRevenue", "currency", updateable=False),
        Field("CloseDate", "date", updateable=False),
        Field("Probability", "percent", updateable=False),
        Field("ForecastCategory", "picklist", updateable=False),
        Field("PrevAmount", "currency", updateable=False),
        Field("PrevCloseDate", "date", updateable=False),
    ]
    return out
