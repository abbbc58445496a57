"""What the CRM's own history shows: pairs of reps alike but for one behaviour seen only in
a deal's field changes (amount moved after close, entered at won, close date off the day
it was won, close date pushed again and again, a loss handed to someone else just before),
and equal pairs. Bad history (unknown records, no time) is reported, never judged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from typing import Any

from pair_rows import activity, at, audit, audit_at, deal, part, rules_of, user

from sync.config.audit import AuditConfig

CREATED = "2026-09-01T09:00:00"
WON = "2026-10-20T15:00:00"


def change(
    rid: str, deal_id: str, field: str, old: Any, new: Any, when: str, **extra: Any
) -> dict[str, Any]:
    """One history row (store columns of ``field_changes``) of a Salesforce deal."""
    return {
        "source": "salesforce",
        "remote_id": rid,
        "record_type": extra.pop("record_type", "deal"),
        "record_id": deal_id,
        "field": field,
        "remote_field": field,
        "old_value": None if old is None else str(old),
        "new_value": None if new is None else str(new),
        "new_state": extra.pop("state", None),
        "changed_at": at(when) if when else None,
        "changed_by": extra.pop("by", None),
    }


def _won_path(deal_id: str, prefix: str, won: str = WON) -> list[dict[str, Any]]:
    """Created in September at an open stage, won on ``won``."""
    return [
        change(f"{prefix}1", deal_id, "created", None, None, CREATED),
        change(f"{prefix}2", deal_id, "stage", "Proposal", "Closed Won", won, state="won"),
    ]


def _won_pair(
    history_b: list[dict[str, Any]], close_b: date = date(2026, 10, 20), created_b: str = CREATED
) -> dict[str, list]:
    return {
        "users": [user("A"), user("B")],
        "deals": [
            deal("DA", "A", CREATED, date(2026, 10, 20), closed=True),
            deal("DB", "B", created_b, close_b, closed=True),
        ],
        "activities": [
            activity("salesforce", "TA", "2026-10-05T10:00:00", "A", deal_id="DA"),
            activity("salesforce", "TB", "2026-10-05T10:00:00", "B", deal_id="DB"),
        ],
        "field_changes": _won_path("DA", "HA") + history_b,
    }


def _order(scores: dict, worse: str, better: str) -> None:
    low, high = scores[f"salesforce:{worse}"].score, scores[f"salesforce:{better}"].score
    assert low is not None and high is not None and low < high


def test_an_amount_changed_after_the_deal_closed_is_a_finding_on_its_owner() -> None:
    moved = change("HB3", "DB", "amount", "1000", "1500", "2026-10-25T11:00:00", by="B")
    scores, findings = audit(_won_pair([*_won_path("DB", "HB"), moved]))
    assert rules_of(findings, "salesforce:A") == []
    assert rules_of(findings, "salesforce:B") == [("deal_changed_after_close", "DB")]
    message = next(f.message for f in findings if f.rule == "deal_changed_after_close")
    assert message == (
        "closed 2026-10-20, then amount 1000 -> 1500 on 2026-10-25 11:00 [history HB3]"
    )
    assert part(scores["salesforce:A"], "freshness") == (1, 1, D("1.0"))
    # 0/1 below the team's 1/2 on 1 < m = 5 deals: 0 + 4/5 * 0.5
    assert part(scores["salesforce:B"], "freshness") == (0, 1, D("0.4"))
    _order(scores, "B", "A")


def test_a_correction_within_the_grace_after_closing_is_no_finding() -> None:
    fixed = change("HB3", "DB", "amount", "1000", "1500", "2026-10-21T09:00:00")
    scores, findings = audit(_won_pair([*_won_path("DB", "HB"), fixed]))
    assert [f for f in findings if f.rule == "deal_changed_after_close"] == []
    assert scores["salesforce:A"].score == scores["salesforce:B"].score


def test_a_deal_entered_straight_at_won_is_a_finding_and_lowers_the_score() -> None:
    # B entered the deal already won on the day it closed: the history has its creation
    # and no stage change (it never moved from the stage it was created with).
    entered = [change("HB1", "DB", "created", None, None, WON)]
    scores, findings = audit(_won_pair(entered, created_b=WON))
    assert rules_of(findings, "salesforce:A") == []
    assert sorted(rules_of(findings, "salesforce:B")) == [
        ("deal_created_at_close", "DB"),
        ("deal_entered_at_won", "DB"),
    ]
    message = next(f.message for f in findings if f.rule == "deal_entered_at_won")
    assert message == "created 2026-10-20 15:00 already won (won 2026-10-20 15:00) [history HB1]"
    assert part(scores["salesforce:B"], "freshness") == (0, 1, D("0.4"))
    _order(scores, "B", "A")


def test_an_entered_at_won_deal_is_found_from_history_even_with_a_future_close_date() -> None:
    # Created at won on 10-15 with a close date set five days on: no late entry by the
    # close date, but its history says it was never open in the CRM.
    entered = [change("HB1", "DB", "created", None, None, "2026-10-15T10:00:00")]
    scores, findings = audit(
        _won_pair(entered, close_b=date(2026, 10, 20), created_b="2026-10-15T10:00:00")
    )
    assert sorted(rules_of(findings, "salesforce:B")) == [
        ("close_date_not_won_day", "DB"),
        ("deal_entered_at_won", "DB"),
    ]
    _order(scores, "B", "A")


def test_a_close_date_away_from_the_day_it_was_won_is_a_finding() -> None:
    scores, findings = audit(_won_pair(_won_path("DB", "HB"), close_b=date(2026, 10, 10)))
    assert rules_of(findings, "salesforce:B") == [("close_date_not_won_day", "DB")]
    message = next(f.message for f in findings if f.rule == "close_date_not_won_day")
    assert message == ("won 2026-10-20 but close date 2026-10-10 (tolerance 1 days) [history HB2]")
    _order(scores, "B", "A")
    # a day off is within the default tolerance: equal
    scores, findings = audit(_won_pair(_won_path("DB", "HB"), close_b=date(2026, 10, 21)))
    assert [f for f in findings if f.rule == "close_date_not_won_day"] == []
    assert scores["salesforce:A"].score == scores["salesforce:B"].score


def _open_pair(pushes_a: int, pushes_b: int) -> dict[str, list]:
    days = ["2026-10-31", "2026-11-15", "2026-11-30", "2026-12-15", "2026-12-31"]
    rows = []
    for rep, pushes in (("A", pushes_a), ("B", pushes_b)):
        rows.append(change(f"H{rep}0", f"D{rep}", "created", None, None, CREATED))
        for n in range(pushes):
            when = f"2026-10-{10 + n:02d}T09:00:00"
            rows.append(
                change(f"H{rep}{n + 1}", f"D{rep}", "close_date", days[n], days[n + 1], when)
            )
    close = {rep: date.fromisoformat(days[n]) for rep, n in (("A", pushes_a), ("B", pushes_b))}
    return {
        "users": [user("A"), user("B")],
        "deals": [
            deal(
                f"D{rep}",
                rep,
                CREATED,
                close[rep],
                closed=False,
                probability=60,
                next_step="Send the quotation",
            )
            for rep in ("A", "B")
        ],
        "activities": [
            activity("salesforce", f"T{rep}", "2026-10-25T10:00:00", rep, deal_id=f"D{rep}")
            for rep in ("A", "B")
        ],
        "field_changes": rows,
    }


def test_a_close_date_pushed_again_and_again_is_a_finding() -> None:
    scores, findings = audit(_open_pair(pushes_a=1, pushes_b=3))
    assert rules_of(findings, "salesforce:A") == []
    assert rules_of(findings, "salesforce:B") == [("close_date_pushed", "DB")]
    message = next(f.message for f in findings if f.rule == "close_date_pushed")
    assert message == (
        "close date pushed 3 times (2026-10-31 -> 2026-11-15, 2026-11-15 -> 2026-11-30, "
        "2026-11-30 -> 2026-12-15) [history HB1, HB2, HB3]"
    )
    assert part(scores["salesforce:A"], "freshness") == (1, 1, D("1.0"))
    assert part(scores["salesforce:B"], "freshness") == (0, 1, D("0.4"))
    _order(scores, "B", "A")
    # two pushes each (below the default of 3): equal
    scores, findings = audit(_open_pair(pushes_a=2, pushes_b=2))
    assert [f for f in findings if f.rule == "close_date_pushed"] == []
    assert scores["salesforce:A"].score == scores["salesforce:B"].score


def _lost_pair(handed_over: str) -> dict[str, list]:
    """A loses her own deal; B's deal goes to C on ``handed_over`` and is lost 10-20."""
    lost = {"is_won": False, "stage": "Closed Lost"}
    return {
        "users": [user("A"), user("B"), user("C")],
        "deals": [
            deal("DA", "A", CREATED, date(2026, 10, 20), closed=True, **lost),
            deal("DB", "C", CREATED, date(2026, 10, 20), closed=True, **lost),
            deal("DC", "C", CREATED, date(2026, 10, 20), closed=True),
        ],
        "activities": [
            activity("salesforce", f"T{d}", "2026-10-05T10:00:00", o, deal_id=d)
            for d, o in (("DA", "A"), ("DB", "B"), ("DC", "C"))
        ],
        "field_changes": [
            change("HA1", "DA", "created", None, None, CREATED),
            change("HA2", "DA", "stage", "Proposal", "Closed Lost", WON, state="lost"),
            change("HB1", "DB", "created", None, None, CREATED),
            change("HB2", "DB", "owner_id", "B", "C", handed_over, by="B"),
            change("HB3", "DB", "stage", "Proposal", "Closed Lost", WON, state="lost"),
            *_won_path("DC", "HC"),
        ],
    }


def test_a_deal_handed_over_just_before_it_is_lost_is_the_loss_of_who_held_it() -> None:
    scores, findings = audit(_lost_pair(handed_over="2026-10-15T09:00:00"))
    assert rules_of(findings, "salesforce:A") == []
    assert rules_of(findings, "salesforce:B") == [("lost_after_reassignment", "DB")]
    assert rules_of(findings, "salesforce:C") == []
    message = next(f.message for f in findings if f.rule == "lost_after_reassignment")
    assert message == (
        "reassigned B -> C on 2026-10-15 09:00, lost 2026-10-20: the loss is B's [history HB2]"
    )
    assert part(scores["salesforce:A"], "freshness") == (1, 1, D("1.0"))
    # 0/1 below the team's 2/3 on 1 < m = 5 deals: 0 + 4/5 * 2/3
    assert part(scores["salesforce:B"], "freshness") == (0, 1, D("0.5333"))
    # C answers only for the deal C won: the handed-over loss is not C's
    assert part(scores["salesforce:C"], "freshness") == (1, 1, D("1.0"))
    _order(scores, "B", "A")


def test_a_deal_handed_over_long_before_it_is_lost_is_the_new_owners() -> None:
    scores, findings = audit(_lost_pair(handed_over="2026-09-20T09:00:00"))
    assert [f for f in findings if f.rule == "lost_after_reassignment"] == []
    assert "salesforce:B" not in scores  # B holds no deal any more: nothing to judge
    assert part(scores["salesforce:C"], "freshness") == (2, 2, D("1.0"))
    assert scores["salesforce:A"].score == scores["salesforce:C"].score


def test_the_windows_are_configurable() -> None:
    moved = change("HB3", "DB", "amount", "1000", "1500", "2026-10-25T11:00:00")
    config = AuditConfig(closed_change_grace_hours=24 * 7)
    _, findings = audit(_won_pair([*_won_path("DB", "HB"), moved]), config=config)
    assert [f for f in findings if f.rule == "deal_changed_after_close"] == []
    _, findings = audit(_open_pair(pushes_a=0, pushes_b=2), config=AuditConfig(close_date_pushes=2))
    assert rules_of(findings, "salesforce:B") == [("close_date_pushed", "DB")]


def test_bad_history_is_reported_and_never_judged() -> None:
    clean_scores, clean_findings = audit(_won_pair(_won_path("DB", "HB")))
    bad = [
        change("HX1", "D-GONE", "stage", "Proposal", "Closed Won", WON, state="won"),
        change("HX2", "DB", "amount", "1000", "9000", ""),  # no time
        change("HX3", "L9", "status", "Open", "Closed", WON, record_type="widget"),
    ]
    tables = _won_pair([*_won_path("DB", "HB"), *bad])
    scores, findings = audit(tables)
    unreadable = [
        (f.remote_id, f.employee, f.message) for f in findings if f.rule == "history_unreadable"
    ]
    assert unreadable == [
        ("HX1", None, "history of deal D-GONE, not in the store"),
        ("HX2", None, "history of deal DB with no time"),
        ("HX3", None, "history of an unknown record type 'widget'"),
    ]
    others = [f for f in findings if f.rule != "history_unreadable"]
    assert others == clean_findings
    assert {k: s.score for k, s in scores.items()} == {k: s.score for k, s in clean_scores.items()}


def test_a_deal_without_history_is_judged_as_before() -> None:
    tables = _won_pair([], close_b=date(2026, 10, 10))
    tables["field_changes"] = []
    scores, findings = audit(tables)
    history_rules = {
        "deal_entered_at_won",
        "deal_changed_after_close",
        "close_date_not_won_day",
        "close_date_pushed",
        "lost_after_reassignment",
        "history_unreadable",
    }
    assert [f for f in findings if f.rule in history_rules] == []
    assert scores["salesforce:A"].score == scores["salesforce:B"].score


def test_an_earlier_audit_date_sees_only_the_history_made_by_then() -> None:
    moved = change("HB3", "DB", "amount", "1000", "1500", "2026-10-25T11:00:00")
    tables = _won_pair([*_won_path("DB", "HB"), moved])
    _, findings = audit_at(tables, at("2026-10-23T00:00:00"))
    assert [f for f in findings if f.rule == "deal_changed_after_close"] == []
    _, findings = audit_at(tables, at("2026-10-26T00:00:00"))
    assert rules_of(findings, "salesforce:B") == [("deal_changed_after_close", "DB")]


def test_history_without_the_creation_infers_nothing_about_it() -> None:
    # tracking turned on after the deal was created: only a later amount change is known
    only = [change("HB9", "DB", "amount", "900", "1000", "2026-10-01T09:00:00")]
    scores, findings = audit(_won_pair(only))
    assert rules_of(findings, "salesforce:B") == []
    assert scores["salesforce:A"].score == scores["salesforce:B"].score
