"""An opportunity's team and sales credits: the ``deal_splits`` stream.

What Fusion's documentation says (Oracle CX Sales: *Best Practices for Sales Credits*,
*View and Assign Sales Credits to Revenue Lines and Split Credit*; REST API for CX Sales
and B2B Service 11.13.18.05: *Opportunities/Revenue Items/Child Split Revenues*):

- sales credits belong to **revenue lines** (product lines, ``ChildRevenue``), not to the
  opportunity or its team. "When a product line is first added to an opportunity, the
  application sets the user who added it as the sole sales credit recipient", at 100%;
- "Revenue sales credit: typically allocated to salespeople working the deal" and
  "Revenue sales credits must add up to 100 percent" (quota credit, ``QUOTA``);
- "Overlay sales credit: typically allocated to other resources helping out with the
  deal, such as a product or market specialist. Overlay sales credit is also known as
  nonrevenue sales credit", and "Nonrevenue sales credits doesn't have to add up to 100
  percent" (``NONQUOTA``);
- the split credits are the line's ``ChildSplitRevenue`` child ("The revenue or nonrevenue
  credit is allocated to the resource which has contributed to the selling effort for an
  opportunity revenue line"), at
  ``opportunities/{OptyNumber}/child/ChildRevenue/{id}/child/ChildSplitRevenue``; a split
  row has a revenue line's attributes. A revenue line as the API returns it carries its
  own credit: ``"ResourcePartyId"`` (the recipient), ``"SalesCreditTypeCode": "QUOTA"``,
  ``"SplitParentRevnId": null``, ``"SplitPercent": 100``, ``"SplitTypeCode": "NONE"``
  (an 11.13.18.05 answer published with a public integration's source).

So crmsync reads, with each opportunity, its team (``OpportunityResource``) and its
revenue lines with their split rows (``expand=OpportunityResource,ChildRevenue.
ChildSplitRevenue``), and makes a ``deal_splits`` row of each: a team member a row of
type ``team`` (no share), a line's own credit and each split row a row of type
``revenue`` (``SalesCreditTypeCode`` ``QUOTA``) or ``overlay`` (``NONQUOTA``) with the
recipient (``ResourcePartyId``) and its ``SplitPercent``. A line without a recipient
gives no row. Another credit type keeps its code in lower case, which crediting reports
as a type it does not use. A percentage is of the line; the deal's split is of the whole
deal, so on an opportunity with several credited lines each row's share of the deal is
its percentage weighted by its line's ``RevnAmount`` (``deal_percents``: 60% of a 3,000
line and 100% of a 1,000 line of the same person are 45% + 25% of the deal), rounded to
six places so that each credit type's shares keep their exact total (revenue: 100).

Team members stay ``team`` rows whether or not they hold a credit: the team row says in
which function they work on the deal, the credit rows what share they earn (crediting
passes team rows by).

Sources (docs.oracle.com/en/cloud/saas/sales/...):
oasal/best-practices-for-sales-credits.html,
fadsu/view-and-assign-sales-credits-to-revenue-lines-and-split-credit.html,
faaps/api-opportunities-revenue-items-child-split-revenues.html and the SOAP service's
*Opportunity Split Revenue* object (oesws/opportunitysplitrevenue-d41e354322.html: its
attributes ``SalesCreditTypeCode``, ``SplitParentRevnId``, ``SplitPercent``,
``SplitTypeCode`` are a revenue line's; the revenue object holds its splits in
``SplitRevenue`` and ``SplitRevenueNonQuota``).

That a line's own recipient and percentage are its first credit, the split rows the
others (the line's ``SplitPercent`` lowered by a split), and that ``NONQUOTA`` is the code
of nonrevenue credit (Fusion's *Non-quota Sales Credit* type), are our reading of these
documents, not checked against a live instance.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from connectors.oracle.reader import ResourceReader

__all__ = [
    "DEAL_PERCENT",
    "EXPAND",
    "LINES",
    "SPLITS",
    "TEAM",
    "credit_rows",
    "deal_percents",
    "fields",
]

Row = dict[str, Any]
TEAM = "OpportunityResource"
LINES = "ChildRevenue"
SPLITS = "ChildSplitRevenue"
EXPAND = f"{TEAM},{LINES}.{SPLITS}"
_TEAM = ("OptyResourceId", "OptyId", "ResourceId", "OwnerFlag", "MemberFunctionCode")
_CREDIT = ("RevnId", "OptyId", "ResourcePartyId", "SalesCreditTypeCode", "SplitPercent")
_IDS = {TEAM: ("OptyResourceId",), LINES: ("RevnId", "ResourcePartyId"), SPLITS: ("RevnId",)}
# a credit row's share of the whole deal, where it differs from its line's SplitPercent
DEAL_PERCENT = "crmsync_deal_percent"
_PLACES = 6


def fields(audit: tuple[str, ...] = (), ids_only: bool = False) -> str:
    """``fields`` for the opportunities read with their team and credits."""
    names = (
        _IDS
        if ids_only
        else {
            TEAM: (*_TEAM, *audit),
            LINES: (*_CREDIT, "RevnAmount", *audit),
            SPLITS: (*_CREDIT, "SplitParentRevnId", *audit),
        }
    )
    return ";".join(
        [
            "OptyId,OptyNumber,LastUpdateDate",
            f"{TEAM}:{','.join(names[TEAM])}",
            f"{LINES}:{','.join(names[LINES])}",
            f"{LINES}.{SPLITS}:{','.join(names[SPLITS])}",
        ]
    )


def credit_rows(
    reader: ResourceReader, opportunity: Row, every_page: Callable[[str], list[Row]]
) -> tuple[list[Row], list[Row]]:
    """An opportunity's team rows, and its credit rows: each revenue line with a recipient
    (its own credit), then its split rows. ``every_page`` reads a nested collection whole
    (a path), for a line whose split rows were not expanded in full."""
    team = reader.children_of(opportunity, TEAM)
    lines: list[tuple[Any, list[Row]]] = []
    for line in reader.children_of(opportunity, LINES):
        own = [{k: v for k, v in line.items() if k != SPLITS}]
        rows = own if line.get("ResourcePartyId") is not None else []
        nested = line.get(SPLITS)
        if isinstance(nested, dict) and not nested.get("hasMore"):
            splits = list(nested.get("items") or [])
        else:  # not expanded (a line read from the child collection), or more rows
            number, line_id = opportunity["OptyNumber"], line["RevnId"]
            splits = every_page(f"opportunities/{number}/child/{LINES}/{line_id}/child/{SPLITS}")
        rows += [{"OptyId": opportunity["OptyId"], **s} for s in splits]
        if rows:
            lines.append((line.get("RevnAmount"), rows))
    return team, deal_percents(lines)


def deal_percents(lines: list[tuple[Any, list[Row]]]) -> list[Row]:
    """The credit rows of an opportunity's lines (each with its ``RevnAmount``): as they
    are when one line has credits; else each with its share of the deal (``DEAL_PERCENT``:
    its ``SplitPercent`` weighted by its line's amount), rounded to six places by largest
    remainder within each credit type, so the shares keep their exact total. Lines
    without an amount, or amounting to nothing, are left as they are (crediting then
    sees percentages of several lines and refuses them with a warning)."""
    rows = [r for _, credits in lines for r in credits]
    if len(lines) < 2:
        return rows
    try:
        amounts = [Fraction(str(amount)) for amount, _ in lines]
        exact = [
            (r, Fraction(str(r["SplitPercent"])) * amount)
            for amount, (_, credits) in zip(amounts, lines, strict=True)
            for r in credits
        ]
    except (TypeError, ValueError, KeyError):
        return rows
    total = sum(amounts, Fraction(0))
    if total <= 0 or any(a < 0 for a in amounts):
        return rows
    unit = Fraction(1, 10**_PLACES)
    shares: dict[int, Fraction] = {}
    for code in dict.fromkeys(r.get("SalesCreditTypeCode") for r, _ in exact):
        group = [
            (i, v / total) for i, (r, v) in enumerate(exact) if r.get("SalesCreditTypeCode") == code
        ]
        floors = {i: (v // unit) * unit for i, v in group}
        spare = round((sum(v for _, v in group) - sum(floors.values())) / unit)
        by_remainder = sorted(group, key=lambda iv: (-(iv[1] - floors[iv[0]]), iv[0]))
        for i, _ in by_remainder[:spare]:
            floors[i] += unit
        shares.update(floors)
    return [
        {**r, DEAL_PERCENT: str(Decimal(shares[i].numerator) / Decimal(shares[i].denominator))}
        for i, (r, _) in enumerate(exact)
    ]
