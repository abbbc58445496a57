"""What an integration user writes is answered for by the record's owner, in every CRM."""

from __future__ import annotations

from datetime import date
from typing import Any

from pair_rows import activity, audit, deal, part, row, user

from sync.config.audit import AuditConfig

# Each CRM's integration (API) user, and how its records name their creator.
CRMS: dict[str, dict[str, Any]] = {
    "salesforce": {
        "api": row("salesforce", "U0", name="API", is_active=True, raw={"Username": "api"}),
        "creator": lambda uid: {"CreatedById": uid},
        "fields": {"Name": "Deal", "StageName": "Won", "CloseDate": "2026-12-01"},
    },
    "hubspot": {
        "api": row("hubspot", "U0", name="API", is_active=True, raw={"id": "U0", "userId": 90}),
        "creator": lambda uid: {
            "properties": {"hs_created_by_user_id": "90" if uid == "U0" else uid}
        },
        "fields": {"dealname": "Deal", "dealstage": "won", "closedate": "2026-12-01"},
    },
    "zoho": {
        "api": row("zoho", "U0", name="API", is_active=True),
        "creator": lambda uid: {"Created_By": {"id": uid}},
        "fields": {"Deal_Name": "Deal", "Stage": "Won", "Closing_Date": "2026-12-01"},
    },
}
CONFIG = AuditConfig(integration_users={kind: ["U0"] for kind in CRMS})


def _rep_world(
    source: str, call_owner: str | None, contacts: bool = False
) -> dict[str, list[dict[str, Any]]]:
    """Rep R's two open deals, entered by the integration user with the amount left out;
    a dialer logged a call on each deal's contact on 10-20, owned by ``call_owner``."""
    crm = CRMS[source]
    deals, calls, people = [], [], []
    for i in (1, 2):
        deal_id = f"D{i}"
        fields = {**crm["fields"], **(crm["creator"]("U0"))}
        if "properties" in fields:
            fields = {"properties": {**crm["fields"], **fields["properties"]}}
        created = "2026-09-01T09:00:00"
        deals.append(
            deal(deal_id, "R", created, date(2026, 12, 1), closed=False, source=source, raw=fields)
        )
        if contacts:
            people.append(row(source, "C-" + deal_id, "2026-09-01T09:00:00", owner_id="R"))
        call = activity(source, f"T{i}", "2026-10-20T10:00:00", "R", contact_id="C-" + deal_id)
        call["owner_id"] = call_owner
        calls.append(call)
    users = [crm["api"], user("R", source)]
    return {"users": users, "deals": deals, "contacts": people, "activities": calls}


def test_calls_an_integration_logged_count_for_the_deal_owner() -> None:
    # Salesforce: the dialer's tasks are owned by the API user; Zoho: by the rep.
    sf_scores, _ = audit(_rep_world("salesforce", "U0"), CONFIG)
    zoho_scores, _ = audit(_rep_world("zoho", "R"), CONFIG)
    assert part(sf_scores["salesforce:R"], "activity_coverage") == (2, 2, 1.0)
    assert sf_scores["salesforce:R"].score == zoho_scores["zoho:R"].score
    assert "salesforce:U0" not in sf_scores  # the integration user is nobody's score


def test_calls_with_no_owner_count_for_the_deal_owner() -> None:
    scores, _ = audit(_rep_world("hubspot", None), CONFIG)
    reference, _ = audit(_rep_world("hubspot", "R"), CONFIG)
    assert part(scores["hubspot:R"], "activity_coverage") == (2, 2, 1.0)
    assert scores["hubspot:R"].score == reference["hubspot:R"].score


def test_records_an_integration_wrote_are_the_owners_in_every_crm() -> None:
    found = {}
    for source in CRMS:
        scores, findings = audit(_rep_world(source, "R"), CONFIG)
        found[source] = (
            sorted({(f.rule, f.employee) for f in findings if f.remote_id in ("D1", "D2")}),
            scores[f"{source}:R"].score,
        )
    assert found["salesforce"][0] == [("missing_required_fields", "salesforce:R")]
    assert found["hubspot"][0] == [("missing_required_fields", "hubspot:R")]
    assert found["zoho"][0] == [("missing_required_fields", "zoho:R")]
    assert found["salesforce"][1] == found["hubspot"][1] == found["zoho"][1]


def test_a_late_entry_an_integration_made_is_charged_to_the_deal_owner() -> None:
    world = _rep_world("salesforce", "U0", contacts=True)
    world["activities"][0]["remote_created_at"] = world["activities"][0]["occurred_at"].replace(
        day=29
    )
    _, findings = audit(world, CONFIG)
    late = [(f.remote_id, f.employee) for f in findings if f.rule == "late_activity_entry"]
    assert late == [("T1", "salesforce:R")]
