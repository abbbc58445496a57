"""Addresses in matching, placeholders as missing values, and blocking that reaches every
person without going quadratic on a bulk import."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from reconcile_people import scoped_keys

from sync.config.reconcile import ReconcileConfig
from sync.reconcile.blocking import NAME_START_LIMIT, BlockingStats, block_keys, candidate_pairs
from sync.reconcile.entities import Entity, build_entity
from sync.reconcile.frequencies import implied_agreement, implied_weights
from sync.reconcile.normalize import (
    company_key,
    is_placeholder,
    name_key,
    place_key,
    postal_key,
    street_key,
)
from sync.reconcile.places import most_specific_place
from sync.reconcile.resolve import resolve_kind
from sync.reconcile.scoring import build_context, score_pair

T0 = datetime(2025, 1, 1, tzinfo=UTC)
CONFIG = ReconcileConfig()


def person(table: str, source: str, rid: str, **values: Any) -> Entity:
    row = {"source": source, "remote_id": rid, "remote_created_at": T0, **values}
    return build_entity(table, row)


def levels(a: Entity, b: Entity) -> tuple[float, dict[str, str]]:
    total, raw = score_pair(a, b, build_context([a, b]))
    return total, {name: level for name, level, _, _ in raw}


@pytest.mark.parametrize(
    "value",
    [
        "[not provided]", "[Not Provided]", "Unknown", "UNKNOWN", "n/a", "N/A", "n.a.", "na",
        "none", "NULL", "test", "-", "--", "?", "...", "xxx", "XXXX", "aaaa", "0000", "x",
        "No Name", "not available", "TBD",
    ],
)  # fmt: skip
def test_placeholders(value: str) -> None:
    assert is_placeholder(value) is True
    assert name_key(value) == ""
    assert company_key(value) == ""
    assert place_key(value) == ""
    assert postal_key(value) == ""
    assert street_key(value) == ("", "")


@pytest.mark.parametrize(
    "value", ["Ann", "JJ", "Li", "Ng", "O", "Acme", "ABC Corp", "Lee", "3000", "Wa", "Testa"]
)
def test_real_values_are_not_placeholders(value: str) -> None:
    assert is_placeholder(value) is False
    assert name_key(value) == value.lower()


def test_blank_is_missing_but_not_a_placeholder() -> None:
    assert is_placeholder("") is False and is_placeholder(None) is False and name_key("") == ""


def test_a_company_that_is_only_a_placeholder_and_a_legal_suffix_is_blank() -> None:
    assert company_key("Unknown Ltd") == ""
    assert company_key("[not provided] Inc.") == ""
    assert company_key("Acme Ltd") == "acme"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("6 Tullaroop Street", ("6", "tullaroop st")),
        ("6 tullaroop st\nKelly Hill", ("6", "tullaroop st kelly hill")),
        ("Flat 3, 12a Main Road", ("12a", "flat 3 main rd")),
        ("Unit 4", ("", "unit 4")),
        ("Main Road", ("", "main rd")),
    ],
)
def test_street_key_splits_the_house_number(raw: str, expected: tuple[str, str]) -> None:
    assert street_key(raw) == expected


def test_postal_codes_and_states_fold() -> None:
    assert postal_key("M5H 2N2") == "m5h2n2"
    assert postal_key("1050-094") == "1050094"
    assert place_key("New South Wales") == "new south wales"


def test_a_us_zip_plus_four_is_its_zip() -> None:
    assert postal_key("02139-4307") == postal_key("02139 4307") == postal_key("02139") == "02139"
    assert postal_key("1050-094") == "1050094"  # a Portuguese code keeps its second part
    a = person("leads", "salesforce", "00Q1", first_name="Dana", last_name="Whitcombe",
               street="77 Mass Ave", city="Cambridge", postal_code="02139-4307")  # fmt: skip
    b = person("contacts", "hubspot", "1", first_name="Dana", last_name="Whitcomb",
               street="77 Mass Avenue", city="Cambridge", postal_code="02139")  # fmt: skip
    assert levels(a, b)[1]["postal_code"] == "exact"


def test_the_loader_reads_street_postal_code_and_state() -> None:
    lead = person(
        "leads", "salesforce", "00Q1", street="6 Tullaroop Street", city="St James",
        state="WA", postal_code="4011", company="[not provided]", last_name="[not provided]",
    )  # fmt: skip
    assert (lead.house, lead.street, lead.city, lead.state, lead.postcode) == (
        "6", "tullaroop st", "st james", "wa", "4011",
    )  # fmt: skip
    assert (lead.company, lead.last) == ("", "")
    values = lead.values
    assert (values["street"], values["state"], values["postal_code"]) == (
        "6 Tullaroop Street", "WA", "4011",
    )  # fmt: skip


ADDRESS = {
    "street": "6 Tullaroop Street",
    "city": "St James",
    "state": "WA",
    "postal_code": "4011",
    "country": "Australia",
}


def test_two_records_equal_in_every_name_and_address_field_match() -> None:
    # No e-mail, no phone, no company: what many leads hold. Names alone score 9.5.
    a = person("leads", "salesforce", "00Q1", first_name="Ann", last_name="Waller", **ADDRESS)
    b = person("contacts", "hubspot", "1", first_name="Ann", last_name="Waller", **ADDRESS)
    total, found = levels(a, b)
    assert found == {
        "first_name": "exact",
        "last_name": "exact",
        "city": "same",
        "street": "exact",
        "postal_code": "exact",
        "state": "exact",
    }
    assert total == 16.5 >= CONFIG.people.match
    result = resolve_kind("person", [a, b], CONFIG, [])
    assert [sorted(c) for c in result.clustering.clusters] == [[0, 1]]


def test_typos_in_the_address_still_agree() -> None:
    a = person("leads", "salesforce", "00Q1", first_name="Ann", last_name="Waller", **ADDRESS)
    typed = {**ADDRESS, "street": "6 tullaroop st", "city": "St Jmaes", "postal_code": "4101"}
    b = person("contacts", "hubspot", "1", first_name="Anne", last_name="Waller", **typed)
    total, found = levels(a, b)
    assert (found["street"], found["postal_code"], found["city"]) == ("exact", "fuzzy", "similar")
    assert total >= CONFIG.people.match


def test_a_postal_code_with_one_character_dropped_or_added_is_a_typo() -> None:
    from sync.reconcile.places import _postal_level

    # Mistyped, two swapped, one dropped or one added: one slip of the hand.
    assert _postal_level("4200072", "4200073") == "fuzzy"
    assert _postal_level("4200072", "2400072") == "fuzzy"
    assert _postal_level("4200072", "420072") == "fuzzy"
    assert _postal_level("0836", "08036") == "fuzzy"
    assert _postal_level("1204", "204") == "fuzzy"
    # Two slips, or a code too short for a dropped character to be told from another code.
    assert _postal_level("4200072", "42072") == "different"
    assert _postal_level("4200072", "4211072") == "different"
    assert _postal_level("120", "20") == "different"
    assert _postal_level("1204", "3104") == "different"


def test_a_household_is_not_one_person() -> None:
    a = person("leads", "salesforce", "00Q1", first_name="Ann", last_name="Waller", **ADDRESS)
    b = person("leads", "salesforce", "00Q2", first_name="Peter", last_name="Waller", **ADDRESS)
    total, found = levels(a, b)
    assert found["first_name"] == "different"
    assert total == 8.5 < CONFIG.people.match


def test_another_house_number_and_another_state_count_against() -> None:
    a = person("leads", "salesforce", "00Q1", first_name="Ann", last_name="Waller", **ADDRESS)
    moved = {**ADDRESS, "street": "18 Tullaroop Street", "state": "VIC"}
    b = person("leads", "salesforce", "00Q2", first_name="Ann", last_name="Waller", **moved)
    total, found = levels(a, b)
    assert (found["street"], found["state"]) == ("other_number", "different")
    assert total == 9.0 + 0.5 - 1.0 + 2.5 - 2.0


def test_a_state_code_and_its_name_are_not_counted_against() -> None:
    a = person("leads", "salesforce", "00Q1", last_name="Waller", state="NSW")
    b = person("contacts", "hubspot", "1", last_name="Waller", state="New South Wales")
    assert levels(a, b)[1]["state"] == "abbreviation"


def test_a_placeholder_company_adds_no_organisation_agreement() -> None:
    # What the only false merges were made of: two web-to-lead Leads, "[not provided]".
    a = person(
        "leads", "salesforce", "00Q1", first_name="Jon", last_name="Smith", city="Boston",
        company="[not provided]",
    )  # fmt: skip
    b = person(
        "leads", "salesforce", "00Q2", first_name="John", last_name="Smith", city="Boston",
        company="[not provided]",
    )  # fmt: skip
    total, found = levels(a, b)
    assert "organisation" not in found
    assert total == 9.0 < CONFIG.people.match
    result = resolve_kind("person", [a, b], CONFIG, [])
    assert sorted(sorted(c) for c in result.clustering.clusters) == [[0], [1]]


def test_a_placeholder_surname_is_missing_not_different() -> None:
    a = person("leads", "salesforce", "00Q1", first_name="Ann", last_name="[not provided]")
    b = person("contacts", "hubspot", "1", first_name="Ann", last_name="Waller")
    total, found = levels(a, b)
    assert found == {"first_name": "exact"}
    assert total == 4.0


def test_one_address_blocks_records_whose_names_are_mistyped() -> None:
    a = person("leads", "salesforce", "00Q1", first_name="Ann", last_name="Waller", **ADDRESS)
    b = person("contacts", "hubspot", "1", first_name="Anm", last_name="Wlaler", **ADDRESS)
    assert {"a:4011|6", "h:6|tull"} <= set(block_keys(a)) & set(block_keys(b))
    assert list(candidate_pairs([a, b], max_block=200)) == [(0, 1)]


def _import(count: int) -> list[Entity]:
    # One bulk import: every contact created in the same second, all different people.
    return [
        person("contacts", "zoho", f"c{n}", first_name=f"First{n}", last_name=f"Last{n}")
        for n in range(count)
    ]


def test_a_bulk_import_sharing_one_created_time_pairs_no_one() -> None:
    stats = BlockingStats()
    assert list(candidate_pairs(_import(60), max_block=200, stats=stats)) == []
    assert stats.pairs == 0


def test_the_conversion_instant_pairs_a_lead_only_with_contacts() -> None:
    contacts = _import(30)
    lead = person("leads", "zoho", "l1", first_name="Zed", last_name="Quill", converted=True,
                  converted_at=T0)  # fmt: skip
    pairs = list(candidate_pairs([*contacts, lead], max_block=200))
    assert pairs == [(n, 30) for n in range(30)]


def test_a_key_shared_by_too_many_records_pairs_no_one_and_is_counted() -> None:
    same = [
        person("contacts", "hubspot", str(n), first_name="Ann", last_name="Lee",
               remote_created_at=T0 + timedelta(minutes=n))
        for n in range(12)
    ]  # fmt: skip
    stats = BlockingStats()
    assert list(candidate_pairs(same, max_block=200, stats=stats, max_key_records=10)) == []
    # the name pair, and the rare-value keys of the name pair, of each name alone and of
    # the last name with the first's initial
    capped = {"n": 1, "nb": 1, "fn": 1, "ln": 1, "li": 1}
    assert (stats.capped_keys, stats.capped_by_kind) == (5, capped)
    config = ReconcileConfig(max_key_records=10)
    result = resolve_kind("person", same, config, [])
    assert result.stats["capped_keys"] == 5 and result.stats["candidate_pairs"] == 0
    assert resolve_kind("person", same[:10], config, []).stats["capped_keys"] == 0


def test_a_name_at_one_postal_code_blocks_a_typo_in_the_other_name_and_house_number() -> None:
    a = person("leads", "salesforce", "00Q1", first_name="Chloe", last_name="Beatie",
               street="82 Burkitt Street", postal_code="2152")  # fmt: skip
    b = person("contacts", "hubspot", "1", first_name="Chloe", last_name="Beattie",
               street="28 Burkitt Street", postal_code="2152")  # fmt: skip
    assert scoped_keys(a, b) == {
        "o:chloe|pc:1225",  # the first name at the postal code (its digits sorted)
        "o:chloe|st:burk",  # the first name on the street's name (to its fourth letter)
        "sp:burk|1225",  # the street's name at the postal code
        "l3:bea|2152",  # each name's first three letters at the postal code
        "l3:chl|2152",
    }
    assert list(candidate_pairs([a, b], max_block=200)) == [(0, 1)]


def test_a_postal_code_typed_with_two_digits_swapped_still_blocks_the_pair() -> None:
    # FEBRL3's rec-1022: the surname, the street's first word and the suburb all typed
    # otherwise; the first name and the postal code's digits are what the two share.
    a = person("leads", "salesforce", "00Q1", first_name="Jackson", last_name="Eglinron",
               street="840 Mountview Fowles Treet", city="Burlei Gh Heads",
               postal_code="2803")  # fmt: skip
    b = person("contacts", "hubspot", "1", first_name="Jackson", last_name="Eglinton",
               street="840 Fowles St Moun Tvjiew", city="Burleigh Heads",
               postal_code="2830")  # fmt: skip
    assert scoped_keys(a, b) == {"o:jackson|pc:0238"}
    assert list(candidate_pairs([a, b], max_block=200)) == [(0, 1)]
    # the name-start key stays on the postal code as typed: its blocks are the largest
    assert "l3:egl|2803" in block_keys(a) and "l3:egl|0238" not in block_keys(a)


def test_a_space_typed_inside_a_street_word_is_still_the_same_street() -> None:
    a = person("leads", "salesforce", "00Q1", last_name="Gerste", street="6 Booth Cre scent Donpre")
    b = person("contacts", "hubspot", "1", last_name="Gerste", street="6 Booth Crescent Donore")
    assert levels(a, b)[1]["street"] == "fuzzy"


def test_namesakes_at_two_companies_of_one_district_are_two_people() -> None:
    # A shared office district is no evidence when the organisations differ.
    office = {"city": "San Diego", "state": "CA", "postal_code": "92101"}
    a = person("contacts", "hubspot", "1", first_name="Jesus", last_name="Lopez",
               company="Orion Biosciences", **office)  # fmt: skip
    b = person("leads", "salesforce", "00Q1", first_name="Jesus", last_name="Lopez",
               company="Vinicola Serra Alta", **office)  # fmt: skip
    total, found = levels(a, b)
    assert found == {
        "first_name": "exact", "last_name": "exact", "organisation": "different", "city": "same",
    }  # fmt: skip
    assert total == 7.5 < CONFIG.people.match
    moved = person(
        "leads", "salesforce", "00Q2", first_name="Jesus", last_name="Lopez",
        company="Vinicola Serra Alta", city="San Diego", postal_code="92130",
    )  # fmt: skip
    assert levels(a, moved)[1]["postal_code"] == "different"  # disagreement still counts


def test_a_rare_name_pair_meets_with_or_without_an_organisation() -> None:
    # Scoped by an organisation, people meet by name at it ("o:" keys); the bare name pair
    # ("n:") is for those with none: given to everyone, unbounded, it paired each free-mail
    # namesake with every corporate one (over 8 GB at 1 M people). A rare name pair ("nb:")
    # pairs everyone holding it, organisation or not, in a block of at most
    # NAME_START_LIMIT records: a lead with a company meets a contact with none.
    a = person("contacts", "hubspot", "1", first_name="Ann", last_name="Lee", company="Acme")
    b = person("leads", "salesforce", "00Q1", first_name="Ann", last_name="Lee")
    c = person("leads", "salesforce", "00Q2", first_name="Ann", last_name="Lee")
    assert "n:ann|lee" not in block_keys(a)
    assert "n:ann|lee" in set(block_keys(b)) & set(block_keys(c))
    assert "nb:ann|lee" in set(block_keys(a)) & set(block_keys(b)) & set(block_keys(c))
    assert list(candidate_pairs([a, b, c], max_block=200)) == [(0, 1), (0, 2), (1, 2)]
    # In a block over the limit the rare-value keys pair no one: the namesakes without an
    # organisation still meet by "n:", the one at Acme meets none of them.
    crowd = [
        person("leads", "salesforce", f"00Q{n}", first_name="Ann", last_name="Lee")
        for n in range(NAME_START_LIMIT)
    ]
    pairs = list(candidate_pairs([a, *crowd], max_block=200))
    assert len(pairs) == NAME_START_LIMIT * (NAME_START_LIMIT - 1) // 2
    assert all(i > 0 for i, _ in pairs)


def test_a_city_a_postal_code_implies_weighs_what_it_adds_beyond_it() -> None:
    # Postal code 4011: three records in St James, one in Perth; 6000: two in Perth.
    records = [
        person("leads", "salesforce", f"00Q{n}", city=city, postal_code=code)
        for n, (city, code) in enumerate(
            [("St James", "4011"), ("St James", "4011"), ("St James", "4011"),
             ("Perth", "4011"), ("Perth", "6000"), ("Perth", "6000")]
        )
    ]  # fmt: skip
    # Pairs sharing a postal code: 6 at 4011 (3 in one city) + 1 at 6000 (in one city).
    assert implied_agreement(records) == {"city": round(4 / 7, 6)}
    # log2(0.9 / (4/7)) = 0.66; a postal code that always implies the city: nothing.
    assert implied_weights({"city": {"implied": 0.9}}, {"city": 4 / 7}) == {
        ("city", "implied"): 0.66
    }
    assert implied_weights({"city": {"implied": 0.9}}, {"city": 1.0}) == {("city", "implied"): 0.0}


def test_an_agreeing_postal_code_marks_the_city_and_state_implied() -> None:
    out = [
        ("postal_code", "exact", "4011", "4011"),
        ("city", "same", "st james", "st james"),
        ("state", "exact", "wa", "wa"),
    ]
    assert most_specific_place(out) == [
        ("postal_code", "exact", "4011", "4011"),
        ("city", "implied", "st james", "st james"),
        ("state", "implied", "wa", "wa"),
    ]
    # Only the city agreeing: it implies the state.
    assert most_specific_place(out[1:]) == [out[1], ("state", "implied", "wa", "wa")]


def test_a_switchboard_at_one_organisation_says_nothing_the_organisation_did_not() -> None:
    board = {"phone": "+1 617 555 0100", "city": "Boston"}
    ann = person("contacts", "hubspot", "1", first_name="Ann", last_name="Lee", **board)
    bob = person("leads", "salesforce", "2", first_name="Bob", last_name="Park", **board)
    # Without a company the shared number is all that ties them: it counts, weakly.
    assert levels(ann, bob)[1]["phone"] == "shared"
    colleagues = [replace(e, company="acme labs") for e in (ann, bob)]
    assert levels(*colleagues)[1] == {
        "first_name": "different",
        "last_name": "different",
        "organisation": "exact",
    }


def test_a_street_a_house_number_or_a_name_in_a_town_pairs_only_in_a_small_block() -> None:
    # FEBRL4's rec-2690: first name, surname, house number and postal code all differ;
    # the street's name in the town is what the two share.
    a = person("leads", "salesforce", "00Q1", first_name="Taliah", last_name="Morrison",
               street="7 Cope Pl Strawberry Fields", postal_code="6714",
               city="Dover")  # fmt: skip
    b = person("contacts", "hubspot", "1", first_name="Samantha", last_name="Nguyen",
               street="18 Copeplace Strawberrmyfields", postal_code="6774",
               city="Dover")  # fmt: skip
    assert scoped_keys(a, b) == {"sc:cope|dover"}
    assert list(candidate_pairs([a, b], max_block=200)) == [(0, 1)]
    # a surname typed otherwise from its first letters, no street or postal code: the
    # first name in the town (and its first three letters there) is what the two share
    c = person("leads", "salesforce", "00Q2", first_name="Jackson", last_name="Elginton",
               city="Burleigh Heads")  # fmt: skip
    d = person("contacts", "hubspot", "2", first_name="Jackson", last_name="Eglinton",
               city="Burleigh Heads")  # fmt: skip
    assert scoped_keys(c, d) == {
        "nc:jackson|burleigh heads",
        "l3:jac|burleigh heads",
    }

    def town(count: int, **shared: str) -> list[Entity]:
        """People of one large town sharing a street's name, a house number or a first
        name and no other key: the rest of their names and streets their own, no postal
        code."""
        found = []
        for n in range(count):
            mine = chr(97 + n % 26) + chr(97 + n // 26)
            values = {"first_name": mine + "q", "last_name": mine + "z", "city": "Dover"}
            values["street"] = f"{n + 1} {mine}kx Rd"
            values |= {k: v.format(n=n + 1, mine=mine) for k, v in shared.items()}
            found.append(person("contacts", "hubspot", str(n), **values))
        return found

    for kinds, limit, shared in (
        ({"sc"}, 10, {"street": "{n} Cope Pl"}),
        ({"hc"}, 10, {"street": "7 {mine}kx Rd"}),
        # and the first name alone, wherever it is (a rare-value key: RARE_VALUE_KINDS)
        ({"nc", "l3", "fn"}, 50, {"first_name": "Taliah"}),
    ):
        stats = BlockingStats()
        pairs = candidate_pairs(town(limit, **shared), max_block=200, stats=stats)
        assert len(pairs) == limit * (limit - 1) // 2
        assert stats.crowded_by_kind == {}
        stats = BlockingStats()
        assert len(candidate_pairs(town(limit + 1, **shared), max_block=200, stats=stats)) == 0
        assert stats.crowded_by_kind == dict.fromkeys(kinds, 1) and stats.capped_keys == 0
