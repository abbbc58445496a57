"""Typos in the street's type or second line, typo levels never outweighing an exact
agreement, levels kept in order, and blocking keys that survive a typo past a word's first
letters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from reconcile_people import scoped_keys

from sync.reconcile.blocking import candidate_pairs
from sync.reconcile.entities import Entity, build_entity
from sync.reconcile.frequencies import term_weights
from sync.reconcile.learn import _ordered
from sync.reconcile.normalize import street_name
from sync.reconcile.scoring import WEIGHTS, build_context, score_pair, weight_of

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def person(rid: str, **values: Any) -> Entity:
    row = {"source": "salesforce", "remote_id": rid, "remote_created_at": T0, **values}
    return build_entity("leads", row)


def levels(a: Entity, b: Entity) -> dict[str, str]:
    return {name: level for name, level, _, _ in score_pair(a, b, build_context([a, b]))[1]}


def test_the_street_name_skips_types_units_and_articles() -> None:
    assert street_name("harrison treet") == "harrison"
    assert street_name("calle de alcala") == "alcala"
    assert street_name("suite 4 high st") == "high"
    assert street_name("st") == ""


def test_one_house_on_a_street_named_alike_is_the_same_street() -> None:
    a = person("1", last_name="Millar", street="73 Harrison Treet")
    b = person("2", last_name="Millar", street="73 Harrison St Flat 79")
    assert levels(a, b)["street"] == "fuzzy"
    # One character off in a name of five letters or more ("garrard" / "garrarg").
    c = person("3", street="7 Garrard Street Riverside")
    d = person("4", street="7 Garrarg Ystreet Riverside Professional Centre")
    assert levels(c, d)["street"] == "fuzzy"


def test_a_street_named_alike_needs_one_house_number_on_both_sides() -> None:
    # Other numbers on a street named alike are another street as often as a typo; without
    # a number on one side nothing says it is one house.
    a = person("1", street="73 Harrison Treet")
    assert levels(a, person("2", street="12 Harrison St Flat 79"))["street"] == "different"
    assert levels(a, person("3", street="Harrison St Flat 79"))["street"] == "different"


def test_a_typo_of_a_common_value_weighs_no_more_than_the_value() -> None:
    m = {"last_name": {"exact": 0.9, "fuzzy": 0.05, "different": 0.05}}
    terms = term_weights(
        m, {"last_name/exact": 6.0}, {"last_name": {"smith": 50}}, {"last_name": 1000}
    )
    weights = {**WEIGHTS, ("last_name", "fuzzy"): 5.0}
    # log2(0.9 / 0.05) = 4.17 for "smith": its typo "smyth" is capped there.
    assert weight_of("last_name", "fuzzy", "smyth", weights, terms, "smith") == 4.17
    assert weight_of("last_name", "fuzzy", "wieloch", weights, terms, "wielock") == 5.0
    assert weight_of("last_name", "exact", "smith", weights, terms, "smith") == 4.17


def test_a_level_never_weighs_more_than_the_level_above_it() -> None:
    learned = {"city/same": 3.2, "city/similar": 7.3, "street/exact": 12.0, "street/fuzzy": 9.0}
    assert _ordered(learned) == {
        "city/same": 3.2,
        "city/similar": 3.2,
        "street/exact": 12.0,
        "street/fuzzy": 9.0,
    }
    # A level above that was not learned caps with its hand-set weight (postal code +2.5).
    assert _ordered({"postal_code/fuzzy": 4.0}) == {"postal_code/fuzzy": 2.5}


def test_a_name_typed_past_its_third_letter_meets_at_the_place() -> None:
    a = person("1", first_name="Kimberly", last_name="Weaveldl", city="Gol Gol",
               street="30 Loban Ocurt", postal_code="2076")  # fmt: skip
    b = person("2", first_name="Alexander", last_name="Weavell", city="Gol Gol",
               street="112 Sherwood Garden", postal_code="2076")  # fmt: skip
    assert scoped_keys(a, b) == {"l3:wea|2076", "l3:wea|gol gol"}
    # Swapped and mistyped: "moulton gabriel" / "michaela moulstn" at 4217.
    c = person("3", first_name="Moulton", last_name="Gabriel", postal_code="4217")
    d = person("4", first_name="Michaela", last_name="Moulstn", postal_code="4217")
    assert scoped_keys(c, d) == {"l3:mou|4217"}
    assert list(candidate_pairs([a, b], max_block=200)) == [(0, 1)]


def test_a_surname_at_one_house_number_meets_whatever_the_place() -> None:
    a = person("1", first_name="Hemry", last_name="Agius", city="Toowoomba",
               street="23 Hindmarsh Dr", postal_code="7163")  # fmt: skip
    b = person("2", first_name="Henry", last_name="Agius", city="Toowoonba",
               street="23 Hindmars Hdrive", postal_code="2280")  # fmt: skip
    assert scoped_keys(a, b) == {
        "lh:agius|23",
        # the street's name to its fourth letter ("hindmarsh dr" / "hindmars hdrive")
        "h:23|hind",
        "o:agius|st:hind",
    }
    c = person("3", last_name="Agius", street="23 Bourke St", postal_code="3000")
    assert scoped_keys(a, c) == {"lh:agius|23"}


def test_a_lone_name_typed_in_the_other_column_is_compared_there() -> None:
    # "dreckow toby" / "toby": the columns swapped and the surname left blank.
    a = person("1", first_name="Dreckow", last_name="Toby")
    b = person("2", first_name="Toby")
    for left, right in ((a, b), (b, a)):
        raw = score_pair(left, right, build_context([left, right]))[1]
        assert [(f, lv) for f, lv, _, _ in raw] == [("last_name", "exact")]
    # In its own column when it agrees there as well.
    c = person("3", first_name="Toby", last_name="Toby")
    assert levels(c, b) == {"first_name": "exact"}


def test_a_name_alike_past_one_typo_is_similar_not_different() -> None:
    # Two slips, a name spelt by ear, a short name one edit off: alike, weaker than a typo.
    for (first, last), (first2, last2) in (
        (("Evei", "Kinesiury"), ("Evelyn", "Kingsbury")),
        (("Rafael", "Risalnd"), ("Raphael", "Rosland")),
        (("Riu", "Ng"), ("Rui", "Nh")),
    ):
        a = person("1", first_name=first, last_name=last)
        b = person("2", first_name=first2, last_name=last2)
        assert levels(a, b) == {"first_name": "similar", "last_name": "similar"}
    # Other surnames of one office stay different.
    a = person("3", first_name="Marta", last_name="Elmham")
    b = person("4", first_name="Marta", last_name="Sanchez")
    assert levels(a, b) == {"first_name": "exact", "last_name": "different"}
    assert _ordered({"last_name/fuzzy": 4.0, "last_name/similar": 5.5}) == {
        "last_name/fuzzy": 4.0,
        "last_name/similar": 4.0,
    }
