"""Average linkage: a scored match joins two clusters only where they agree as wholes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sync.config.reconcile import ReconcileConfig
from sync.reconcile.agreement import cluster_agreement
from sync.reconcile.cluster import Link, cluster
from sync.reconcile.entities import Entity, build_entity
from sync.reconcile.resolve import block, resolve_kind
from sync.reconcile.scoring import build_context, contradicts, score_pair

T0 = datetime(2025, 1, 1, tzinfo=UTC)
REVIEW = ReconcileConfig().people.review  # 5 with the hand-set weights
OFFICE = {
    "street": "12 Harbour St",
    "postal_code": "02110",
    "city": "Boston",
    "state": "MA",
    "country": "United States",
}


def person(rid: str, office: bool = False, **values: Any) -> Entity:
    row = {"source": "hubspot", "remote_id": rid, "remote_created_at": T0 + timedelta(minutes=1)}
    return build_entity("contacts", {**row, **(OFFICE if office else {}), **values})


def _office() -> list[Entity]:
    # Anna Lee and Anna Lea work at one office, each with a duplicate of her own: one
    # record with the office address, one with an e-mail address and no address.
    return [
        person("1", first_name="Anna", last_name="Lee", email="anna.lee@acme.com",
               phone="+1 617 555 0100", title="CTO"),
        person("2", True, first_name="Anna", last_name="Lee", phone="+1 617 555 0100",
               title="Analyst"),
        person("3", True, first_name="Anna", last_name="Lea", phone="+1 617 555 0199",
               title="Analyst"),
        person("4", first_name="Ana", last_name="Lea", email="anna.lea@gmail.com",
               phone="+1 617 555 0199", title="Chemist"),
    ]  # fmt: skip


def _scores(entities: list[Entity]) -> dict[tuple[int, int], float]:
    ctx = build_context(entities)
    return {
        (i, j): score_pair(entities[i], entities[j], ctx)[0]
        for i in range(len(entities))
        for j in range(i + 1, len(entities))
    }


def _keys(entities: list[Entity], clusters: list[list[int]]) -> list[set[str]]:
    return sorted(({entities[i].remote_id for i in c} for c in clusters), key=sorted)


def test_two_colleagues_duplicates_are_not_joined_by_one_pair() -> None:
    entities = _office()
    # Each one's own pair; the one pair that bridges them (a first name, a title and an
    # address in common, the surnames one letter apart: above the match threshold of 10);
    # and the three other pairs between them, below the review band of 5.
    assert _scores(entities) == {
        (0, 1): 16.0,
        (2, 3): 14.0,
        (1, 2): 12.5,
        (0, 2): 3.0,
        (0, 3): 1.0,
        (1, 3): 1.0,
    }
    links = [Link(0, 1, "match", 16.0), Link(2, 3, "match", 14.0), Link(1, 2, "match", 12.5)]
    ctx = build_context(entities)
    agrees = cluster_agreement(entities, ctx, REVIEW)
    result = cluster(entities, links, agrees=agrees)
    assert _keys(entities, result.clusters) == [{"1", "2"}, {"3", "4"}]
    assert result.refused == [(links[2], "the clusters disagree")]
    # Without the check the one pair joins both people.
    assert _keys(entities, cluster(entities, links).clusters) == [{"1", "2", "3", "4"}]


def test_the_whole_pipeline_keeps_the_colleagues_apart() -> None:
    entities = _office()
    result = resolve_kind("person", entities, ReconcileConfig())
    assert _keys(entities, result.clustering.clusters) == [{"1", "2"}, {"3", "4"}]
    assert result.stats["refused_links"] == 1


def test_candidates_handed_in_are_let_go_before_clustering() -> None:
    # A full run blocks once, for training and the run; the candidate pairs (200 MB at
    # 1 M people) are released before clustering, and the clusters are the same.
    entities = _office()
    config = ReconcileConfig()
    blocked = block(entities, config)
    compared = len(blocked[0])
    result = resolve_kind("person", entities, config, blocked=blocked)
    assert _keys(entities, result.clustering.clusters) == [{"1", "2"}, {"3", "4"}]
    assert result.stats["refused_links"] == 1 and result.stats["candidate_pairs"] == compared
    assert compared == 4 and len(blocked[0]) == 0


def test_a_record_typed_otherwise_joins_when_half_the_cluster_agrees() -> None:
    # One person's three records: the third, both names mistyped, agrees with the second
    # (a match: the office's address and title) but, without the e-mail and phone, only
    # weakly with the first. One pair of two reaches the review band: it joins.
    entities = [
        person("1", first_name="Anna", last_name="Lindqvist", email="anna@lindqvist.se",
               phone="+1 617 555 0100", title="CTO"),
        person("2", True, first_name="Anna", last_name="Lindqvist", phone="+1 617 555 0100",
               title="Analyst"),
        person("3", True, first_name="Anne", last_name="Lindqvsit", title="Analyst"),
    ]  # fmt: skip
    assert _scores(entities) == {(0, 1): 16.0, (0, 2): 4.0, (1, 2): 13.5}
    result = resolve_kind("person", entities, ReconcileConfig())
    assert _keys(entities, result.clustering.clusters) == [{"1", "2", "3"}]
    assert result.stats["refused_links"] == 0


def test_the_answer_is_the_count_of_every_pair_however_early_it_stops() -> None:
    # The check stops once half of the pairs reach the band (or more than half do not),
    # then once the pairs under the band holding evidence against are known to outnumber
    # those reaching it or not, and remembers the pairs it scored: the answer must be that
    # of counting every pair, for every two disjoint groups of these seven records (1,932),
    # asked twice.
    entities = [
        *_office(),
        person("5", True, first_name="Anne", last_name="Lee", title="Analyst"),
        person("6", first_name="Bo", last_name="Lea", email="anna.lea@gmail.com"),
        person("7", first_name="Anna"),  # a first name and nothing else: no evidence against
    ]
    ctx = build_context(entities)
    scores = _scores(entities)
    agrees = cluster_agreement(entities, ctx, REVIEW)
    answers = []
    for left_mask in range(1, 128):
        for right_mask in range(1, 128):
            if left_mask & right_mask:
                continue
            left = [n for n in range(7) if left_mask >> n & 1]
            right = [n for n in range(7) if right_mask >> n & 1]
            pairs = [(min(i, j), max(i, j)) for i in left for j in right]
            reached = sum(scores[p] >= REVIEW for p in pairs)
            against = sum(
                scores[p] < REVIEW and contradicts(entities[p[0]], entities[p[1]], ctx)
                for p in pairs
            )
            expected = reached >= against
            assert agrees(left, right) is expected and agrees(right, left) is expected
            answers.append((expected, 2 * reached >= len(pairs)))
    assert len(answers) == 1932
    # both answers, and joins that half of the pairs reaching the band would not make
    assert {found for found, _ in answers} == {True, False}
    assert (True, False) in answers


def _hugo(others: list[Entity]) -> list[Entity]:
    # A full record, the same man without his e-mail address, and two records that share
    # the full one's address with little else.
    return [
        person("1", first_name="Hugo", last_name="Kaur", city="London", email="h.k@sharp.com"),
        person("2", first_name="Hugo", last_name="Kaur", city="London"),
        *others,
    ]


def test_records_lacking_the_fields_to_compare_do_not_keep_clusters_apart() -> None:
    entities = _hugo(
        [person("3", first_name="Hugo", email="h.k@sharp.com"),
         person("4", city="London", email="h.k@sharp.com")]
    )  # fmt: skip
    # The man without an e-mail meets the two sparse records on a first name and a town,
    # under the review band of 5, with nothing that differs.
    assert _scores(entities) == {
        (0, 1): 9.5,
        (0, 2): 19.0,
        (0, 3): 15.0,
        (1, 2): 4.0,
        (1, 3): 0.5,
        (2, 3): 15.0,
    }
    links = [Link(0, 2, "match", 19.0), Link(0, 3, "match", 15.0), Link(0, 1, "match", 9.5)]
    agrees = cluster_agreement(entities, build_context(entities), REVIEW)
    result = cluster(entities, links, agrees=agrees)
    # One pair of three reaches the band, none speaks against: the four are one.
    assert _keys(entities, result.clusters) == [{"1", "2", "3", "4"}]
    assert result.refused == []


def test_records_that_differ_keep_clusters_apart() -> None:
    entities = _hugo(
        [person("3", first_name="Hugo", last_name="Khan", email="h.k@sharp.com"),
         person("4", last_name="Khan", city="London", email="h.k@sharp.com")]
    )  # fmt: skip
    assert _scores(entities) == {
        (0, 1): 9.5,
        (0, 2): 14.0,
        (0, 3): 11.0,
        (1, 2): -1.0,
        (1, 3): -3.5,
        (2, 3): 20.0,
    }
    links = [Link(2, 3, "match", 20.0), Link(0, 2, "match", 14.0), Link(0, 1, "match", 9.5)]
    agrees = cluster_agreement(entities, build_context(entities), REVIEW)
    result = cluster(entities, links, agrees=agrees)
    # Two pairs of three hold a different surname against one reaching the band.
    assert _keys(entities, result.clusters) == [{"1", "3", "4"}, {"2"}]
    assert result.refused == [(links[2], "the clusters disagree")]
