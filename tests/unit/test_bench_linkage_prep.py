"""Record preparation and the threshold rule of the Splink linkage benchmark
(bench/bench_linkage_splink.py)."""

from __future__ import annotations

import math

import pytest
from bench_scripts import load

prep = load("linkage_prep.py")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (math.nan, None),
        ("", None),
        ("   ", None),
        ("[not provided]", None),
        ("  [Not  Provided] ", None),
        ("N/A", None),
        ("unknown", None),
        ("-", None),
        ("  Mount   Immaney ", "mount immaney"),
        ("Na", None),
        ("nancy", "nancy"),
        (4011, "4011"),
    ],
)
def test_clean_lowercases_and_turns_placeholders_into_null(
    value: object, expected: str | None
) -> None:
    assert prep.clean(value) == expected


@pytest.mark.parametrize(
    ("street", "expected"),
    [
        ("6 tullaroop street\nwillaroo", ("6", "tullaroop street", "willaroo")),
        ("6 tullaroop street, willaroo", ("6", "tullaroop street", "willaroo")),
        ("69 giblin street", ("69", "giblin street", None)),
        ("maltby circuit\ncoaling", (None, "maltby circuit", "coaling")),
        ("16\n2/98-latchford barracks", ("16", None, "2/98-latchford barracks")),
        ("12a Smith St", ("12a", "smith st", None)),
        (None, (None, None, None)),
        ("", (None, None, None)),
    ],
)
def test_split_street_takes_number_street_and_second_line(
    street: str | None, expected: tuple[str | None, str | None, str | None]
) -> None:
    assert prep.split_street(street) == expected


def test_salesforce_lead_and_hubspot_contact_give_the_same_columns() -> None:
    lead = {
        "FirstName": "Kayla",
        "LastName": "[not provided]",
        "Company": "[not provided]",
        "Street": "23 Ramsay Place\nMirani",
        "City": "Garbutt",
        "State": "VIC",
        "PostalCode": "2260",
        "Country": "Australia",
    }
    contact = {
        "firstname": "kayla",
        "address": "23 ramsay place, mirani",
        "city": "garbutt",
        "state": "vic",
        "zip": "2260",
        "country": "Australia",
    }
    expected = {
        "given_name": "kayla",
        "surname": None,
        "street_number": "23",
        "street": "ramsay place",
        "address_2": "mirani",
        "suburb": "garbutt",
        "postcode": "2260",
        "state": "vic",
    }
    assert prep.canonical_from_crm("salesforce", lead) == expected
    assert prep.canonical_from_crm("hubspot", contact) == expected


def test_febrl_record_maps_address_1_to_street() -> None:
    record = {
        "given_name": "luke",
        "surname": "purdon",
        "street_number": "23",
        "address_1": "ramsay place",
        "address_2": math.nan,
        "suburb": "garbutt",
        "postcode": "2260",
        "state": "vic",
        "date_of_birth": "19831024",
    }
    assert prep.canonical_from_febrl(record) == {
        "given_name": "luke",
        "surname": "purdon",
        "street_number": "23",
        "street": "ramsay place",
        "address_2": None,
        "suburb": "garbutt",
        "postcode": "2260",
        "state": "vic",
    }


@pytest.mark.parametrize(
    ("probabilities", "target", "expected"),
    [
        # Means from the top: 1.0, 0.99, 0.96 -> the first two pairs reach 0.99.
        ([0.9, 1.0, 0.98], 0.99, 0.98),
        # All three: mean 0.97 >= 0.95.
        ([0.9, 1.0, 0.98], 0.95, 0.9),
        # A tie at the edge is taken or left whole: {1.0, 0.8, 0.8} has mean 0.867 < 0.9,
        # so neither 0.8 is linked although {1.0, 0.8} alone would have mean 0.9.
        ([1.0, 0.8, 0.8], 0.9, 1.0),
        # Nothing qualifies.
        ([0.5, 0.4], 0.99, 1.0),
        ([], 0.99, 1.0),
    ],
)
def test_choose_threshold_keeps_expected_precision_at_target(
    probabilities: list[float], target: float, expected: float
) -> None:
    assert prep.choose_threshold(probabilities, target) == expected
