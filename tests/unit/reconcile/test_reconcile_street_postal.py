"""A street says its postal code: beside an agreeing street the postal code weighs only what
it adds among people who are not one (colleagues at an office share both; one street's
name in two districts does not), so an office's address does not make two people one."""

from __future__ import annotations

from datetime import UTC, datetime

from reconcile_people import lead

from sync.reconcile.blocking import candidate_pairs
from sync.reconcile.entities import Entity
from sync.reconcile.frequencies import implied_weights
from sync.reconcile.learn import LearnSettings, Model, train
from sync.reconcile.places import most_specific_place
from sync.reconcile.scoring import build_context, score_pair

NOW = datetime(2026, 11, 15, tzinfo=UTC)
FIRST = ("anna", "ben", "carla", "dev", "emil", "fay", "gus", "hana", "ivo", "jana", "kai",
         "lena", "milo", "nora", "oscar", "pia", "rafa", "sana", "theo", "uma", "vera")  # fmt: skip
# 240 surnames, one a colleague: "bakimo", "bakinu", ...
SYLLABLES = ("ba", "ko", "mi", "nu", "sa", "te", "lo", "ri")
LAST = [a + b + c for a in SYLLABLES[:4] for b in SYLLABLES for c in SYLLABLES][:240]
STREETS = ("oak st", "elm rd", "pine ave", "ash ct", "bay pde", "cove ln", "dale st")


def _person(n: int, first: str, last: str, house: str, street: str, postcode: str) -> Entity:
    values = {"house": house, "street": street, "postcode": postcode, "city": "springfield"}
    return lead(n, first=first, last=last, **values)


def _offices(one_postcode: bool = True) -> list[Entity]:
    """60 offices of four colleagues (other first and last names, one house on one street):
    each colleague entered twice, the copy with a typo in the first name (240 true pairs);
    then at every tenth office a lead with only a surname none of its colleagues has.
    ``one_postcode``: an office's postal code is its colleagues'; else each person's own
    (the street's name and number recurring in other districts)."""
    people: list[Entity] = []
    for office in range(60):
        house, street = str(office + 1), STREETS[office % len(STREETS)]
        for seat in range(4):
            n = office * 4 + seat
            first, last = FIRST[n % len(FIRST)], LAST[n]
            postcode = f"{6000 + (office if one_postcode else n)}"
            people.append(_person(len(people), first, last, house, street, postcode))
            typo = first[:-2] + first[-1] + first[-2]  # the last two letters swapped
            people.append(_person(len(people), typo, last, house, street, postcode))
    for office in range(0, 60, 10):
        house, street = str(office + 1), STREETS[office % len(STREETS)]
        people.append(_person(len(people), "", "ferreira", house, street, f"{6000 + office}"))
    return people


def _trained(people: list[Entity]) -> Model:
    settings = LearnSettings(random_pairs=5_000, min_level_pairs=5)
    context = build_context(people, nested_places=True)  # as training.train_kind does
    return train("person", people, candidate_pairs(people, 200), context, NOW, settings)


def test_a_street_agreeing_marks_its_postal_code_implied_and_a_typo_in_it_still_counts() -> None:
    street = ("street", "exact", "12 oak st", "12 oak st")
    city = ("city", "same", "springfield", "springfield")
    assert most_specific_place([street, ("postal_code", "exact", "6000", "6000"), city]) == [
        street,
        ("postal_code", "implied", "6000", "6000"),
        ("city", "implied", "springfield", "springfield"),
    ]
    for level in ("fuzzy", "different"):  # a typo beside the same street says more
        typed = ("postal_code", level, "6000", "6001")
        assert most_specific_place([street, typed]) == [street, typed]
    # Another street: the postal code is the most specific place that agrees.
    other = ("street", "different", "12 oak st", "40 elm rd")
    code = ("postal_code", "exact", "6000", "6000")
    assert most_specific_place([other, code, city]) == [
        other,
        code,
        ("city", "implied", "springfield", "springfield"),
    ]


def test_the_postal_code_beside_its_street_weighs_its_agreement_among_non_matches() -> None:
    # log2(0.95 / 0.1) = 3.25; where non-matches at one street share it as often: nothing.
    m = {"postal_code": {"exact": 0.9, "implied": 0.95}}
    assert implied_weights(m, {}, {"postal_code": {"exact": 0.001, "implied": 0.1}}) == {
        ("postal_code", "implied"): 3.25
    }
    assert implied_weights(m, {}, {"postal_code": {"implied": 0.97}}) == {
        ("postal_code", "implied"): 0.0
    }


def test_what_the_postal_code_adds_beside_its_street_is_learned_from_who_shares_it() -> None:
    offices = _trained(_offices(one_postcode=True))
    # Colleagues share the office's street and postal code: beside the street the code
    # adds nothing (u of the level among the likely non-matches: 0.987).
    assert offices.u["postal_code"]["implied"] > 0.98
    assert offices.weights[("postal_code", "implied")] == 0.02
    assert offices.weights[("postal_code", "exact")] == 5.93  # where the streets differ
    # One street's name and number in other districts: other people there never share
    # the code, so agreeing on it beside the street is strong evidence (the copies do).
    districts = _trained(_offices(one_postcode=False))
    assert districts.u["postal_code"]["implied"] < 0.001
    assert districts.weights[("postal_code", "implied")] == 12.41
    # The surname-only lead against a colleague at the office: the address, not the person.
    people = _offices(one_postcode=True)
    context = build_context(people, weights=offices.weights, terms=offices.terms)
    total, raw = score_pair(people[480], people[0], context)
    assert [c[:2] for c in raw if c[0] in ("street", "postal_code")] == [
        ("street", "exact"),
        ("postal_code", "implied"),
    ]
    weights = offices.weights
    expected = weights[("first_name", "different")] + weights[("street", "exact")] + 0.02
    assert total == round(expected, 2)


def test_a_model_trained_before_weighs_the_postal_code_beside_its_street_as_it_did() -> None:
    body = _trained(_offices(one_postcode=True)).body()
    older = {**body, "u": {**body["u"], "postal_code": {"exact": 0.016295, "different": 0.74}}}
    weights = Model.from_body(older).weights
    assert weights[("postal_code", "implied")] == weights[("postal_code", "exact")] == 5.93
