"""The scale-up's replicas (bench/synthetic_people.py): other people, their duplicates kept."""

from __future__ import annotations

from typing import Any

from bench_scripts import load
from rapidfuzz.distance import Levenshtein

Replicas = load("synthetic_people.py").Replicas


def _person(first: str, last: str, email: str | None, **more: Any) -> dict[str, Any]:
    row = {
        "remote_id": "00Q1",
        "first_name": first,
        "last_name": last,
        "email": email,
        "phone": "+14155550123",
        "mobile": None,
        "city": "Toronto",
        "state": "ON",
        "street": None,
        "postal_code": None,
        "company": None,
        "remote_created_at": "2026-01-02 03:04:05.000000",
        "remote_updated_at": None,
        "raw": '{"Id": "00Q1"}',
    }
    return row | more


# the medium world's people, as far as the replicas learn names from them
PEOPLE = [
    _person("Anna", "Whitmore", None),
    _person("Anna", "Whitmore", None),
    _person("Whitmroe", "Anna", None),  # names swapped, the surname typed with a typo
    _person("Miuhael", "Calder", None),  # a given name with a typo
    _person("Brian", "Calder", None),
]


def test_replica_zero_is_the_record_itself() -> None:
    replicas = Replicas(PEOPLE, names_only=False)
    row = _person("Anna", "Whitmore", "anna.whitmore@acme.com", street="12 Flat Street")
    copy = replicas.person(row, 0)
    assert copy == row | {"raw": "{}"}


def test_a_surname_is_enciphered_alike_wherever_it_stands() -> None:
    replicas = Replicas(PEOPLE, names_only=False)
    surname = replicas.person(_person("Anna", "Whitmore", None), 1)["last_name"]
    assert surname != "Whitmore" and len(surname) == len("Whitmore")
    swapped = replicas.person(_person("Whitmore", "Anna", None), 1)
    assert (swapped["first_name"], swapped["last_name"]) == (surname, "Anna")
    folded = surname.lower()
    emails = {
        "anna.whitmore@gmail.com": f"anna.{folded}@gmail.com",
        "annawhitmore77@gmail.com": f"anna{folded}",
        "awhitmore@acme.com": f"a{folded}@r1.acme.com",
    }
    for email, expected in emails.items():
        moved = replicas.person(_person("Anna", "Whitmore", email), 1)["email"]
        assert moved.startswith(expected), (email, moved)


def test_typos_keep_their_distance_and_replicas_are_strangers() -> None:
    replicas = Replicas(PEOPLE, names_only=False)
    one = replicas.person(_person("Anna", "Whitmore", None), 1)["last_name"].lower()
    typo = replicas.person(_person("Anna", "Whitmroe", None), 1)["last_name"].lower()
    other = replicas.person(_person("Anna", "Whitmore", None), 2)["last_name"].lower()
    assert Levenshtein.distance(one, typo) == Levenshtein.distance("whitmore", "whitmroe") == 2
    assert Levenshtein.distance(one, other) >= 5


def test_shared_words_stay_as_they_are() -> None:
    replicas = Replicas(PEOPLE, names_only=False)
    row = _person(
        "Miuhael",
        "Calder",
        None,
        street="Flat 7, 221 Harbour Street",
        postal_code="M5V 3L9",
        company="Calder Holdings Ltd",
    )
    copy = replicas.person(row, 3)
    assert copy["first_name"] == "Miuhael"  # a given name, typo and all
    assert (copy["city"], copy["state"]) == ("Toronto", "ON")
    street = copy["street"].split()
    assert street[0] == "Flat" and street[-1] == "Street"
    assert street[1] != "7," and street[3] != "Harbour"
    assert copy["company"].endswith(" Ltd") and not copy["company"].startswith("Calder")
    assert copy["postal_code"] != "M5V 3L9" and len(copy["postal_code"]) == 7


def test_accents_go_before_the_substitution() -> None:
    replicas = Replicas(PEOPLE, names_only=False)
    plain = replicas.person(_person("Nuria", "Dunridge", None), 1)["last_name"]
    accented = replicas.person(_person("Nuria", "DUNRÍDGE", None), 1)["last_name"]
    assert accented == plain.upper()


def test_free_mail_stays_personal_and_placeholders_stay() -> None:
    replicas = Replicas(PEOPLE, names_only=False)

    def moved(email: str) -> str:
        return replicas.person(_person("Anna", "Whitmore", email), 2)["email"]

    assert moved("anna@gmail.com") == "annaac@gmail.com"  # nothing enciphered: marked
    assert moved("none@none.com") == "none@none.com"
    assert moved("anna@acme.com") == "anna@r2.acme.com"


def test_names_only_marks_surnames_towns_and_addresses() -> None:
    replicas = Replicas(PEOPLE, names_only=True)
    row = _person("Anna", "Whitmore", "anna.whitmore@gmail.com")
    copy = replicas.person(row, 2)
    assert (copy["last_name"], copy["city"]) == ("Whitmoreac", "Toronto 2")
    assert copy["email"] == "anna.whitmoreac@gmail.com"
    assert replicas.person(row | {"email": "anna@acme.com"}, 2)["email"] == "annaac@r2.acme.com"
    assert copy["phone"] != row["phone"] and copy["remote_id"] == "00Q1-2"
