"""Store visits and orders in Keap and Oracle, as each of them can keep them.

- **Oracle CX Sales**: two custom objects made in Application Composer, ``StoreVisit_c``
  (a quarter of the division's contacts, at least three, visit a lab store) and
  ``Order_c`` (a third of the contacts' labs order consumables, one or two times, through
  the web shop, a store or the phone; an order placed in a store follows a visit the same
  day). Each is linked to the contact (``Contact_Id_c``), their account (``Account_Id_c``)
  and the account's owner (``Owner_Id_c``).
- **Keap** has no custom objects: the web shop books a visit to a lab store as an
  appointment at the store (``location`` is the store, titled "Store visit"), for a
  quarter of its contacts (at least three), with the contact's owner. Its orders are the
  shop's own (``orders``, read as won deals when paid).

Drawn after every other record, each from a random stream of its own, so the rest of a
world is the same with or without them; their records carry no seeded history. Ground
truth: ``store_visits`` (crm, object, id, contact, account, at, store) and, for Oracle,
``orders`` (as for the consumers' orders). ``churn_oracle_visits`` keeps Oracle's visits
changing between syncs (``crmsync sandbox churn --store-visits`` with Oracle named).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sandbox.generator.context import iso
from sandbox.generator.keap_company import keap_stamp
from sandbox.generator.oracle_company import oracle_stamp
from sandbox.salesforce.schema_custom import STORES, VISIT_TYPES
from sandbox.store import Record
from sandbox.world import World

__all__ = [
    "add_keap_store_visits",
    "add_oracle_orders",
    "add_oracle_store_visits",
    "churn_oracle_visits",
]

# the channel an order came through, as Oracle's list of values spells it
ORDER_CHANNELS = {"web": "Web Shop", "store": "Store", "phone": "Phone"}


def _between(rng: random.Random, low: datetime, high: datetime) -> datetime:
    span = max((high - low).total_seconds(), 1.0)
    return (low + timedelta(seconds=rng.uniform(0, span))).replace(microsecond=0)


def _sample(rng: random.Random, rows: list[Record], share: int) -> list[Record]:
    return rng.sample(rows, min(len(rows), max(3, len(rows) // share)))


def _visit_truth(world: World, crm: str, obj: str, rid: str, row: dict[str, Any]) -> None:
    world.truth.add("store_visits", {"crm": crm, "object": obj, "id": rid, **row})


def _oracle_users(world: World) -> dict[str, Record]:
    return {u["ResourcePartyId"]: u for u in world.oracle["resourceUsers"].live()}


def _oracle_visit(world: World, rng: random.Random, contact: Record, at: datetime) -> str:
    users = _oracle_users(world)
    owner = contact.get("OwnerPartyId")
    store = rng.choice(STORES)
    table = world.oracle["StoreVisit_c"]
    row = oracle_stamp(
        world,
        "StoreVisit_c",
        {
            "RecordName": f"SV-{len(table.rows) + 1:06d}",
            "VisitDate_c": at,
            "Store_c": store,
            "VisitType_c": rng.choice(VISIT_TYPES),
            "AmountSpent_c": round(rng.uniform(20, 900), 2),
            "Contact_Id_c": contact["PartyId"],
            "Account_Id_c": contact.get("AccountPartyId"),
            "Owner_Id_c": owner,
        },
        at,
        users[owner]["Username"] if owner in users else "crmsync.integration",
    )
    truth = {"contact": contact["PartyId"], "account": contact.get("AccountPartyId")}
    _visit_truth(
        world, "oracle", "StoreVisit_c", row["Id"], truth | {"at": iso(at)} | {"store": store}
    )
    return str(row["Id"])


def add_oracle_store_visits(world: World, anchor: datetime) -> None:
    """Visits of a quarter of the division's contacts (at least three)."""
    rng = random.Random(f"oracle:{world.seed}:{world.scale}:store-visits")
    high = anchor - timedelta(days=1)
    for contact in _sample(rng, list(world.oracle["contacts"].live()), 4):
        _oracle_visit(world, rng, contact, _between(rng, contact["CreationDate"], high))


def add_oracle_orders(world: World, anchor: datetime) -> None:
    """One or two orders for a third of the contacts (at least three), between the
    contact's creation and the anchor; always paid (the shop takes the payment)."""
    rng = random.Random(f"oracle:{world.seed}:{world.scale}:orders")
    high = anchor - timedelta(days=1)
    people = {r["id"]: r["identity"] for r in world.truth.files.get("oracle_identities", [])}
    employees = {r["user_id"]: r["employee_id"] for r in world.truth.files["oracle_employees"]}
    users = _oracle_users(world)
    table = world.oracle["Order_c"]
    for contact in _sample(rng, list(world.oracle["contacts"].live()), 3):
        for _ in range(rng.choice((1, 1, 2))):
            at = _between(rng, contact["CreationDate"], high)
            channel = rng.choices(("web", "store", "phone"), weights=(6, 3, 1))[0]
            if channel == "store":
                _oracle_visit(world, rng, contact, at - timedelta(minutes=rng.randrange(10, 60)))
            total = round(rng.uniform(150, 4_000), 2)
            status = "Delivered" if at < high - timedelta(days=10) else "Shipped"
            owner = contact["OwnerPartyId"]
            row = oracle_stamp(
                world,
                "Order_c",
                {
                    "RecordName": f"ORD-{len(table.rows) + 1:06d}",
                    "OrderDate_c": at.date(),
                    "Status_c": status,
                    "Channel_c": ORDER_CHANNELS[channel],
                    "Total_c": total,
                    "CurrencyCode": "USD",
                    "Paid_c": True,
                    "Contact_Id_c": contact["PartyId"],
                    "Account_Id_c": contact.get("AccountPartyId"),
                    "Owner_Id_c": owner,
                },
                at,
                users[owner]["Username"],
            )
            world.truth.add(
                "orders",
                {
                    "crm": "oracle",
                    "object": "Order_c",
                    "id": row["Id"],
                    "identity": people.get(contact["PartyId"]),
                    "contact": contact["PartyId"],
                    "account": contact.get("AccountPartyId"),
                    "at": iso(at),
                    "channel": channel,
                    "amount": f"{total:.2f}",
                    "currency": "USD",
                    "paid": True,
                    "owner": employees[owner],
                },
            )


def add_keap_store_visits(world: World, anchor: datetime) -> None:
    """Store-visit appointments of a quarter of the shop's contacts (at least three)."""
    rng = random.Random(f"keap:{world.seed}:{world.scale}:store-visits")
    high = anchor - timedelta(days=1)
    for contact in _sample(rng, list(world.keap["contacts"].live()), 4):
        at = _between(rng, contact["date_created"], high)
        store = rng.choice(STORES)
        values = {
            "title": "Store visit",
            "description": rng.choice(VISIT_TYPES),
            "location": store,
            "start_date": at,
            "end_date": at + timedelta(minutes=rng.randrange(15, 60)),
            "contact_id": contact["id"],
            "user_id": contact.get("owner_id"),
        }
        row = keap_stamp(world, "appointments", values, at)
        truth = {"contact": contact["id"], "account": contact.get("company_id")}
        _visit_truth(
            world, "keap", "appointments", row["id"], truth | {"at": iso(at), "store": store}
        )


def churn_oracle_visits(
    world: World, changes: int, seed: int, next_at: Callable[[], datetime]
) -> list[tuple[str, str, str, str]]:
    """``changes`` changes to ``StoreVisit_c``, as ``store_visit_churn.py`` makes them in
    the other CRMs: about half new visits of a live contact, a third edits (the amount
    spent, the visit type), the rest deletes (for good: Fusion keeps no recycle bin)."""
    rng = random.Random(f"churn:{seed}:oracle-store-visits")
    table = world.oracle["StoreVisit_c"]
    done: list[tuple[str, str, str, str]] = []
    for _ in range(changes):
        when = next_at()
        op = rng.choices(("create", "update", "delete"), weights=(0.5, 0.33, 0.17))[0]
        live = sorted(r["Id"] for r in table.live())
        if op == "create" or not live:
            contacts = list(world.oracle["contacts"].live())
            if contacts:
                rid = _oracle_visit(world, rng, rng.choice(contacts), when)
                done.append(("oracle", "StoreVisit_c", rid, "create"))
            continue
        rid = rng.choice(live)
        if op == "update":
            values = {
                "AmountSpent_c": round(rng.uniform(20, 900), 2),
                "VisitType_c": rng.choice(VISIT_TYPES),
            }
            table.update(rid, values, when)
        else:
            table.purge(rid, when)
        done.append(("oracle", "StoreVisit_c", rid, op))
    return done
