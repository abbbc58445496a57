"""Altamira's Dataverse custom tables: ``new_storevisit``, a customer's visit to a store,
and ``new_order``, an order of consumables from the web shop, a store or the phone line.

A custom table is created in a solution whose publisher has the prefix ``new``: its logical
name and every column the maker added carry it (``new_visitedon``), its entity set is the
plural (``new_storevisits``), its key is ``<table>id`` and its primary name ``new_name``.
It has the system columns and the owner of every user-owned table, ``IsCustomEntity``
true in ``EntityDefinitions``, and change tracking on (a maker ticks it for tables a
data export reads). Lookups render as ``_new_customerid_value``; choices added by the
maker take values from the publisher's option prefix (``100000000`` on).
"""

from __future__ import annotations

from collections.abc import Callable

from sandbox.schema import Field, FieldType

__all__ = [
    "CUSTOM_OPTION_SETS",
    "CUSTOM_TABLES",
    "ORDER_CHANNELS",
    "ORDER_STATUSES",
    "STORES",
    "VISIT_TYPES",
    "custom_tables",
]

STORES = ("Wien Lab Store", "Zürich Lab Store", "Boston Store")
VISIT_TYPES = ("Walk-in", "Appointment", "Pickup")
ORDER_CHANNELS = ("Web Shop", "Store", "Phone")
ORDER_STATUSES = ("Placed", "Shipped", "Delivered")

# logical name -> (entity set, key column, primary name, object type code, schema name)
CUSTOM_TABLES: dict[str, tuple[str, str, str, int, str]] = {
    "new_storevisit": ("new_storevisits", "new_storevisitid", "new_name", 10010, "new_StoreVisit"),
    "new_order": ("new_orders", "new_orderid", "new_name", 10011, "new_Order"),
}


def _options(labels: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    return tuple((100_000_000 + i, label) for i, label in enumerate(labels))


CUSTOM_OPTION_SETS: dict[tuple[str, str], tuple[tuple[int, str], ...]] = {
    ("new_storevisit", "new_visittype"): _options(VISIT_TYPES),
    ("new_order", "new_status"): _options(ORDER_STATUSES),
    ("new_order", "new_channel"): _options(ORDER_CHANNELS),
}


def _custom(
    name: str,
    kind: FieldType = "string",
    label: str = "",
    *,
    required: bool = False,
    ref: tuple[str, ...] = (),
    picklist: tuple[str, ...] = (),
) -> Field:
    return Field(
        name, kind, label=label, required=required, custom=True, ref=ref, picklist=picklist
    )


def custom_tables(owned: Callable[[str], list[Field]]) -> dict[str, list[Field]]:
    """The custom tables' columns; ``owned`` is the schema module's system columns."""

    def pick(table: str, name: str, label: str) -> Field:
        labels = tuple(lbl for _, lbl in CUSTOM_OPTION_SETS[(table, name)])
        return _custom(name, "picklist", label, picklist=labels)

    def ref(name: str, table: str, label: str) -> Field:
        return _custom(name, "reference", label, ref=(table,))

    return {
        "new_storevisit": [
            *owned("new_storevisit"),
            _custom("new_name", label="Name", required=True),
            ref("new_customerid", "contact", "Customer"),
            ref("new_accountid", "account", "Account"),
            _custom("new_visitedon", "datetime", "Visited On"),
            _custom("new_store", label="Store"),
            pick("new_storevisit", "new_visittype", "Visit Type"),
            _custom("new_amountspent", "currency", "Amount Spent"),
        ],
        "new_order": [
            *owned("new_order"),
            _custom("new_name", label="Order Number", required=True),
            ref("new_customerid", "contact", "Customer"),
            ref("new_accountid", "account", "Account"),
            _custom("new_orderdate", "date", "Order Date"),
            pick("new_order", "new_status", "Status"),
            pick("new_order", "new_channel", "Channel"),
            _custom("new_total", "currency", "Total"),
            _custom("new_currencycode", label="Currency Code"),
            _custom("new_paid", "boolean", "Paid"),
        ],
    }
