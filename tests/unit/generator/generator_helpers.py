"""Small helpers the generator tests share."""

from __future__ import annotations

from typing import Any

from sandbox.world import World

CRMS = ("salesforce", "hubspot", "zoho")


def snapshot(world: World) -> dict[str, Any]:
    """Everything observable about a world, in comparable form."""
    links = {
        (a, b, a_id, b_id): sorted(types)
        for (a, b), by_id in world.hubspot_associations.links.items()
        for a_id, targets in by_id.items()
        for b_id, types in targets.items()
    }
    tables = {
        (crm, name): (table.rows, table.deleted_at, table.purged)
        for crm in CRMS
        for name, table in getattr(world, crm).items()
    }
    return {
        "tables": tables,
        "owners": world.hubspot_owners,
        "links": links,
        "truth": world.truth.files,
        "sequences": dict(world.sequences),
        "meta": (world.seed, world.scale, world.anchor),
    }


# the product catalogue, price books and split types: set-up data, not records of the story
CATALOGUE_OBJECTS = frozenset(
    {"Product2", "Pricebook2", "PricebookEntry", "OpportunitySplitType", "products"}
)


# the CRM's history of the records (sandbox.history): not records of the story itself
HISTORY_OBJECTS = frozenset(
    {"OpportunityHistory", "OpportunityFieldHistory", "LeadHistory", "CaseHistory"}
)


def record_count(world: World) -> int:
    return sum(
        len(t.rows)
        for crm in CRMS
        for name, t in getattr(world, crm).items()
        if name not in CATALOGUE_OBJECTS and name not in HISTORY_OBJECTS
    )


def exists(world: World, crm: str, obj: str, rid: str) -> bool:
    if crm == "hubspot" and obj == "owners":
        return any(o["id"] == rid for o in world.hubspot_owners)
    table = getattr(world, crm).get(obj)
    return table is not None and rid in table.rows
