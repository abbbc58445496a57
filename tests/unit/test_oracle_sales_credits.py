"""Oracle's sales credits credit a deal exactly as Salesforce's opportunity splits do.

The same deal (11,129.48 USD, won) is split 60/40 between two account managers with a
nonrevenue (overlay) credit of 100% for a solution specialist, once as Fusion answers it
(a revenue line's own credit, its ``ChildSplitRevenue`` rows, the opportunity team) and
once as Salesforce's ``OpportunitySplit`` rows; each CRM's users are the same three
people. Mapped by each connector's mapper, read by ``compensation.crm_splits: use``, both
give the same credits: 11,129.48 × 60% = 6,677.688 → 6,677.69 and × 40% = 4,451.792 →
4,451.79 (summing to the deal), and 11,129.48 to the specialist in the overlay pool.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from compensation.crediting.splits import split_credits
from compensation.inputs import Credit, Deal
from connectors.core.channels import ChannelMap
from connectors.core.records import DealSplit
from connectors.oracle.credits import DEAL_PERCENT, deal_percents
from connectors.oracle.mapping import OracleMapper
from connectors.salesforce.mapping import RecordMapper
from sync.compute.crm_splits import crm_splits, usable_splits
from sync.compute.directory import UserFacts, build_directory
from sync.compute.snapshot import StoreSnapshot
from sync.config.compensation import DirectoryConfig

WHEN = datetime(2026, 10, 8, tzinfo=UTC)
STAMP = "2026-10-08T09:00:00.000+00:00"
OPTY = 300000001000091
# the Fusion resources and Salesforce users of the same three people
PEOPLE = {
    "E-1": ("300000001000002", "0055g0000000001AAA"),  # the owner
    "E-2": ("300000001000003", "0055g0000000002AAA"),  # the other account manager
    "E-3": ("300000001000004", "0055g0000000003AAA"),  # the solution specialist
}
ORA = {e: ids[0] for e, ids in PEOPLE.items()}
SF = {e: ids[1] for e, ids in PEOPLE.items()}


def _credit(rid: int, who: str, code: str, percent: float, parent: int | None) -> dict[str, Any]:
    row = {
        "RevnId": rid,
        "OptyId": OPTY,
        "ResourcePartyId": int(ORA[who]),
        "SalesCreditTypeCode": code,
        "SplitPercent": percent,
        "CreationDate": STAMP,
        "LastUpdateDate": STAMP,
    }
    return row if parent is None else {**row, "SplitParentRevnId": parent}


def _team(rid: int, who: str, owner: bool, function: str) -> dict[str, Any]:
    return {
        "OptyResourceId": rid,
        "OptyId": OPTY,
        "ResourceId": int(ORA[who]),
        "OwnerFlag": owner,
        "MemberFunctionCode": function,
        "CreationDate": STAMP,
        "LastUpdateDate": STAMP,
    }


def _oracle_splits() -> list[DealSplit]:
    mapper = OracleMapper("oracle", ChannelMap("oracle"))
    team = [
        _team(300000001000201, "E-1", True, "SALES_REPRESENTATIVE"),
        _team(300000001000202, "E-3", False, "SALES_ENGINEER"),
    ]
    line = 300000001000092
    credits = [
        _credit(line, "E-1", "QUOTA", 60, None),  # the line's own credit, lowered by the split
        _credit(300000001000301, "E-2", "QUOTA", 40, line),
        _credit(300000001000302, "E-3", "NONQUOTA", 100, line),
    ]
    members, bad = mapper.map_rows("deal_splits", "OpportunityResource", team)
    shares, worse = mapper.map_rows("deal_splits", "ChildSplitRevenue", credits)
    assert bad == worse == []
    return [r for r in [*members, *shares] if isinstance(r, DealSplit)]


def _salesforce_splits() -> list[DealSplit]:
    mapper = RecordMapper("salesforce", ChannelMap("salesforce"))

    def split(rid: str, who: str, kind: str, percent: float) -> dict[str, Any]:
        return {
            "Id": rid,
            "OpportunityId": "0065g0000000091AAA",
            "SplitOwnerId": SF[who],
            "SplitType": {"DeveloperName": kind},
            "SplitPercentage": percent,
            "CurrencyIsoCode": "USD",
            "CreatedDate": STAMP,
            "LastModifiedDate": STAMP,
            "SystemModstamp": STAMP,
        }

    rows = [
        split("0495g0000000001AAA", "E-1", "Revenue", 60),
        split("0495g0000000002AAA", "E-2", "Revenue", 40),
        split("0495g0000000003AAA", "E-3", "Overlay", 100),
    ]
    records, bad = mapper.map_rows("OpportunitySplit", rows, [])
    assert bad == []
    return [r for r in records if isinstance(r, DealSplit)]


def _stored(split: DealSplit) -> dict[str, Any]:
    return {
        "source": split.source,
        "remote_id": split.remote_id,
        "deal_id": split.deal_id,
        "user_id": split.user_id,
        "split_type": split.split_type,
        "percent": split.percent,
    }


def _credits(
    source: str, deal_id: str, splits: list[DealSplit], amount: Decimal = Decimal("11129.48")
) -> list[Any]:
    """The deal's credits from its split rows, or the run's warnings if there are any."""
    users = [
        UserFacts(src, uid, e, None, True, None, None, None)
        for e, ids in PEOPLE.items()
        for src, uid in zip(("oracle", "salesforce"), ids, strict=True)
    ]
    found = {(u.source, u.remote_id): u.name for u in users}
    directory = build_directory(users, found, DirectoryConfig())  # type: ignore[arg-type]
    snapshot = StoreSnapshot(tables={"deal_splits": [_stored(s) for s in splits]})
    deal = Deal(
        f"{source}:deals:{deal_id}",
        deal_id,
        amount,
        "USD",
        "won",
        WHEN,
        date(2026, 10, 8),
        owner="E-1",
    )
    usable, warnings = usable_splits([deal], crm_splits(snapshot, directory))
    if warnings:
        return warnings
    out: list[Credit] = []
    for pool, rows in sorted(usable[deal.key].items()):
        out += split_credits(deal, rows, pool)
    return [(c.pool, c.employee, c.slot, c.share, c.amount, c.currency, c.note) for c in out]


def test_oracle_credits_map_to_revenue_overlay_and_team_rows() -> None:
    got = sorted(
        (s.remote_id, s.user_id, s.split_type, s.percent, s.note) for s in _oracle_splits()
    )
    assert got == [
        ("300000001000092", ORA["E-1"], "revenue", Decimal(60), "QUOTA"),
        ("300000001000201", ORA["E-1"], "team", None, "owner"),
        ("300000001000202", ORA["E-3"], "team", None, "SALES_ENGINEER"),
        ("300000001000301", ORA["E-2"], "revenue", Decimal(40), "QUOTA"),
        ("300000001000302", ORA["E-3"], "overlay", Decimal(100), "NONQUOTA"),
    ]


def test_an_oracle_deal_is_credited_by_its_sales_credits_like_a_salesforce_one() -> None:
    oracle = _credits("oracle", str(OPTY), _oracle_splits())
    salesforce = _credits("salesforce", "0065g0000000091AAA", _salesforce_splits())
    expected = [
        ("overlay", "E-3", "split", Decimal(1), Decimal("11129.48"), "USD", "CRM split: 100%"),
        ("revenue", "E-1", "split", Decimal("0.6"), Decimal("6677.69"), "USD", "CRM split: 60%"),
        ("revenue", "E-2", "split", Decimal("0.4"), Decimal("4451.79"), "USD", "CRM split: 40%"),
    ]
    assert oracle == salesforce == expected


def test_a_credit_type_crediting_does_not_know_is_kept_and_a_credit_without_recipient_is_not() -> (
    None
):
    mapper = OracleMapper("oracle", ChannelMap("oracle"))
    odd = {**_credit(300000001000303, "E-2", "PARTNER", 10, 300000001000092)}
    lost = {**_credit(300000001000304, "E-2", "QUOTA", 10, 300000001000092)}
    lost["ResourcePartyId"] = None
    records, bad = mapper.map_rows("deal_splits", "ChildSplitRevenue", [odd, lost])
    assert [(r.remote_id, r.split_type) for r in records if isinstance(r, DealSplit)] == [
        ("300000001000303", "partner")
    ]
    assert [(q.remote_id, q.reason) for q in bad] == [
        (
            "300000001000304",
            "cannot map ChildSplitRevenue record: ValueError('a sales credit without a "
            "recipient (ResourcePartyId)')",
        )
    ]


def _line(amount: str, *credits: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    return amount, list(credits)


def test_credits_of_several_lines_are_shares_of_the_deal_weighted_by_line_amounts() -> None:
    """Line A (3,000.30) is split 60/40, line B (1,000.10, a third of A) is its owner's
    alone, and the specialist has a 100% overlay on both: of the deal (4,000.40) the owner
    holds 60 × 3/4 + 100 × 1/4 = 45 + 25 = 70%, the partner 40 × 3/4 = 30%, the
    specialist 75 + 25 = 100% in the overlay pool: 70% = 2,800.28, 30% = 1,200.12 and
    4,000.40. An overlay on line A alone is 75% of the deal: nonrevenue credit need not
    total 100%, so it credits 75% × 4,000.40 = 3,000.30, line A's own amount, and the
    revenue split is unchanged."""
    a, b = 300000001000092, 300000001000093
    line_a = [
        _credit(a, "E-1", "QUOTA", 60, None),
        _credit(300000001000301, "E-2", "QUOTA", 40, a),
        _credit(300000001000302, "E-3", "NONQUOTA", 100, a),
    ]
    line_b = [
        _credit(b, "E-1", "QUOTA", 100, None),
        _credit(300000001000303, "E-3", "NONQUOTA", 100, b),
    ]
    rows = deal_percents([_line("3000.30", *line_a), _line("1000.10", *line_b)])
    assert [(r["RevnId"], r["SplitPercent"], r[DEAL_PERCENT]) for r in rows] == [
        (a, 60, "45"),
        (300000001000301, 40, "30"),
        (300000001000302, 100, "75"),
        (b, 100, "25"),
        (300000001000303, 100, "25"),
    ]
    mapper = OracleMapper("oracle", ChannelMap("oracle"))
    records, bad = mapper.map_rows("deal_splits", "ChildSplitRevenue", rows)
    assert bad == []
    splits = [r for r in records if isinstance(r, DealSplit)]
    assert [r.percent for r in splits] == [Decimal(n) for n in (45, 30, 75, 25, 25)]
    assert _credits("oracle", str(OPTY), splits, Decimal("4000.40")) == [
        ("overlay", "E-3", "split", Decimal(1), Decimal("4000.40"), "USD", "CRM split: 100%"),
        ("revenue", "E-1", "split", Decimal("0.7"), Decimal("2800.28"), "USD", "CRM split: 70%"),
        ("revenue", "E-2", "split", Decimal("0.3"), Decimal("1200.12"), "USD", "CRM split: 30%"),
    ]
    only_a, _ = mapper.map_rows("deal_splits", "ChildSplitRevenue", rows[:4])
    line_a_only = [r for r in only_a if isinstance(r, DealSplit)]
    assert _credits("oracle", str(OPTY), line_a_only, Decimal("4000.40")) == [
        ("overlay", "E-3", "split", Decimal(1), Decimal("3000.30"), "USD", "CRM split: 75%"),
        ("revenue", "E-1", "split", Decimal("0.7"), Decimal("2800.28"), "USD", "CRM split: 70%"),
        ("revenue", "E-2", "split", Decimal("0.3"), Decimal("1200.12"), "USD", "CRM split: 30%"),
    ]


def test_shares_are_rounded_to_keep_their_total_and_one_line_keeps_its_percentages() -> None:
    """Three equal lines, each its owner's alone: 33.333333 + 33.333333 + 33.333333 leave
    0.000001, which goes to the first (equal remainders: the first row), so the owner's
    shares sum to exactly 100: the CRM's default, which decides nothing."""
    lines = [
        _line("1000", _credit(300000001000092 + i, "E-1", "QUOTA", 100, None)) for i in range(3)
    ]
    assert [r[DEAL_PERCENT] for r in deal_percents(lines)] == [
        "33.333334",
        "33.333333",
        "33.333333",
    ]
    one = [_line("1000", _credit(300000001000092, "E-1", "QUOTA", 100, None))]
    assert DEAL_PERCENT not in deal_percents(one)[0]
    no_amount = [_line(None, *line[1]) for line in lines]  # type: ignore[arg-type]
    assert all(DEAL_PERCENT not in r for r in deal_percents(no_amount))
