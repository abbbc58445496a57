"""The learned matcher: EM recovers known rates, the model's thresholds follow from the
precision target, the same records train the same model, and a level the data says
nothing about keeps its hand-set weight."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime
from itertools import product

import pytest
from reconcile_people import lead

from sync.config.reconcile import Learning, ReconcileConfig
from sync.reconcile.blocking import candidate_pairs
from sync.reconcile.entities import Entity
from sync.reconcile.frequencies import RARE_BONUS, term_weights
from sync.reconcile.learn import LearnSettings, Model, Pattern, estimate, train
from sync.reconcile.resolve import resolve_kind, thresholds_for
from sync.reconcile.scoring import WEIGHTS, build_context, score_pair

NOW = datetime(2026, 11, 15, tzinfo=UTC)
FIELDS = ("first_name", "last_name", "street")
M_AGREE, U_NEAR, U_RANDOM = 0.9, 0.2, 0.01


def _patterns(share: float, agree: float, total: float) -> Counter[Pattern]:
    """Expected counts of each pattern among ``total`` pairs of which ``share`` are matches,
    a match agreeing on each field with M_AGREE and a non-match with ``agree``."""
    found: Counter[Pattern] = Counter()
    for levels in product(("exact", "different"), repeat=len(FIELDS)):
        pattern = tuple(zip(FIELDS, levels, strict=True))
        p_match = math.prod(M_AGREE if lv == "exact" else 1 - M_AGREE for lv in levels)
        p_other = math.prod(agree if lv == "exact" else 1 - agree for lv in levels)
        found[pattern] = total * (share * p_match + (1 - share) * p_other)  # type: ignore[assignment]
    return found


def test_em_recovers_the_rates_the_pairs_were_drawn_with() -> None:
    # Blocked pairs: 30% matches; the non-matches blocking kept agree more often (0.2)
    # than random pairs do (0.01), as colleagues and neighbours do.
    blocked = _patterns(0.3, U_NEAR, 100_000)
    randoms = _patterns(0.0, U_RANDOM, 100_000)
    m, u, share, iterations = estimate(blocked, randoms, LearnSettings(iterations=500))
    assert share == pytest.approx(0.3, abs=1e-3)
    for field in FIELDS:
        assert m[field]["exact"] == pytest.approx(M_AGREE, abs=1e-3)
        assert u[field]["exact"] == pytest.approx(U_RANDOM, abs=1e-4)
    assert iterations < 500  # it converged before the limit


def _person(n: int, first: str, last: str, street: str, postcode: str, city: str) -> Entity:
    house = str(n % 90 + 1)
    return lead(n, first=first, last=last, house=house, street=street, postcode=postcode, city=city)


FIRST = ("anna", "ben", "carla", "dev", "emil", "fay", "gus", "hana", "ivo", "jana")
LAST = ("lee", "moss", "novak", "ortiz", "park", "quinn", "reyes", "sato", "tan", "urban")
STREETS = ("oak st", "elm rd", "pine ave", "ash ct", "bay pde", "cove ln", "dale st", "fern rd")


def _people() -> list[Entity]:
    """200 people, each second one a copy (every other copy with a typo in the surname):
    100 true pairs."""
    found = []
    for n in range(100):
        first, last = FIRST[n % 10], LAST[(n // 10) % 10]
        street, postcode, city = STREETS[n % 8], f"{2000 + n}", f"town {n % 13}"
        found.append(_person(2 * n, first, last, street, postcode, city))
        typo = last[:-1] + last[-1] * 2 if n % 2 else last  # every second copy: a typo
        found.append(_person(2 * n, first, typo, street, postcode, city))
    for n, entity in enumerate(found):  # distinct keys; the copy keeps its house number
        object.__setattr__(entity, "key", f"salesforce:leads:{n:04d}")
        object.__setattr__(entity, "remote_id", f"{n:04d}")
    return found


def _trained(people: list[Entity]) -> Model:
    pairs = candidate_pairs(people, 200)
    settings = LearnSettings(random_pairs=5_000, min_level_pairs=5)
    context = build_context(people, nested_places=True)  # as training.train_kind does
    return train("person", people, pairs, context, NOW, settings)


def test_the_same_records_train_the_same_model_and_version() -> None:
    people = _people()
    first, second = _trained(people), _trained(list(people))
    assert first.body() == second.body()
    later = Model.from_body({**first.body(), "trained_at": "2027-01-01T00:00:00+00:00"})
    assert later.version == first.version  # the version is the parameters' digest
    assert Model.from_body(first.body()) == first


def test_a_field_the_records_never_fill_keeps_its_hand_set_weight() -> None:
    model = _trained(_people())
    assert "email/exact" not in model.learned  # no e-mail anywhere
    assert model.weights[("email", "exact")] == WEIGHTS[("email", "exact")] == 12.0
    assert "last_name/fuzzy" in model.learned  # half the true pairs have a surname typo
    assert model.weights[("last_name", "fuzzy")] > 0


def test_thresholds_follow_from_the_precision_target_and_the_prior() -> None:
    # Prior -10: a score of 10 is even odds. The training sample scored 90 pairs at 30,
    # 10 at 10 (p = 0.5) and 100 at 5 (p = 1/33).
    scores = [[30.0, 90], [10.0, 10], [5.0, 100]]
    model = Model.from_body({**_trained(_people()).body(), "prior": -10.0, "scores": scores})
    config = ReconcileConfig(learning=Learning(precision=0.99, review_probability=0.5))
    limits = thresholds_for("person", config, model)
    # Taking the pairs at 10 would bring the expected precision to 95/100: the threshold
    # stays where one pair alone reaches 0.99.
    assert limits.match == round(math.log2(99) + 10, 2) == 16.63
    assert limits.review == 10.0
    # At a 0.9 target the pairs at 10 are taken (mean 0.95) unless the floor on each
    # pair's own probability (0.9 by default) leaves them out; those at 5 never are.
    assert model.link_threshold(0.9, floor=0.5) == 10.0
    assert model.link_threshold(0.9) == model.threshold(0.9) == 13.17
    assert thresholds_for("person", config) == config.people  # no model: as configured


def test_the_trained_model_links_the_typo_pairs_and_nobody_else() -> None:
    people = _people()
    model = _trained(people)
    # 200 records are little to learn from: the typo pairs reach p = 0.986, so the target
    # is set at 0.95 here (at the default 0.99 they would be left for review).
    config = ReconcileConfig(learning=Learning(precision=0.95))
    result = resolve_kind("person", people, config, model=model)
    clusters = sorted(sorted(people[i].key for i in c) for c in result.clustering.clusters)
    expected = sorted([f"salesforce:leads:{2 * n:04d}", f"salesforce:leads:{2 * n + 1:04d}"]
                      for n in range(100))  # fmt: skip
    assert clusters == expected


def test_a_record_with_no_usable_field_stays_its_own_identity() -> None:
    people = _people()
    blank = Entity(
        key="hubspot:contacts:9",
        kind="person",
        source="hubspot",
        table="contacts",
        remote_id="9",
    )
    model = _trained(people)
    result = resolve_kind("person", [*people, blank], ReconcileConfig(), model=model)
    alone = [c for c in result.clustering.clusters if len(people) in c]
    assert alone == [[len(people)]]


def test_a_rare_surname_agreeing_weighs_more_than_a_common_one() -> None:
    m = {"last_name": {"exact": 0.9, "fuzzy": 0.05, "different": 0.05}}
    terms = term_weights(
        m, {"last_name/exact": 6.0}, {"last_name": {"smith": 50}}, {"last_name": 1000}
    )
    level, by_value, rare = terms["last_name"]
    assert level == "exact"
    assert by_value == {"smith": round(math.log2(0.9 / 0.05), 2)} == {"smith": 4.17}
    # Seen once, or never: log2(0.9 / 0.001) = 9.81, capped at the level's average weight
    # plus RARE_BONUS (2): a rare value weighs a little more than the average, never 9.81.
    assert rare == 6.0 + RARE_BONUS == 8.0
    context = build_context([], terms=terms)
    smiths = _person(1, "", "smith", "", "", ""), _person(2, "", "smith", "", "", "")
    rare_pair = _person(3, "", "wieloch", "", "", ""), _person(4, "", "wieloch", "", "", "")
    assert score_pair(*smiths, context)[0] == 4.17
    assert score_pair(*rare_pair, context)[0] == 8.0
    # A field whose exact level was not learned keeps the plain weight.
    assert "first_name" not in terms


def test_crossed_names_are_read_with_each_name_where_it_is_common() -> None:
    # "smith rachel" / "rachel smith": either record may hold its names in the wrong
    # columns. Read with "smith" as a first name, never seen there, both names weighed as
    # rare; read as the surname it is, it weighs as the common surname it is.
    m = {"first_name": {"exact": 0.9}, "last_name": {"exact": 0.9}}
    terms = term_weights(
        m,
        {"first_name/exact": 7.0, "last_name/exact": 9.0},
        {"last_name": {"smith": 50}, "first_name": {"rachel": 10}},
        {"last_name": 1000, "first_name": 1000},
    )
    context = build_context([], terms=terms)
    crossed = _person(1, "smith", "rachel", "", "", ""), _person(2, "rachel", "smith", "", "", "")
    total, raw = score_pair(*crossed, context)
    assert raw == [
        ("first_name", "exact", "rachel", "rachel"),
        ("last_name", "exact", "smith", "smith"),
    ]
    # log2(0.9 / 0.01) = 6.49 for rachel, log2(0.9 / 0.05) = 4.17 for smith.
    assert total == 10.66
    # Without frequencies both readings weigh alike: the first is kept.
    assert score_pair(*crossed, build_context([]))[1] == [
        ("first_name", "exact", "smith", "smith"),
        ("last_name", "exact", "rachel", "rachel"),
    ]
