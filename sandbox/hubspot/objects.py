"""Object type names, their numeric ids, and per-type property conventions."""

from __future__ import annotations

from sandbox.hubspot.errors import hs_error
from sandbox.hubspot.schema_custom import ORDERS, ORDERS_TYPE_ID, STORE_VISITS, STORE_VISITS_TYPE_ID
from sandbox.schema import ObjectSchema
from sandbox.store import Table

__all__ = [
    "DEFAULT_PROPERTIES",
    "ENGAGEMENT_GROUP",
    "OBJECT_TYPE_IDS",
    "SINGULAR",
    "TYPE_ID_BY_NAME",
    "created_field",
    "modified_field",
    "resolve_table",
    "resolve_type",
]

OBJECT_TYPE_IDS = {
    "0-1": "contacts",
    "0-2": "companies",
    "0-3": "deals",
    "0-5": "tickets",
    "0-48": "calls",
    "0-49": "emails",
    "0-47": "meetings",
    "0-46": "notes",
    "0-27": "tasks",
    "0-7": "products",
    "0-8": "line_items",
    "0-14": "quotes",
    "0-136": "leads",
    "0-74": "goal_targets",
    STORE_VISITS_TYPE_ID: STORE_VISITS,
    ORDERS_TYPE_ID: ORDERS,
}
TYPE_ID_BY_NAME = {name: type_id for type_id, name in OBJECT_TYPE_IDS.items()}
SINGULAR = {
    "contacts": "contact",
    "companies": "company",
    "deals": "deal",
    "tickets": "ticket",
    "calls": "call",
    "emails": "email",
    "meetings": "meeting",
    "notes": "note",
    "tasks": "task",
    "products": "product",
    "line_items": "line_item",
    "quotes": "quote",
    "leads": "lead",
    "goal_targets": "goal_target",
    "deal_split": "deal_split",
    STORE_VISITS: "store_visit",
    ORDERS: "order",
}

ENGAGEMENT_GROUP = "engagement"

# What HubSpot returns when a client names no properties (besides hs_object_id and the
# create/modify dates, which every record carries).
DEFAULT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "contacts": ("email", "firstname", "lastname"),
    "companies": ("domain", "name"),
    "deals": ("amount", "closedate", "dealname", "dealstage", "pipeline"),
    "tickets": (
        "content",
        "hs_pipeline",
        "hs_pipeline_stage",
        "hs_ticket_category",
        "hs_ticket_priority",
        "subject",
    ),
    "products": ("description", "name", "price"),
    "line_items": ("amount", "hs_product_id", "name", "price", "quantity"),
    "quotes": ("hs_expiration_date", "hs_public_url_key", "hs_status", "hs_title"),
    "leads": ("hs_lead_name", "hs_pipeline", "hs_pipeline_stage"),
    "goal_targets": ("hs_goal_name", "hs_target_amount", "hs_start_datetime", "hs_end_datetime"),
    "deal_split": ("hs_deal_split_percentage", "hubspot_owner_id"),
}


_PLURAL = {singular: plural for plural, singular in SINGULAR.items()}


def resolve_type(tables: dict[str, Table], raw: str) -> str:
    """The object type's plural name, from a plural or singular name (any case) or an id
    like ``0-1``: HubSpot accepts ``contact`` as well as ``contacts`` (Airbyte's source
    lists ``/crm/v3/objects/contact``)."""
    name = OBJECT_TYPE_IDS.get(raw, raw.lower())
    name = _PLURAL.get(name, name)
    if name not in tables:
        raise hs_error(400, f"Unable to infer object type from: {raw}", "VALIDATION_ERROR")
    return name


def resolve_table(tables: dict[str, Table], raw: str) -> tuple[str, Table]:
    name = resolve_type(tables, raw)
    return name, tables[name]


def created_field(schema: ObjectSchema) -> str:
    return schema.created_fields[0]


def modified_field(schema: ObjectSchema) -> str:
    return schema.modified_fields[0]
