"""What Splink's public sets showed: an e-mail address or an organisation's domain typed
with a slip, the rare-value blocking keys (fake_1000's records that share no other field;
historical_50k's surnames crowded by one person's duplicates, and postal codes), and names
learned beside a postal code alone (historical_50k)."""

from __future__ import annotations

from collections import Counter

import numpy as np
from reconcile_people import lead

from sync.reconcile.blocking import block_keys, candidate_pairs
from sync.reconcile.bulk import bulk_totals
from sync.reconcile.cluster import Link, cluster
from sync.reconcile.em import LearnSettings, Pattern, estimate_in_sessions
from sync.reconcile.holders import email_holders, people
from sync.reconcile.scoring import build_context, score_pair
from sync.reconcile.typos import domain_typo, email_typo


def test_an_address_typed_with_a_slip_is_a_typo_and_a_colleagues_is_not() -> None:
    # the same local part at a mistyped domain; two edits in all; a letter doubled
    assert email_typo("a.cross58@brwning-nguyen.com", "a.cross58@browning-nguyen.com")
    assert email_typo("oc34@phelps-harper.biz", "oc34@pheps-hraper.biz")
    assert email_typo("jt40@combs.net", "jt40o@combs.net")
    # a short local part at a domain typed with a slip: the whole address is two edits off
    # at most (Splink's fake_1000)
    assert email_typo("h.k@sharp.com", "h.k@shhrp.com")
    assert email_typo("fb@reose.cem", "fb@reese.com")
    # another first letter: a colleague's address ("k. van dyke" / "r. van dyke")
    assert not email_typo("kvandyke@acme.com", "rvandyke@acme.com")
    # other digits: two numbered accounts
    assert not email_typo("carla1@client1.example", "carla2@client2.example")
    assert not email_typo("robert255@smith.net", "roberta25@smith.net")
    # a short local part is anyone's; a short address one edit off another is another's
    assert not email_typo("fb@sharp.com", "fb@sharp.org")
    assert not email_typo("jo@ab.com", "jo@ac.com")
    assert not email_typo("oc34@phelps-harper.biz", "oc43@pheps-harper.boz")  # three edits


def test_a_domain_one_slip_off_is_the_same_organisation_a_short_one_is_not() -> None:
    assert domain_typo("harris-bailey.net", "earris-bailey.net")
    assert domain_typo("browning-nguyen.com", "brwning-ngyuen.com")  # two in a long one
    assert not domain_typo("bush-hale.co", "bush-hale.com.au")
    assert not domain_typo("ab.com", "ac.com")
    assert not domain_typo("client1.example", "client2.example")
    assert not domain_typo("smith.net", "smyth.org")


def test_a_person_with_a_mistyped_address_scores_as_one_and_bulk_agrees() -> None:
    a = lead(1, first="evie", last="dean", emails=("evied56@harris-bailey.net",),
             domain="harris-bailey.net", city="portsmouth")  # fmt: skip
    b = lead(2, first="evie", last="dean", emails=("evihd56@earris-bailey.net",),
             domain="earris-bailey.net", city="pootsmruth")  # fmt: skip
    c = lead(3, first="evie", last="dean", emails=("ldean@harris-bailey.net",),
             domain="harris-bailey.net")  # fmt: skip
    people = [a, b, c]
    ctx = build_context(people)
    _, ab = score_pair(a, b, ctx)
    found = {field: level for field, level, _, _ in ab}
    assert (found["email"], found["organisation"]) == ("fuzzy", "fuzzy")
    _, ac = score_pair(a, c, ctx)
    assert {field: level for field, level, _, _ in ac}["email"] == "different"
    left, right = np.array([0, 0, 1]), np.array([1, 2, 2])
    totals, python = bulk_totals(people, left, right, ctx)
    assert not python.any()
    expected = [score_pair(people[i], people[j], ctx)[0] for i, j in zip(left, right, strict=True)]
    assert [round(float(t), 2) for t in totals] == expected


def test_a_short_address_at_a_mistyped_domain_scores_as_one_and_bulk_agrees() -> None:
    # Splink's fake_1000: "h.k@sharp.com" and "h.k@shhrp.com" kept "hugo kaur" apart
    a = lead(1, first="hugo", last="kaur", emails=("h.k@sharp.com",), city="london")
    b = lead(2, first="hugo", last="kaur", emails=("h.k@shhrp.com",), city="london")
    c = lead(3, first="hugo", last="kaur", emails=("h.k@beta.org",), city="london")
    people = [a, b, c]
    ctx = build_context(people)
    levels = [
        {field: level for field, level, _, _ in score_pair(x, y, ctx)[1]}["email"]
        for x, y in ((a, b), (a, c))
    ]
    assert levels == ["fuzzy", "different"]
    left, right = np.array([0, 0, 1]), np.array([1, 2, 2])
    totals, python = bulk_totals(people, left, right, ctx)
    assert not python.any()
    expected = [score_pair(people[i], people[j], ctx)[0] for i, j in zip(left, right, strict=True)]
    assert [round(float(t), 2) for t in totals] == expected


def test_an_address_typed_twice_at_one_company_is_no_guard_against_joining() -> None:
    # fake_1000: "scarlett.payne88@morton.info" / "scarlett.payn88@morton.info", scored as
    # a match, were kept apart as two work addresses at one company; two colleagues' are
    people = [
        lead(1, first="scarlett", last="payne", emails=("scarlett.payne88@morton.info",)),
        lead(2, first="scarlett", last="payne", emails=("scarlett.payn88@morton.info",)),
        lead(3, first="k", last="van dyke", emails=("kvandyke@acme.com",)),
        lead(4, first="r", last="van dyke", emails=("rvandyke@acme.com",)),
    ]
    links = [Link(0, 1, "match", 27.18), Link(2, 3, "match", 12.0)]
    result = cluster(people, links)
    assert result.clusters == [[0, 1], [2], [3]]
    assert result.refused == [(links[1], "different work e-mails at acme.com")]


def test_the_people_holding_an_address_are_counted_whatever_order_the_records_come_in() -> None:
    # fake_1000: each record keeps a part of the name; "thomson holly" ties the two parts
    names = [("thomson",), ("holly",), ("thomson", "holly"), ("holly", "tmhsmoo"), ()]
    for order in (names, names[::-1], names[1:] + names[:1]):
        assert people(order) == 1
    assert email_holders({"hollythomson3@levine-jones.com": names}) == {
        "hollythomson3@levine-jones.com": 1
    }
    # two people stay two: a team's mailbox
    assert people([("ann", "lee"), ("bob", "marsh"), ("ann",)]) == 2


def test_records_sharing_only_a_rare_value_meet() -> None:
    # fake_1000: "grace" in hull with her address / "grace kelly" with it only
    grace = lead(1, first="grace", city="hull", emails=("grace.kelly52@jones.com",))
    kelly = lead(2, first="grace", last="kelly", emails=("grace.kelly52@jones.com",))
    aria = lead(3, first="aira", emails=("a.cross58@brwning-nguyen.com",))
    cross = lead(4, first="aria", last="cross", emails=("a.cross58@browning-nguyen.com",))
    harry = lead(5, first="harry", last="adsrews", city="yorrk")
    andrews = lead(6, first="rarhry", last="andrews", city="york")
    adsrews = lead(7, first="hrary", last="adsrews")
    people = [grace, kelly, aria, cross, harry, andrews, adsrews]
    assert "el:a.cross58" in set(block_keys(aria)) & set(block_keys(cross))
    assert "ln:adsrews" in set(block_keys(harry)) & set(block_keys(adsrews))
    assert list(candidate_pairs(people, max_block=200)) == [(0, 1), (2, 3), (4, 6)]


def test_a_surname_crowded_by_duplicates_meets_by_initial_and_a_postal_code_alone() -> None:
    # historical_50k: one person's many duplicates crowd the surname alone (its block of
    # more than ten pairs no one); the first name's initial splits it
    others = ["arthur", "bob", "dora", "edith", "frank", "grace", "hugh", "jane", "vera", "lily"]
    playne = [lead(n, first=first, last="playne") for n, first in enumerate(others)]
    playne += [lead(10, first="carolyn", last="playne"), lead(11, first="caroline", last="playne")]
    assert list(candidate_pairs(playne, max_block=200)) == [(10, 11)]
    # a surname typed as a first name, no surname, the same town and postal code
    dorset = [
        lead(1, first="meslicott", city="dorset", postcode="sp63dn"),
        lead(2, first="medkicott", city="dorset", postcode="sp63dn"),
        lead(3, first="mellor", city="dorset", postcode="sp63dz"),
    ]
    assert list(candidate_pairs(dorset, max_block=200)) == [(0, 1)]
    # colleagues at one office: their organisation scopes their names, and neither key
    # pairs them (given to everyone, the postal code taught training names from them)
    office = [
        lead(1, first="carl", last="marsh", company="Acme", postcode="77027"),
        lead(2, first="cora", last="lund", company="Acme", postcode="77027"),
    ]
    assert not {k for k in block_keys(office[0]) if k.startswith(("li:", "pz:"))}
    assert list(candidate_pairs(office, max_block=200)) == []


def test_names_beside_a_postal_code_only_are_learned_from_the_pairs_sharing_it() -> None:
    # Splink's historical_50k: names, a town and a postal code; no e-mail, phone or
    # street, so no session but the postal code's can tell the names' m.
    def pattern(first: str, last: str, code: str, town: str) -> Pattern:
        return (("city", town), ("first_name", first), ("last_name", last), ("postal_code", code))

    blocked = Counter({
        pattern("exact", "exact", "exact", "same"): 400,
        pattern("exact", "fuzzy", "exact", "same"): 60,
        pattern("different", "exact", "exact", "same"): 40,
        pattern("different", "different", "exact", "same"): 50,
        pattern("exact", "different", "different", "same"): 300,
        pattern("different", "exact", "different", "other"): 300,
    })  # fmt: skip
    unrelated = Counter({
        pattern("different", "different", "different", "other"): 9_000,
        pattern("exact", "different", "different", "other"): 600,
        pattern("different", "exact", "different", "other"): 300,
        pattern("different", "different", "different", "same"): 100,
    })  # fmt: skip
    m, u, _, _, estimated = estimate_in_sessions(blocked, unrelated, LearnSettings())
    assert {"first_name", "last_name"} <= estimated
    assert m["first_name"]["exact"] > 0.8 > u["first_name"]["exact"] * 10
