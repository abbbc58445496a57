"""The sandbox portal's custom objects: store visits (``p20261031_store_visits``,
``2-7730401``) and orders (``p20261031_orders``, ``2-7730402``).

A custom object has a ``name``, a fully qualified name ``p{portalId}_{name}`` and an
object type id ``2-{id}``; its records are served under ``/crm/v3/objects/`` by either.
Its properties are the portal's own, besides those every object has; its associations to
contacts, companies and deals carry portal-defined type ids.
"""

from __future__ import annotations

from sandbox.hubspot.schema_commerce import common_fields
from sandbox.schema import Field

__all__ = [
    "CUSTOM_ASSOCIATION_TYPES",
    "CUSTOM_ID_BASE",
    "CUSTOM_OBJECTS",
    "ORDERS",
    "ORDERS_TYPE_ID",
    "ORDER_CHANNELS",
    "STORE_VISITS",
    "STORE_VISITS_TYPE_ID",
    "custom_properties",
]

# the portal id (``legacy_objects.PORTAL_ID``) is part of the fully qualified name
STORE_VISITS = "p20261031_store_visits"
STORE_VISITS_TYPE_ID = "2-7730401"
ORDERS = "p20261031_orders"
ORDERS_TYPE_ID = "2-7730402"
# name, singular and plural labels, primary display property, per fully qualified name
CUSTOM_OBJECTS = {
    STORE_VISITS: ("store_visits", "Store visit", "Store visits", "visit_name"),
    ORDERS: ("orders", "Order", "Orders", "order_number"),
}
CUSTOM_ID_BASE = {STORE_VISITS: 41_000_000_000, ORDERS: 42_000_000_000}
CUSTOM_ASSOCIATION_TYPES: dict[tuple[str, str], int] = {
    (STORE_VISITS, "contacts"): 101,
    ("contacts", STORE_VISITS): 102,
    (STORE_VISITS, "companies"): 103,
    ("companies", STORE_VISITS): 104,
    (STORE_VISITS, "deals"): 105,
    ("deals", STORE_VISITS): 106,
    (ORDERS, "contacts"): 107,
    ("contacts", ORDERS): 108,
    (ORDERS, "companies"): 109,
    ("companies", ORDERS): 110,
    (ORDERS, "deals"): 111,
    ("deals", ORDERS): 112,
}
STORES = ("Barcelona Lab Store", "Lyon Lab Store", "Web Shop Pickup Madrid", "Boston Store")
VISIT_TYPES = ("walk_in", "appointment", "pickup")
ORDER_CHANNELS = ("web_shop", "store", "phone")
ORDER_STATUSES = ("placed", "shipped", "delivered")


def custom_properties() -> dict[str, list[Field]]:
    return {
        STORE_VISITS: [
            *common_fields("hs_createdate", "hs_lastmodifieddate"),
            Field("visit_name", label="Visit name", required=True, custom=True),
            Field("visit_date", "datetime", label="Visit date", custom=True),
            Field("store", "picklist", label="Store", custom=True, picklist=STORES),
            Field("visit_type", "picklist", label="Visit type", custom=True, picklist=VISIT_TYPES),
            Field("amount_spent", "currency", label="Amount spent", custom=True),
        ],
        ORDERS: [
            *common_fields("hs_createdate", "hs_lastmodifieddate"),
            Field("order_number", label="Order number", required=True, custom=True),
            Field("order_date", "date", label="Order date", custom=True),
            Field("status", "picklist", label="Status", custom=True, picklist=ORDER_STATUSES),
            Field("channel", "picklist", label="Channel", custom=True, picklist=ORDER_CHANNELS),
            Field("total", "currency", label="Total", custom=True),
            Field("order_currency", label="Currency", custom=True),
            Field("paid", "boolean", label="Paid", custom=True),
        ],
    }
