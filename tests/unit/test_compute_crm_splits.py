"""CRM split rows for crediting: owners mapped through the directory like deal owners,
only usable sets of won deals passed on (the rest warned), and a split pool the plan
does not declare added as a separate credit."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from compensation.crediting.splits import SplitRow
from compensation.inputs import Credit, Deal, DealState
from sync.compute.crm_splits import crm_splits, unfilled_splits, usable_splits
from sync.compute.directory import UserFacts, build_directory
from sync.compute.snapshot import StoreSnapshot
from sync.config.compensation import DirectoryConfig

WHEN = datetime(2026, 10, 1, tzinfo=UTC)


def _user(remote_id: str) -> UserFacts:
    return UserFacts("crm_a", remote_id, remote_id.upper(), None, True, None, None, None)


def _split(rid: str, deal: str, user: str | None, kind: str | None, percent: str | None) -> Any:
    return {
        "source": "crm_a",
        "remote_id": rid,
        "deal_id": deal,
        "user_id": user,
        "split_type": kind,
        "percent": Decimal(percent) if percent is not None else None,
    }


def _directory() -> Any:
    users = [_user("u1"), _user("u2"), _user("u3"), _user("u4")]
    # u1 and u4 are one person across two logins; u3 was not reconciled.
    found = {("crm_a", "u1"): "E-1", ("crm_a", "u2"): "E-2", ("crm_a", "u4"): "E-1"}
    return build_directory(users, found, DirectoryConfig())


def _snapshot() -> StoreSnapshot:
    return StoreSnapshot(
        tables={
            "deal_splits": [
                _split("s1", "D1", "u1", "revenue", "70"),
                _split("s2", "D1", "u2", "revenue", "30"),
                _split("s3", "D1", "u3", "overlay", "100"),
                _split("s4", "D2", "u1", None, "50"),  # no type: a revenue row
                _split("s5", "D2", "u4", "revenue", "50"),
                _split("s6", "D3", "u1", "revenue", "60"),
                _split("s7", "D3", "u2", "revenue", "30"),
                _split("s8", "D4", "u2", "revenue", None),
                _split("s9", "D4", "u1", "revenue", "100"),
            ]
        }
    )


def test_split_owners_are_mapped_to_employees_like_deal_owners() -> None:
    splits = crm_splits(_snapshot(), _directory())
    assert splits.rows == {
        "crm_a:deals:D1": {
            "revenue": [SplitRow("E-1", Decimal(70)), SplitRow("E-2", Decimal(30))],
            "overlay": [SplitRow("crm_a:u3", Decimal(100), validated=False)],
        },
        "crm_a:deals:D2": {
            "revenue": [SplitRow("E-1", Decimal(50)), SplitRow("E-1", Decimal(50))],
        },
        "crm_a:deals:D3": {
            "revenue": [SplitRow("E-1", Decimal(60)), SplitRow("E-2", Decimal(30))],
        },
        "crm_a:deals:D4": {},
    }
    assert splits.problems == {"crm_a:deals:D4": ["revenue split s8 has no owner or no percentage"]}


def _deal(rid: str, amount: str, state: DealState = "won") -> Deal:
    return Deal(f"crm_a:deals:{rid}", rid, Decimal(amount), "EUR", state, WHEN, date(2026, 10, 5))


def _plan_credit(deal: Deal, who: str, pool: str = "revenue", slot: str = "close") -> Credit:
    return Credit(deal.key, who, slot, Decimal(1), deal.amount, deal.currency, pool, ("a",))


def test_only_won_deals_with_splits_summing_to_100_are_used_and_the_rest_warned() -> None:
    d1, d2, d3, d4, d5 = (
        _deal("D1", "1000.01"),
        _deal("D2", "99.99"),
        _deal("D3", "500"),
        _deal("D4", "10"),
        _deal("D5", "7"),
    )
    splits = crm_splits(_snapshot(), _directory())
    usable, warnings = usable_splits([d1, d2, d3, d4, d5], splits)
    assert usable == {
        "crm_a:deals:D1": splits.rows["crm_a:deals:D1"],
        "crm_a:deals:D2": splits.rows["crm_a:deals:D2"],
    }
    assert warnings == [
        "deal crm_a:deals:D3: CRM revenue split not used: split percentages of deal "
        "crm_a:deals:D3 sum to 90, not 100; correct the split in the CRM",
        "deal crm_a:deals:D4: CRM split not used: revenue split s8 has no owner or no percentage",
    ]
    assert usable_splits([_deal("D1", "1000.01", state="open")], splits) == ({}, [])
    lost_after_paid = dataclasses.replace(_deal("D2", "99.99", "lost"), reversed_on=WHEN.date())
    assert list(usable_splits([lost_after_paid], splits)[0]) == ["crm_a:deals:D2"]


def test_a_split_pool_the_plan_does_not_declare_is_a_separate_credit_of_the_whole_deal() -> None:
    """D1's plan has no overlay pool: crediting filled revenue from the split (slot
    ``split``), so only the overlay split is added, 100% of 1,000.01 to crm_a:u3; the
    revenue credit stays whole."""
    d1 = _deal("D1", "1000.01")
    splits = crm_splits(_snapshot(), _directory())
    usable, _ = usable_splits([d1], splits)
    filled = [
        dataclasses.replace(_plan_credit(d1, "E-1", slot="split"), amount=Decimal("700.01")),
        dataclasses.replace(_plan_credit(d1, "E-2", slot="split"), amount=Decimal("300.00")),
    ]
    got = unfilled_splits(filled, [d1], usable)
    assert [(c.employee, c.pool, c.slot, c.share, c.amount) for c in got] == [
        ("E-1", "revenue", "split", Decimal(1), Decimal("700.01")),
        ("E-2", "revenue", "split", Decimal(1), Decimal("300.00")),
        ("crm_a:u3", "overlay", "split", Decimal(1), Decimal("1000.01")),
    ]
    assert got[-1].note == "CRM split: 100%" and got[-1].currency == "EUR"


def test_the_owner_alone_at_100_percent_is_the_crms_default_and_keeps_the_plans_credit() -> None:
    """D2's revenue rows are its owner E-1 twice at 50%: the split a CRM stores on every
    deal, which decides nothing, so the acts still credit it. D1 (owner E-1, 70/30 with
    E-2, and an overlay) is a real split and is used whole."""
    splits = crm_splits(_snapshot(), _directory())
    d1 = dataclasses.replace(_deal("D1", "1000.01"), owner="E-1")
    d2 = dataclasses.replace(_deal("D2", "99.99"), owner="E-1")
    usable, warnings = usable_splits([d1, d2], splits)
    assert usable == {"crm_a:deals:D1": splits.rows["crm_a:deals:D1"]}
    assert warnings == []
    # Owned by someone else, the same rows are a decision: used.
    other = dataclasses.replace(d2, owner="E-2")
    assert usable_splits([other], splits)[0] == {"crm_a:deals:D2": splits.rows["crm_a:deals:D2"]}


def test_deal_team_rows_are_no_split_and_no_warning() -> None:
    """A team member's row (a CRM's deal team, no share) leaves the deal's splits alone."""
    rows = [
        _split("t1", "D5", "u1", "team", None),
        _split("t2", "D5", "u2", "team", None),
        _split("s10", "D5", "u2", "revenue", "100"),
    ]
    found = crm_splits(StoreSnapshot(tables={"deal_splits": rows}), _directory())
    assert found.rows == {"crm_a:deals:D5": {"revenue": [SplitRow("E-2", Decimal("100"))]}}
    assert found.problems == {}


def test_overlay_rows_need_not_total_100_each_credits_its_percentage() -> None:
    """Overlay credit is not validated to 100%: D6's E-1 at 100% and E-2 at 50% (150% in
    all) is used, and under a plan without an overlay pool it adds 999.99 for E-1 and
    499.995 -> 500.00 (half-even) for E-2, on top of the revenue credit. A row above 100%
    (D7), a negative row (D8) or a row without a percentage (D9) is still warned."""
    rows = [
        _split("o1", "D6", "u1", "overlay", "100"),
        _split("o2", "D6", "u2", "overlay", "50"),
        _split("o3", "D7", "u2", "overlay", "150"),
        _split("o4", "D8", "u1", "overlay", "60"),
        _split("o5", "D8", "u2", "overlay", "-5"),
        _split("o6", "D9", "u2", "overlay", None),
    ]
    found = crm_splits(StoreSnapshot(tables={"deal_splits": rows}), _directory())
    deals = [_deal(d, "999.99") for d in ("D6", "D7", "D8", "D9")]
    usable, warnings = usable_splits(deals, found)
    assert usable == {
        "crm_a:deals:D6": {
            "overlay": [
                SplitRow("E-1", Decimal(100), validated=False),
                SplitRow("E-2", Decimal(50), validated=False),
            ]
        }
    }
    assert warnings == [
        "deal crm_a:deals:D7: CRM overlay split not used: split of deal crm_a:deals:D7: "
        "E-2 has 150%",
        "deal crm_a:deals:D8: CRM overlay split not used: split of deal crm_a:deals:D8: "
        "E-2 has -5%",
        "deal crm_a:deals:D9: CRM split not used: overlay split o6 has no owner or no percentage",
    ]
    d6 = deals[0]
    filled = [_plan_credit(d6, "E-2")]  # the plan's revenue credit, from the acts
    got = unfilled_splits(filled, [d6], usable)
    assert [(c.employee, c.pool, c.slot, c.share, c.amount) for c in got] == [
        ("E-2", "revenue", "close", Decimal(1), Decimal("999.99")),
        ("E-1", "overlay", "split", Decimal("0.666666666667"), Decimal("999.99")),
        ("E-2", "overlay", "split", Decimal("0.333333333333"), Decimal("500.00")),
    ]
    assert [c.note for c in got[1:]] == ["CRM split: 100%", "CRM split: 50%"]
