"""Salesforce's product and split objects: ``Product2``, ``Pricebook2``, ``PricebookEntry``,
``OpportunityLineItem`` (an "opportunity product"), ``OpportunitySplitType`` and
``OpportunitySplit``, with the real API names (Object Reference, API 59.0).

An org with products has one standard price book (``IsStandard``) holding an entry per
product; a line item points at its opportunity, its price book entry and (read-only) its
product. Team Selling's two default split types are ``Revenue`` (must total 100%,
``IsTotalValidated``) and ``Overlay`` (any total); a split credits ``SplitOwnerId`` with
``SplitPercentage`` of the opportunity's ``Amount`` (``SplitAmount`` is computed).
"""

from __future__ import annotations

from collections.abc import Callable

from sandbox.schema import Field

__all__ = ["PRODUCT_KEY_PREFIXES", "SPLIT_TYPES", "product_objects"]

PRODUCT_KEY_PREFIXES = {
    "Product2": "01t",
    "Pricebook2": "01s",
    "PricebookEntry": "01u",
    "OpportunityLineItem": "00k",
    # Salesforce's entity key prefix table lists OpportunitySplit as 049 and
    # OpportunitySplitType as 149.
    "OpportunitySplitType": "149",
    "OpportunitySplit": "049",
}

# (DeveloperName, MasterLabel, IsTotalValidated) of the two default split types
SPLIT_TYPES = (("Revenue", "Revenue", True), ("Overlay", "Overlay", False))
FAMILIES = ("Instruments", "Services", "Consumables", "Software")
_CURRENCIES = ("USD", "EUR", "GBP", "CHF", "CAD")

RefMaker = Callable[..., Field]


def product_objects(system: Callable[[], list[Field]], ref: RefMaker) -> dict[str, list[Field]]:
    """The six objects' fields; ``system`` and ``ref`` are the schema module's helpers."""
    return {
        "Product2": [
            *system(),
            Field("Name", required=True, label="Product Name"),
            Field("ProductCode", label="Product Code"),
            Field("Description", "textarea", length=4000, label="Product Description"),
            Field("IsActive", "boolean", label="Active"),
            Field("Family", "picklist", picklist=FAMILIES, label="Product Family"),
            Field("QuantityUnitOfMeasure", "picklist", picklist=("Each",), label="Quantity Unit"),
            Field("StockKeepingUnit", label="Product SKU"),
            Field("DisplayUrl", "url", label="Display URL"),
            Field("ExternalId", label="External ID"),
            Field("IsArchived", "boolean", updateable=False, label="Archived"),
        ],
        "Pricebook2": [
            *system(),
            Field("Name", required=True, label="Price Book Name"),
            Field("IsActive", "boolean", label="Active"),
            Field("IsStandard", "boolean", updateable=False, label="Is Standard Price Book"),
            Field("Description", "textarea", label="Description"),
            Field("IsArchived", "boolean", updateable=False, label="Archived"),
        ],
        "PricebookEntry": [
            *system(),
            Field("Name", updateable=False, label="Product Name"),
            ref("Pricebook2Id", "Pricebook2", "Pricebook2", required=True),
            ref("Product2Id", "Product2", "Product2", required=True),
            Field("UnitPrice", "currency", required=True, label="List Price"),
            Field("IsActive", "boolean", label="Active"),
            Field("UseStandardPrice", "boolean", label="Use Standard Price"),
            Field("ProductCode", updateable=False, label="Product Code"),
            Field("CurrencyIsoCode", "picklist", picklist=_CURRENCIES, label="Currency"),
            Field("IsArchived", "boolean", updateable=False, label="Archived"),
        ],
        "OpportunityLineItem": [
            *system(),
            ref("OpportunityId", "Opportunity", "Opportunity", required=True),
            ref("PricebookEntryId", "PricebookEntry", "PricebookEntry"),
            ref("Product2Id", "Product2", "Product2"),
            Field("Name", updateable=False, label="Opportunity Product Name"),
            Field("ProductCode", updateable=False, label="Product Code"),
            Field("Quantity", "double", required=True, label="Quantity"),
            Field("UnitPrice", "currency", label="Sales Price"),
            Field("ListPrice", "currency", updateable=False, label="List Price"),
            Field("TotalPrice", "currency", label="Total Price"),
            Field("Subtotal", "currency", updateable=False, label="Subtotal"),
            Field("Discount", "percent", label="Discount"),
            Field("ServiceDate", "date", label="Date"),
            Field("Description", label="Line Description"),
            Field("SortOrder", "int", label="Sort Order"),
            Field("CurrencyIsoCode", "picklist", picklist=_CURRENCIES, updateable=False),
        ],
        "OpportunitySplitType": [
            *system(),
            Field("DeveloperName", required=True, label="Split Type Name"),
            Field("MasterLabel", required=True, label="Label"),
            Field("Description", "textarea", label="Description"),
            Field("IsActive", "boolean", label="Active"),
            Field("IsTotalValidated", "boolean", updateable=False, label="Total Validated"),
            Field("SplitEntity", updateable=False, label="Split Entity"),
            Field("SplitField", updateable=False, label="Split Field"),
            Field(
                "SplitDataStatus",
                "picklist",
                updateable=False,
                picklist=("Completed", "Processing", "Failed"),
                label="Split Data Status",
            ),
            Field("Language", "picklist", picklist=("en_US",), label="Language"),
        ],
        "OpportunitySplit": [
            *system(),
            ref("OpportunityId", "Opportunity", "Opportunity", required=True),
            ref("SplitOwnerId", "User", "SplitOwner", required=True),
            ref("SplitTypeId", "OpportunitySplitType", "SplitType"),
            Field("SplitPercentage", "percent", required=True, label="Percent (%)"),
            Field("SplitAmount", "currency", updateable=False, label="Amount"),
            Field("SplitNote", label="Note"),
            Field("Split", updateable=False, label="Name"),
            Field("HasOpportunityLineItemSplit", "boolean", updateable=False),
            Field("CurrencyIsoCode", "picklist", picklist=_CURRENCIES, updateable=False),
        ],
    }
