"""Fair to people, not to sample sizes: reps who work the same way score the same,
whatever their volume, start date, leave or CRM.

Every rep below keeps three deals in four current: of their open deals three in four
were touched on time and one in four has been left untouched for weeks; of the deals
they won in the window three in four have an activity logged. The team also has a rep
who does everything (so the team's ratios are above the reference's: where shrinkage
would pull a ratio toward the team, it shows).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pair_rows import activity, audit, deal, user

RAW = {
    "salesforce": lambda owner: {
        "Name": "Deal",
        "StageName": "Won",
        "CloseDate": "2026-10-01",
        "Amount": 1000,
        "CreatedById": owner,
    },
    "zoho": lambda owner: {
        "Deal_Name": "Deal",
        "Stage": "Won",
        "Closing_Date": "2026-10-01",
        "Amount": 1000,
        "Created_By": {"id": owner},
    },
}


def _rep(
    owner: str,
    blocks: int,
    *,
    first_day: date = date(2026, 8, 10),
    away: tuple[date, date] | None = None,
    source: str = "salesforce",
    perfect: bool = False,
    kept: int = 3,
) -> dict[str, list[dict[str, Any]]]:
    """``blocks`` blocks of four open and four won deals, ``kept`` of four kept current.

    Won deals close on working days from 10 days after ``first_day`` to 10-28 (when the
    rep is not ``away``), entered 30 days before (not before ``first_day``) and called 5
    days before the close.
    Open deals are entered on working days up to 09-29 (a month before the audit, so a
    neglected one has had a month to go stale); a current one was called on 10-26."""

    def working(last: date) -> list[date]:
        span = (last - first_day).days + 1
        every = [first_day + timedelta(days=i) for i in range(span)]
        return [d for d in every if away is None or not away[0] <= d <= away[1]]

    closes = [d for d in working(date(2026, 10, 28)) if d >= first_day + timedelta(days=10)]
    opens = working(date(2026, 9, 29))
    deals, calls = [], []
    for i in range(blocks * 4):
        close = closes[i * len(closes) // (blocks * 4)]
        opened = opens[i * len(opens) // (blocks * 4)]
        worked = perfect or i % 4 < kept
        for kind, deal_id in (("won", f"{owner}-W{i}"), ("open", f"{owner}-O{i}")):
            if kind == "won":
                entered = max(first_day, close - timedelta(days=30))
                found = deal(deal_id, owner, f"{entered}T09:00:00", close, closed=True)
                when = close - timedelta(days=5)
            else:
                found = deal(deal_id, owner, f"{opened}T09:00:00", date(2026, 12, 15), closed=False)
                when = date(2026, 10, 26)
            deals.append(found | {"source": source, "raw": RAW[source](owner)})
            if worked:
                calls.append(
                    activity(source, f"T{deal_id}", f"{when}T15:00:00", owner, deal_id=deal_id)
                )
    return {"deals": deals, "activities": calls}


def _team(*reps: tuple[str, dict[str, list[dict[str, Any]]], str]) -> dict[str, list[Any]]:
    tables: dict[str, list[Any]] = {"users": [], "deals": [], "activities": []}
    for owner, world, source in [("S", _rep("S", 2, perfect=True), "salesforce"), *reps]:
        tables["users"].append(user(owner, source))
        tables["deals"] += world["deals"]
        tables["activities"] += world["activities"]
    return tables


def _scores(*reps: tuple[str, dict[str, list[dict[str, Any]]], str]) -> dict[str, float]:
    scores, _ = audit(_team(("R", _rep("R", 2), "salesforce"), *reps))
    return {key.split(":")[1]: s.score for key, s in scores.items() if s.score is not None}


def test_twice_the_volume_at_the_same_quality_scores_the_same() -> None:
    scores = _scores(("D", _rep("D", 4), "salesforce"))
    assert abs(scores["D"] - scores["R"]) <= 1.0, scores


def test_half_the_records_at_the_same_quality_scores_the_same() -> None:
    scores = _scores(("H", _rep("H", 1), "salesforce"))
    assert abs(scores["H"] - scores["R"]) <= 1.0, scores


def test_half_the_records_of_a_weak_rep_score_as_the_weak_rep() -> None:
    # Half of the deals kept current, in a team with a rep who keeps all of them.
    tables = _team(
        ("R", _rep("R", 2, kept=2), "salesforce"), ("H", _rep("H", 1, kept=2), "salesforce")
    )
    scores, _ = audit(tables)
    r, h = scores["salesforce:R"].score, scores["salesforce:H"].score
    assert r is not None and h is not None and abs(h - r) <= 1.0, (r, h)


def test_a_new_joiner_mid_period_scores_as_the_reference() -> None:
    joined = date(2026, 9, 15)
    scores = _scores(("N", _rep("N", 1, first_day=joined), "salesforce"))
    assert abs(scores["N"] - scores["R"]) <= 1.0, scores


def test_two_weeks_of_leave_do_not_move_the_score() -> None:
    leave = (date(2026, 9, 28), date(2026, 10, 11))
    scores = _scores(("L", _rep("L", 2, away=leave), "salesforce"))
    assert abs(scores["L"] - scores["R"]) <= 1.0, scores


def test_the_same_behaviour_in_another_crm_scores_the_same() -> None:
    scores = _scores(("Z", _rep("Z", 2, source="zoho"), "zoho"))
    assert abs(scores["Z"] - scores["R"]) <= 1.0, scores


def test_shrinkage_does_not_move_a_rep_for_having_half_the_records() -> None:
    # R and H in one team with the perfect rep: H's ratios equal R's, on half the records.
    scores, _ = audit(_team(("R", _rep("R", 2), "salesforce"), ("H", _rep("H", 1), "salesforce")))
    r, h = scores["salesforce:R"], scores["salesforce:H"]
    for mine, ref in zip(h.components, r.components, strict=True):
        assert mine.raw == ref.raw and mine.value == ref.value, (mine, ref)
