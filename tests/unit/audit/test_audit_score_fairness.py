"""Usage scores rank people the way the documented rules say a manager should see them:
late entry costs freshness, shrinkage never pulls a perfect record below an imperfect one,
unknown owners are no employees, HubSpot lead contacts need a source channel."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from decimal import Decimal as D
from typing import Any

from audit_rows import AS_OF, SF_OPP_OK, activity, at, row

from sync.audit.checks import Context
from sync.audit.employees import Directory
from sync.audit.explain import explain_score
from sync.audit.findings import Finding, LinkBuilder
from sync.audit.rules import run_rules
from sync.audit.scores import UsageScore, compute_scores, team_scores
from sync.audit.snapshot import Snapshot
from sync.config.audit import AuditConfig


def _user(user_id: str, source: str = "salesforce", team: str = "field_sales") -> dict[str, Any]:
    return row(source, user_id, name=f"Rep {user_id}", is_active=True, department=team)


def _deal(
    deal_id: str,
    owner: str,
    created: str,
    close: date,
    *,
    closed: bool,
    source: str = "salesforce",
) -> dict[str, Any]:
    return row(
        source,
        deal_id,
        created,
        owner_id=owner,
        is_closed=closed,
        is_won=closed,
        close_date=close,
        amount=Decimal("1000"),
        currency="EUR",
        source_channel="web",
        contact_id="C-" + deal_id,
        raw={**SF_OPP_OK, "CreatedById": owner},
    )


def _audit(tables: dict[str, list[dict[str, Any]]]) -> tuple[dict[str, UsageScore], list[Finding]]:
    full = {
        "users": [],
        "leads": [],
        "contacts": [],
        "accounts": [],
        "deals": [],
        "deal_contacts": [],
        "activities": [],
        "cases": [],
    }
    full.update(tables)
    ctx = Context(Snapshot.from_rows(full), AuditConfig(), AS_OF)
    people = Directory(ctx.snapshot, None)
    findings = run_rules(ctx, people, LinkBuilder({}, {}, {}, "0"))
    return {s.subject: s for s in compute_scores(ctx, people, findings)}, findings


def _part(score: UsageScore, name: str) -> tuple[int, int, float | None]:
    found = next(c for c in score.components if c.name == name)
    return (found.numerator, found.denominator, found.value)


def test_a_rep_who_enters_deals_on_their_close_date_loses_freshness() -> None:
    # A documents both deals a month before they close; B enters each on its close date.
    # Neither has an open deal: both are judged on the deals they closed in the window.
    scores, findings = _audit(
        {
            "users": [_user("A"), _user("B")],
            "deals": [
                _deal("DA1", "A", "2026-09-01T09:00:00", date(2026, 10, 1), closed=True),
                _deal("DA2", "A", "2026-09-05T09:00:00", date(2026, 10, 5), closed=True),
                _deal("DB1", "B", "2026-10-01T09:00:00", date(2026, 10, 1), closed=True),
                _deal("DB2", "B", "2026-10-05T09:00:00", date(2026, 10, 5), closed=True),
            ],
            "activities": [
                activity("salesforce", "T1", "2026-09-10T10:00:00", "A", deal_id="DA1"),
                activity("salesforce", "T2", "2026-09-15T10:00:00", "A", deal_id="DA2"),
                activity("salesforce", "T3", "2026-10-01T10:00:00", "B", deal_id="DB1"),
                activity("salesforce", "T4", "2026-10-05T10:00:00", "B", deal_id="DB2"),
            ],
        }
    )
    late = sorted(f.remote_id for f in findings if f.rule == "deal_created_at_close")
    assert late == ["DB1", "DB2"]
    a, b = scores["salesforce:A"], scores["salesforce:B"]
    assert _part(a, "freshness") == (2, 2, D("1.0"))
    # Team freshness 2/4 = 0.5; B's 0/2 is below it, on 2 < m = 5 records: lifted by
    # (5 - 2)/5 of the gap, 0 + 0.6 * (0.5 - 0) = 0.3
    assert _part(b, "freshness") == (0, 2, D("0.3"))
    assert a.score == D("100.0")
    # 100 * (0.25*1 + 0.20*0.3 + 0.20*1 + 0.10*1) / (0.25 + 0.20 + 0.20 + 0.10)
    #   = 100 * 0.61 / 0.75 = 81.33
    assert b.score == D("81.3")


def _open_deals(owner: str, fresh: int, stale: int) -> tuple[list[Any], list[Any]]:
    """``fresh`` open deals touched on 10-20, ``stale`` open deals never touched."""
    deals, touches = [], []
    for i in range(fresh + stale):
        deal_id = f"D{owner}{i}"
        deals.append(_deal(deal_id, owner, "2026-09-01T09:00:00", date(2026, 12, 1), closed=False))
        if i < fresh:
            touches.append(
                activity("salesforce", f"T{deal_id}", "2026-10-20T10:00:00", owner, deal_id=deal_id)
            )
    return deals, touches


def test_shrinkage_never_pulls_a_perfect_record_below_an_imperfect_one() -> None:
    # P: 2 of 2 open deals fresh; R: 9 of 10; T: 0 of 6. Team freshness 11/18 = 0.6111.
    tables: dict[str, list[Any]] = {"users": [_user("P"), _user("R"), _user("T")]}
    tables["deals"], tables["activities"] = [], []
    for owner, fresh, stale in (("P", 2, 0), ("R", 9, 1), ("T", 0, 6)):
        deals, touches = _open_deals(owner, fresh, stale)
        tables["deals"] += deals
        tables["activities"] += touches
    scores, _ = _audit(tables)
    p, r, t = scores["salesforce:P"], scores["salesforce:R"], scores["salesforce:T"]
    # At or above the team ratio a record keeps its own ratio: P 2/2 = 1.0, R 9/10 = 0.9.
    assert _part(p, "freshness") == (2, 2, D("1.0"))
    assert _part(r, "freshness") == (9, 10, D("0.9"))
    # Below it, only thin evidence (n < m = 5) is lifted: T's 0/6 is evidence enough.
    assert _part(t, "freshness") == (0, 6, D("0.0"))
    assert _part(t, "activity_coverage") == (0, 6, D("0.0"))
    assert p.score == D("100.0")
    # R: 100 * (0.25*0.9 + 0.20*0.9 + 0.20*1 + 0.10*1) / 0.75 = 100 * 0.705 / 0.75 = 94.0
    assert r.score == D("94.0")
    # T: 100 * (0.25*0 + 0.20*0 + 0.20*1 + 0.10*1) / 0.75 = 100 * 0.3 / 0.75
    assert t.score == D("40.0")
    ranked = sorted(scores.values(), key=lambda s: -(s.score or 0))
    assert [s.subject for s in ranked] == ["salesforce:P", "salesforce:R", "salesforce:T"]


def test_unknown_owners_are_a_finding_not_an_employee() -> None:
    scores, findings = _audit(
        {
            "users": [_user("70", source="hubspot", team="call_centre")],
            "deals": [
                _deal(
                    "D1",
                    "70",
                    "2026-09-01T09:00:00",
                    date(2026, 12, 1),
                    closed=False,
                    source="hubspot",
                ),
                _deal(
                    "D2",
                    "99999999",
                    "2026-09-01T09:00:00",
                    date(2026, 12, 1),
                    closed=False,
                    source="hubspot",
                ),
            ],
        }
    )
    assert sorted(scores) == ["hubspot:70"]
    assert [t.name for t in team_scores(list(scores.values()))] == ["call_centre"]
    unknown = [
        (f.rule, f.remote_id, f.employee, f.user_id) for f in findings if f.user_id == "99999999"
    ]
    assert ("unknown_user", "D2", None, "99999999") in unknown
    assert all(employee is None for _, _, employee, _ in unknown)


def test_a_hubspot_lead_contact_without_source_is_incomplete() -> None:
    props = {"lastname": "A", "email": "a@x.com", "phone": "1", "jobtitle": "x", "company": "y"}
    scores, findings = _audit(
        {
            "users": [_user("70", source="hubspot", team="call_centre")],
            "contacts": [
                row(
                    "hubspot",
                    "C1",
                    "2026-10-01T00:00:00",
                    owner_id="70",
                    lifecycle_stage="lead",
                    source_channel=None,
                    email="a@x.com",
                    raw={"properties": props},
                ),
                row(
                    "hubspot",
                    "C2",
                    "2026-10-01T00:00:00",
                    owner_id="70",
                    lifecycle_stage="subscriber",
                    source_channel=None,
                    email="a@x.com",
                    raw={"properties": props},
                ),
            ],
        }
    )
    assert [f.remote_id for f in findings if f.rule == "missing_source_channel"] == ["C1"]
    # C1 (a lead) lacks its source; C2 (a subscriber, not a lead) does not need one.
    assert _part(scores["hubspot:70"], "completeness") == (1, 2, D("0.5"))


def test_explain_lets_a_rep_recompute_the_score_with_a_pencil() -> None:
    tables: dict[str, list[Any]] = {"users": [_user("P"), _user("R"), _user("T")]}
    tables["deals"], tables["activities"] = [], []
    for owner, fresh, stale in (("P", 2, 0), ("R", 9, 1), ("T", 0, 3)):
        deals, touches = _open_deals(owner, fresh, stale)
        tables["deals"] += deals
        tables["activities"] += touches
    scores, _ = _audit(tables)
    explained = explain_score(scores, "salesforce:T", 5.0, 0.1)
    lines = {line["component"]: line for line in explained["components"]}
    fresh = lines["freshness"]
    assert (fresh["numerator"], fresh["denominator"], fresh["raw"]) == (0, 3, D("0.0"))
    assert (fresh["team_numerator"], fresh["team_denominator"]) == (11, 15)
    assert fresh["team_ratio"] == D("0.7333")  # 11 / 15
    # 3 records < m = 5: lifted by (5 - 3)/5 of the gap, 0 + 0.4 * 0.7333 = 0.29333
    assert fresh["value"] == D("0.2933")
    assert fresh["how"] == "lifted: 0/3 + (5 − 3)/5 × (0.7333 − 0/3)"
    assert fresh["rules"] == [
        "case_over_sla",
        "close_date_not_won_day",
        "close_date_pushed",
        "deal_changed_after_close",
        "deal_created_at_close",
        "deal_entered_at_won",
        "late_activity_entry",
        "lost_after_reassignment",
        "open_deal_past_close",
        "open_deal_stale",
    ]
    # points = 100 * weight * value / Σ weights counted = 100 * 0.20 * 0.2933 / 0.75
    assert fresh["points"] == D("7.82")
    assert lines["responsiveness"]["how"] == "no records: does not count"
    assert lines["responsiveness"]["points"] is None
    assert (
        explained["formula"] == "100 × (0.25×0.2933 + 0.2×0.2933 + 0.2×1.0000 + 0.1×1.0000) / 0.75"
    )
    # 9.78 + 7.82 + 26.67 + 13.33 = 57.60 points, the score 57.6 to one decimal
    assert sum(line["points"] or 0 for line in lines.values()) == D("57.60")
    assert explained["score"] == D("57.6")
    r = {
        line["component"]: line
        for line in explain_score(scores, "salesforce:R", 5.0, 0.1)["components"]
    }
    assert r["freshness"]["how"] == "kept: 9/10 ≥ team 0.7333"


def test_explain_writes_the_team_ratio_exactly_and_the_settings_as_configured() -> None:
    from sync.store.view.usage import Component

    def how(name: str, k: int, n: int, tk: int, tn: int, m: Any, cap: Any) -> str:
        one = UsageScore("x", "employee", "X", "t", "sales", True, D("50.0"), n)
        one.components = [Component(name, k, n, D("0.5"), D("0.25"))]
        other = UsageScore("y", "employee", "Y", "t", "sales", True, D("50.0"), tn - n)
        other.components = [Component(name, tk - k, tn - n, D("0.5"), D("0.25"))]
        explained = explain_score({"x": one, "y": other}, "x", m, cap)
        return str(explained["components"][0]["how"])

    # The team's 1/160 = 0.00625 is a tie at 4 places: exact, half to even, it is 0.0062
    # (the float 0.00625 is a little above the tie and printed 0.0063).
    assert how("freshness", 0, 2, 1, 160, 5.0, 0.1) == ("lifted: 0/2 + (5 − 2)/5 × (0.0062 − 0/2)")
    assert how("freshness", 0, 2, 1, 160, D("7.50"), 0.1) == (
        "lifted: 0/2 + (7.5 − 2)/7.5 × (0.0062 − 0/2)"
    )
    assert how("freshness", 0, 6, 1, 160, 5.0, 0.1) == "kept: 6 records ≥ m = 5"
    # duplicate-free: the team's 159/160 = 0.99375, half to even 0.9938
    assert how("uniqueness", 1, 2, 1, 160, 5.0, 0.125) == (
        "duplicate-free 1/2 + (5 − 2)/5 × (0.9938 − 1/2); value = max(0, 1 − (1 − share) / 0.125)"
    )


def test_a_zoho_call_whose_who_id_names_a_lead_times_the_lead_response() -> None:
    # Zoho's Who_Id on a call can name a lead; the store keeps it as the call's contact id.
    lead = row(
        "zoho",
        "ZL1",
        "2026-10-01T09:00:00",
        owner_id="Z1",
        source_channel="web",
        raw={"Created_By": {"id": "Z1"}},
    )
    call = activity("zoho", "ZC1", "2026-10-04T09:00:00", "Z1", contact_id="ZL1")
    scores, findings = _audit(
        {
            "users": [_user("Z1", source="zoho", team="field_sales")],
            "leads": [lead],
            "activities": [call],
        }
    )
    slow = [
        (f.remote_id, f.employee, f.message) for f in findings if f.rule == "slow_lead_response"
    ]
    # called 72 h after the lead was created (10-01 09:00 -> 10-04 09:00), SLA 24 h
    assert slow == [("ZL1", "zoho:Z1", "first touch after 72 h (SLA 24 h)")]
    assert _part(scores["zoho:Z1"], "responsiveness") == (0, 1, D("0.0"))


def test_a_closed_case_without_close_time_is_aged_to_its_last_change() -> None:
    # Ticket opened 10-21 00:00, closed (stage change, last modified) 10-22 00:00; the CRM
    # sent no close time. Resolved after 24 h, not aged up to the audit date (240 h).
    ticket = row(
        "hubspot",
        "T1",
        "2026-10-21T00:00:00",
        remote_updated_at=at("2026-10-22T00:00:00"),
        owner_id="70",
        is_closed=True,
        status="Closed",
        opened_at=at("2026-10-21T00:00:00"),
        closed_at=None,
    )
    scores, findings = _audit(
        {"users": [_user("70", source="hubspot", team="service")], "cases": [ticket]}
    )
    assert [f for f in findings if f.rule == "case_over_sla"] == []
    assert _part(scores["hubspot:70"], "responsiveness") == (1, 1, D("1.0"))


def test_an_earlier_as_of_judges_the_store_as_it_was_then() -> None:
    from audit_rows import SF_LEAD_OK

    from sync.audit.audits import audit_snapshot

    earlier = at("2026-09-30T00:00:00")
    tables: dict[str, list[Any]] = {
        "users": [_user("U1")],
        # created 10-05, after the as-of, with a blank phone and no source channel
        "leads": [
            row(
                "salesforce",
                "L1",
                "2026-10-05T09:00:00",
                owner_id="U1",
                source_channel=None,
                raw={**SF_LEAD_OK, "Phone": None, "CreatedById": "U1"},
            )
        ],
        # won with close date 10-15: still open (and not past its close date) on 09-30
        "deals": [_deal("D1", "U1", "2026-09-01T09:00:00", date(2026, 10, 15), closed=True)],
        "activities": [activity("salesforce", "A1", "2026-09-20T10:00:00", "U1", deal_id="D1")],
        # opened 09-01, resolved 10-20: on 09-30 it had been open 29 days = 696 h
        "cases": [
            row(
                "salesforce",
                "K1",
                "2026-09-01T00:00:00",
                owner_id="U1",
                is_closed=True,
                status="Closed",
                opened_at=at("2026-09-01T00:00:00"),
                closed_at=at("2026-10-20T00:00:00"),
            )
        ],
    }
    full = {"contacts": [], "accounts": [], "deal_contacts": [], **tables}
    result = audit_snapshot(
        Snapshot.from_rows(full), AuditConfig(), earlier, None, LinkBuilder({}, {}, {}, "0")
    )
    assert [(f.rule, f.remote_id, f.message) for f in result.findings] == [
        ("case_over_sla", "K1", "open for 696 h (SLA 120 h)")
    ]
    u1 = {c.name: (c.numerator, c.denominator) for c in result.scores[0].components}
    # on 09-30: D1 open and fresh (touched 09-20), K1 open over SLA; no lead yet
    assert u1["freshness"] == (1, 2)
    assert u1["completeness"] == (1, 1)  # D1 only (created 09-01, in the window)


def test_records_an_integration_user_created_are_blamed_on_their_owner() -> None:
    from audit_rows import SF_LEAD_OK

    from sync.audit.audits import audit_snapshot

    api = row(
        "salesforce",
        "U0",
        name="Integration",
        is_active=True,
        department="it",
        raw={"Username": "api@acme.example"},
    )
    hs_owner = row(
        "hubspot",
        "71",
        name="Eve Entry",
        is_active=True,
        department="call_centre",
        raw={"id": "71", "userId": 9100001},
    )

    def lead(remote_id: str, creator: str, owner: str) -> dict[str, Any]:
        raw = {**SF_LEAD_OK, "CreatedById": creator}
        return row(
            "salesforce",
            remote_id,
            "2026-10-05T09:00:00",
            owner_id=owner,
            source_channel=None,
            raw=raw,
        )

    props = {"lastname": "A", "email": "a@x.com", "phone": "1", "jobtitle": "x", "company": "y"}
    tables = {
        "users": [api, _user("U1"), _user("U2"), _user("70", "hubspot", "call_centre"), hs_owner],
        # L1 written by the integration user, owned by U1; L2 entered by U2 for U1;
        # L3 by a creator id the store does not know, owned by U2
        "leads": [lead("L1", "U0", "U1"), lead("L2", "U2", "U1"), lead("L3", "005GONE", "U2")],
        # entered in HubSpot by the user behind owner 71, then assigned to owner 70
        "contacts": [
            row(
                "hubspot",
                "C1",
                "2026-10-05T09:00:00",
                owner_id="70",
                lifecycle_stage="lead",
                source_channel=None,
                raw={"properties": {**props, "hs_created_by_user_id": "9100001"}},
            )
        ],
    }
    full = {"accounts": [], "deals": [], "deal_contacts": [], "activities": [], "cases": []}
    config = AuditConfig(integration_users={"salesforce": ["API@acme.example"]})
    result = audit_snapshot(
        Snapshot.from_rows({**full, **tables}), config, AS_OF, None, LinkBuilder({}, {}, {}, "0")
    )
    blamed = {
        f.remote_id: f.employee for f in result.findings if f.rule == "missing_source_channel"
    }
    assert blamed == {
        "L1": "salesforce:U1",  # integration user -> owner
        "L2": "salesforce:U2",  # a real employee's own entry stays theirs
        "L3": "salesforce:U2",  # unknown creator -> owner
        "C1": "hubspot:71",  # HubSpot's creator user 9100001 is owner 71
    }
