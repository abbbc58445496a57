"""Which sandbox objects feed each crmsync stream, and how many live records to expect.

Used by the demo and the tests to compare a synced store with the ground truth.
"""

from __future__ import annotations

from pathlib import Path

import orjson

__all__ = ["STREAM_OBJECTS", "expected_object_counts", "expected_stream_counts"]

STREAM_OBJECTS: dict[str, dict[str, tuple[str, ...]]] = {
    "salesforce": {
        "users": ("User",),
        "leads": ("Lead",),
        "contacts": ("Contact",),
        "accounts": ("Account",),
        "deals": ("Opportunity",),
        "deal_contacts": ("OpportunityContactRole",),
        "activities": ("Task", "Event"),
        "cases": ("Case",),
        "campaign_members": ("CampaignMember",),
        "deal_products": ("OpportunityLineItem",),
        "deal_splits": ("OpportunitySplit",),
    },
    "hubspot": {
        "contacts": ("contacts",),
        "accounts": ("companies",),
        "deals": ("deals",),
        "activities": ("calls", "emails", "meetings", "notes", "tasks"),
        "cases": ("tickets",),
        "deal_products": ("line_items",),
    },
    "zoho": {
        "users": ("users",),
        "leads": ("Leads",),
        "contacts": ("Contacts",),
        "accounts": ("Accounts",),
        "deals": ("Deals",),
        "activities": ("Tasks", "Calls", "Events"),
        "cases": ("Cases",),
    },
    "dynamics": {
        "users": ("systemuser",),
        "leads": ("lead",),
        "contacts": ("contact",),
        "accounts": ("account",),
        "deals": ("opportunity",),
        "deal_contacts": ("connection",),
        "activities": ("phonecall", "email", "appointment", "task"),
        "cases": ("incident",),
        "campaign_members": ("campaignresponse",),
        "deal_products": ("opportunityproduct",),
    },
    "sugarcrm": {
        "users": ("Users",),
        "leads": ("Leads",),
        "contacts": ("Contacts",),
        "accounts": ("Accounts",),
        "deals": ("Opportunities",),
        "deal_contacts": ("opportunities_contacts",),
        "activities": ("Calls", "Meetings", "Tasks"),
        "cases": ("Cases",),
    },
    "keap": {
        "users": ("users",),
        "contacts": ("contacts",),
        "accounts": ("companies",),
        "deals": ("opportunities", "orders"),
        "activities": ("notes", "tasks", "appointments"),
    },
    "oracle": {
        "users": ("resourceUsers",),
        "leads": ("leads",),
        "contacts": ("contacts",),
        "accounts": ("accounts",),
        "deals": ("opportunities",),
        "deal_contacts": ("OpportunityContact",),
        "deal_products": ("ChildRevenue",),
        # the team members, and the revenue lines' sales credits: each line's own (every
        # line has a recipient) and its split rows
        "deal_splits": ("OpportunityResource", "ChildRevenue", "ChildSplitRevenue"),
        "activities": ("activities",),
        "cases": ("serviceRequests",),
    },
}


def expected_stream_counts(truth_dir: Path) -> dict[tuple[str, str], int]:
    """Live records per (crm, stream) according to the ground truth's ``summary.json``."""
    counts = orjson.loads((truth_dir / "summary.json").read_bytes())["counts"]
    return {
        (crm, stream): sum(counts[crm][o]["live"] for o in objects if o in counts[crm])
        for crm, streams in STREAM_OBJECTS.items()
        for stream, objects in streams.items()
    }


def expected_object_counts(truth_dir: Path) -> dict[tuple[str, str], int]:
    """Live records per (crm, object), for streams of mapped custom objects."""
    counts = orjson.loads((truth_dir / "summary.json").read_bytes())["counts"]
    return {(crm, obj): c["live"] for crm, objects in counts.items() for obj, c in objects.items()}
