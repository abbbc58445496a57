"""An increment decides as a full run does where it does not score everything again: a
side's best link across CRMs may be an earlier match, and a record a guard kept from a
cluster is looked at again when that cluster changes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from reconcile_people import person
from sqlalchemy import Engine, insert

from sync.config.reconcile import ReconcileConfig
from sync.reconcile.entities import Entity
from sync.reconcile.persist import PAIRS, match_partners
from sync.reconcile.resolve import resolve_kind
from sync.store import open_store


def _person(key: str, *phones: str) -> Entity:
    name = {"first": "grace", "last": "morrison", "emails": ("grace@morrison.example",)}
    return person(key, phones=phones, **name)


def test_an_earlier_match_can_be_a_sides_best_link_across_crms_in_an_increment() -> None:
    # The new lead (0) is scored against the contacts; lead 1 and contact 2 matched before.
    new = _person("salesforce:leads:1", "+61399990000")
    earlier = _person("salesforce:leads:2", "+61388880000")
    contact = _person("hubspot:contacts:9", "+61388880000")
    closer = _person("hubspot:contacts:8", "+61399990000")  # the new lead's best: the phone too
    people = [new, earlier, contact, closer]
    config = ReconcileConfig()

    def status_of_new_and_contact(fixed: list[tuple[int, int, float]]) -> str:
        result = resolve_kind("person", people, config, only={0}, fixed_links=fixed)
        [status] = [p.status for p in result.pairs if (p.i, p.j) == (0, 2)]
        return status

    # Scored alone, the pair is the contact's best link into Salesforce: kept as a match.
    assert status_of_new_and_contact([]) == "match"
    # The contact's earlier match (the phone too) is stronger: the pair is neither side's
    # best, as a full run scoring every pair finds: kept for review.
    full = resolve_kind("person", people, config).pairs
    scores = {(p.i, p.j): p.score for p in full}
    assert min(scores[(0, 3)], scores[(1, 2)]) > scores[(0, 2)] >= config.people.match
    assert [p.status for p in full if (p.i, p.j) == (0, 2)] == ["review"]
    assert status_of_new_and_contact([(1, 2, scores[(1, 2)])]) == "review"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield engine
    engine.dispose()


def test_the_partners_of_stored_matches_outside_a_set_are_found_either_way(store: Engine) -> None:
    rows = [("a", "x", "match"), ("y", "a", "match"), ("b", "z", "review"), ("a", "b", "match")]
    with store.begin() as connection:
        connection.execute(
            insert(PAIRS),
            [
                {
                    "kind": "person",
                    "a_key": f"hubspot:contacts:{a}",
                    "b_key": f"hubspot:contacts:{b}",
                    "score": 20.0,
                    "status": status,
                    "detail": {"comparisons": []},
                }
                for a, b, status in rows
            ],
        )
        found = match_partners(connection, ["hubspot:contacts:a", "hubspot:contacts:b"])
    # "z" is only in the review band with "b": no link was refused there.
    assert found == {"hubspot:contacts:x", "hubspot:contacts:y"}
