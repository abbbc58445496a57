"""Altamira's Salesforce custom objects: ``Store_Visit__c``, a customer's visit to a store,
and ``Order__c``, a consumer's order from the web shop, a store or the phone line.

A custom object has the system fields of every object, an auto-number ``Name``, an owner
and fields whose API names end in ``__c`` (``custom: true`` in describe). Its key prefix
is one an org assigns to its custom objects (``a0`` followed by a letter or digit).
"""

from __future__ import annotations

from collections.abc import Callable

from sandbox.schema import Field

__all__ = [
    "CUSTOM_KEY_PREFIXES",
    "ORDER_CHANNELS",
    "ORDER_STATUSES",
    "STORES",
    "VISIT_TYPES",
    "custom_objects",
]

CUSTOM_KEY_PREFIXES = {"Store_Visit__c": "a0V", "Order__c": "a0W"}
STORES = ("Barcelona Lab Store", "Lyon Lab Store", "Web Shop Pickup Madrid", "Boston Store")
VISIT_TYPES = ("Walk-in", "Appointment", "Pickup")
ORDER_CHANNELS = ("Web Shop", "Store", "Phone")
ORDER_STATUSES = ("Placed", "Shipped", "Delivered")
_CURRENCIES = ("USD", "EUR", "GBP", "CHF", "CAD")

RefMaker = Callable[..., Field]


def custom_objects(system: Callable[[], list[Field]], ref: RefMaker) -> dict[str, list[Field]]:
    """The custom objects' fields; ``system`` and ``ref`` are the schema module's helpers."""
    return {
        "Store_Visit__c": [
            *system(),
            Field("Name", updateable=False, label="Store Visit Name"),
            ref("OwnerId", "User", "Owner"),
            Field(
                "Contact__c",
                "reference",
                label="Customer",
                custom=True,
                ref=("Contact",),
                relationship="Contact__r",
            ),
            Field(
                "Account__c",
                "reference",
                label="Account",
                custom=True,
                ref=("Account",),
                relationship="Account__r",
            ),
            Field("Visit_Date__c", "datetime", label="Visit Date", custom=True),
            Field("Store__c", "picklist", label="Store", custom=True, picklist=STORES),
            Field(
                "Visit_Type__c", "picklist", label="Visit Type", custom=True, picklist=VISIT_TYPES
            ),
            Field("Amount_Spent__c", "currency", label="Amount Spent", custom=True),
        ],
        "Order__c": [
            *system(),
            Field("Name", updateable=False, label="Order Number"),
            ref("OwnerId", "User", "Owner"),
            Field(
                "Contact__c",
                "reference",
                label="Customer",
                custom=True,
                ref=("Contact",),
                relationship="Contact__r",
            ),
            Field(
                "Account__c",
                "reference",
                label="Account",
                custom=True,
                ref=("Account",),
                relationship="Account__r",
            ),
            Field("Order_Date__c", "date", label="Order Date", custom=True),
            Field("Status__c", "picklist", label="Status", custom=True, picklist=ORDER_STATUSES),
            Field("Channel__c", "picklist", label="Channel", custom=True, picklist=ORDER_CHANNELS),
            Field("Total__c", "currency", label="Total", custom=True),
            Field("CurrencyIsoCode", "picklist", label="Order Currency", picklist=_CURRENCIES),
            Field("Paid__c", "boolean", label="Paid", custom=True),
        ],
    }
