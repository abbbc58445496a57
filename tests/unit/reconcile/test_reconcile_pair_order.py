"""A pair scores the same whichever of its records comes first: an increment lists its
records in another order than a full run, and the two must store the same pairs."""

from __future__ import annotations

import numpy as np

from sync.reconcile.bulk import bulk_totals
from sync.reconcile.entities import Entity, build_entity
from sync.reconcile.scoring import WEIGHTS, build_context, score_pair

# A trained model's term weights for the street: the house on Maple Ave is rarer than the
# street, and a street the model never saw weighs the default.
TERMS = {"street": ("exact", {"152 maple ave": 18.5, "maple ave": 11.25}, 14.0)}


def _person(source: str, street: str) -> Entity:
    row = {"source": source, "remote_id": "1", "first_name": "Brenda", "last_name": "Smith"}
    return build_entity("contacts", {**row, "street": street, "city": "Lyon"})


def test_a_street_given_with_and_without_its_number_weighs_the_commoner_value_either_way() -> None:
    numbered, bare = _person("hubspot", "152 Maple Ave"), _person("salesforce", "Maple Ave")
    people = [numbered, bare]
    context = build_context(people, weights=dict(WEIGHTS), terms=TERMS)
    forward, raw = score_pair(numbered, bare, context)
    backward, _ = score_pair(bare, numbered, context)
    street = [c for c in raw if c[0] == "street"]
    assert street == [("street", "exact", "152 maple ave", "maple ave")]
    assert forward == backward
    # the street's weight is the commoner value's: 11.25, not the house's 18.5
    without = {**TERMS, "street": ("exact", {}, 11.25)}
    assert (
        forward
        == score_pair(numbered, bare, build_context(people, None, 1, dict(WEIGHTS), without))[0]
    )
    # the bulk scorer adds the same, in either order
    totals, python = bulk_totals(people, np.array([0, 1]), np.array([1, 0]), context)
    assert not python.any()
    assert [round(float(t), 2) for t in totals] == [forward, forward]
