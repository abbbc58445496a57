"""The Benelux distributor's store visits and orders, kept in SugarCRM custom modules.

As in the DACH subsidiary (``dynamics_custom.py``): a quarter of the live contacts (at
least three) visit a store (``cstm_StoreVisits``), a third (at least three) order once or
twice (``cstm_Orders``, in euros, paid), an order placed in a store follows a visit the
same day; each record is assigned to the contact's user and linked to the contact
(``contact_id_c``) and its account (``account_id_c``).

Drawn after the rest of the distributor, from a random stream of its own. Ground truth:
``sugarcrm_store_visits`` and ``sugarcrm_orders``, rows like the other CRMs' visits and
orders, the order's ``owner`` the employee id behind the assigned user.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sandbox.generator.sugarcrm_company import sugar_stamp
from sandbox.store import Record
from sandbox.sugarcrm.schema_custom import STORES, VISIT_TYPES
from sandbox.world import World

__all__ = ["add_sugarcrm_custom_modules"]

_CHANNELS = {"web": "Web Shop", "store": "Store", "phone": "Phone"}


def _when(rng: random.Random, low: datetime, high: datetime) -> datetime:
    span = max((high - low).total_seconds(), 1.0)
    return (low + timedelta(seconds=rng.uniform(0, span))).replace(microsecond=0)


def _visit(world: World, rng: random.Random, contact: Record, at: datetime, store: str) -> None:
    owner = contact["assigned_user_id"]
    values = {
        "name": f"{store} visit",
        "visit_date": at,
        "store": store,
        "visit_type": rng.choice(VISIT_TYPES),
        "amount_spent": round(rng.uniform(20, 900), 2),
        "assigned_user_id": owner,
        "contact_id_c": contact["id"],
        "account_id_c": contact.get("account_id"),
    }
    row = sugar_stamp(world, "cstm_StoreVisits", values, at, owner)
    world.truth.add(
        "sugarcrm_store_visits",
        {
            "crm": "sugarcrm",
            "object": "cstm_StoreVisits",
            "id": row["id"],
            "contact": contact["id"],
            "account": contact.get("account_id"),
            "at": at.isoformat(),
            "store": store,
        },
    )


def add_sugarcrm_custom_modules(world: World, anchor: datetime) -> None:
    """Store visits and orders of the distributor's contacts (see the module docstring)."""
    rng = random.Random(f"sugarcrm-custom:{world.seed}:{world.scale}")
    high = anchor - timedelta(days=1)
    people = {
        r["id"]: r["identity"]
        for r in world.truth.files.get("sugarcrm_identities", [])
        if r["object"] == "Contacts"
    }
    employees = {e["user_id"]: e["employee"] for e in world.truth.files["sugarcrm_employees"]}
    contacts = [c for c in world.sugarcrm["Contacts"].live() if c["date_entered"] < high]
    contacts.sort(key=lambda c: str(c["id"]))
    for contact in rng.sample(contacts, min(len(contacts), max(3, len(contacts) // 4))):
        _visit(world, rng, contact, _when(rng, contact["date_entered"], high), rng.choice(STORES))
    for contact in rng.sample(contacts, min(len(contacts), max(3, len(contacts) // 3))):
        for _ in range(rng.choice((1, 1, 2))):
            at = _when(rng, contact["date_entered"], high)
            channel = rng.choices(("web", "store", "phone"), weights=(6, 3, 1))[0]
            if channel == "store":
                _visit(world, rng, contact, at - timedelta(minutes=30), rng.choice(STORES))
            total = round(rng.uniform(15, 400), 2)
            number = len(world.sugarcrm["cstm_Orders"].rows) + 1
            values = {
                "name": f"ORD-{number:06d}",
                "order_date": at.date(),
                "status": "Delivered" if at < high - timedelta(days=10) else "Shipped",
                "channel": _CHANNELS[channel],
                "total": total,
                "currency_code": "EUR",
                "paid": True,
                "assigned_user_id": contact["assigned_user_id"],
                "contact_id_c": contact["id"],
                "account_id_c": contact.get("account_id"),
            }
            row = sugar_stamp(world, "cstm_Orders", values, at, contact["assigned_user_id"])
            world.truth.add(
                "sugarcrm_orders",
                {
                    "crm": "sugarcrm",
                    "object": "cstm_Orders",
                    "id": row["id"],
                    "identity": people.get(contact["id"]),
                    "contact": contact["id"],
                    "account": contact.get("account_id"),
                    "at": at.isoformat(),
                    "channel": channel,
                    "amount": f"{total:.2f}",
                    "currency": "EUR",
                    "paid": True,
                    "owner": employees.get(contact["assigned_user_id"]),
                },
            )
