"""Property tests (hypothesis) for the crediting invariants I1–I5, clawbacks and order."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

from crediting_helpers import EMPLOYEES, evidence_sets, schemes
from hypothesis import given, settings
from hypothesis import strategies as st

from compensation.crediting import REVENUE_POOL, CreditScheme, credit_deals
from compensation.inputs import DealEvidence
from compensation.money import quantize

D = Decimal
# crediting a few deals is fast, but the first examples pay hypothesis' start-up cost
property_test = settings(max_examples=80, deadline=None)


def _act_pools(scheme: CreditScheme) -> set[str]:
    return {REVENUE_POOL} | {n for n, p in scheme.pools.items() if p.manager_of is None}


@property_test
@given(evidence_sets(), schemes())
def test_i2_shares_and_amounts_sum_exactly_per_deal_and_pool(
    evidence: list[DealEvidence], scheme: CreditScheme
) -> None:
    result = credit_deals(evidence, scheme, employees=EMPLOYEES)
    shares: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    amounts: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for c in result.credits:
        shares[c.deal, c.pool] += c.share
        amounts[c.deal, c.pool] += c.amount
        assert c.share >= 0
    assert set(shares.values()) == {D(1)}
    for item in evidence:
        for pool in scheme.pool_order():
            budget = D(1) if pool == REVENUE_POOL else scheme.pools[pool].budget
            expected = quantize(item.deal.amount * budget)
            assert amounts[item.deal.key, pool] == expected


@property_test
@given(evidence_sets(), schemes())
def test_i1_an_act_fills_one_slot_of_a_deal_and_is_apportioned_across_deals(
    evidence: list[DealEvidence], scheme: CreditScheme
) -> None:
    result = credit_deals(evidence, scheme, employees=EMPLOYEES)
    act_pools = _act_pools(scheme)
    per_deal: dict[str, list[str]] = defaultdict(list)
    fraction_of: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for c in result.credits:
        assert len(c.acts) == len(c.act_fractions)
        if c.pool in act_pools:
            per_deal[c.deal].extend(c.acts)
            for act, fraction in zip(c.acts, c.act_fractions, strict=True):
                fraction_of[act][c.deal] = fraction
    for acts in per_deal.values():
        assert len(acts) == len(set(acts)), "an act filled two slots of one deal"
    amounts = {e.deal.key: abs(e.deal.amount) for e in evidence}
    behind: dict[str, list[str]] = defaultdict(list)  # act → deals where it is creditable
    for item in evidence:
        ignored = {key for key, _ in result.explanations[item.deal.key].ignored}
        for act in {a.key for a in item.acts} - ignored:
            behind[act].append(item.deal.key)
    for act, by_deal in fraction_of.items():
        assert sum(by_deal.values()) <= 1, f"act {act} counted {sum(by_deal.values())} times"
        total = sum(amounts[d] for d in behind[act])
        for deal_key, fraction in by_deal.items():
            if len(behind[act]) == 1:
                assert fraction == 1
            elif total:
                assert abs(fraction - amounts[deal_key] / total) <= D("1e-9")
            else:
                assert abs(fraction - D(1) / len(behind[act])) <= D("1e-9")


@property_test
@given(evidence_sets(), schemes())
def test_i3_extra_pools_never_change_the_revenue_pool(
    evidence: list[DealEvidence], scheme: CreditScheme
) -> None:
    with_pools = credit_deals(evidence, scheme, employees=EMPLOYEES)
    alone = credit_deals(evidence, scheme.model_copy(update={"pools": {}}), employees=EMPLOYEES)
    assert [c for c in with_pools.credits if c.pool == REVENUE_POOL] == alone.credits


@property_test
@given(evidence_sets(), schemes())
def test_i4_vacancy_policy(evidence: list[DealEvidence], scheme: CreditScheme) -> None:
    result = credit_deals(evidence, scheme, employees=EMPLOYEES)
    weight = {s.name: s.weight for s in scheme.slots}
    for item in evidence:
        notes = result.explanations[item.deal.key].slots
        vacant = {n.slot for n in notes if n.pool == REVENUE_POOL and n.vacant}
        filled_weight = sum(
            weight[n.slot] for n in notes if n.pool == REVENUE_POOL and not n.vacant
        )
        house = {
            c.slot
            for c in result.credits
            if c.deal == item.deal.key and c.pool == REVENUE_POOL and c.employee is None
        }
        if scheme.vacancy == "house" or filled_weight == 0:
            assert house == vacant
        else:
            assert house == set()


@property_test
@given(evidence_sets(), schemes())
def test_i5_one_line_per_deal_pool_slot_and_person(
    evidence: list[DealEvidence], scheme: CreditScheme
) -> None:
    result = credit_deals(evidence, scheme, employees=EMPLOYEES)
    keys = [(c.deal, c.pool, c.slot, c.employee) for c in result.credits]
    assert len(keys) == len(set(keys))


@property_test
@given(evidence_sets(), schemes())
def test_a_clawback_mirrors_the_original_split(
    evidence: list[DealEvidence], scheme: CreditScheme
) -> None:
    original = credit_deals(evidence, scheme, employees=EMPLOYEES)
    reversed_evidence = [replace(e, deal=replace(e.deal, amount=-e.deal.amount)) for e in evidence]
    clawback = credit_deals(reversed_evidence, scheme, employees=EMPLOYEES)
    assert clawback.credits == [replace(c, amount=-c.amount) for c in original.credits]


@property_test
@given(evidence_sets(), schemes(), st.randoms(use_true_random=False))
def test_same_inputs_in_any_order_give_identical_output(
    evidence: list[DealEvidence], scheme: CreditScheme, rnd: random.Random
) -> None:
    first = credit_deals(evidence, scheme, employees=EMPLOYEES)
    shuffled = [replace(e, acts=tuple(rnd.sample(e.acts, len(e.acts)))) for e in evidence]
    rnd.shuffle(shuffled)
    second = credit_deals(shuffled, scheme, employees=EMPLOYEES)
    assert second == first
