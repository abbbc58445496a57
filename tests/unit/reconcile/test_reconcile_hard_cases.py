"""The hard cases of the issue, on hand-made records run through the real pipeline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sync.config.reconcile import ReconcileConfig
from sync.reconcile.entities import Entity, build_entity
from sync.reconcile.resolve import Decision, resolve_kind

T0 = datetime(2025, 1, 1, tzinfo=UTC)
CONFIG = ReconcileConfig()


def person(table: str, source: str, rid: str, minutes: int = 0, **values: Any) -> Entity:
    row = {
        "source": source,
        "remote_id": rid,
        "remote_created_at": T0 + timedelta(minutes=minutes),
        "country": "United States",
        **values,
    }
    return build_entity(table, row)


def clusters(kind: str, entities: list[Entity], decisions: list[Decision] = ()) -> list[set[str]]:
    result = resolve_kind(kind, entities, CONFIG, list(decisions))
    return sorted(({entities[i].key for i in c} for c in result.clustering.clusters), key=sorted)


def test_nickname_typo_and_other_email_resolved_by_phone_and_company() -> None:
    a = person(
        "contacts",
        "hubspot",
        "1",
        first_name="Robert",
        last_name="Castillo",
        email="robert.castillo@acme-labs.com",
        phone="+1 617 555 0101",
        company="Acme Labs Inc.",
    )
    b = person(
        "leads",
        "salesforce",
        "00Q1",
        5,
        first_name="Bob",
        last_name="Castilo",
        email="bcastillo@acmelabs.io",
        phone="(617) 555-0101",
        company="ACME LABS",
    )
    assert clusters("person", [a, b]) == [{a.key, b.key}]


def test_colleagues_sharing_the_switchboard_are_not_merged() -> None:
    board = "+1 617 555 0100"
    staff = [
        person(
            "contacts",
            "hubspot",
            str(n),
            n,
            first_name=first,
            last_name=last,
            phone=board,
            company="Acme Labs",
            email=f"{first.lower()}.{last.lower()}@acme-labs.com" if n % 2 else None,
        )
        for n, (first, last) in enumerate(
            [("Ann", "Lee"), ("Bruno", "Diaz"), ("Carla", "Moss"), ("Dev", "Patel")]
        )
    ]
    assert clusters("person", staff) == sorted(({e.key} for e in staff), key=sorted)


def test_a_flood_of_blank_and_placeholder_emails_is_not_merged() -> None:
    placeholders = ["noemail@example.com", "n/a", "", None, "none@none.com"]
    flood = [
        person(
            "leads",
            "salesforce",
            f"00Q{n}",
            n,
            first_name=f"Name{n}",
            last_name=f"Surname{n}",
            email=placeholders[n % 5],
            company="Walk-in",
        )
        for n in range(40)
    ]
    assert len(clusters("person", flood)) == 40


def test_a_lead_conversion_is_a_must_link_even_when_fields_disagree() -> None:
    lead = person(
        "leads",
        "salesforce",
        "00Q9",
        first_name="Maria",
        last_name="Gomez",
        email="maria@old-employer.com",
        converted=True,
        converted_contact_id="0039",
    )
    contact = person(
        "contacts",
        "salesforce",
        "0039",
        60,
        first_name="Mary",
        last_name="Smith",
        email="mary.smith@new-employer.com",
    )
    assert clusters("person", [lead, contact]) == [{lead.key, contact.key}]


def test_a_zoho_conversion_links_the_contact_created_at_that_instant() -> None:
    lead = person(
        "leads",
        "zoho",
        "11",
        first_name="Björn",
        last_name="Hernández",
        converted=True,
        converted_at=T0 + timedelta(days=3),
        company="Helix Genomics S.L.",
    )
    contact = person(
        "contacts",
        "zoho",
        "12",
        3 * 24 * 60,
        last_name="Hernandez",
        email="bjorn.hernandez@helix.es",
    )
    assert clusters("person", [lead, contact]) == [{lead.key, contact.key}]


def test_admin_unlink_beats_evidence_and_admin_link_joins() -> None:
    a = person("contacts", "hubspot", "1", first_name="Ann", last_name="Lee", email="ann@x.com")
    b = person("contacts", "zoho", "2", 1, first_name="Ann", last_name="Lee", email="ann@x.com")
    c = person("contacts", "salesforce", "3", 2, first_name="Zed", last_name="Quo")
    assert clusters("person", [a, b, c]) == [{a.key, b.key}, {c.key}]
    apart = [Decision("unlink", a.key, b.key), Decision("link", a.key, c.key)]
    assert clusters("person", [a, b, c], apart) == [{a.key, c.key}, {b.key}]


def test_one_employee_never_holds_two_users_of_one_crm() -> None:
    def user(source: str, rid: str, dept: str) -> Entity:
        return build_entity(
            "users",
            {
                "source": source,
                "remote_id": rid,
                "first_name": "Andrew",
                "last_name": "Becker",
                "email": "andrew.becker@altamira.com",
                "department": dept,
                "is_active": True,
            },
        )

    sf, hs_marketing, hs_calls = (
        user("salesforce", "005A", "call_centre"),
        user("hubspot", "7001", "marketing"),
        user("hubspot", "7002", "call_centre"),
    )
    assert clusters("employee", [sf, hs_marketing, hs_calls]) == [
        {hs_marketing.key},
        {hs_calls.key, sf.key},
    ]


def test_employees_match_across_nickname_and_company_domain_variants() -> None:
    com = build_entity(
        "users",
        {
            "source": "salesforce",
            "remote_id": "005B",
            "first_name": "Christopher",
            "last_name": "Hall",
            "email": "christopher.hall@altamira-instruments.com",
        },
    )
    es = build_entity(
        "users",
        {
            "source": "zoho",
            "remote_id": "57",
            "first_name": "Chris",
            "last_name": "Hall",
            "email": "chris.hall@altamira.es",
        },
    )
    assert clusters("employee", [com, es]) == [{com.key, es.key}]


def test_organisations_branches_in_other_cities_stay_apart() -> None:
    def account(source: str, rid: str, name: str, city: str, phone: str) -> Entity:
        return build_entity(
            "accounts",
            {
                "source": source,
                "remote_id": rid,
                "name": name,
                "city": city,
                "phone": phone,
                "website": "https://www.bayview.com",
                "country": "United States",
            },
        )

    boston = account("salesforce", "001A", "Bayview Cosmetics Inc.", "Boston", "617 555 0100")
    boston_again = account("hubspot", "9001", "The Bayview Cosmetics", "Boston", "6175550100")
    chicago = account("salesforce", "001B", "Bayview Cosmetics Inc.", "Chicago", "312 555 0100")
    assert clusters("organisation", [boston, boston_again, chicago]) == [
        {boston.key, boston_again.key},
        {chicago.key},
    ]


def test_a_cluster_never_grows_past_the_maximum_size() -> None:
    config = ReconcileConfig(max_cluster_size=3)
    same = [
        person("contacts", "hubspot", str(n), n, first_name="Ann", last_name="Lee",
               email="ann.lee@acme.com")
        for n in range(5)
    ]  # fmt: skip
    result = resolve_kind("person", same, config)
    assert sorted(len(c) for c in result.clustering.clusters) == [2, 3]
    assert {reason for _, reason in result.clustering.refused} == {"cluster too large"}
