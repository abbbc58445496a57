"""Acts are judged by when they entered the CRM, not by the date a rep gave them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pair_rows import activity, at, audit, deal, part, row, rules_of, user
from pydantic import ValidationError

from sync.config.audit import AuditConfig


def _call(
    call_id: str,
    owner: str,
    when: str,
    entered: str | None,
    source: str = "salesforce",
    **links: Any,
) -> dict[str, Any]:
    found = activity(source, call_id, when, owner, **links)
    found["remote_created_at"] = at(entered) if entered else None
    return found


def _open_pair(b_entered: str | None) -> dict[str, list[dict[str, Any]]]:
    """A and B each work two open deals with a call on 10-20; A logs it that day."""
    deals, calls = [], []
    for owner, entered in (("A", "2026-10-20T11:00:00"), ("B", b_entered)):
        for i in (1, 2):
            deal_id = f"D{owner}{i}"
            deals.append(
                deal(deal_id, owner, "2026-09-01T09:00:00", date(2026, 12, 1), closed=False)
            )
            calls.append(
                _call(f"T{deal_id}", owner, "2026-10-20T10:00:00", entered, deal_id=deal_id)
            )
    return {"users": [user("A"), user("B")], "deals": deals, "activities": calls}


def test_calls_logged_in_one_batch_weeks_later_are_a_finding_and_cost_freshness() -> None:
    scores, findings = audit(_open_pair("2026-10-29T17:00:00"))
    assert rules_of(findings, "salesforce:B") == [
        ("late_activity_entry", "TDB1"),
        ("late_activity_entry", "TDB2"),
    ]
    assert rules_of(findings, "salesforce:A") == []
    message = next(f.message for f in findings if f.remote_id == "TDB1")
    assert message == ("call on 2026-10-20 entered 2026-10-29: 9.3 days later (window 2 days)")
    a, b = scores["salesforce:A"], scores["salesforce:B"]
    assert part(a, "freshness") == (2, 2, 1.0)
    # Each deal whose call was entered late is not kept current: 0/2, team 2/4 = 0.5.
    assert part(b, "freshness")[:2] == (0, 2)
    assert b.score is not None and a.score is not None and b.score < a.score


def test_the_same_habit_inside_the_entry_window_scores_the_same() -> None:
    scores, findings = audit(_open_pair("2026-10-21T18:00:00"))  # 32 h later, window 48 h
    assert [f for f in findings if f.rule == "late_activity_entry"] == []
    assert scores["salesforce:A"].score == scores["salesforce:B"].score == 100.0


def test_a_missing_creation_time_is_judged_by_the_act_date_and_never_a_finding() -> None:
    scores, findings = audit(_open_pair(None))
    assert [f for f in findings if f.rule == "late_activity_entry"] == []
    assert scores["salesforce:B"].score == scores["salesforce:A"].score


def test_a_call_back_dated_before_the_close_but_entered_after_it_covers_nothing() -> None:
    # Both win a deal on 10-10 after a call dated 10-05; B entered that call on 10-20.
    deals = [
        deal("DA", "A", "2026-09-01T09:00:00", date(2026, 10, 10), closed=True),
        deal("DB", "B", "2026-09-01T09:00:00", date(2026, 10, 10), closed=True),
    ]
    calls = [
        _call("TA", "A", "2026-10-05T10:00:00", "2026-10-05T10:30:00", deal_id="DA"),
        _call("TB", "B", "2026-10-05T10:00:00", "2026-10-20T10:00:00", deal_id="DB"),
    ]
    scores, findings = audit({"users": [user("A"), user("B")], "deals": deals, "activities": calls})
    assert rules_of(findings, "salesforce:B") == [
        ("late_activity_entry", "TB"),
        ("won_deal_no_activity", "DB"),
    ]
    assert part(scores["salesforce:B"], "activity_coverage")[:2] == (0, 1)
    assert part(scores["salesforce:A"], "activity_coverage") == (1, 1, 1.0)
    a, b = scores["salesforce:A"].score, scores["salesforce:B"].score
    assert a is not None and b is not None and b < a


def test_a_lead_touch_counts_from_when_it_entered_the_crm() -> None:
    # Both leads created 10-01 09:00 and called at 10:00; B logged the call on 10-03 12:00.
    # (Zoho: its leads' response time is measured by default.)
    def lead(lead_id: str, owner: str) -> dict[str, Any]:
        raw = {"Last_Name": "Ng", "Company": "Acme", "Email": "a@acme.com", "Phone": "+15550001"}
        raw |= {"Created_By": {"id": owner}}
        return row(
            "zoho",
            lead_id,
            "2026-10-01T09:00:00",
            owner_id=owner,
            source_channel="web",
            email="a@acme.com",
            raw=raw,
        )

    leads = [lead("LA", "A"), lead("LB", "B")]
    calls = [
        _call("TA", "A", "2026-10-01T10:00:00", "2026-10-01T10:05:00", "zoho", lead_id="LA"),
        _call("TB", "B", "2026-10-01T10:00:00", "2026-10-03T12:00:00", "zoho", lead_id="LB"),
    ]
    users = [user("A", "zoho"), user("B", "zoho")]
    scores, findings = audit({"users": users, "leads": leads, "activities": calls})
    slow = [(f.remote_id, f.message) for f in findings if f.rule == "slow_lead_response"]
    assert slow == [("LB", "first touch after 51 h (SLA 24 h)")]
    assert part(scores["zoho:B"], "responsiveness")[:2] == (0, 1)
    assert part(scores["zoho:A"], "responsiveness") == (1, 1, 1.0)
    a, b = scores["zoho:A"].score, scores["zoho:B"].score
    assert a is not None and b is not None and b < a


def test_the_entry_window_is_validated() -> None:
    assert AuditConfig().entry_lag_days == 2.0
    with pytest.raises(ValidationError):
        AuditConfig(entry_lag_days=0)


def test_explain_shows_what_each_finding_rests_on() -> None:
    from sync.audit.explain import explain_score

    scores, findings = audit(_open_pair("2026-10-29T17:00:00"))
    explained = explain_score(scores, "salesforce:B", 5.0, 0.1, findings)
    lines = {line["component"]: line for line in explained["components"]}
    assert [(f["rule"], f["remote_id"], f["message"]) for f in lines["freshness"]["findings"]] == [
        (
            "late_activity_entry",
            f"TDB{i}",
            "call on 2026-10-20 entered 2026-10-29: 9.3 days later (window 2 days)",
        )
        for i in (1, 2)
    ]
    assert lines["activity_coverage"]["findings"] == []
    # A's findings are A's: none of B's show up in A's explanation.
    a = explain_score(scores, "salesforce:A", 5.0, 0.1, findings)
    assert all(line["findings"] == [] for line in a["components"])


def test_a_late_entry_on_a_lead_costs_freshness_too() -> None:
    from audit_rows import SF_LEAD_OK

    # Salesforce leads (not timed for response): both called on 10-05, B entered it 10-12.
    def lead(lead_id: str, owner: str) -> dict[str, Any]:
        raw = {**SF_LEAD_OK, "CreatedById": owner}
        return row(
            "salesforce",
            lead_id,
            "2026-10-01T09:00:00",
            owner_id=owner,
            source_channel="web",
            email="a@acme.com",
            raw=raw,
        )

    calls = [
        _call("TA", "A", "2026-10-05T10:00:00", "2026-10-05T10:30:00", lead_id="LA"),
        _call("TB", "B", "2026-10-05T10:00:00", "2026-10-12T10:00:00", lead_id="LB"),
    ]
    tables = {"users": [user("A"), user("B")], "leads": [lead("LA", "A"), lead("LB", "B")]}
    scores, findings = audit({**tables, "activities": calls})
    assert rules_of(findings, "salesforce:B") == [("late_activity_entry", "TB")]
    assert part(scores["salesforce:A"], "freshness") == (0, 0, None)
    assert part(scores["salesforce:B"], "freshness")[:2] == (0, 1)
    a, b = scores["salesforce:A"].score, scores["salesforce:B"].score
    assert a is not None and b is not None and b < a
