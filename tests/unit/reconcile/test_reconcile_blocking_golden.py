"""Blocking bounds its work; golden records follow the survivorship rules with provenance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from sync.config.reconcile import FieldRule, ReconcileConfig
from sync.reconcile.blocking import (
    NAME_START_LIMIT,
    BlockingStats,
    block_keys,
    candidate_pairs,
    estimate_pairs,
)
from sync.reconcile.entities import build_entity
from sync.reconcile.golden import (
    Survivorship,
    golden_record,
    identity_id,
    provenance_read,
    provenance_stored,
)

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def test_keys_are_never_built_from_blank_or_placeholder_values() -> None:
    entity = build_entity(
        "leads", {"source": "salesforce", "remote_id": "1", "email": "noemail@example.com"}
    )
    assert block_keys(entity) == []


def test_pairs_are_estimated_and_oversized_blocks_split_into_windows() -> None:
    switchboard = [
        build_entity(
            "contacts",
            {
                "source": "hubspot",
                "remote_id": str(n),
                "phone": "+16175550100",
                "last_name": f"Person{n:03d}",
            },
        )
        for n in range(100)
    ]
    assert estimate_pairs([100], max_block=20) == 100 * 19
    stats = BlockingStats()
    pairs = candidate_pairs(switchboard, max_block=20, stats=stats)
    assert stats.oversized_blocks == 1
    assert stats.estimated_pairs == 1900
    # Windows of 20 overlapping by 10: each record meets its neighbours, not all 4,950 pairs.
    assert len(pairs) == stats.pairs < 1900
    assert (0, 1) in pairs and (0, 99) not in pairs


def _contact(source: str, rid: str, days: int, **values: object) -> object:
    row = {"source": source, "remote_id": rid, "remote_created_at": T0 + timedelta(days=days)}
    return build_entity("contacts", {**row, **values})


def _robert_and_bob() -> tuple[Any, Any]:
    """One person in two CRMs: (the older Salesforce record, the newer HubSpot one)."""
    old = _contact(
        "salesforce",
        "003A",
        1,
        first_name="Robert",
        email="bob@acme.com",
        phone="+1 617 555 0101",
        title="Buyer",
        lifecycle_stage="customer",
    )
    new = _contact(
        "hubspot",
        "101",
        9,
        first_name="Bob",
        email="robert@acme.com",
        mobile="+1 617 555 0199",
        title="Head of Buying",
        lifecycle_stage="lead",
    )
    return old, new


def test_golden_record_follows_rules_and_keeps_provenance() -> None:
    old, new = _robert_and_bob()
    config = ReconcileConfig(survivorship={"title": FieldRule(rule="most_recent")})
    golden, provenance = golden_record([new, old], config)
    assert golden["first_name"] == "Robert"  # source priority: salesforce first
    assert provenance["first_name"] == {"rule": "source_priority", "record": old.key}
    assert golden["title"] == "Head of Buying"
    assert golden["emails"] == ["bob@acme.com", "robert@acme.com"]
    assert golden["phones"] == ["+16175550101", "+16175550199"]
    assert golden["lifecycle"] == "customer"  # furthest in the funnel, not the latest
    assert provenance["emails"] == {"rule": "union", "records": sorted([old.key, new.key])}


def test_provenance_is_stored_with_each_record_once_and_read_back_per_field() -> None:
    old, new = _robert_and_bob()
    partial = build_entity("contacts", {"source": "zoho", "remote_id": "z1", "last_name": "Li"})
    partial.display = partial.display[:3]  # a record of a CRM that holds fewer fields
    config = ReconcileConfig(survivorship={"title": FieldRule(rule="most_recent")})
    survivorship = Survivorship(config)
    for members in ([new, old], [old], [new], [partial]):
        golden, provenance = golden_record(members, config)
        stored_golden, stored = survivorship.stored(members)
        assert stored_golden == golden
        assert provenance_read(stored) == provenance
        assert provenance_read(orjson.loads(orjson.dumps(stored))) == provenance
        assert stored == provenance_stored(provenance)
    _, stored = survivorship.stored([new, old])
    assert stored["records"] == [old.key, new.key]  # in the order the fields first name them
    assert stored["fields"]["emails"][0] == "union"
    # one key per record, not one per field: about half the text here, less with longer ids
    _, lone = survivorship.stored([old])
    per_field = golden_record([old], config)[1]
    assert lone == {
        "records": [old.key],
        "fields": {
            name: [p["rule"], [0] if "records" in p else 0] for name, p in per_field.items()
        },
    }
    assert (len(orjson.dumps(lone)), len(orjson.dumps(per_field))) == (251, 490)
    # rows written before the stored form are read as they are
    assert provenance_read(per_field) == per_field
    assert provenance_read({}) == {}


def test_identity_ids_are_stable_and_follow_the_earliest_member() -> None:
    old = _contact("salesforce", "003A", 1)
    new = _contact("hubspot", "101", 9)
    assert identity_id("person", [new, old]) == identity_id("person", [old])
    assert identity_id("person", [old]).startswith("P-")
    assert identity_id("person", [new]) != identity_id("person", [old])


def _district(count: int) -> list[Any]:
    """People at one postal code whose first names start alike ("mar..."), sharing no
    other key."""
    return [
        build_entity(
            "contacts",
            {
                "source": "hubspot",
                "remote_id": str(n),
                "first_name": f"Mar{chr(97 + n % 26)}{chr(97 + n // 26)}",
                "last_name": f"{chr(97 + n % 26)}{chr(97 + n // 26)}x",
                "postal_code": "2000",
            },
        )
        for n in range(count)
    ]


def test_a_crowded_name_start_block_pairs_no_one() -> None:
    assert NAME_START_LIMIT == 50
    stats = BlockingStats()
    assert len(candidate_pairs(_district(50), max_block=200, stats=stats)) == 50 * 49 // 2
    # the postal code alone pairs in blocks of ten at most (``blocking.POSTCODE``)
    assert stats.crowded_by_kind == {"pz": 1}
    stats = BlockingStats()
    assert len(candidate_pairs(_district(51), max_block=200, stats=stats)) == 0
    assert (stats.crowded_by_kind, stats.capped_keys) == ({"l3": 1, "pz": 1}, 0)
