"""The DACH subsidiary's store visits and orders, kept in Dataverse custom tables.

Customers of the subsidiary visit Altamira's lab stores (``new_storevisit``) and order
consumables from the web shop, a store or the phone line (``new_order``), as the B2C line
does in the other CRMs: a quarter of the live contacts (at least three) visit a store,
and a third (at least three) order once or twice; an order placed in a store follows a
visit the same day. Each row is owned by the contact's owner, linked to the contact
(``new_customerid``) and its account (``new_accountid``); orders are in euros and paid.

Drawn after the rest of the subsidiary, from a random stream of its own. Ground truth:
``store_visits`` and ``orders`` rows like the other CRMs' (``crm`` is ``dynamics``), the
order's ``owner`` the employee id behind the owning user.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sandbox.dynamics.schema_custom import CUSTOM_OPTION_SETS, STORES, VISIT_TYPES
from sandbox.generator.dynamics_company import stamp
from sandbox.store import Record
from sandbox.world import World

__all__ = ["add_dynamics_custom_tables"]


def _option(table: str, column: str, label: str) -> int:
    return next(v for v, text in CUSTOM_OPTION_SETS[(table, column)] if text == label)


def _when(rng: random.Random, low: datetime, high: datetime) -> datetime:
    span = max((high - low).total_seconds(), 1.0)
    return (low + timedelta(seconds=rng.uniform(0, span))).replace(microsecond=0)


def _visit(world: World, rng: random.Random, contact: Record, at: datetime, store: str) -> None:
    owner = contact["ownerid"]
    number = len(world.dynamics["new_storevisit"].rows) + 1
    row = stamp(
        world,
        "new_storevisit",
        {
            "new_name": f"SV-{number:06d}",
            "new_customerid": contact["contactid"],
            "new_accountid": contact.get("parentcustomerid"),
            "new_visitedon": at,
            "new_store": store,
            "new_visittype": _option("new_storevisit", "new_visittype", rng.choice(VISIT_TYPES)),
            "new_amountspent": round(rng.uniform(20, 900), 2),
            "ownerid": owner,
        },
        at,
        owner,
    )
    world.truth.add(
        "dynamics_store_visits",
        {
            "crm": "dynamics",
            "object": "new_storevisit",
            "id": row["new_storevisitid"],
            "contact": contact["contactid"],
            "account": contact.get("parentcustomerid"),
            "at": at.isoformat(),
            "store": store,
        },
    )


def add_dynamics_custom_tables(world: World, anchor: datetime) -> None:
    """Store visits and orders of the subsidiary's contacts (see the module docstring)."""
    rng = random.Random(f"dynamics-custom:{world.seed}:{world.scale}")
    high = anchor - timedelta(days=1)
    people = {
        r["id"]: r["identity"]
        for r in world.truth.files.get("dynamics_identities", [])
        if r["object"] == "contact"
    }
    employees = {e["user_id"]: e["employee_id"] for e in world.truth.files["dynamics_employees"]}
    contacts = [c for c in world.dynamics["contact"].live() if c["createdon"] < high]
    contacts.sort(key=lambda c: str(c["contactid"]))
    for contact in rng.sample(contacts, min(len(contacts), max(3, len(contacts) // 4))):
        at = _when(rng, contact["createdon"], high)
        _visit(world, rng, contact, at, rng.choice(STORES))
    buyers = rng.sample(contacts, min(len(contacts), max(3, len(contacts) // 3)))
    for contact in buyers:
        for _ in range(rng.choice((1, 1, 2))):
            at = _when(rng, contact["createdon"], high)
            channel = rng.choices(("web", "store", "phone"), weights=(6, 3, 1))[0]
            if channel == "store":
                _visit(world, rng, contact, at - timedelta(minutes=30), rng.choice(STORES))
            total = round(rng.uniform(15, 400), 2)
            status = "Delivered" if at < high - timedelta(days=10) else "Shipped"
            label = {"web": "Web Shop", "store": "Store", "phone": "Phone"}[channel]
            number = len(world.dynamics["new_order"].rows) + 1
            row = stamp(
                world,
                "new_order",
                {
                    "new_name": f"ORD-{number:06d}",
                    "new_customerid": contact["contactid"],
                    "new_accountid": contact.get("parentcustomerid"),
                    "new_orderdate": at.date(),
                    "new_status": _option("new_order", "new_status", status),
                    "new_channel": _option("new_order", "new_channel", label),
                    "new_total": total,
                    "new_currencycode": "EUR",
                    "new_paid": True,
                    "ownerid": contact["ownerid"],
                },
                at,
                contact["ownerid"],
            )
            world.truth.add(
                "dynamics_orders",
                {
                    "crm": "dynamics",
                    "object": "new_order",
                    "id": row["new_orderid"],
                    "identity": people.get(contact["contactid"]),
                    "contact": contact["contactid"],
                    "account": contact.get("parentcustomerid"),
                    "at": at.isoformat(),
                    "channel": channel,
                    "amount": f"{total:.2f}",
                    "currency": "EUR",
                    "paid": True,
                    "owner": employees.get(contact["ownerid"]),
                },
            )
