"""The Benelux distributor's store visits and orders, kept in SugarCRM custom modules.

As in the DACH subsidiary (who and when drawn the same way, ``custom_draw.py``): store
visits in ``cstm_StoreVisits``, orders in ``cstm_Orders`` (in euros, paid); each record is
assigned to the contact's user and linked to the contact (``contact_id_c``) and its
account (``account_id_c``).

Drawn after the rest of the distributor, from a random stream of its own. Ground truth:
``sugarcrm_store_visits`` and ``sugarcrm_orders``, rows like the other CRMs' visits and
orders, the order's ``owner`` the employee id behind the assigned user.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from functools import partial

from sandbox.generator.custom_draw import CHANNEL_LABELS, CustomPart, add_custom_records
from sandbox.generator.sugarcrm_company import sugar_stamp
from sandbox.store import Record
from sandbox.sugarcrm.schema_custom import STORES, VISIT_TYPES
from sandbox.world import World

__all__ = ["add_sugarcrm_custom_modules"]


def _visit(world: World, rng: random.Random, contact: Record, at: datetime, store: str) -> str:
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
    return str(sugar_stamp(world, "cstm_StoreVisits", values, at, owner)["id"])


def _order(
    world: World, contact: Record, at: datetime, channel: str, total: float, status: str
) -> str:
    number = len(world.sugarcrm["cstm_Orders"].rows) + 1
    values = {
        "name": f"ORD-{number:06d}",
        "order_date": at.date(),
        "status": status,
        "channel": CHANNEL_LABELS[channel],
        "total": total,
        "currency_code": "EUR",
        "paid": True,
        "assigned_user_id": contact["assigned_user_id"],
        "contact_id_c": contact["id"],
        "account_id_c": contact.get("account_id"),
    }
    return str(sugar_stamp(world, "cstm_Orders", values, at, contact["assigned_user_id"])["id"])


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
    part = CustomPart(
        crm="sugarcrm",
        contact_id="id",
        account="account_id",
        owner="assigned_user_id",
        created="date_entered",
        visits="cstm_StoreVisits",
        orders="cstm_Orders",
        write_visit=partial(_visit, world),
        write_order=partial(_order, world),
    )
    add_custom_records(world, rng, part, contacts, high, STORES, people, employees)
