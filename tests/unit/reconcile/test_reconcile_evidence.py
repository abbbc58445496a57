"""Evidence beyond the name fields: the name an e-mail address spells, the job title, and
the street's own name (hand-made records, the hand-set weights and a trained model's)."""

from __future__ import annotations

from typing import Any

import pytest

from sync.reconcile.entities import Entity, build_entity
from sync.reconcile.mailnames import spells_name
from sync.reconcile.scoring import build_context, score_pair


def person(rid: str, **values: Any) -> Entity:
    row = {"source": "salesforce", "remote_id": rid, "country": "Germany", **values}
    return build_entity("leads", row)


def levels(a: Entity, b: Entity) -> dict[str, str]:
    _, raw = score_pair(a, b, build_context([a, b]))
    return {field: level for field, level, _, _ in raw}


@pytest.mark.parametrize(
    ("email", "first", "last"),
    [
        ("klausmarham72@outlook.com", "klaus", "marham"),
        ("kevans@sunbelt-nutrition.com", "katharina", "evans"),
        ("timothy.obrien@sternberg.nl", "timothy", "o brien"),
        ("marham.klaus@gmx.de", "klaus", "marham"),
    ],
)
def test_an_address_made_of_the_names_spells_them(email: str, first: str, last: str) -> None:
    assert spells_name([email], first, last)


@pytest.mark.parametrize(
    ("email", "first", "last"),
    [
        ("walterhalney83@yahoo.com", "walter", "holshaw"),  # another surname
        ("markthompson@x.com", "alba", "thompson"),  # another first name
        ("info@li-labs.com", "wei", "li"),  # a surname too short to tell
        ("jmarhamson@x.com", "klaus", "marham"),  # the surname inside another word
    ],
)
def test_an_address_of_other_names_does_not(email: str, first: str, last: str) -> None:
    assert not spells_name([email], first, last)


def test_a_mistyped_surname_agrees_where_the_address_spells_it() -> None:
    typed = person("1", first_name="Klaus", last_name="Mrahm", email="klausmarham72@outlook.com")
    other = person("2", first_name="Klaus", last_name="Marham")
    assert levels(typed, other)["last_name"] == "fuzzy"
    # Without the address the two surnames are only alike past a typo (two slips).
    bare = person("3", first_name="Klaus", last_name="Mrahm")
    assert levels(bare, other)["last_name"] == "similar"


def test_job_titles_are_compared() -> None:
    a = person("1", first_name="Walter", last_name="Holshaw", title="Analytical Chemist")
    b = person("2", first_name="Walter", last_name="Halney", title="Director of Operations")
    c = person("3", first_name="Walter", last_name="Holshaw", title="analytical  chemist")
    assert levels(a, b)["title"] == "other"
    assert levels(a, c)["title"] == "exact"
    assert "title" not in levels(a, person("4", first_name="Walter", title="n/a"))


def test_streets_with_other_names_are_different_whatever_words_they_share() -> None:
    def at(rid: str, street: str) -> Entity:
        return person(rid, last_name="Baredo", street=street, city="Madrid")

    gracia, alcala = at("1", "46 Avenida de Gracia"), at("2", "46 Avenida de Alcala")
    assert levels(gracia, alcala)["street"] == "different"
    # A second line, a cut-short type or a typo in the name still agree.
    assert levels(at("3", "73 Harrison Street"), at("4", "73 Harrison St Flat 79"))["street"] in (
        "exact",
        "fuzzy",
    )
    assert levels(at("5", "12 Dixondrive"), at("6", "12 Dixon Dr"))["street"] == "fuzzy"
    assert levels(at("7", "9 Calle Serrano"), at("8", "9 Calle Serano"))["street"] == "fuzzy"


def test_a_work_address_two_records_hold_is_one_mailbox_whatever_the_names() -> None:
    work = "bsherwood@farmaceutica-guadalquivir.es"
    a = person("1", first_name="Brio", last_name="Smith", email=work)
    b = person("2", first_name="Bruno", last_name="Sherwood", email=work)
    assert levels(a, b)["email"] == "exact"
    # Held by a third person too, it is a shared mailbox.
    c = person("3", first_name="Ana", last_name="Ruiz", email=work)
    _, raw = score_pair(a, b, build_context([a, b, c]))
    assert {f: lv for f, lv, _, _ in raw}["email"] == "shared"
    # A free-mail address two people use is a family's.
    home = "jonesandsmith@gmail.com"
    d = person("4", first_name="Mary", last_name="Jones", email=home)
    e = person("5", first_name="John", last_name="Smith", email=home)
    assert levels(d, e)["email"] == "shared"
