"""The DACH subsidiary's store visits and orders, kept in Dataverse custom tables.

Customers of the subsidiary visit Altamira's lab stores (``new_storevisit``) and order
consumables from the web shop, a store or the phone line (``new_order``), as the B2C line
does in the other CRMs; who and when are drawn as for the Benelux distributor
(``custom_draw.py``). Each row is owned by the contact's owner, linked to the contact
(``new_customerid``) and its account (``new_accountid``); orders are in euros and paid,
their status and channel the publisher's option values.

Drawn after the rest of the subsidiary, from a random stream of its own. Ground truth:
``dynamics_store_visits`` and ``dynamics_orders``, rows like the other CRMs' (``crm`` is
``dynamics``), the order's ``owner`` the employee id behind the owning user.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from functools import partial

from sandbox.dynamics.schema_custom import CUSTOM_OPTION_SETS, STORES, VISIT_TYPES
from sandbox.generator.custom_draw import CHANNEL_LABELS, CustomPart, add_custom_records
from sandbox.generator.dynamics_company import stamp
from sandbox.store import Record
from sandbox.world import World

__all__ = ["add_dynamics_custom_tables"]


def _option(table: str, column: str, label: str) -> int:
    return next(v for v, text in CUSTOM_OPTION_SETS[(table, column)] if text == label)


def _visit(world: World, rng: random.Random, contact: Record, at: datetime, store: str) -> str:
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
    return str(row["new_storevisitid"])


def _order(
    world: World, contact: Record, at: datetime, channel: str, total: float, status: str
) -> str:
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
            "new_channel": _option("new_order", "new_channel", CHANNEL_LABELS[channel]),
            "new_total": total,
            "new_currencycode": "EUR",
            "new_paid": True,
            "ownerid": contact["ownerid"],
        },
        at,
        contact["ownerid"],
    )
    return str(row["new_orderid"])


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
    part = CustomPart(
        crm="dynamics",
        contact_id="contactid",
        account="parentcustomerid",
        owner="ownerid",
        created="createdon",
        visits="new_storevisit",
        orders="new_order",
        write_visit=partial(_visit, world),
        write_order=partial(_order, world),
    )
    add_custom_records(world, rng, part, contacts, high, STORES, people, employees)
