"""Usage scores: components as k/n over own records, shrinkage, weights, team scores."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from decimal import Decimal as D
from fractions import Fraction

import pytest
from audit_rows import AS_OF, activity, company, snapshot
from pydantic import ValidationError

from sync.audit.checks import Context
from sync.audit.employees import Directory
from sync.audit.findings import LinkBuilder
from sync.audit.rules import run_rules
from sync.audit.scores import UsageScore, compute_scores, decimal_of, shrink, team_scores
from sync.config.audit import AuditConfig


def _scores(config: AuditConfig | None = None, as_of=AS_OF, tables=None) -> dict[str, UsageScore]:
    ctx = Context(snapshot(tables), config or AuditConfig(), as_of)
    people = Directory(ctx.snapshot, None)
    findings = run_rules(ctx, people, LinkBuilder({}, {}, {}, "0"))
    return {s.subject: s for s in compute_scores(ctx, people, findings)}


def _parts(score: UsageScore) -> dict[str, tuple[int, int, float | None]]:
    return {c.name: (c.numerator, c.denominator, c.value) for c in score.components}


def test_components_store_numerator_and_denominator_and_shrink_to_the_team() -> None:
    scores = _scores()
    u1 = scores["salesforce:U1"]
    assert (u1.team, u1.profile) == ("field_sales", "sales")
    # Team field_sales pools U1 and U2: freshness 1/2, completeness 1/3; m = 5.
    assert _parts(u1) == {
        "activity_coverage": (1, 1, D("1.0")),
        # below the team's 0.5 on 1 < m = 5 record: 0 + (5 - 1)/5 * 0.5 = 0.4
        "freshness": (0, 1, D("0.4")),
        # D1 lacks a contact role, open D2 (50%) a next step: 0 + (5 - 2)/5 * 1/3 = 0.2
        "completeness": (0, 2, D("0.2")),
        "responsiveness": (0, 0, None),  # no leads to answer: does not count
        "uniqueness": (0, 0, None),  # no reconciled identities
        "validity": (1, 1, D("1.0")),
    }
    # 100 * (0.25*1 + 0.2*0.4 + 0.2*0.2 + 0.1*1) / 0.75 = 100 * 0.47 / 0.75
    assert u1.score == D("62.7")
    # U2's 1/1 fresh and complete is above the team's 1/2: kept at 1.0, every component 1.
    assert scores["salesforce:U2"].score == D("100.0")


def test_service_staff_use_the_service_weights() -> None:
    tables = company()
    # a reply recorded on K1; K2 was closed with nothing recorded on it
    tables["activities"].append(
        activity("zoho", "E1", "2026-10-02T00:00:00", "Z9", case_id="K1", activity_type="email")
    )
    z9 = _scores(tables=tables)["zoho:Z9"]
    assert (z9.team, z9.profile) == ("service", "service")
    assert _parts(z9)["responsiveness"] == (0, 2, D("0.0"))  # one over SLA, one reopened
    assert _parts(z9)["activity_coverage"] == (1, 2, D("0.5"))  # the team's own 1/2: kept
    assert z9.score == D("15.0")  # 100 * (0.15*0.5 + 0.35*0) / 0.5


def test_lead_response_counts_for_the_agent_who_touched_the_lead() -> None:
    agent = _scores()["hubspot:70"]
    assert _parts(agent)["responsiveness"] == (0, 1, D("0.0"))
    assert _parts(agent)["completeness"] == (2, 2, D("1.0"))
    assert agent.score == D("66.7")


def test_scores_are_reproducible_and_depend_only_on_as_of() -> None:
    assert _scores() == _scores()
    earlier = _scores(as_of=AS_OF - timedelta(days=60))
    assert earlier["salesforce:U1"].score != _scores()["salesforce:U1"].score


def test_team_score_is_the_record_weighted_mean_of_active_members() -> None:
    def member(subject: str, score: str, records: int, active: bool = True) -> UsageScore:
        return UsageScore(subject, "employee", subject, "t", "sales", active, D(score), records)

    teams = team_scores(
        [member("a", "90.0", 30), member("b", "60.0", 10), member("c", "0.0", 99, active=False)]
    )
    assert [(t.subject, t.score, t.records) for t in teams] == [("team:t", D("82.5"), 40)]
    # (60.0 + 60.3) / 2 = 60.15 exactly: half to even, 60.2 (in floats 60.1499…, so 60.1)
    teams = team_scores([member("a", "60.0", 1), member("b", "60.3", 1)])
    assert [str(t.score) for t in teams] == ["60.2"]


def test_weights_must_sum_to_one_and_name_known_components() -> None:
    with pytest.raises(ValidationError, match="sum to 1"):
        AuditConfig(weights={"sales": {"validity": 0.5}, "service": {"validity": 1.0}})
    with pytest.raises(ValidationError, match="unknown component"):
        AuditConfig(weights={"sales": {"logins": 1.0}, "service": {"validity": 1.0}})
    with pytest.raises(ValidationError, match="no weights for profile"):
        AuditConfig(team_profiles={"ops": "ops"})


def test_shrinkage_is_exact_and_the_config_numbers_are_the_decimals_written() -> None:
    m, cap = Fraction(decimal_of(5.0)), Fraction(decimal_of(0.1))
    assert cap == Fraction(1, 10)  # not the float nearest to 0.1
    # 0/3 with the team at 11/15: 0 + (5 - 3)/5 × 11/15 = 22/75 = 0.29333…
    assert shrink("freshness", 0, 3, 11, 15, m, cap) == Fraction(22, 75)
    # uniqueness: 1 duplicate in 2 (team 1 in 10): duplicate-free 1/2 lifted to
    # 1/2 + 3/5 × (9/10 - 1/2) = 37/50; value max(0, 1 - (13/50) / (1/10)) = 0
    assert shrink("uniqueness", 1, 2, 1, 10, m, cap) == 0
    assert shrink("uniqueness", 0, 8, 1, 10, m, cap) == 1
    assert [decimal_of(w) for w in (0.25, 0.2, 1, Decimal("0.15"))] == [
        Decimal("0.25"), Decimal("0.2"), Decimal("1"), Decimal("0.15"),
    ]  # fmt: skip
