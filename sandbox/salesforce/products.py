"""Fields Salesforce computes on opportunity products and splits, from other records.

A line item takes its product, code, list price and name from its price book entry;
``TotalPrice`` is ``Quantity × UnitPrice`` less the discount. A split's ``SplitAmount`` is
its share of the opportunity's ``Amount``; a split without a type is a revenue split.
Used by the emulator's writes and by the generator, so both give the same values.
"""

from __future__ import annotations

from typing import Any

from sandbox.store import Record, Table

__all__ = ["derive_line_item", "derive_split", "refresh_opportunity"]


def _money(value: float) -> float:
    return round(value + 0.0, 2)


def derive_line_item(tables: dict[str, Table], record: Record) -> None:
    """Fill the read-only fields of an ``OpportunityLineItem`` in place."""
    entry = tables["PricebookEntry"].get(record.get("PricebookEntryId") or "")
    product_id = entry["Product2Id"] if entry else record.get("Product2Id")
    product = tables["Product2"].get(product_id or "")
    opp = tables["Opportunity"].get(record.get("OpportunityId") or "")
    record["Product2Id"] = product_id
    if product is not None:
        record["ProductCode"] = product.get("ProductCode")
        opp_name = opp.get("Name") if opp else None
        record["Name"] = f"{opp_name} {product['Name']}" if opp_name else product["Name"]
    if entry is not None:
        record["ListPrice"] = entry.get("UnitPrice")
        if record.get("UnitPrice") is None and record.get("TotalPrice") is None:
            record["UnitPrice"] = entry.get("UnitPrice")
    quantity = float(record.get("Quantity") or 0)
    if record.get("UnitPrice") is None and record.get("TotalPrice") is not None and quantity:
        record["UnitPrice"] = _money(float(record["TotalPrice"]) / quantity)
    unit = float(record.get("UnitPrice") or 0)
    subtotal = _money(quantity * unit)
    discount = float(record.get("Discount") or 0)
    record["Subtotal"] = subtotal
    record["TotalPrice"] = _money(subtotal * (100 - discount) / 100)
    if opp is not None:
        record["CurrencyIsoCode"] = opp.get("CurrencyIsoCode")


def derive_split(tables: dict[str, Table], record: Record) -> None:
    """Fill ``SplitAmount`` (and a default revenue type) of an ``OpportunitySplit``."""
    if not record.get("SplitTypeId"):
        revenue = next(
            (t for t in tables["OpportunitySplitType"].live() if t.get("IsTotalValidated")),
            None,
        )
        record["SplitTypeId"] = revenue["Id"] if revenue else None
    opp = tables["Opportunity"].get(record.get("OpportunityId") or "")
    amount = float(opp.get("Amount") or 0) if opp else 0.0
    record["SplitAmount"] = _money(amount * float(record.get("SplitPercentage") or 0) / 100)
    record["HasOpportunityLineItemSplit"] = False
    if opp is not None:
        record["CurrencyIsoCode"] = opp.get("CurrencyIsoCode")


def refresh_opportunity(tables: dict[str, Table], opportunity_id: str) -> dict[str, Any]:
    """The opportunity fields its live line items decide (``Amount`` is their sum)."""
    items = [
        r for r in tables["OpportunityLineItem"].live() if r.get("OpportunityId") == opportunity_id
    ]
    if not items:
        return {"HasOpportunityLineItem": False}
    total = _money(sum(float(r.get("TotalPrice") or 0) for r in items))
    return {"HasOpportunityLineItem": True, "Amount": total}
