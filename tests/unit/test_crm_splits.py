"""CRM split rows become credits: owners mapped through the directory, revenue rows
replacing the plan's revenue credit, overlay rows the overlay pool, bad rows warned."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from compensation.crediting.splits import SplitRow
from compensation.inputs import Credit, Deal, DealState
from sync.compute.crm_splits import apply_crm_splits, crm_splits
from sync.compute.directory import UserFacts, build_directory
from sync.compute.settings import DirectoryConfig
from sync.compute.snapshot import StoreSnapshot

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
            "overlay": [SplitRow("crm_a:u3", Decimal(100))],
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


def _plan_credit(deal: Deal, who: str, pool: str = "revenue") -> Credit:
    return Credit(deal.key, who, "close", Decimal(1), deal.amount, deal.currency, pool, ("a",))


def test_revenue_rows_replace_the_plan_credit_and_overlay_rows_add_a_separate_pool() -> None:
    d1, d2, d3, d4, d5 = (
        _deal("D1", "1000.01"),
        _deal("D2", "99.99"),
        _deal("D3", "500"),
        _deal("D4", "10"),
        _deal("D5", "7"),
    )
    open_deal = _deal("D1", "1000.01", state="open")
    plan = [
        _plan_credit(d1, "E-9"),
        _plan_credit(d1, "E-8", "manager"),
        _plan_credit(d2, "E-9"),
        _plan_credit(d3, "E-9"),
        _plan_credit(d4, "E-9"),
        _plan_credit(d5, "E-9"),
    ]
    splits = crm_splits(_snapshot(), _directory())
    credits, warnings = apply_crm_splits(plan, [d1, d2, d3, d4, d5], splits)
    got = [(c.deal[-2:], c.employee, c.pool, c.slot, c.share, c.amount) for c in credits]
    assert got == [
        # 1000.01 × 70% = 700.007 and × 30% = 300.003: the cent goes to the larger remainder
        ("D1", "E-1", "revenue", "split", Decimal("0.7"), Decimal("700.01")),
        ("D1", "E-2", "revenue", "split", Decimal("0.3"), Decimal("300.00")),
        ("D1", "E-8", "manager", "close", Decimal(1), Decimal("1000.01")),
        ("D2", "E-1", "revenue", "split", Decimal(1), Decimal("99.99")),  # rows summed
        ("D3", "E-9", "revenue", "close", Decimal(1), Decimal("500")),  # 90%: not used
        ("D4", "E-9", "revenue", "close", Decimal(1), Decimal("10")),  # a row unusable
        ("D5", "E-9", "revenue", "close", Decimal(1), Decimal("7")),  # no split rows
        # the overlay is a separate credit of the whole deal: revenue is not reduced
        ("D1", "crm_a:u3", "overlay", "split", Decimal(1), Decimal("1000.01")),
    ]
    assert credits[0].note == "CRM split: 70%" and credits[0].currency == "EUR"
    assert warnings == [
        "deal crm_a:deals:D3: CRM revenue split not used: split percentages of deal "
        "crm_a:deals:D3 sum to 90, not 100; correct the split in the CRM",
        "deal crm_a:deals:D4: CRM split not used: revenue split s8 has no owner or no percentage",
    ]
    untouched, none = apply_crm_splits([_plan_credit(open_deal, "E-9")], [open_deal], splits)
    assert [(c.employee, c.slot) for c in untouched] == [("E-9", "close")] and none == []
