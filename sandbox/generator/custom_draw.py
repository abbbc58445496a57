"""Store visits and orders of a CRM part's contacts, kept in that CRM's custom tables: who
visits, who orders and when, drawn the same way for each part (the DACH subsidiary in
Dynamics 365, ``dynamics_custom.py``; the Benelux distributor in SugarCRM,
``sugarcrm_custom.py``), each writing the rows in its own CRM's shape.

A quarter of the live contacts (at least three) visit a store, and a third (at least
three) order once or twice, from the web shop, a store or the phone line; an order placed
in a store follows a visit half an hour before. Orders are in euros and paid, delivered
when placed more than ten days before the end of the story, else shipped. The ground truth
gets ``{crm}_store_visits`` and ``{crm}_orders`` rows like the other CRMs' visits and
orders, the order's ``owner`` the employee id behind the contact's owner.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sandbox.store import Record
from sandbox.world import World

__all__ = ["CustomPart", "add_custom_records"]

CHANNEL_LABELS = {"web": "Web Shop", "store": "Store", "phone": "Phone"}


@dataclass(frozen=True)
class CustomPart:
    """One CRM part: its contacts' field names, its custom objects, and its writers."""

    crm: str
    contact_id: str  # the contact's id field
    account: str  # the contact's account field
    owner: str  # the contact's owner field
    created: str  # the contact's creation-time field
    visits: str  # the store visits' object
    orders: str  # the orders' object
    # (rng, contact, at, store) -> the new visit's id; draws the visit's type and spend
    write_visit: Callable[[random.Random, Record, datetime, str], str]
    # (contact, at, channel, total, status) -> the new order's id
    write_order: Callable[[Record, datetime, str, float, str], str]


def _when(rng: random.Random, low: datetime, high: datetime) -> datetime:
    span = max((high - low).total_seconds(), 1.0)
    return (low + timedelta(seconds=rng.uniform(0, span))).replace(microsecond=0)


def add_custom_records(
    world: World,
    rng: random.Random,
    part: CustomPart,
    contacts: list[Record],
    high: datetime,
    stores: tuple[str, ...],
    people: dict[str, str],
    employees: dict[str, str],
) -> None:
    """Draw the visits and orders of ``contacts`` (in a fixed order) up to ``high``."""

    def visit(contact: Record, at: datetime, store: str) -> None:
        rid = part.write_visit(rng, contact, at, store)
        row = {"crm": part.crm, "object": part.visits, "id": rid, **_linked(part, contact)}
        world.truth.add(f"{part.crm}_store_visits", {**row, "at": at.isoformat(), "store": store})

    for contact in rng.sample(contacts, min(len(contacts), max(3, len(contacts) // 4))):
        visit(contact, _when(rng, contact[part.created], high), rng.choice(stores))
    for contact in rng.sample(contacts, min(len(contacts), max(3, len(contacts) // 3))):
        for _ in range(rng.choice((1, 1, 2))):
            at = _when(rng, contact[part.created], high)
            channel = rng.choices(("web", "store", "phone"), weights=(6, 3, 1))[0]
            if channel == "store":
                visit(contact, at - timedelta(minutes=30), rng.choice(stores))
            total = round(rng.uniform(15, 400), 2)
            status = "Delivered" if at < high - timedelta(days=10) else "Shipped"
            rid = part.write_order(contact, at, channel, total, status)
            world.truth.add(
                f"{part.crm}_orders",
                {
                    "crm": part.crm,
                    "object": part.orders,
                    "id": rid,
                    "identity": people.get(contact[part.contact_id]),
                    **_linked(part, contact),
                    "at": at.isoformat(),
                    "channel": channel,
                    "amount": f"{total:.2f}",
                    "currency": "EUR",
                    "paid": True,
                    "owner": employees.get(contact[part.owner]),
                },
            )


def _linked(part: CustomPart, contact: Record) -> dict[str, str | None]:
    return {"contact": contact[part.contact_id], "account": contact.get(part.account)}
