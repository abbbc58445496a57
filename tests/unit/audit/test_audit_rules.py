"""Each audit rule on a tiny hand-made company, with exact findings."""

from __future__ import annotations

from audit_rows import AS_OF, Identities, company, row, snapshot

from sync.audit.checks import Context
from sync.audit.employees import Directory
from sync.audit.findings import LinkBuilder
from sync.audit.rules import run_rules
from sync.config.audit import AuditConfig

LINKS = LinkBuilder({}, {"salesforce": "https://acme.my.salesforce.com"}, {}, "42")


def _findings(tables=None, identities=None, config=None):
    ctx = Context(snapshot(tables), config or AuditConfig(), AS_OF)
    found = run_rules(ctx, Directory(ctx.snapshot, identities), LINKS)
    return [(f.rule, f.source, f.remote_id, f.employee, f.message) for f in found]


def test_every_rule_names_the_record_its_owner_and_why() -> None:
    unrecorded = "closed with no activity recording its resolution"
    assert _findings() == [
        ("case_closed_unrecorded", "zoho", "K1", "zoho:Z9", unrecorded),
        ("case_closed_unrecorded", "zoho", "K2", "zoho:Z9", unrecorded),
        ("case_over_sla", "zoho", "K1", "zoho:Z9", "resolved after 168 h (SLA 120 h)"),
        ("case_reopened", "zoho", "K2", "zoho:Z9", "reopened (status Reopened)"),
        (
            "deal_created_at_close",
            "salesforce",
            "D1",
            "salesforce:U1",
            "created 2026-05-10, closed 2026-05-10: not in the CRM before it closed",
        ),
        (
            "missing_required_fields",
            "salesforce",
            "L1",
            "salesforce:U1",
            "required fields empty: Phone",
        ),
        (
            "missing_source_channel",
            "salesforce",
            "L1",
            "salesforce:U1",
            "lead without a source channel",
        ),
        (
            "open_deal_no_next_step",
            "salesforce",
            "D2",
            "salesforce:U1",
            "open at 50% (from 50%) with no next step",
        ),
        (
            "open_deal_past_close",
            "salesforce",
            "D2",
            "salesforce:U1",
            "open with close date 2026-09-01 in the past",
        ),
        ("open_deal_stale", "salesforce", "D2", "salesforce:U1", "open, no activity for 91 days"),
        (
            "owned_by_inactive_user",
            "salesforce",
            "D3",
            "salesforce:U2",
            "owned by an inactive user",
        ),
        ("slow_lead_response", "hubspot", "C1", "hubspot:70", "first touch after 84 h (SLA 24 h)"),
        (
            "won_deal_no_activity",
            "salesforce",
            "D1",
            "salesforce:U1",
            "won with no activity logged by its owner",
        ),
        (
            "won_deal_no_contact_role",
            "salesforce",
            "D1",
            "salesforce:U1",
            "won with no contact role",
        ),
    ]


def test_findings_link_to_the_record_in_its_crm() -> None:
    ctx = Context(snapshot(), AuditConfig(), AS_OF)
    found = {f.remote_id: f.link for f in run_rules(ctx, Directory(ctx.snapshot, None), LINKS)}
    assert found["D1"] == "https://acme.my.salesforce.com/lightning/r/Opportunity/D1/view"
    assert found["C1"] == "https://app.hubspot.com/contacts/42/record/0-1/C1"
    assert found["K1"] == "https://crm.zoho.com/crm/tab/Cases/K1"


def test_yaml_overrides_change_thresholds_and_disable_rules() -> None:
    config = AuditConfig(
        lead_sla_hours=100,
        case_sla_hours=200,
        stale_days=120,
        disabled_rules=["owned_by_inactive_user", "won_deal_no_contact_role"],
        required_fields={"salesforce": {"Lead": ["LastName"]}},
    )
    rules = {f[0] for f in _findings(config=config)}
    assert rules == {
        "case_closed_unrecorded",
        "case_reopened",
        "deal_created_at_close",
        "missing_source_channel",
        "open_deal_no_next_step",
        "open_deal_past_close",
        "won_deal_no_activity",
    }


def test_an_activity_by_the_owner_on_the_deal_clears_the_won_deal_rule() -> None:
    tables = company()
    tables["activities"].append(
        {
            **tables["activities"][0],
            "remote_id": "A9",
            "deal_id": "D1",
            "occurred_at": tables["deals"][0]["remote_created_at"],
            "remote_created_at": tables["deals"][0]["remote_created_at"],
        }
    )
    tables["deal_contacts"].append(row("salesforce", "R1", deal_id="D1", contact_id="X1"))
    rules = {f[0] for f in _findings(tables) if f[2] == "D1"}
    assert rules == {"deal_created_at_close"}


def test_duplicates_need_identities_and_blame_the_later_creator() -> None:
    tables = company()
    tables["contacts"] += [
        row(
            "salesforce",
            "S1",
            "2026-01-01T00:00:00",
            owner_id="U1",
            email="p@x.com",
            raw={
                "CreatedById": "U1",
                "LastName": "P",
                "Email": "p@x.com",
                "Phone": "1",
                "Title": "t",
            },
        ),
        row(
            "salesforce",
            "S2",
            "2026-03-01T00:00:00",
            owner_id="U2",
            email="p@x.com",
            raw={
                "CreatedById": "U2",
                "LastName": "P",
                "Email": "p@x.com",
                "Phone": "1",
                "Title": "t",
            },
        ),
    ]
    assert not [f for f in _findings(tables) if f[0] == "duplicate_created"]
    identities = Identities(
        {
            ("salesforce", "contacts", "S1"): "P-1",
            ("salesforce", "contacts", "S2"): "P-1",
            ("salesforce", "users", "U1"): "E-1",
            ("salesforce", "users", "U2"): "E-2",
        }
    )
    found = [f for f in _findings(tables, identities) if f[0] == "duplicate_created"]
    assert found == [
        (
            "duplicate_created",
            "salesforce",
            "S2",
            "E-2",
            "duplicate of S1 (P-1), which existed since 2026-01-01",
        ),
    ]
