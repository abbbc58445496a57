"""The corruption functions and the profile, with exact outputs for fixed seeds."""

from __future__ import annotations

import random
from dataclasses import fields, replace
from datetime import UTC, datetime

import pytest

from sandbox.generator.addresses import (
    city_typo,
    office_street,
    postcode_typo,
    street_variant,
)
from sandbox.generator.corruption import HARD, CorruptionRates, Corruptor
from sandbox.generator.misspell import (
    KEYBOARD_NEIGHBOURS,
    keyboard_typo,
    phonetic,
    placeholder,
    transpose,
)
from sandbox.generator.names import cities

ZERO = CorruptionRates(
    **{f.name: 0.0 for f in fields(CorruptionRates) if f.name != "bulk_import_every_days"}
)
NICKNAMES = ("Bob", "Rob")
PERSONAL = "robertstephenson42@gmail.com"


def _person() -> dict[str, str | None]:
    return {
        "first": "Robert",
        "last": "Stephenson",
        "email": "robert.stephenson@kestrel-labs.com",
        "phone": "+16175550142",
        "mobile": "+16175550199",
        "title": "Lab Manager",
        "company": "Kestrel Labs Inc.",
        "street": "90 Victoria Place",
        "city": "Boston",
        "postcode": "02108",
    }


def _seeded(fn, value: str, seeds: range = range(4)) -> list[str]:
    return [fn(value, random.Random(seed)) for seed in seeds]


def test_keyboard_neighbours_are_adjacent_keys_letters_with_letters() -> None:
    assert KEYBOARD_NEIGHBOURS["s"] == "acdeqwxz"
    assert KEYBOARD_NEIGHBOURS["a"] == "qswxz"
    assert KEYBOARD_NEIGHBOURS["1"] == "2"


def test_keyboard_typo_transposition_and_phonetic_spelling() -> None:
    assert _seeded(keyboard_typo, "Margaret") == ["Margarert", "Matgaret", "Margaref", "Magaret"]
    assert _seeded(transpose, "Margaret") == ["Margraet", "Magraret", "Mragaret", "Magraret"]
    assert _seeded(phonetic, "Stephenson") == [
        "Stephennson",
        "Stephensen",
        "Stefenson",
        "Stephensen",
    ]
    assert [phonetic(n, random.Random(1)) for n in ("Philip", "Jackson")] == ["Phylip", "Jacksen"]


def test_too_short_or_unvarying_values_are_left_alone() -> None:
    rng = random.Random(0)
    assert (keyboard_typo("Al", rng), transpose("Aa", rng), phonetic("Zoe", rng)) == (
        "Al",
        "Aa",
        "Zoe",
    )
    assert postcode_typo("12", rng) == "12"


def test_placeholders_are_words_or_a_key_held_down() -> None:
    assert [placeholder(random.Random(s)) for s in range(4)] == [
        "-",
        "aaaa",
        "[not provided]",
        "xxxx",
    ]


def test_office_street_follows_the_country_and_the_identity() -> None:
    by_city = {c.city: c for c in cities()}
    assert office_street("O000001", by_city["Boston"]) == "90 Victoria Place"
    assert office_street("O000002", by_city["Madrid"]) == "Paseo Serrano, 19"
    assert office_street("O000003", by_city["Lisboa"]) == "Rua Aurea, 13"


def test_address_variants_and_typos() -> None:
    assert _seeded(street_variant, "12 High Street") == [
        "No. 12 High Street",
        "12 High St",
        "12 High St",
        "12 High St",
    ]
    assert _seeded(street_variant, "Calle Mayor, 14") == [
        "No. 14 Calle Mayor",
        "C/ Mayor, 14",
        "C/ Mayor, 14",
        "C/ Mayor, 14",
    ]
    assert _seeded(postcode_typo, "02108") == ["02198", "20108", "20108", "01208"]
    assert _seeded(postcode_typo, "M5V 3L9") == ["5V 3L9", "M5V3L9", "5MV 3L9", "M5V3L9"]
    assert _seeded(city_typo, "Barcelona") == ["Barceloan", "Bafcelona", "Badrcelona", "Barelona"]


def test_zero_profile_leaves_a_copy_as_it_was() -> None:
    values = _person()
    assert Corruptor(ZERO, random.Random(1)).corrupt(values, NICKNAMES, PERSONAL) is False
    assert values == _person()


def test_a_copy_sharing_no_contact_point_loses_email_phone_and_company() -> None:
    values = _person()
    hidden = replace(ZERO, no_shared_contact=1.0)
    assert Corruptor(hidden, random.Random(2)).corrupt(values, NICKNAMES, PERSONAL) is True
    assert values == _person() | {
        "email": PERSONAL,
        "phone": None,
        "mobile": None,
        "company": "xxxxx",
    }


@pytest.mark.parametrize(
    ("rate", "changed"),
    [
        ("nickname", {"first": "Rob"}),
        ("surname_change", {"last": "Johnson"}),
        ("swap_names", {"first": "Stephenson", "last": "Robert"}),
        ("placeholder_name", {"first": "aaaaa"}),
        ("street_variant", {"street": "90 VICTORIA PLACE"}),
        ("postcode_typo", {"postcode": "0218"}),
        ("city_typo", {"city": "Bsoton"}),
        ("placeholder_company", {"company": "[not provided]"}),
        ("placeholder_street", {"street": "test"}),
        ("drop_phone", {"phone": None, "mobile": None}),
        ("drop_street", {"street": None}),
    ],
)
def test_each_corruption_alone(rate: str, changed: dict[str, str | None]) -> None:
    values = _person()
    Corruptor(replace(ZERO, **{rate: 1.0}), random.Random(7)).corrupt(values, NICKNAMES, PERSONAL)
    assert values == _person() | changed


def test_the_hard_profile_on_two_copies() -> None:
    first, second = _person(), _person()
    corruptor = Corruptor(HARD, random.Random(1))
    assert corruptor.corrupt(first, NICKNAMES, PERSONAL) is True
    assert first == _person() | {
        "last": "Stepehnson",
        "email": PERSONAL,
        "phone": None,
        "mobile": None,
        "company": None,
        "street": "xxx",
        "city": None,
        "postcode": None,
    }
    assert corruptor.corrupt(second, NICKNAMES, PERSONAL) is True
    assert second == _person() | {
        "email": None,
        "phone": None,
        "mobile": None,
        "company": None,
        "postcode": None,
    }


def test_a_rate_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match=r"no_shared_contact=1\.5"):
        Corruptor(replace(HARD, no_shared_contact=1.5), random.Random(0))


def test_bulk_import_runs_every_four_weeks_at_two_in_the_morning() -> None:
    corruptor = Corruptor(replace(ZERO, bulk_import=1.0), random.Random(1))
    origin = datetime(2025, 5, 1, 13, 45, tzinfo=UTC)
    at = datetime(2025, 7, 10, 9, 30, tzinfo=UTC)
    assert corruptor.import_time(at, origin, origin) == datetime(2025, 6, 26, 2, tzinfo=UTC)
    # never before the record it copies, nor before the first run
    assert corruptor.import_time(at, datetime(2025, 7, 1, tzinfo=UTC), origin) == at
    early = datetime(2025, 5, 1, 1, tzinfo=UTC)
    assert corruptor.import_time(early, origin, origin) == early
