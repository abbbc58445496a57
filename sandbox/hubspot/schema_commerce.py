"""HubSpot's commerce and newer standard objects (products, line items, quotes, leads, goal
targets, deal splits) and the properties every object type has. The synthetic company sells
from a product catalogue (its won deals have line items); it keeps no quotes, leads, goal
targets or deal splits: those are served as empty but valid types."""

from __future__ import annotations

from sandbox.schema import Field

__all__ = ["commerce_properties", "common_fields"]


def common_fields(created: str, modified: str) -> list[Field]:
    """The properties every object type has, with its created and modified names."""
    return [
        Field("hs_object_id", "int", label="Record ID", updateable=False),
        Field(created, "datetime", label="Create Date", updateable=False),
        Field(modified, "datetime", label="Last Modified Date", updateable=False),
        Field("hubspot_owner_id", "reference", label="Owner", ref=("owners",)),
        # the HubSpot *user* id (an owner's ``userId``) of whoever created the record
        Field("hs_created_by_user_id", "int", label="Created by user ID", updateable=False),
    ]


def commerce_properties() -> dict[str, list[Field]]:
    """Products, line items, quotes, leads, goal targets and deal splits with their standard
    properties (CRM v3 docs; a deal split's share is ``hs_deal_split_percentage``, 0-1)."""
    return {
        "products": [
            *common_fields("createdate", "hs_lastmodifieddate"),
            Field("name", label="Name", required=True),
            Field("description", "textarea", label="Description"),
            Field("price", "currency", label="Unit price"),
            Field("hs_sku", label="SKU"),
            Field("hs_cost_of_goods_sold", "currency", label="Unit cost"),
            Field("hs_recurring_billing_period", label="Term"),
        ],
        "line_items": [
            *common_fields("createdate", "hs_lastmodifieddate"),
            Field("name", label="Name", required=True),
            Field("hs_product_id", "int", label="Product ID"),
            Field("quantity", "double", label="Quantity"),
            Field("price", "currency", label="Unit price"),
            Field("amount", "currency", label="Net price", updateable=False),
            Field("discount", "currency", label="Unit discount"),
            Field("hs_sku", label="SKU"),
            Field("hs_line_item_currency_code", "picklist", label="Currency"),
        ],
        "leads": [
            *common_fields("hs_createdate", "hs_lastmodifieddate"),
            Field("hs_lead_name", label="Lead name", required=True),
            Field("hs_lead_type", "picklist", label="Lead type"),
            Field("hs_lead_label", "picklist", label="Lead label"),
            Field("hs_pipeline", "picklist", label="Pipeline"),
            Field("hs_pipeline_stage", "picklist", label="Lead stage"),
        ],
        "goal_targets": [
            *common_fields("hs_createdate", "hs_lastmodifieddate"),
            Field("hs_goal_name", label="Goal name", required=True),
            Field("hs_target_amount", "double", label="Target amount"),
            Field("hs_start_datetime", "datetime", label="Start date"),
            Field("hs_end_datetime", "datetime", label="End date"),
        ],
        "deal_split": [
            *common_fields("hs_createdate", "hs_lastmodifieddate"),
            Field("hs_deal_split_percentage", "double", label="Deal split percentage"),
        ],
        "quotes": [
            *common_fields("hs_createdate", "hs_lastmodifieddate"),
            Field("hs_title", label="Quote name", required=True),
            Field("hs_expiration_date", "datetime", label="Expiration date", required=True),
            Field("hs_status", "picklist", label="Quote approval status"),
            Field("hs_public_url_key", label="Public URL key", updateable=False),
            Field("hs_quote_amount", "currency", label="Quote amount", updateable=False),
            Field("hs_currency", "picklist", label="Currency"),
        ],
    }
