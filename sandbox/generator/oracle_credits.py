"""The sales credits of the strategic accounts division's revenue lines (Fusion's
``ChildRevenue`` and its ``ChildSplitRevenue`` rows).

Fusion gives whoever adds a revenue line its whole revenue credit: the line's own
``ResourcePartyId`` at ``SplitPercent`` 100, ``SalesCreditTypeCode`` ``QUOTA`` (set where
the line is made, ``oracle_company.py``). Most lines keep it: the owner alone at 100%. On
some deals the division shares the credit: the largest won deal (the strategic one) 60/40
between its owner and a second key account manager, plus a nonrevenue (``NONQUOTA``,
overlay) credit of 100% for the solution specialist (the deal team's sales engineer, or
another seller); about a fifth of the other won and open deals a revenue split (70/30 or
50/50) with another seller, and about a fifth an overlay credit for the team's sales
engineer. Lost deals keep the default. A split lowers the line's own ``SplitPercent``
and adds a ``ChildSplitRevenue`` row per other credit (``SplitParentRevnId`` the line).
Drawn last, from a random stream of its own: no other record changes.
Ground truth: ``deal_splits`` rows of ``crm`` oracle (object ``ChildRevenue`` for a
line's own credit, ``ChildSplitRevenue`` for the others), as Salesforce's.
"""

from __future__ import annotations

import random
from datetime import datetime

from sandbox.generator.oracle_company import oracle_stamp
from sandbox.oracle.schema import REVENUE, SPLIT, TEAM
from sandbox.store import Record
from sandbox.world import World

__all__ = ["add_oracle_sales_credits"]

_TYPES = {"QUOTA": "revenue", "NONQUOTA": "overlay"}
Share = tuple[Record, str, float]  # (recipient, SalesCreditTypeCode, SplitPercent)


def _truth(world: World, obj: str, row: Record, deal: str, share: Share) -> None:
    employees = {r["user_id"]: r["employee_id"] for r in world.truth.files["oracle_employees"]}
    who, code, percent = share
    world.truth.add(
        "deal_splits",
        {
            "crm": "oracle",
            "object": obj,
            "id": row["RevnId"],
            "deal": deal,
            "employee_id": employees.get(who["ResourcePartyId"]),
            "type": _TYPES[code],
            "percent": f"{percent:.2f}",
        },
    )


def _credit(world: World, line: Record, shares: list[Share], by: str) -> None:
    """The line's own credit (the first share) and a split row per other share."""
    deal = line["OptyId"]
    first, *others = shares
    line["SplitPercent"] = first[2]
    _truth(world, REVENUE, line, deal, first)
    amount = float(line["RevnAmount"] or 0)
    for who, code, percent in others:
        row = oracle_stamp(
            world,
            SPLIT,
            {
                "OptyId": deal,
                "SplitParentRevnId": line["RevnId"],
                "ResourcePartyId": who["ResourcePartyId"],
                "SalesCreditTypeCode": code,
                "SplitPercent": percent,
                "SplitTypeCode": "NONE",
                "RevnAmount": round(amount * percent / 100, 2),
                "RevnAmountCurcyCode": line["RevnAmountCurcyCode"],
                "NqSplitAllocTypeCode": "PROPORTIONAL" if code == "NONQUOTA" else None,
            },
            line["CreationDate"],
            by,
        )
        _truth(world, SPLIT, row, deal, (who, code, percent))


def add_oracle_sales_credits(world: World, anchor: datetime) -> None:
    """Each revenue line's credits (see the module docstring)."""
    rng = random.Random(f"oracle:{world.seed}:{world.scale}:credits")
    users = {u["ResourcePartyId"]: u for u in world.oracle["resourceUsers"].live()}
    sellers = [u for u in users.values() if u["JobTitle"] not in (None, "Service Agent")]
    engineers: dict[str, Record] = {}
    for member in world.oracle[TEAM].live():
        if member["MemberFunctionCode"] == "SALES_ENGINEER":
            engineers[member["OptyId"]] = users[member["ResourceId"]]
    lines: dict[str, list[Record]] = {}
    for line in sorted(world.oracle[REVENUE].live(), key=lambda r: int(r["RevnId"])):
        lines.setdefault(line["OptyId"], []).append(line)
    opportunities = sorted(world.oracle["opportunities"].live(), key=lambda r: int(r["OptyId"]))
    won = [o for o in opportunities if o["StatusCode"] == "WON"]
    strategic = max(won, key=lambda o: (o["Revenue"] or 0, o["OptyId"]))["OptyId"] if won else None
    for opp in opportunities:
        owner = users[opp["OwnerResourcePartyId"]]
        others = [u for u in sellers if u is not owner]
        engineer = engineers.get(opp["OptyId"])
        shares: list[Share] = [(owner, "QUOTA", 100.0)]
        roll = rng.random()
        if opp["OptyId"] == strategic and others:
            partner = rng.choice(others)
            specialist = engineer if engineer not in (None, partner) else None
            rest = [u for u in others if u is not partner]
            specialist = specialist or (rng.choice(rest) if rest else partner)
            shares = [(owner, "QUOTA", 60.0), (partner, "QUOTA", 40.0)]
            shares.append((specialist, "NONQUOTA", 100.0))
        elif opp["StatusCode"] != "LOST" and others and roll < 0.2:
            owner_share = rng.choice([70.0, 50.0])
            partner = rng.choice(others)
            shares = [(owner, "QUOTA", owner_share), (partner, "QUOTA", 100 - owner_share)]
        elif opp["StatusCode"] != "LOST" and engineer is not None and roll < 0.4:
            shares.append((engineer, "NONQUOTA", rng.choice([100.0, 50.0])))
        for line in lines.get(opp["OptyId"], []):
            if line["ResourcePartyId"] == owner["ResourcePartyId"]:
                _credit(world, line, shares, owner["Username"])
