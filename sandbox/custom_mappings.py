"""The custom-object mappings of the sandbox's store visits and orders, and the audit's
consumer rules, as YAML would say.

``crmsync demo`` maps them on its sources (``sources[].custom_objects``), and tests use
them: store visits become inbound activities on channel ``store``, orders become won deals on
the channel they came through (web, store, phone), linked to the consumer's contact (and
in Salesforce their person account) and owned by their agent or rep. Keap, which has no
custom objects, maps its appointments (store visits are appointments at a store). An
admin writes the same lines for a real CRM ([docs/custom-objects.md](../docs/custom-objects.md)).
"""

from __future__ import annotations

from typing import Any

from sandbox.hubspot.schema_custom import ORDERS, STORE_VISITS
from sandbox.salesforce.schema_custom import STORES

__all__ = ["CONSUMER_RULES", "CUSTOM_MAPPINGS", "mapped_objects"]

# Salesforce, Zoho, Dynamics and SugarCRM spell the web shop "Web Shop", HubSpot "web_shop"
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
_DYNAMICS_LINKS = {"person": "new_customerid", "account": "new_accountid", "owner": "ownerid"}
_SUGAR_LINKS = {"person": "contact_id_c", "account": "account_id_c", "owner": "assigned_user_id"}
_ORACLE_LINKS = {"person": "Contact_Id_c", "account": "Account_Id_c", "owner": "Owner_Id_c"}

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
    "dynamics": [
        _visits("new_storevisit", "new_visitedon", "new_name", _DYNAMICS_LINKS),
        _orders(
            "new_order",
            {
                "name": "new_name",
                "stage": "new_status",
                "amount": "new_total",
                "currency": "new_currencycode",
                "close_date": "new_orderdate",
                "paid": "new_paid",
            },
            "new_channel",
            _DYNAMICS_LINKS,
        ),
    ],
    "sugarcrm": [
        _visits("cstm_StoreVisits", "visit_date", "name", _SUGAR_LINKS),
        _orders(
            "cstm_Orders",
            {
                "name": "name",
                "stage": "status",
                "amount": "total",
                "currency": "currency_code",
                "close_date": "order_date",
                "paid": "paid",
            },
            "channel",
            _SUGAR_LINKS,
        ),
    ],
    "oracle": [
        _visits("StoreVisit_c", "VisitDate_c", "RecordName", _ORACLE_LINKS),
        _orders(
            "Order_c",
            {
                "name": "RecordName",
                "stage": "Status_c",
                "amount": "Total_c",
                "currency": "CurrencyCode",
                "close_date": "OrderDate_c",
                "paid": "Paid_c",
            },
            "Channel_c",
            _ORACLE_LINKS,
        ),
    ],
}


# Keap has no custom objects: the shop books a store visit as an appointment at the store,
# so its appointments are mapped whole, on channel store when held at one (and meeting
# otherwise, as crmsync's standard mapping has them); its orders stay standard won deals.
_KEAP_APPOINTMENTS = {
    "object": "appointments",
    "kind": "activity",
    "stream": "appointments",
    "activity_type": "meeting",
    "fields": {"occurred_at": "start_date", "subject": "title"},
    "channel": {
        "field": "location",
        "map": {store: "store" for store in STORES},
        "default": "meeting",
    },
    "links": {"person": "contact_id", "owner": "user"},
}
CUSTOM_MAPPINGS["keap"] = [_KEAP_APPOINTMENTS]


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
