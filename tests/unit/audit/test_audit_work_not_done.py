"""Work never done is seen: uncontacted leads, cases closed with nothing recorded, won
deals with no contact role."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pair_rows import activity, at, audit, deal, part, row, rules_of, user
from pydantic import ValidationError

from sync.config.audit import AuditConfig


def _lead(lead_id: str, owner: str, created: str, **fields: Any) -> dict[str, Any]:
    raw = {"Last_Name": "Ng", "Company": "Acme", "Email": "a@acme.com", "Phone": "+15550001"}
    raw["Designation"] = "Chemist"
    values: dict[str, Any] = {
        "owner_id": owner,
        "source_channel": "web",
        "email": "a@acme.com",
        "raw": {**raw, "Created_By": {"id": owner}},
    }
    values.update(fields)
    return row("zoho", lead_id, created, **values)


def _zoho_reps() -> list[dict[str, Any]]:
    return [user("A", "zoho"), user("B", "zoho")]


def test_an_inbound_lead_nobody_contacted_is_a_finding_and_costs_responsiveness() -> None:
    leads = [
        _lead("LA", "A", "2026-10-01T09:00:00"),
        _lead("LB", "B", "2026-10-01T09:00:00"),  # never called
    ]
    calls = [activity("zoho", "TA", "2026-10-01T11:00:00", "A", lead_id="LA")]
    scores, findings = audit({"users": _zoho_reps(), "leads": leads, "activities": calls})
    assert rules_of(findings, "zoho:B") == [("lead_never_contacted", "LB")]
    message = next(f.message for f in findings if f.rule == "lead_never_contacted")
    assert message == "created 2026-10-01, not contacted in the 711 h since (SLA 24 h)"
    assert part(scores["zoho:A"], "responsiveness") == (1, 1, 1.0)
    assert part(scores["zoho:B"], "responsiveness")[:2] == (0, 1)
    a, b = scores["zoho:A"].score, scores["zoho:B"].score
    assert a is not None and b is not None and b < a


def test_a_lead_still_inside_its_response_window_or_converted_is_not_held_against_anyone() -> None:
    leads = [
        _lead("LA", "A", "2026-10-30T09:00:00"),  # 15 h old at the audit: still in its SLA
        _lead("LB", "B", "2026-10-30T09:00:00"),
        _lead("LC", "B", "2026-10-01T09:00:00", converted=True, converted_at=at("2026-10-02")),
        _lead("LD", "A", "2026-10-01T09:00:00", converted=True, converted_at=at("2026-10-02")),
    ]
    scores, findings = audit({"users": _zoho_reps(), "leads": leads})
    assert [f for f in findings if f.rule == "lead_never_contacted"] == []
    assert part(scores["zoho:B"], "responsiveness") == (0, 0, None)
    assert scores["zoho:A"].score == scores["zoho:B"].score


def _case(case_id: str, owner: str) -> dict[str, Any]:
    return row(
        "zoho",
        case_id,
        "2026-10-10T09:00:00",
        owner_id=owner,
        is_closed=True,
        status="Closed",
        opened_at=at("2026-10-10T09:00:00"),
        closed_at=at("2026-10-11T09:00:00"),
        origin_channel="email",
    )


def test_a_case_closed_with_nothing_recorded_on_it_is_not_covered() -> None:
    users = [user("A", "zoho", "service"), user("B", "zoho", "service")]
    cases = [_case("KA", "A"), _case("KB", "B")]
    reply = activity("zoho", "EA", "2026-10-10T15:00:00", "A", case_id="KA", activity_type="email")
    scores, findings = audit({"users": users, "cases": cases, "activities": [reply]})
    assert rules_of(findings, "zoho:B") == [("case_closed_unrecorded", "KB")]
    assert part(scores["zoho:A"], "activity_coverage") == (1, 1, 1.0)
    assert part(scores["zoho:B"], "activity_coverage")[:2] == (0, 1)
    a, b = scores["zoho:A"].score, scores["zoho:B"].score
    assert a is not None and b is not None and b < a


def test_the_same_case_work_scores_the_same() -> None:
    users = [user("A", "zoho", "service"), user("B", "zoho", "service")]
    cases = [_case("KA", "A"), _case("KB", "B")]
    notes = [
        activity("zoho", "EA", "2026-10-10T15:00:00", "A", case_id="KA", activity_type="email"),
        activity("zoho", "EB", "2026-10-11T08:00:00", "B", case_id="KB", activity_type="note"),
    ]
    scores, findings = audit({"users": users, "cases": cases, "activities": notes})
    assert [f for f in findings if f.rule == "case_closed_unrecorded"] == []
    assert scores["zoho:A"].score == scores["zoho:B"].score == 100.0


def test_a_won_deal_with_no_contact_role_weighs_on_completeness() -> None:
    # Both deals were opened before the window (from 08-02) and won inside it, with the
    # same call; B's names no contact.
    deals = [
        deal("DA", "A", "2026-07-01T09:00:00", date(2026, 10, 10), closed=True),
        deal("DB", "B", "2026-07-01T09:00:00", date(2026, 10, 10), closed=True, contact_id=None),
    ]
    calls = [
        activity("salesforce", "TA", "2026-10-01T10:00:00", "A", deal_id="DA"),
        activity("salesforce", "TB", "2026-10-01T10:00:00", "B", deal_id="DB"),
    ]
    scores, findings = audit({"users": [user("A"), user("B")], "deals": deals, "activities": calls})
    assert rules_of(findings, "salesforce:B") == [("won_deal_no_contact_role", "DB")]
    assert part(scores["salesforce:A"], "completeness") == (1, 1, 1.0)
    assert part(scores["salesforce:B"], "completeness")[:2] == (0, 1)
    a, b = scores["salesforce:A"].score, scores["salesforce:B"].score
    assert a is not None and b is not None and b < a


def test_a_won_deal_on_a_person_account_needs_no_contact_role() -> None:
    # A consumer's opportunity points at their person account only: the account is the
    # person. B's deal is on a business account and names nobody.
    accounts = [
        row("salesforce", "PA", "2026-07-01T09:00:00", owner_id="A", person_contact_id="PC"),
        row("salesforce", "BA", "2026-07-01T09:00:00", owner_id="B"),
    ]
    deals = [
        deal("DA", "A", "2026-07-01T09:00:00", date(2026, 10, 10), closed=True, contact_id=None),
        deal("DB", "B", "2026-07-01T09:00:00", date(2026, 10, 10), closed=True, contact_id=None),
    ]
    deals[0]["account_id"], deals[1]["account_id"] = "PA", "BA"
    calls = [
        activity("salesforce", "TA", "2026-10-01T10:00:00", "A", deal_id="DA"),
        activity("salesforce", "TB", "2026-10-01T10:00:00", "B", deal_id="DB"),
    ]
    tables = {"users": [user("A"), user("B")], "accounts": accounts, "deals": deals}
    _, findings = audit({**tables, "activities": calls})
    assert [f.remote_id for f in findings if f.rule == "won_deal_no_contact_role"] == ["DB"]


def test_an_untimed_lead_is_judged_across_crms_with_reconciled_identities() -> None:
    from audit_rows import SF_LEAD_OK, Identities

    # Salesforce leads are not timed (their first touch is often logged in HubSpot): A's
    # lead was called as a HubSpot contact of the same person, B's by nobody anywhere.
    def lead(lead_id: str, owner: str) -> dict[str, Any]:
        raw = {**SF_LEAD_OK, "CreatedById": owner}
        return row("salesforce", lead_id, "2026-10-01T09:00:00", owner_id=owner, raw=raw)

    contact = row("hubspot", "HC1", "2026-09-30T09:00:00", owner_id="70", lifecycle_stage="lead")
    tables = {
        "users": [user("A"), user("B"), user("70", "hubspot", "call_centre")],
        "leads": [lead("LA", "A") | {"source_channel": "web"}, lead("LB", "B")],
        "contacts": [contact | {"source_channel": "web"}],
        "activities": [activity("hubspot", "HT1", "2026-09-30T10:00:00", "70", contact_id="HC1")],
    }
    tables["leads"][1]["source_channel"] = "web"
    people = Identities(
        {
            ("salesforce", "leads", "LA"): "P-1",
            ("hubspot", "contacts", "HC1"): "P-1",
            ("salesforce", "leads", "LB"): "P-2",
        }
    )
    scores, findings = audit(tables, identities=people)
    assert [(f.rule, f.remote_id) for f in findings if f.rule == "lead_never_contacted"] == [
        ("lead_never_contacted", "LB")
    ]
    assert part(scores["salesforce:A"], "responsiveness") == (0, 0, None)
    assert part(scores["salesforce:B"], "responsiveness")[:2] == (0, 1)
    a, b = scores["salesforce:A"].score, scores["salesforce:B"].score
    assert a is not None and b is not None and b < a
    # Without identities an untimed lead's silence proves nothing: no finding.
    _, alone = audit(tables)
    assert [f for f in alone if f.rule == "lead_never_contacted"] == []


def test_records_without_creation_times_are_kept_and_fabricate_no_finding() -> None:
    lead = _lead("LX", "A", "2026-10-01T09:00:00") | {"remote_created_at": None}
    case = _case("KX", "A") | {"remote_created_at": None}
    users = [user("A", "zoho")]
    scores, findings = audit({"users": users, "leads": [lead], "cases": [case]})
    rules = {f.rule for f in findings}
    assert not rules & {"lead_never_contacted", "case_closed_unrecorded", "late_activity_entry"}
    assert "zoho:A" not in scores  # nothing dated to judge: no score, rather than a made-up one


def test_a_person_account_contact_is_not_asked_for_a_job_title() -> None:
    # The consumer's contact is their person account's: no job title by design; the
    # business contact without one is still incomplete.
    raw = {"LastName": "Ng", "Email": "a@b.com", "Phone": "+15550001", "CreatedById": "A"}
    accounts = [
        row("salesforce", "PA", "2026-10-01T09:00:00", owner_id="A", person_contact_id="PC"),
        row("salesforce", "BA", "2026-10-01T09:00:00", owner_id="A", raw={"Name": "Acme"}),
    ]
    contacts = [
        row("salesforce", "PC", "2026-10-01T09:00:00", owner_id="A", account_id="PA", raw=raw),
        row("salesforce", "BC", "2026-10-01T09:00:00", owner_id="A", account_id="BA", raw=raw),
    ]
    accounts[0]["raw"] = {"Name": "Ng"}
    _, findings = audit({"users": [user("A")], "accounts": accounts, "contacts": contacts})
    missing = [(f.remote_id, f.message) for f in findings if f.rule == "missing_required_fields"]
    assert missing == [("BC", "required fields empty: Title")]


def test_a_consumer_contact_is_told_apart_by_its_sources_rule() -> None:
    # HubSpot has no person accounts: the portal marks its consumers with a persona, and
    # they have no company. A business contact without a company is still incomplete, and
    # so is a contact with the persona that has a company (the rule asks for both).
    def contact(rid: str, **props: Any) -> dict[str, Any]:
        raw = {"properties": {"lastname": "Ng", "email": "a@b.com", "phone": "+1555", **props}}
        return row("hubspot", rid, "2026-10-01T09:00:00", owner_id="70", raw=raw)

    contacts = [
        contact("C1", hs_persona="persona_2"),
        contact("C2"),
        contact("C3", hs_persona="persona_2", associatedcompanyid="9", company="Acme"),
        contact("C4", hs_persona="persona_1"),
    ]
    tables = {"users": [user("70", "hubspot", "call_centre")], "contacts": contacts}
    rule = {"blank": ["associatedcompanyid"], "equals": {"hs_persona": ["persona_2"]}}
    config = AuditConfig.model_validate({"consumer_contacts": {"hubspot": rule}})
    for settings, consumers in ((config, {"C1"}), (AuditConfig(), set())):
        _, findings = audit(tables, settings)
        missing = {f.remote_id: f.message for f in findings if f.rule == "missing_required_fields"}
        business = "required fields empty: jobtitle, company"
        assert missing == {
            "C2": business,
            "C3": "required fields empty: jobtitle",
            "C4": business,
        } | ({} if consumers else {"C1": business})


def test_a_consumer_rule_must_say_what_a_consumer_looks_like() -> None:
    with pytest.raises(ValidationError, match="needs blank fields, equals values, or both"):
        AuditConfig.model_validate({"consumer_contacts": {"zoho": {}}})
