"""Altamira's SugarCRM custom modules, built in Module Builder: ``cstm_StoreVisits``, a
customer's visit to a store, and ``cstm_Orders``, an order of consumables from the web
shop, a store or the phone line.

A Module Builder module is named ``<package key>_<module>`` (the package key here is
``cstm``) and has the fields of every Sugar record (``id``, ``date_entered``,
``date_modified``, ``created_by``, ``modified_user_id``), ``name``, ``description`` and
``assigned_user_id``, plus the fields built with it. The links to the customer were added
later in Studio as relate fields, whose id fields end in ``_c`` like every Studio field
(``contact_id_c``, ``account_id_c``; ``source: custom_fields`` in the metadata).
"""

from __future__ import annotations

from sandbox.schema import Field, FieldType

__all__ = [
    "CUSTOM_MODULES",
    "ORDER_CHANNELS",
    "ORDER_STATUSES",
    "STORES",
    "VISIT_TYPES",
    "custom_modules",
]

STORES = ("Amsterdam Lab Store", "Antwerpen Lab Store", "Boston Store")
VISIT_TYPES = ("Walk-in", "Appointment", "Pickup")
ORDER_CHANNELS = ("Web Shop", "Store", "Phone")
ORDER_STATUSES = ("Placed", "Shipped", "Delivered")
CUSTOM_MODULES = ("cstm_StoreVisits", "cstm_Orders")
_BUILT: dict[str, list[tuple[str, FieldType]]] = {
    "cstm_StoreVisits": [
        ("visit_date", "datetime"),
        ("store", "picklist"),
        ("visit_type", "picklist"),
        ("amount_spent", "currency"),
    ],
    "cstm_Orders": [
        ("order_date", "date"),
        ("status", "picklist"),
        ("channel", "picklist"),
        ("total", "currency"),
        ("currency_code", "string"),
        ("paid", "boolean"),
    ],
}


def custom_modules() -> dict[str, list[Field]]:
    """The custom modules' own fields (the system fields come from the schema module)."""
    out = {}
    for module, built in _BUILT.items():
        out[module] = [
            Field("name", label="Name", required=True),
            Field("description", "textarea"),
            Field("assigned_user_id", "reference", ref=("Users",)),
            *(Field(name, kind) for name, kind in built),
            Field("contact_id_c", "reference", "Customer", custom=True, ref=("Contacts",)),
            Field("account_id_c", "reference", "Account", custom=True, ref=("Accounts",)),
        ]
    return out
