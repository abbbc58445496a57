"""Normalisation: e-mails, phones, names, companies, domains, countries, nicknames."""

from __future__ import annotations

import pytest

from sync.reconcile.nicknames import name_forms, same_first_name
from sync.reconcile.normalize import (
    company_key,
    country_region,
    domain_of,
    email_key,
    fold,
    is_free_mail,
    name_key,
    phone_key,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Ann.Lee@Acme.COM ", "ann.lee@acme.com"),
        ("ann+news@gmail.com", "ann@gmail.com"),
        ("a.n.n@googlemail.com", "ann@gmail.com"),
        ("ann+tag@acme.com", "ann+tag@acme.com"),  # plus kept where it is not a known alias
        ("noemail@example.com", None),
        ("n/a", None),
        ("N/A", None),
        ("none@none.com", None),
        ("test@test.com", None),
        ("", None),
        (None, None),
        ("not an address", None),
    ],
)
def test_email_key(raw: str | None, expected: str | None) -> None:
    assert email_key(raw) == expected


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("+44 201 961 886", "GB", "+44201961886"),
        ("0033.45493669", "FR", "+3345493669"),
        ("(+33) 411 060 28", "FR", "+3341106028"),
        ("(617) 555-0101", "US", "+16175550101"),
        ("617.555.0101", "US", "+16175550101"),
        ("932 500 451", "ES", "+34932500451"),
        ("020 7946 0018", "GB", "+442079460018"),
        ("12", "US", None),
        ("", "US", None),
        (None, None, None),
    ],
)
def test_phone_key_gives_e164(raw: str | None, region: str | None, expected: str | None) -> None:
    assert phone_key(raw, region) == expected


def test_names_fold_accents_case_and_titles() -> None:
    assert fold("Ñúñez-Pérez") == "nunez perez"
    assert name_key("Dr. José") == "jose"
    assert name_key("SCHRÖDER") == "schroder"


def test_letters_without_a_decomposition_fold_to_their_base_letters() -> None:
    assert [name_key(n) for n in ("Łukasz", "Đorđević", "Þórsdóttir", "Søren", "Œdipe")] == [
        "lukasz",
        "dordevic",
        "thorsdottir",
        "soren",
        "oedipe",
    ]


@pytest.mark.parametrize(
    ("a", "b"),
    [("bob", "robert"), ("pepe", "jose"), ("paco", "francisco"), ("chris", "christopher")],
)
def test_nicknames_are_the_same_first_name(a: str, b: str) -> None:
    assert same_first_name(a, b)
    assert same_first_name(b, a)


def test_a_short_form_may_stand_for_several_names() -> None:
    assert name_forms("chris") == {"chris", "christopher", "christine"}
    assert not same_first_name("christopher", "christine")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("The Farmacéutica Guadalquivir, Ltd", "farmaceutica guadalquivir"),
        ("Lone Star Refining S.A.", "lone star refining"),
        ("LONE STAR REFINING, S.A", "lone star refining"),
        ("Acme Inc.", "acme"),
        ("Acme GmbH & Co. KG", "acme"),
    ],
)
def test_company_key_drops_suffixes_articles_and_punctuation(raw: str, expected: str) -> None:
    assert company_key(raw) == expected


def test_domains_come_from_websites_and_never_from_free_mail() -> None:
    assert domain_of("https://www.Acme.com/about") == "acme.com"
    assert domain_of("www.lone-star.es") == "lone-star.es"
    assert domain_of("gmail.com") is None
    assert is_free_mail("hotmail.es")
    assert not is_free_mail("acme.com")


def test_country_names_and_codes_become_regions() -> None:
    assert country_region("United Kingdom") == "GB"
    assert country_region("Spain") == "ES"
    assert country_region("España") == "ES"
    assert country_region("de") == "DE"
    assert country_region("Atlantis") is None
