"""The consumers' orders: consumables bought from the web shop, a store or the phone line.

After a consumer's first contact with the B2C line, they may order consumables for their
benchtop instruments, zero to two times before the anchor. Each CRM keeps the orders in a
custom object of its own, linked to the consumer's contact (and, in Salesforce, their
person account), owned by the consumer's agent or rep, in the consumer's currency and
always paid (the shop takes the payment with the order):

- Salesforce ``Order__c`` (``Order_Date__c``, ``Status__c``, ``Channel__c``, ``Total__c``,
  ``CurrencyIsoCode``, ``Paid__c``);
- HubSpot ``p20261031_orders`` (``order_date``, ``status``, ``channel``, ``total``,
  ``order_currency``, ``paid``), associated with the contact;
- Zoho ``Orders`` (``Order_Date``, ``Status``, ``Channel``, ``Total``, ``Currency``,
  ``Exchange_Rate``, ``Paid``).

An order placed in a store follows a store visit the same day, logged in the CRM's store
visits object like any other visit. Drawn after the consumer line, from its own random
stream. Ground truth: ``orders`` rows (crm, object, id, identity, contact, account, at,
channel, amount, currency, paid, owner) and the visits in ``store_visits``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sandbox.generator.chain import zoho_rate
from sandbox.generator.context import Employee, Gen, iso
from sandbox.hubspot.schema_custom import ORDERS, STORE_VISITS
from sandbox.salesforce.schema_custom import STORES

__all__ = ["Buyer", "add_orders"]

# the channel an order came through, as each CRM's picklist spells it
_CHANNELS = {
    "web": ("Web Shop", "web_shop"),
    "store": ("Store", "store"),
    "phone": ("Phone", "phone"),
}


@dataclass(frozen=True)
class Buyer:
    """A consumer of the B2C line as their CRM keeps them."""

    crm: str
    contact: str
    account: str | None
    identity: str
    owner: Employee
    currency: str
    since: datetime


def _visit(gen: Gen, rng: random.Random, buyer: Buyer, at: datetime, store: str) -> None:
    world, owner = gen.world, buyer.owner
    spent = round(rng.uniform(20, 300), 2)
    if buyer.crm == "salesforce":
        values: dict[str, Any] = {
            "Contact__c": buyer.contact,
            "Account__c": buyer.account,
            "Visit_Date__c": at,
            "Store__c": store,
            "Visit_Type__c": "Walk-in",
            "Amount_Spent__c": spent,
        }
        record = gen.sf("Store_Visit__c", values, at, owner)
        record["Name"] = f"SV-{len(world.salesforce['Store_Visit__c'].rows):06d}"
        obj, rid = "Store_Visit__c", record["Id"]
    elif buyer.crm == "hubspot":
        values = {
            "visit_name": f"{store} visit",
            "visit_date": at,
            "store": store,
            "visit_type": "walk_in",
            "amount_spent": spent,
        }
        record = gen.hs(STORE_VISITS, values, at, owner)
        world.hubspot_associations.add(STORE_VISITS, record["id"], "contacts", buyer.contact)
        obj, rid = STORE_VISITS, record["id"]
    else:
        values = {
            "Name": f"{store} visit",
            "Customer": buyer.contact,
            "Account": None,
            "Visited_At": at,
            "Store": store,
            "Visit_Type": "Walk-in",
            "Amount_Spent": spent,
        }
        record = gen.zo("Store_Visits", values, at, owner)
        obj, rid = "Store_Visits", record["id"]
    row = {"crm": buyer.crm, "object": obj, "id": rid, "contact": buyer.contact}
    row |= {"account": buyer.account, "at": at.isoformat(), "store": store}
    world.truth.add("store_visits", row)


def _order(gen: Gen, buyer: Buyer, at: datetime, values: dict[str, Any]) -> tuple[str, str]:
    """The order record in the buyer's CRM; (object, id)."""
    world, owner = gen.world, buyer.owner
    day, channel, status, total = at.date(), values["channel"], values["status"], values["total"]
    sf_channel, hs_channel = _CHANNELS[channel]
    if buyer.crm == "salesforce":
        table = world.salesforce["Order__c"]
        record = gen.sf(
            "Order__c",
            {
                "Contact__c": buyer.contact,
                "Account__c": buyer.account,
                "Order_Date__c": day,
                "Status__c": status,
                "Channel__c": sf_channel,
                "Total__c": total,
                "CurrencyIsoCode": buyer.currency,
                "Paid__c": True,
            },
            at,
            owner,
        )
        record["Name"] = f"ORD-{len(table.rows):06d}"
        return "Order__c", record["Id"]
    if buyer.crm == "hubspot":
        number = len(world.hubspot[ORDERS].rows) + 1
        hs_values = {
            "order_number": f"WS-{number:06d}",
            "order_date": day,
            "status": status.casefold(),
            "channel": hs_channel,
            "total": total,
            "order_currency": buyer.currency,
            "paid": True,
        }
        record = gen.hs(ORDERS, hs_values, at, owner)
        world.hubspot_associations.add(ORDERS, record["id"], "contacts", buyer.contact)
        return ORDERS, record["id"]
    number = len(world.zoho["Orders"].rows) + 1
    zoho_values = {
        "Name": f"ORD-{number:06d}",
        "Customer": buyer.contact,
        "Account": None,
        "Order_Date": day,
        "Status": status,
        "Channel": sf_channel,
        "Total": total,
        "Currency": buyer.currency,
        "Exchange_Rate": zoho_rate(gen, buyer.currency, at),
        "Paid": True,
    }
    record = gen.zo("Orders", zoho_values, at, owner)
    return "Orders", record["id"]


def add_orders(gen: Gen, buyers: list[Buyer]) -> None:
    """Zero to two orders per buyer, between their first contact and the anchor."""
    rng = random.Random(f"altamira:{gen.world.seed}:{gen.world.scale}:b2c-orders")
    high = gen.anchor - timedelta(days=1)
    for buyer in buyers:
        for _ in range(rng.choice((0, 1, 1, 2))):
            span = int((high - buyer.since).total_seconds())
            if span <= 0:
                break
            at = buyer.since + timedelta(seconds=rng.randrange(span))
            channel = rng.choices(("web", "store", "phone"), weights=(6, 3, 1))[0]
            status = "Delivered" if at < high - timedelta(days=10) else "Shipped"
            total = round(rng.uniform(15, 400), 2)
            if channel == "store":
                store = rng.choice(STORES)
                _visit(gen, rng, buyer, at - timedelta(minutes=rng.randrange(10, 60)), store)
            values = {"channel": channel, "status": status, "total": total}
            obj, rid = _order(gen, buyer, at, values)
            gen.world.truth.add(
                "orders",
                {
                    "crm": buyer.crm,
                    "object": obj,
                    "id": rid,
                    "identity": buyer.identity,
                    "contact": buyer.contact,
                    "account": buyer.account,
                    "at": iso(at),
                    "channel": channel,
                    "amount": f"{total:.2f}",
                    "currency": buyer.currency,
                    "paid": True,
                    "owner": buyer.owner.employee_id,
                },
            )
