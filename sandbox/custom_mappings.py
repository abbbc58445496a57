"""The custom-object mappings of the sandbox's store visits and orders, and the audit's
consumer rules, as YAML would say.

``crmsync demo`` maps them on its sources (``sources[].custom_objects``), and tests use
them: store visits become inbound activities on channel ``store``, orders become won deals on
the channel they came through (web, store, phone), linked to the consumer's contact (and
in Salesforce their person account) and owned by their agent or rep. An admin writes the
same lines for a real CRM ([docs/custom-objects.md](../docs/custom-objects.md)).
"""

from __future__ import annotations

from typing import Any

from sandbox.hubspot.schema_custom import ORDERS, STORE_VISITS

__all__ = ["CONSUMER_RULES", "CUSTOM_MAPPINGS", "mapped_objects"]

# Salesforce and Zoho spell the web shop "Web Shop", HubSpot "web_shop"
_ORDER_CHANNELS = {"web shop": "web", "web_shop": "web", "store": "store", "phone": "phone"}


def _visits(obj: str, at: str, name: str, links: dict[str, str]) -> dict[str, Any]:
    return {
        "object": obj,
        "kind": "activity",
        "stream": "store_visits",
        "activity_type": "meeting",
        "direction": "inbound",  # the customer came in: not a reply to a lead
        "fields": {"occurred_at": at, "subject": name},
        "channel": {"value": "store"},
        "links": links,
    }


def _orders(
    obj: str, fields: dict[str, str], channel: str, links: dict[str, str]
) -> dict[str, Any]:
    paid = fields.pop("paid")
    return {
        "object": obj,
        "kind": "deal",
        "stream": "orders",
        "fields": {**fields, "is_closed": paid, "is_won": paid},
        "channel": {"field": channel, "map": dict(_ORDER_CHANNELS), "default": "other"},
        "links": links,
    }


_SF_LINKS = {"person": "Contact__c", "account": "Account__c", "owner": "OwnerId"}
_HS_LINKS = {
    "person": "associations.contacts",
    "account": "associations.companies",
    "owner": "hubspot_owner_id",
}
_ZOHO_LINKS = {"person": "Customer", "account": "Account", "owner": "Owner"}

CUSTOM_MAPPINGS: dict[str, list[dict[str, Any]]] = {
    "salesforce": [
        _visits("Store_Visit__c", "Visit_Date__c", "Name", _SF_LINKS),
        _orders(
            "Order__c",
            {
                "name": "Name",
                "stage": "Status__c",
                "amount": "Total__c",
                "currency": "CurrencyIsoCode",
                "close_date": "Order_Date__c",
                "paid": "Paid__c",
            },
            "Channel__c",
            _SF_LINKS,
        ),
    ],
    "hubspot": [
        _visits(STORE_VISITS, "visit_date", "visit_name", _HS_LINKS),
        _orders(
            ORDERS,
            {
                "name": "order_number",
                "stage": "status",
                "amount": "total",
                "currency": "order_currency",
                "close_date": "order_date",
                "paid": "paid",
            },
            "channel",
            _HS_LINKS,
        ),
    ],
    "zoho": [
        _visits("Store_Visits", "Visited_At", "Name", _ZOHO_LINKS),
        _orders(
            "Orders",
            {
                "name": "Name",
                "stage": "Status",
                "amount": "Total",
                "currency": "Currency",
                "close_date": "Order_Date",
                "paid": "Paid",
            },
            "Channel",
            _ZOHO_LINKS,
        ),
    ],
}


def mapped_objects(crm: str) -> dict[str, str]:
    """Stream name -> object of the mappings on ``crm``'s source."""
    return {m["stream"]: m["object"] for m in CUSTOM_MAPPINGS.get(crm, [])}


# ``audit.consumer_contacts``: how the consumers' contacts look in the CRMs without person
# accounts (no company; HubSpot's home-lab owner persona, Zoho's online store), so that the
# audit does not ask them for a company or a job title
CONSUMER_RULES: dict[str, dict[str, Any]] = {
    "hubspot": {"blank": ["associatedcompanyid"], "equals": {"hs_persona": ["persona_2"]}},
    "zoho": {"blank": ["Account_Name"], "equals": {"Lead_Source": ["Online Store"]}},
}
