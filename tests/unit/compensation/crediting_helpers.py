"""Shared builders for the crediting tests: the six-step chain and random evidence."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from compensation.crediting import CreditScheme
from compensation.inputs import Act, Deal, DealEvidence, Employee

D = Decimal

EMPLOYEES = {
    e.id: e
    for e in (
        Employee("M1", "Mara Marketing", role="marketing", team="mkt", manager="B1"),
        Employee("C1", "Cem Callcentre", role="call_centre", team="cc", manager="B1"),
        Employee("C2", "Cleo Callcentre", role="call_centre", team="cc", manager="B1"),
        Employee("F1", "Fay Field", role="field_sales", team="north", manager="B2"),
        Employee("F2", "Finn Field", role="field_sales", team="south", manager=None),
        Employee("S1", "Sol Presales", role="presales", team="north", manager="B2"),
        Employee("B1", "Bea Boss", role="manager"),
        Employee("B2", "Bo Boss", role="manager"),
    )
}

CHAIN_SLOTS: list[dict[str, Any]] = [
    {"name": "lead_source", "weight": "0.10", "kinds": ["lead_source", "campaign"]},
    {"name": "qualification", "weight": "0.20", "kinds": ["touch"], "roles": ["call_centre"]},
    {"name": "field_work", "weight": "0.30", "kinds": ["touch"], "roles": ["field_sales"]},
    {"name": "close", "weight": "0.40", "kinds": ["deal_owner"], "pick": "last"},
]


def at(day: int, hour: int = 9) -> datetime:
    """A time in October 2026."""
    return datetime(2026, 10, 1, hour) + timedelta(days=day - 1)


def chain_acts(prefix: str = "") -> tuple[Act, ...]:
    """Marketing captures a web lead → call centre qualifies by phone → field rep visits →
    the customer e-mails → call centre answers → field rep closes."""
    return (
        Act(f"{prefix}a1-lead", "lead_source", "M1", at(1), channel="web"),
        Act(f"{prefix}a2-qualify", "touch", "C1", at(2), channel="phone"),
        Act(f"{prefix}a3-visit", "touch", "F1", at(5), channel="visit"),
        Act(f"{prefix}a4-customer", "touch", None, at(6), channel="email"),
        Act(f"{prefix}a5-answer", "touch", "C1", at(7), channel="phone"),
        Act(f"{prefix}a6-close", "deal_owner", "F1", at(10)),
    )


def deal(key: str, amount: str, close_day: int = 10, currency: str = "EUR") -> Deal:
    return Deal(key, key, D(amount), currency, "won", at(1), date(2026, 10, close_day))


def scheme(**extra: Any) -> CreditScheme:
    """The chain scheme (lead source 10%, qualification 20%, field 30%, close 40%)."""
    return CreditScheme.model_validate({"slots": CHAIN_SLOTS, **extra})


# ---- random evidence for the property tests ----------------------------------------

_PEOPLE = [None, "M1", "C1", "C2", "F1", "F2", "S1"]
_KINDS = ["touch", "lead_source", "deal_owner", "campaign", "conversion"]


@st.composite
def evidence_sets(draw: st.DrawFn, max_deals: int = 5) -> list[DealEvidence]:
    """Deals sharing a pool of acts (so some acts sit behind several deals); amounts may
    be zero or negative (clawbacks)."""
    pool_size = draw(st.integers(1, 12))
    acts = [
        Act(
            f"act{i:02d}",
            draw(st.sampled_from(_KINDS)),
            draw(st.sampled_from(_PEOPLE)),
            at(draw(st.integers(1, 20)), draw(st.integers(0, 23))),
            channel=draw(st.sampled_from([None, "web", "phone", "visit"])),
        )
        for i in range(pool_size)
    ]
    count = draw(st.integers(1, max_deals))
    result = []
    for n in range(count):
        cents = draw(st.integers(-(10**9), 10**9))
        chosen = draw(st.lists(st.sampled_from(acts), max_size=8, unique_by=lambda a: a.key))
        amount = str(D(cents).scaleb(-2))
        result.append(
            DealEvidence(deal(f"D{n:02d}", amount, draw(st.integers(5, 25))), tuple(chosen))
        )
    return result


_FILTERS: list[dict[str, Any]] = [
    {"kinds": ["lead_source", "campaign"]},
    {"kinds": ["touch"], "roles": ["call_centre"]},
    {"kinds": ["touch"], "channels": ["visit", "phone"]},
    {"kinds": ["deal_owner"]},
    {"teams": ["north", "south"]},
    {},
]


@st.composite
def schemes(draw: st.DrawFn) -> CreditScheme:
    """Random slot layouts (weights summing to 1, some zero), picks, vacancy policies,
    optionally an overlay pool (slots or a marketing strategy) and a manager roll-up."""
    count = draw(st.integers(1, len(_FILTERS)))
    raw = draw(st.lists(st.integers(0, 50), min_size=count, max_size=count).filter(any))
    total = sum(raw)
    weights = [D(r) / D(total) for r in raw]
    weights = [w.quantize(D("0.0001")) for w in weights]
    weights[-1] += 1 - sum(weights)
    if weights[-1] < 0:
        weights = [D(0)] * (count - 1) + [D(1)]
    slots = [
        {
            "name": f"s{i}",
            "weight": str(w),
            "pick": draw(st.sampled_from(["first", "last", "all_linear", "time_decay"])),
            **_FILTERS[i],
        }
        for i, w in enumerate(weights)
    ]
    pools: dict[str, Any] = {}
    overlay = draw(st.sampled_from([None, "slots", "strategy"]))
    if overlay == "slots":
        pools["overlay"] = {
            "budget": draw(st.sampled_from(["1", "0.5", "0.125"])),
            "slots": [{"name": "any", "weight": 1, "pick": "all_linear"}],
        }
    elif overlay == "strategy":
        model = draw(
            st.sampled_from(
                ["first", "last", "linear", "u_shaped", "w_shaped", "full_path", "time_decay"]
            )
        )
        pools["overlay"] = {"strategy": {"model": model}}
    if draw(st.booleans()):
        pools["manager"] = {
            "manager_of": "revenue",
            "vacancy": draw(st.sampled_from(["house", "redistribute"])),
        }
    return CreditScheme.model_validate(
        {
            "lookback_days": draw(st.integers(3, 30)),
            "vacancy": draw(st.sampled_from(["redistribute", "house"])),
            "slots": slots,
            "pools": pools,
        }
    )
