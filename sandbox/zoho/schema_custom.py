"""Altamira's Zoho custom modules: ``Store_Visits``, a customer's visit to a store, and
``Orders``, a consumer's order from the web shop, a store or the phone line.

A custom module is listed by ``/settings/modules`` with ``generated_type: custom``; it has
the system fields of every module (``Owner``, ``Created_Time``, ``Modified_Time``...), a
``Name`` and the fields the admin added (``custom_field: true``), lookups included.
"""

from __future__ import annotations

from collections.abc import Callable

from sandbox.schema import Field

__all__ = [
    "CUSTOM_MODULES",
    "ORDER_CHANNELS",
    "ORDER_STATUSES",
    "STORES",
    "VISIT_TYPES",
    "custom_modules",
]

CUSTOM_MODULES = frozenset({"Store_Visits", "Orders"})
STORES = ("Barcelona Lab Store", "Lyon Lab Store", "Web Shop Pickup Madrid", "Boston Store")
VISIT_TYPES = ("Walk-in", "Appointment", "Pickup")
ORDER_CHANNELS = ("Web Shop", "Store", "Phone")
ORDER_STATUSES = ("Placed", "Shipped", "Delivered")


def custom_modules(system: Callable[[], list[Field]]) -> dict[str, list[Field]]:
    """The custom modules' fields; ``system`` is the schema module's helper."""
    return {
        "Store_Visits": [
            *system(),
            Field("Name", required=True, label="Store Visit Name"),
            Field("Customer", "reference", ref=("Contacts",), label="Customer", custom=True),
            Field("Account", "reference", ref=("Accounts",), label="Account", custom=True),
            Field("Visited_At", "datetime", label="Visited At", custom=True),
            Field("Store", "picklist", label="Store", custom=True, picklist=("-None-", *STORES)),
            Field(
                "Visit_Type",
                "picklist",
                label="Visit Type",
                custom=True,
                picklist=("-None-", *VISIT_TYPES),
            ),
            Field("Amount_Spent", "currency", label="Amount Spent", custom=True),
        ],
        "Orders": [
            *system(),
            Field("Name", required=True, label="Order Number"),
            Field("Customer", "reference", ref=("Contacts",), label="Customer", custom=True),
            Field("Account", "reference", ref=("Accounts",), label="Account", custom=True),
            Field("Order_Date", "date", label="Order Date", custom=True),
            Field(
                "Status",
                "picklist",
                label="Status",
                custom=True,
                picklist=("-None-", *ORDER_STATUSES),
            ),
            Field(
                "Channel",
                "picklist",
                label="Channel",
                custom=True,
                picklist=("-None-", *ORDER_CHANNELS),
            ),
            Field("Total", "currency", label="Total", custom=True),
            Field("Currency", "picklist", picklist=("USD", "EUR", "GBP", "CHF", "CAD")),
            Field("Exchange_Rate", "double"),
            Field("Paid", "boolean", label="Paid", custom=True),
        ],
    }
