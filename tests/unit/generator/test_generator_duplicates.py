"""The world's duplicates are as hard as the corruption profile documents, and the ground
truth still names every record's person."""

from __future__ import annotations

from collections import Counter
from dataclasses import fields

from sandbox.clock import DEFAULT_ANCHOR
from sandbox.generator import generate
from sandbox.generator.corruption import CorruptionRates
from sandbox.generator.pair_shares import PairShares, pair_shares
from sandbox.world import World

PERSON_TABLES = (
    ("salesforce", "Lead", "CreatedDate"),
    ("salesforce", "Contact", "CreatedDate"),
    ("hubspot", "contacts", "createdate"),
    ("zoho", "Leads", "Created_Time"),
    ("zoho", "Contacts", "Created_Time"),
)
ZERO = CorruptionRates(
    **{f.name: 0.0 for f in fields(CorruptionRates) if f.name != "bulk_import_every_days"}
)


def test_duplicate_pairs_share_what_the_profile_documents(small_world: World) -> None:
    shares = pair_shares(small_world)
    # the consumer line adds 10 pairs: web-shop buyers kept in HubSpot and, with the same
    # e-mail and mobile, as Salesforce person accounts
    assert shares == PairShares(
        pairs=617,
        email=180,
        phone=169,
        company=342,
        none=254,
        converted=150,
        none_of_unconverted=253,
    )
    # docs/sandbox.md: about 41% of all true pairs share no e-mail, phone or company, and
    # about 55% of those not linked by a lead conversion.
    assert 0.38 <= shares.share(shares.none) <= 0.46
    assert shares.share(shares.none_of_unconverted, shares.pairs - shares.converted) >= 0.50


def test_every_person_record_has_exactly_one_identity(world: World) -> None:
    named = Counter(
        (t["crm"], t["object"], t["id"])
        for t in world.truth.files["identities"]
        if t["kind"] == "person"
    )
    records = {
        (crm, obj, rid) for crm, obj, _ in PERSON_TABLES for rid in getattr(world, crm)[obj].rows
    }
    assert set(named) == records
    assert set(named.values()) == {1}


def test_bulk_imports_give_many_records_one_created_time(small_world: World) -> None:
    created = Counter(
        r[field]
        for crm, obj, field in PERSON_TABLES
        for r in getattr(small_world, crm)[obj].rows.values()
    )
    shared = {at: n for at, n in created.items() if n > 1}
    assert max(shared.values()) == 14
    assert sum(shared.values()) == 184
    assert {(at.hour, at.minute, at.second) for at in shared} == {(2, 0, 0)}


def test_the_profile_changes_values_never_which_records_exist(tiny_world: World) -> None:
    clean = generate(7, "tiny", DEFAULT_ANCHOR, corruption=ZERO)
    for crm in ("salesforce", "hubspot", "zoho"):
        for name, table in getattr(tiny_world, crm).items():
            assert list(table.rows) == list(getattr(clean, crm)[name].rows), (crm, name)
    for name in ("identities", "deals", "cases", "employees"):
        assert tiny_world.truth.files[name] == clean.truth.files[name], name
    assert pair_shares(clean).none < pair_shares(tiny_world).none
