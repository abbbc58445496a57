"""Candidate pairs from block keys in numpy: blocks, caps, conversion blocks, ``only``."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from sync.reconcile.blocking import BlockingStats, candidate_pairs
from sync.reconcile.entities import Entity, build_entity
from sync.reconcile.pairs import PairCodes, blocks_of

INSTANT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def test_blocks_keep_shared_keys_in_first_seen_order_and_name_the_capped_ones() -> None:
    keys = [["e:a", "p:1"], ["e:a", "x:solo"], ["p:1", "e:a"], ["p:1"]]
    blocks, capped = blocks_of(keys, max_records=3)
    # "e:a" is held by 3 records (kept at the cap), "p:1" by 3, "x:solo" by one (no block).
    assert [blocks.kind_names[k] for k in blocks.kinds.tolist()] == ["e", "p"]
    assert [blocks.of(b).tolist() for b in range(len(blocks))] == [[0, 1, 2], [0, 2, 3]]
    assert len(capped) == 0 and blocks.kind_counts() == {"e": 1, "p": 1}
    blocks, capped = blocks_of(keys, max_records=2)
    assert len(blocks) == 0 and capped.kind_counts() == {"e": 1, "p": 1}
    assert capped.sizes.tolist() == [3, 3]
    # Keys are told apart by their whole text, kinds by the text before the first ":".
    blocks, capped = blocks_of([["p:1", "p:2"], ["p:2"], ["p:1"]], max_records=5)
    assert [blocks.of(b).tolist() for b in range(len(blocks))] == [[0, 2], [0, 1]]
    assert blocks.kind_counts() == {"p": 2} and blocks.of_kind("e").tolist() == [False, False]


def test_pair_codes_decode_in_index_order_and_answer_membership() -> None:
    pairs = PairCodes(np.array([1 * 5 + 3, 0 * 5 + 4, 0 * 5 + 1], dtype=np.int64)[[2, 1, 0]], 5)
    assert list(pairs) == [(0, 1), (0, 4), (1, 3)]
    assert pairs[2] == (1, 3) and len(pairs) == 3
    assert (3, 1) in pairs and (1, 3) in pairs and (2, 3) not in pairs and "x" not in pairs


def test_pair_codes_among_wanted_records_and_let_go() -> None:
    codes = PairCodes(np.array([0 * 6 + 1, 0 * 6 + 5, 1 * 6 + 2, 2 * 6 + 3, 3 * 6 + 5]), 6)
    wanted = np.array([True, True, False, True, False, True])
    among = codes.among(wanted)
    # Only pairs whose two records are wanted: (1, 2) and (2, 3) name record 2.
    assert list(among) == [(0, 1), (0, 5), (3, 5)] and (1, 2) not in among
    assert list(codes.among(np.zeros(6, dtype=np.bool_))) == []
    codes.release()
    assert len(codes) == 0 and list(codes) == [] and (0, 1) not in codes
    assert list(among) == [(0, 1), (0, 5), (3, 5)]  # a copy of its own


def _person(table: str, rid: str, **values: object) -> Entity:
    return build_entity(table, {"source": "zoho", "remote_id": rid, **values})


def test_pair_codes_decode_a_slice_at_a_time_as_all_at_once() -> None:
    codes = PairCodes(np.array([1 * 7 + 2, 1 * 7 + 5, 3 * 7 + 4, 4 * 7 + 6, 5 * 7 + 6]), 7)
    sliced = list(codes.slices(2))
    assert [(left.tolist(), right.tolist()) for left, right in sliced] == [
        ([1, 1], [2, 5]),
        ([3, 4], [4, 6]),
        ([5], [6]),
    ]
    left, right = codes.arrays()
    assert np.concatenate([s[0] for s in sliced]).tolist() == left.tolist()
    assert np.concatenate([s[1] for s in sliced]).tolist() == right.tolist()
    assert {s[0].dtype for s in sliced} == {left.dtype} == {np.dtype(np.int32)}


def test_a_conversion_instant_pairs_leads_with_contacts_only() -> None:
    # One import created two contacts at the instant a lead was converted: the lead meets
    # each contact, the contacts never meet each other through that instant.
    people = [
        _person("contacts", "c1", remote_created_at=INSTANT, last_name="Ames"),
        _person("leads", "l1", converted=True, converted_at=INSTANT, last_name="Bell"),
        _person("contacts", "c2", remote_created_at=INSTANT, last_name="Cole"),
    ]
    stats = BlockingStats()
    assert list(candidate_pairs(people, max_block=200, stats=stats)) == [(0, 1), (1, 2)]
    assert stats.blocks == 1 and stats.pairs == 2
    # The same instant on contacts alone is one import: no block at all.
    stats = BlockingStats()
    assert list(candidate_pairs([people[0], people[2]], max_block=200, stats=stats)) == []
    assert stats.blocks == 0


def test_only_keeps_the_pairs_touching_the_given_records() -> None:
    people = [_person("contacts", str(n), phone="+61 2 9999 0000") for n in range(4)]
    assert list(candidate_pairs(people, max_block=200)) == [
        (0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3),
    ]  # fmt: skip
    assert list(candidate_pairs(people, max_block=200, only={2})) == [(0, 2), (1, 2), (2, 3)]
    # A key held by more records than max_key_records pairs no one.
    stats = BlockingStats()
    assert list(candidate_pairs(people, max_block=200, stats=stats, max_key_records=3)) == []
    assert stats.capped_keys == 1 and stats.capped_by_kind == {"p": 1}
