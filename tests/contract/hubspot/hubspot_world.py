"""The deterministic HubSpot world the contract tests run against."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sandbox.clock import DEFAULT_ANCHOR
from sandbox.world import World

__all__ = ["ARCHIVED_CONTACTS", "N_CONTACTS", "SEED", "T0", "build_world", "contact_id"]

SEED = 7
T0 = datetime(2026, 1, 5, 9, 30, 0, 123000, tzinfo=UTC)
N_CONTACTS = 25
ARCHIVED_CONTACTS = ("100004", "100009")


def contact_id(i: int) -> str:
    return str(100_001 + i)


def build_world() -> World:
    """25 contacts (2 archived), 4 companies, 3 deals, a ticket, 3 owners, some associations."""
    world = World.empty(SEED, "tiny", DEFAULT_ANCHOR)
    contacts = world.hubspot["contacts"]
    for i in range(N_CONTACTS):
        contacts.insert(
            {
                "id": contact_id(i),
                "hs_object_id": int(contact_id(i)),
                "email": f"person{i}@example{i % 3}.com",
                "firstname": f"First{i}",
                "lastname": "Smith" if i % 2 else "Jones",
                "createdate": T0 + timedelta(days=i),
                "lastmodifieddate": T0 + timedelta(days=i, hours=1),
                "lifecyclestage": ("lead", "customer", "opportunity")[i % 3],
                "associatedcompanyid": 9_000_000_001 + i % 4,
                "hubspot_owner_id": str(501 + i % 3) if i % 5 else None,
            }
        )
    for rid in ARCHIVED_CONTACTS:
        contacts.soft_delete(rid, T0 + timedelta(days=40))
    companies = world.hubspot["companies"]
    for i in range(4):
        companies.insert(
            {
                "id": str(9_000_000_001 + i),
                "name": f"Company {i}",
                "domain": f"example{i}.com",
                "createdate": T0,
                "hs_lastmodifieddate": T0 + timedelta(hours=i),
                "numberofemployees": 10 * (i + 1),
                "annualrevenue": 1000.5 * i,
            }
        )
    deals = world.hubspot["deals"]
    for i in range(3):
        deals.insert(
            {
                "id": str(15_000_000_001 + i),
                "dealname": f"Deal {i}",
                "amount": 2500.0 + i,
                "dealstage": "closedwon" if i == 0 else "qualifiedtobuy",
                "pipeline": "default",
                "hs_is_closed": i == 0,
                "createdate": T0,
                "hs_lastmodifieddate": T0 + timedelta(days=1),
                "closedate": T0 + timedelta(days=30),
            }
        )
    for i in range(3):
        world.hubspot_owners.append(
            {
                "id": str(501 + i),
                "email": f"owner{i}@sandbox.example",
                "firstName": f"Owner{i}",
                "lastName": "Team",
                "userId": 9001 + i,
                "userIdIncludingInactive": 9001 + i,
                "type": "PERSON",
                "teams": [{"id": "77", "name": "Sales", "primary": True}],
                "createdAt": T0,
                "updatedAt": T0,
                "archived": False,
            }
        )
    world.hubspot["tickets"].insert(
        {
            "id": "2500000001",
            "subject": "Broken widget",
            "hs_pipeline": "0",
            "hs_pipeline_stage": "1",
            "createdate": T0,
            "hs_lastmodifieddate": T0,
        }
    )
    links = world.hubspot_associations
    for i in range(N_CONTACTS):
        links.add("contacts", contact_id(i), "companies", str(9_000_000_001 + i % 4), True)
    links.add("deals", "15000000001", "contacts", contact_id(0))
    links.add("deals", "15000000001", "contacts", contact_id(1))
    return world
