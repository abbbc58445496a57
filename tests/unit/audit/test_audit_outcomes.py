"""What the work achieved and what comes next: a call logged without its outcome, and a
late-stage deal with no next step. Pairs of reps alike but for that one behaviour."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from pair_rows import activity, audit, deal, part, rules_of, user

from sync.config.audit import AuditConfig


def _won_deals_called(outcome_b: str | None) -> dict[str, list]:
    deals = [
        deal("DA", "A", "2026-09-01T09:00:00", date(2026, 10, 20), closed=True),
        deal("DB", "B", "2026-09-01T09:00:00", date(2026, 10, 20), closed=True),
    ]
    calls = [
        activity("salesforce", "TA", "2026-10-05T10:00:00", "A", deal_id="DA"),
        activity("salesforce", "TB", "2026-10-05T10:00:00", "B", deal_id="DB", outcome=outcome_b),
    ]
    return {"users": [user("A"), user("B")], "deals": deals, "activities": calls}


def test_a_call_logged_without_its_outcome_is_a_finding_and_does_not_cover_the_deal() -> None:
    scores, findings = audit(_won_deals_called(outcome_b=None))
    assert rules_of(findings, "salesforce:A") == []
    assert rules_of(findings, "salesforce:B") == [("call_without_outcome", "TB")]
    message = next(f.message for f in findings if f.rule == "call_without_outcome")
    assert message == "call on 2026-10-05 logged with no outcome"
    assert part(scores["salesforce:A"], "activity_coverage") == (1, 1, D("1.0"))
    # 0/1 below the team's 1/2 on 1 < m = 5 deals: 0 + 4/5 * 0.5
    assert part(scores["salesforce:B"], "activity_coverage") == (0, 1, D("0.4"))
    a, b = scores["salesforce:A"].score, scores["salesforce:B"].score
    assert a is not None and b is not None and b < a


def test_any_recorded_outcome_counts_and_the_check_can_be_turned_off() -> None:
    scores, findings = audit(_won_deals_called(outcome_b="Left voicemail"))
    assert [f for f in findings if f.rule == "call_without_outcome"] == []
    assert scores["salesforce:A"].score == scores["salesforce:B"].score

    off = AuditConfig(outcome_activity_types=[])
    scores, findings = audit(_won_deals_called(outcome_b=None), config=off)
    assert [f for f in findings if f.rule == "call_without_outcome"] == []
    assert scores["salesforce:A"].score == scores["salesforce:B"].score


def _open_deals(next_b: str | None, probability: int = 60) -> dict[str, list]:
    deals = [
        deal(
            "DA",
            "A",
            "2026-10-01T09:00:00",
            date(2026, 11, 30),
            closed=False,
            probability=probability,
            next_step="Send the revised quotation",
        ),
        deal(
            "DB",
            "B",
            "2026-10-01T09:00:00",
            date(2026, 11, 30),
            closed=False,
            probability=probability,
            next_step=next_b,
        ),
    ]
    calls = [
        activity("salesforce", "TA", "2026-10-28T10:00:00", "A", deal_id="DA"),
        activity("salesforce", "TB", "2026-10-28T10:00:00", "B", deal_id="DB"),
    ]
    return {"users": [user("A"), user("B")], "deals": deals, "activities": calls}


def test_a_late_stage_deal_without_a_next_step_is_a_finding_and_incomplete() -> None:
    scores, findings = audit(_open_deals(next_b=None))
    assert rules_of(findings, "salesforce:A") == []
    assert rules_of(findings, "salesforce:B") == [("open_deal_no_next_step", "DB")]
    message = next(f.message for f in findings if f.rule == "open_deal_no_next_step")
    assert message == "open at 60% (from 50%) with no next step"
    # Each deal is one completeness check (created in the window) plus its next step.
    assert part(scores["salesforce:A"], "completeness") == (2, 2, D("1.0"))
    # 1/2 below the team's 3/4 on 2 < m = 5 checks: 0.5 + 3/5 * 0.25
    assert part(scores["salesforce:B"], "completeness") == (1, 2, D("0.65"))
    a, b = scores["salesforce:A"].score, scores["salesforce:B"].score
    assert a is not None and b is not None and b < a


def test_early_deals_and_blank_next_steps() -> None:
    # Below the probability threshold nobody is asked for a next step.
    scores, findings = audit(_open_deals(next_b=None, probability=40))
    assert [f for f in findings if f.rule == "open_deal_no_next_step"] == []
    assert scores["salesforce:A"].score == scores["salesforce:B"].score
    # A next step of blanks is no next step.
    _, findings = audit(_open_deals(next_b="   "))
    assert rules_of(findings, "salesforce:B") == [("open_deal_no_next_step", "DB")]
    # The threshold is the admin's.
    _, findings = audit(_open_deals(next_b=None), config=AuditConfig(next_step_probability=75))
    assert [f for f in findings if f.rule == "open_deal_no_next_step"] == []
