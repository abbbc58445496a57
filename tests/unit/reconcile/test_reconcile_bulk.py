"""Bulk scoring gives ``score_pair``'s totals and decisions, pair for pair: on a generated
world of people with the corruption CRM data has (typos, nicknames, swapped and missing
names, several e-mails and phones, shared switchboards, company abbreviations, address
variants, conversions), under the hand-set weights, nested places and a trained model with
term frequencies."""

from __future__ import annotations

import gc
import random
import weakref
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from sync.config.reconcile import ReconcileConfig
from sync.reconcile.blocking import candidate_pairs
from sync.reconcile.bulk import PersonCodes, bulk_totals, observations, scored_pairs
from sync.reconcile.entities import Entity, build_entity
from sync.reconcile.learn import LearnSettings, train
from sync.reconcile.resolve import resolve_kind, thresholds_for
from sync.reconcile.scoring import ScoreContext, build_context, score_pair, weighed

NOW = datetime(2026, 11, 15, tzinfo=UTC)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FIRST = ("robert", "bob", "william", "bill", "katherine", "kate", "anna", "jose", "li", "ann")
LAST = ("smith", "smyth", "van dyke", "novak", "o'brien", "nguyen", "garrard", "weavell", "ng")
COMPANIES = (
    "international business machines", "ibm", "acme", "acme corp", "globex", "[not provided]",
)  # fmt: skip
STREETS = ("12 dixon drive", "12 dixondrive", "7 harrison st", "7 harrison treet flat 2",
           "59 cedar pl", "6 cedar wy", "3 avenida de gracia", "3 avenida de alcala")  # fmt: skip
CITIES = ("st james", "st jmaes", "toowoomba", "toowoonba", "gol gol", "sydney")
STATES = ("nsw", "new south wales", "vic", "ma", "massachusetts")


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 3 or rng.random() < 0.5:
        return word
    i = rng.randrange(len(word) - 1)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # two letters swapped


def _row(rng: random.Random, n: int, person: dict[str, Any]) -> dict[str, Any]:
    first, last = person["first"], person["last"]
    if rng.random() < 0.1:
        first, last = last, first
    if rng.random() < 0.06:
        first = ""  # one name only: score_pair's own path
    emails = [e for e in person["emails"] if rng.random() < 0.7]
    phones = [p for p in person["phones"] if rng.random() < 0.7]
    return {
        "source": rng.choice(("salesforce", "hubspot")),
        "remote_id": f"r{n}",
        "remote_created_at": person["created"],
        "first_name": _typo(rng, first),
        "last_name": _typo(rng, last),
        "email": emails[0] if emails else None,
        "other_emails": emails[1:],
        "phone": phones[0] if phones else None,
        "mobile": phones[1] if len(phones) > 1 else None,
        "company": person["company"] if rng.random() < 0.8 else None,
        "title": rng.choice(("buyer", "cfo", None)),
        "street": rng.choice(person["streets"]),
        "city": _typo(rng, person["city"]),
        "postal_code": _typo(rng, person["postcode"]) if rng.random() < 0.9 else None,
        "state": rng.choice(person["states"]),
        "country": "Australia",
    }


def _world(seed: int = 7, size: int = 90) -> list[Entity]:
    rng = random.Random(seed)
    entities: list[Entity] = []
    for n in range(size):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        person = {
            "first": first,
            "last": last,
            "emails": [
                f"{first[0]}{last.replace(' ', '')}@{rng.choice(('gmail.com', 'acme.com'))}",
                f"{first}.{n}@example.org",
                "info@acme.com",
            ],
            "phones": [f"+61 2 9{n % 50:03d} 1{n % 7:03d}", "+61 2 9000 0000"],
            "company": rng.choice(COMPANIES),
            "streets": [STREETS[n % 8], STREETS[(n + 1) % 8]],
            "city": rng.choice(CITIES),
            "postcode": f"{2000 + n % 40}",
            "states": rng.sample(STATES, 2),
            "created": T0 + timedelta(minutes=n),
        }
        for copy in range(rng.choice((1, 2, 3))):
            row = _row(rng, len(entities), person)
            table = "leads" if copy == 1 else "contacts"
            if table == "leads" and rng.random() < 0.5:
                # converted: its contact created at the conversion instant, up to a minute on
                row |= {
                    "converted": True,
                    "converted_at": person["created"] + timedelta(seconds=30),
                }
                row["source"] = "salesforce"
            if row["company"] and rng.random() < 0.3:
                row["account_id"] = f"a{n % 9}"
            accounts = {(row["source"], f"a{k}"): (f"co {k % 4}", None) for k in range(9)}
            entities.append(build_entity(table, row, accounts))
    return entities


_ORG_OF = {
    f"{s}:accounts:a{k}": f"org-{k % 5}" for s in ("salesforce", "hubspot") for k in range(9)
}


def _contexts(people: list[Entity]) -> dict[str, ScoreContext]:
    org_of = _ORG_OF
    pairs = candidate_pairs(people, 200)
    settings = LearnSettings(random_pairs=5_000, min_level_pairs=5)
    model = train("person", people, pairs, build_context(people, nested_places=True), NOW, settings)
    assert model.terms  # term-frequency weights are compared too
    return {
        "hand-set": build_context(people, org_of),
        "nested places": build_context(people, org_of, nested_places=True),
        "trained": build_context(people, org_of, 1, model.weights, model.terms),
    }


@pytest.mark.parametrize("seed", [7, 11])
def test_bulk_totals_are_score_pairs_totals(seed: int) -> None:
    people = _world(seed)
    left, right = candidate_pairs(people, 200).arrays()
    assert len(left) > 1_000
    for name, ctx in _contexts(people).items():
        totals, python = bulk_totals(people, left, right, ctx)
        # Most pairs are scored in bulk; the rest (a lone name, 3+ e-mails) by score_pair.
        assert python.mean() < 0.25, name
        for k in np.flatnonzero(~python).tolist():
            expected, raw = score_pair(people[left[k]], people[right[k]], ctx)
            # The same additions in the same order: equal, not merely close (tolerance 0).
            assert round(float(totals[k]), 2) == expected, (name, raw)


def test_bulk_keeps_the_pairs_and_comparisons_score_pair_keeps() -> None:
    people = _world(3, 100)
    pairs = candidate_pairs(people, 200)
    left, right = pairs.arrays()
    for name, ctx in _contexts(people).items():
        scores = [(i, j, *score_pair(people[i], people[j], ctx)) for i, j in pairs]
        for floor in (-5.0, 4.0, 10.0):
            expected = [found for found in scores if found[2] >= floor]
            assert list(scored_pairs(people, left, right, ctx, floor)) == expected, name


def test_a_run_decides_as_before_on_every_pair() -> None:
    people = _world(5, 100)
    config = ReconcileConfig()
    result = resolve_kind("person", people, config)
    ctx = build_context(people, None, config.shared_phone_limit)
    limits = thresholds_for("person", config)
    kept = {(p.i, p.j): (p.score, p.raw()) for p in result.pairs if p.status in ("match", "review")}
    for i, j in candidate_pairs(
        people, config.max_block_size, max_key_records=config.max_key_records
    ):
        total, raw = score_pair(people[i], people[j], ctx)
        assert ((i, j) in kept) == (total >= limits.review)
        if (i, j) in kept:
            assert kept[(i, j)] == (total, raw)


def test_a_run_given_codes_decides_as_without_and_lets_them_go_once_scored() -> None:
    # A full run's codes are half a gigabyte at 1 M people: not held through clustering.
    people = _world(5, 100)
    config = ReconcileConfig()
    ctx = build_context(people, None, config.shared_phone_limit)
    codes = PersonCodes(people, ctx)
    scorer = codes.scorer(ctx)
    assert scorer is not None
    freed = weakref.ref(scorer)
    del scorer
    given = resolve_kind("person", people, config, context=ctx, codes=codes)
    alone = resolve_kind("person", people, config, context=ctx)
    assert given.pairs == alone.pairs
    assert given.clustering.clusters == alone.clustering.clusters
    assert len(given.pairs) > 50
    assert codes.records is None and freed() is None
    assert codes.scorer(ctx) is None  # released: scoring makes a scorer of its own


def test_training_reads_the_patterns_score_pair_gives() -> None:
    people = _world(13)
    pairs = candidate_pairs(people, 200)
    adjusted = {"first_name", "last_name", "street", "postal_code"}
    for name, ctx in _contexts(people).items():
        expected = []
        for i, j in pairs:
            raw = score_pair(people[i], people[j], ctx)[1]
            expected.append(
                (
                    tuple(sorted((c[0], c[1]) for c in raw)),
                    tuple(sorted((c[0], c[2], c[3]) for c in raw if c[0] in adjusted)),
                )
            )
        found = list(observations(people, pairs, ctx, lambda fld, _: fld in adjusted))
        assert found == expected, name


def test_codes_made_once_serve_training_and_the_run() -> None:
    people = _world(3, 100)
    pairs = candidate_pairs(people, 200)
    left, right = pairs.arrays()
    trained = _contexts(people)["trained"]
    counts = build_context(people, _ORG_OF)
    codes = PersonCodes(people, counts)
    adjusted = {"first_name", "last_name", "street", "postal_code"}

    def tf(fld: str, _: str) -> bool:
        return fld in adjusted

    contexts = [
        counts,
        weighed(counts, nested_places=True),  # training's
        weighed(counts, trained.weights, trained.terms),  # the run's, with the model
    ]
    # The same context build_context makes, without counting the records again.
    assert contexts[1] == build_context(people, _ORG_OF, nested_places=True)
    assert contexts[2] == trained
    for ctx in contexts:
        assert codes.scorer(ctx) is not None
        for floor in (-5.0, 4.0):
            shared = list(scored_pairs(people, left, right, ctx, floor, codes))
            assert shared == list(scored_pairs(people, left, right, ctx, floor))
        assert list(observations(people, pairs, ctx, tf, codes)) == list(
            observations(people, pairs, ctx, tf)
        )
    # Records counted apart (another store's counts): these codes do not serve them.
    assert codes.scorer(build_context(people, _ORG_OF)) is None


def test_a_scorer_is_freed_with_its_codes_without_the_cyclic_collector() -> None:
    # A scorer holds every entity: a reference cycle through it kept a million people
    # alive past their run, until the cyclic collector ran.
    people = _world(seed=3)
    ctx = _contexts(people)["hand-set"]
    codes = PersonCodes(people, ctx)
    scorer = codes.scorer(ctx)
    assert scorer is not None
    freed = weakref.ref(scorer)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        del codes, scorer
        assert freed() is None
    finally:
        if was_enabled:
            gc.enable()
