"""Advanced currency management: ``CurrencyType`` and ``DatedConversionRate``.

A multi-currency org lists its currencies in ``CurrencyType`` (``IsoCode``,
``ConversionRate`` against the corporate currency, ``IsCorporate``, ``IsActive``,
``DecimalPlaces``); with advanced currency management enabled it also keeps dated rates in
``DatedConversionRate`` (``IsoCode``, ``ConversionRate`` — units of ``IsoCode`` per one
unit of the corporate currency — ``StartDate``, and the read-only ``NextStartDate``), which
convert opportunities by their close date. Neither object has ``IsDeleted``. Fields follow
Salesforce's Object Reference; the key prefixes are ``01L`` (``CurrencyType``) and ``04w``
(``DatedConversionRate``).

Off unless the sandbox enables it (``--dated-rates``): an org without the feature has no
such objects, and the world is unchanged. Enabled, the corporate currency is USD and each
of EUR, GBP, CHF and CAD has one rate from 0001-01-01 (the rate every org starts with) and
one from the first day of each month of the story, drawn from a random stream of its own;
the last one's ``NextStartDate`` is 9999-12-31, as Salesforce shows it.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time

from sandbox.schema import Field, ObjectSchema
from sandbox.store import Table

__all__ = ["CURRENCY_KEY_PREFIXES", "CURRENCY_OBJECTS", "currency_schemas", "enable_dated_rates"]

CURRENCY_KEY_PREFIXES = {"CurrencyType": "01L", "DatedConversionRate": "04w"}
CORPORATE = "USD"
# units per US dollar the walk starts from, and the places a rate is kept to
_START = {"EUR": 0.92, "GBP": 0.79, "CHF": 0.88, "CAD": 1.36}
_PLACES = 6
_CODES = (CORPORATE, *_START)
_FAR = date(9999, 12, 31)


def _system() -> list[Field]:
    return [
        Field("Id", "id", updateable=False),
        Field("CreatedDate", "datetime", updateable=False),
        Field(
            "CreatedById", "reference", ref=("User",), relationship="CreatedBy", updateable=False
        ),
        Field("LastModifiedDate", "datetime", updateable=False),
        Field(
            "LastModifiedById",
            "reference",
            ref=("User",),
            relationship="LastModifiedBy",
            updateable=False,
        ),
        Field("SystemModstamp", "datetime", updateable=False),
    ]


CURRENCY_OBJECTS: dict[str, list[Field]] = {
    "CurrencyType": [
        *_system(),
        Field("IsoCode", "picklist", required=True, label="Currency ISO Code", picklist=_CODES),
        Field("ConversionRate", "double", required=True, label="Conversion Rate"),
        Field("DecimalPlaces", "int", label="Decimal Places"),
        Field("IsActive", "boolean", label="Active"),
        Field("IsCorporate", "boolean", updateable=False, label="Corporate Currency"),
    ],
    "DatedConversionRate": [
        *_system(),
        Field("IsoCode", "picklist", required=True, label="Currency ISO Code", picklist=_CODES),
        Field("ConversionRate", "double", required=True, label="Exchange Rate"),
        Field("StartDate", "date", required=True, label="Date"),
        Field("NextStartDate", "date", updateable=False, label="Next Start Date"),
    ],
}


def currency_schemas() -> dict[str, ObjectSchema]:
    """Fresh schemas of the two objects (for a new org and for a saved one reloaded)."""
    return {
        name: ObjectSchema(
            name=name,
            fields=list(fields),
            id_field="Id",
            modified_fields=("LastModifiedDate", "SystemModstamp"),
            created_fields=("CreatedDate",),
        )
        for name, fields in CURRENCY_OBJECTS.items()
    }


def _months(start: date, end: date) -> list[date]:
    out, day = [], start.replace(day=1)
    while day <= end:
        out.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return out


def enable_dated_rates(
    salesforce: dict[str, Table], ids: object, admin: str | None, start: date, end: date, seed: str
) -> None:
    """Add the two objects and their rows: ``ids(object_name)`` mints an id, ``admin`` is
    the user who entered the rates, each month from ``start`` to ``end`` gets a rate."""
    if "DatedConversionRate" in salesforce:
        return
    for name, schema in currency_schemas().items():
        salesforce[name] = Table(schema)
    rng = random.Random(f"{seed}:dated-rates")
    stamp = datetime.combine(start, time(8), UTC)
    mint = ids  # a callable; typed loosely so the world's mint can be passed as is

    def insert(name: str, values: dict[str, object], at: datetime) -> None:
        row = {
            "Id": mint(name),  # type: ignore[operator]
            "CreatedDate": at,
            "CreatedById": admin,
            "LastModifiedDate": at,
            "LastModifiedById": admin,
            "SystemModstamp": at,
            **values,
        }
        salesforce[name].insert(row)

    for code in _CODES:
        rate = 1.0 if code == CORPORATE else _START[code]
        values = {"IsoCode": code, "ConversionRate": rate, "DecimalPlaces": 2}
        insert(
            "CurrencyType", {**values, "IsActive": True, "IsCorporate": code == CORPORATE}, stamp
        )
    months = _months(start, end)
    for code, first in _START.items():
        rates = [(date(1, 1, 1), first)]
        value = first
        for month in months:
            value = round(value * (1 + rng.uniform(-0.02, 0.02)), _PLACES)
            rates.append((month, value))
        for i, (day, value) in enumerate(rates):
            following = rates[i + 1][0] if i + 1 < len(rates) else _FAR
            at = stamp if day < start else datetime.combine(day, time(8), UTC)
            values = {"IsoCode": code, "ConversionRate": value, "StartDate": day}
            insert("DatedConversionRate", {**values, "NextStartDate": following}, at)
