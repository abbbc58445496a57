"""Altamira's Zoho custom module: ``Store_Visits``, a customer's visit to a store.

A custom module is listed by ``/settings/modules`` with ``generated_type: custom``; it has
the system fields of every module (``Owner``, ``Created_Time``, ``Modified_Time``...), a
``Name`` and the fields the admin added (``custom_field: true``), lookups included.
"""

from __future__ import annotations

from collections.abc import Callable

from sandbox.schema import Field

__all__ = ["CUSTOM_MODULES", "STORES", "VISIT_TYPES", "custom_modules"]

CUSTOM_MODULES = frozenset({"Store_Visits"})
STORES = ("Barcelona Lab Store", "Lyon Lab Store", "Web Shop Pickup Madrid", "Boston Store")
VISIT_TYPES = ("Walk-in", "Appointment", "Pickup")


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
        ]
    }
