"""A consumer's deal: a Salesforce opportunity on a person account, naming no contact.

The buyer first filled in the web shop's form (a HubSpot contact, no company), was called
by the call centre in HubSpot, visited by a field rep and closed in Salesforce. The
opportunity points at the person account only; the account names its person contact,
which reconciliation joined to the HubSpot contact. Crediting must find the whole chain.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from compensation.crediting import CreditScheme, credit_deals
from sync.compute.directory import UserFacts, build_directory
from sync.compute.evidence import build_evidence
from sync.compute.snapshot import StoreSnapshot
from sync.config.compensation import DirectoryConfig
from sync.store.view.identity_map import IdentityMap

DAY = datetime(2026, 9, 1, 9, tzinfo=UTC)
SCHEME = CreditScheme.model_validate(
    {
        "slots": [
            {"name": "lead_source", "weight": "10%", "kinds": ["lead_source", "campaign"]},
            {
                "name": "qualification",
                "weight": "20%",
                "kinds": ["touch"],
                "roles": ["call_centre"],
            },
            {"name": "field_work", "weight": "30%", "kinds": ["touch"], "roles": ["field_sales"]},
            {"name": "close", "weight": "40%", "kinds": ["deal_owner"], "pick": "last"},
        ]
    }
)


def _at(days: float) -> datetime:
    return DAY + timedelta(days=days)


def _row(source: str, remote_id: str, **values: Any) -> dict[str, Any]:
    return {"source": source, "remote_id": remote_id, **values}


def _activity(source: str, rid: str, owner: str, days: float, kind: str, **links: Any) -> dict:
    return _row(
        source,
        rid,
        activity_type=kind,
        channel="phone" if kind == "call" else kind,
        direction="outbound",
        owner_id=owner,
        occurred_at=_at(days),
        subject=None,
        **links,
    )


def _user(source: str, rid: str, name: str, team: str, raw: dict | None = None) -> dict:
    return _row(source, rid, name=name, department=team, is_active=True, raw=raw or {})


def _snapshot(person_contact: str | None) -> StoreSnapshot:
    return StoreSnapshot(
        {
            "users": [
                _user("salesforce", "U1", "Mia Field", "field_sales"),
                _user("hubspot", "10", "Mona Mark", "", {"teams": [{"name": "marketing"}]}),
                _user("hubspot", "11", "Carl Call", "", {"teams": [{"name": "call_centre"}]}),
            ],
            "contacts": [
                _row(
                    "hubspot", "C9", owner_id="10", source_channel="web", remote_created_at=_at(0)
                ),
                _row(
                    "salesforce",
                    "PC1",
                    owner_id="U1",
                    account_id="PA1",
                    source_channel=None,
                    remote_created_at=_at(2),
                ),
            ],
            "accounts": [
                _row("salesforce", "PA1", owner_id="U1", person_contact_id=person_contact)
            ],
            "deals": [
                _row(
                    "salesforce",
                    "O9",
                    name="Ana Ruiz - Home lab service plan",
                    account_id="PA1",
                    contact_id=None,
                    stage="Closed Won",
                    is_closed=True,
                    is_won=True,
                    amount=Decimal("1234.57"),
                    currency="EUR",
                    close_date=date(2026, 9, 20),
                    owner_id="U1",
                    source_channel="web",
                    remote_created_at=_at(2),
                    remote_updated_at=_at(19),
                    raw={},
                )
            ],
            "activities": [
                _activity("hubspot", "A9", "11", 0.5, "call", contact_id="C9"),
                _activity("salesforce", "EV9", "U1", 6, "meeting", contact_id="PC1"),
            ],
        }
    )


IDENTITIES = IdentityMap(
    {"P-9": [("hubspot", "contacts", "C9"), ("salesforce", "contacts", "PC1")]}
)


def _credits(person_contact: str | None) -> tuple[set[tuple], str | None, tuple[str, ...]]:
    snapshot = _snapshot(person_contact)
    users = [
        UserFacts(
            u["source"],
            u["remote_id"],
            u["name"],
            None,
            True,
            None,
            u["department"],
            None,
            u["raw"],
        )
        for u in snapshot.rows("users")
    ]
    directory = build_directory(users, {}, DirectoryConfig())
    evidence = build_evidence(snapshot, IDENTITIES, directory, as_of=date(2026, 10, 1))
    (item,) = evidence.deals
    result = credit_deals(evidence.deals, SCHEME, employees=directory.employees)
    lines = {(c.slot, c.employee, c.amount, tuple(c.acts)) for c in result.credits}
    return lines, item.deal.customer, item.deal.missing_fields


def test_a_person_accounts_deal_is_credited_along_the_persons_chain() -> None:
    lines, customer, missing = _credits("PC1")
    # 1,234.57 EUR: 10% = 123.457, 20% = 246.914, 30% = 370.371, 40% = 493.828; cents by
    # largest remainder: 123.46 (.7), 246.91 (.4), 370.37 (.1), 493.83 (.8) sum 1,234.57
    assert lines == {
        ("lead_source", "hubspot:10", Decimal("123.46"), ("hubspot:contacts:C9",)),
        ("qualification", "hubspot:11", Decimal("246.91"), ("hubspot:activities:A9",)),
        ("field_work", "salesforce:U1", Decimal("370.37"), ("salesforce:activities:EV9",)),
        ("close", "salesforce:U1", Decimal("493.83"), ("salesforce:deals:O9#owner",)),
    }
    assert customer == "P-9"  # the person, not the account
    assert missing == ()  # the account's person is the deal's contact


def test_without_its_person_the_account_hides_the_web_capture_and_the_call() -> None:
    lines, customer, missing = _credits(None)
    slots = {slot for slot, *_ in lines}
    assert "lead_source" not in slots and "qualification" not in slots
    assert customer == "salesforce:accounts:PA1"
    assert missing == ("contact",)
