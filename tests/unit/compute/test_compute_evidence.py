"""Evidence from store rows: the six-step chain across HubSpot and Salesforce, joined by a
reconciled person and employee, credited slot by slot."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from compensation.calculation import canonical_json
from compensation.crediting import CreditScheme, credit_deals
from sync.compute.codec import decode_period
from sync.compute.directory import UserFacts, build_directory
from sync.compute.evidence import build_evidence
from sync.compute.snapshot import StoreSnapshot
from sync.config.compensation import DirectoryConfig
from sync.store.view.identity_map import EmployeeIdentity, IdentityMap

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
            {
                "name": "field_work",
                "weight": "30%",
                "kinds": ["touch"],
                "roles": ["field_sales"],
                "pick": "all_linear",
            },
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
        direction=links.pop("direction", "outbound"),
        owner_id=owner,
        occurred_at=_at(days),
        subject=None,
        **links,
    )


def _snapshot() -> StoreSnapshot:
    return StoreSnapshot(
        {
            "users": [
                _row(
                    "salesforce",
                    "U0",
                    name="Ann Boss",
                    title="Manager",
                    department="field_sales",
                    is_active=True,
                    raw={"LocaleSidKey": "es_ES"},
                ),
                _row(
                    "salesforce",
                    "U1",
                    name="Mia Field",
                    title="Field Sales",
                    department="field_sales",
                    is_active=True,
                    raw={},
                ),
                _row(
                    "salesforce",
                    "U2",
                    name="Carl Call",
                    title="Call Centre",
                    department="call_centre",
                    is_active=True,
                    raw={},
                ),
                _row(
                    "hubspot",
                    "10",
                    name="Mona Mark",
                    role="PERSON",
                    is_active=True,
                    raw={"teams": [{"name": "marketing", "primary": True}]},
                ),
                _row(
                    "hubspot",
                    "11",
                    name="Carl Call",
                    role="PERSON",
                    is_active=True,
                    raw={"teams": [{"name": "call_centre", "primary": True}]},
                ),
            ],
            "contacts": [
                _row(
                    "hubspot",
                    "C1",
                    owner_id="10",
                    source_channel="ORGANIC_SEARCH",
                    remote_created_at=_at(0),
                ),
                _row(
                    "salesforce",
                    "SC1",
                    owner_id="U1",
                    source_channel="Web",
                    remote_created_at=_at(5),
                ),
            ],
            "leads": [
                _row(
                    "salesforce",
                    "L1",
                    owner_id="U2",
                    source_channel="Web",
                    converted=True,
                    converted_at=_at(5),
                    converted_contact_id="SC1",
                    converted_deal_id="O1",
                    remote_created_at=_at(0.2),
                ),
            ],
            "deals": [
                _row(
                    "salesforce",
                    "O1",
                    name="Acme - HPLC",
                    account_id=None,
                    contact_id=None,
                    stage="Closed Won",
                    is_closed=True,
                    is_won=True,
                    amount=Decimal("10000.00"),
                    currency="USD",
                    close_date=date(2026, 9, 21),
                    owner_id="U1",
                    source_channel="Web",
                    remote_created_at=_at(5),
                    remote_updated_at=_at(20),
                    raw={},
                ),
            ],
            "deal_contacts": [
                _row(
                    "salesforce",
                    "OCR1",
                    deal_id="O1",
                    contact_id="SC1",
                    role="Decision Maker",
                    remote_created_at=_at(5),
                    raw={"CreatedById": "U1"},
                ),
            ],
            "activities": [
                _activity("hubspot", "A1", "11", 0.1, "call", contact_id="C1"),
                _activity("salesforce", "EV1", "U1", 5, "meeting", contact_id="SC1", deal_id="O1"),
                _activity("hubspot", "IN1", "11", 7, "email", contact_id="C1", direction="inbound"),
                _activity("hubspot", "A2", "11", 8, "call", contact_id="C1"),
            ],
        }
    )


IDENTITIES = IdentityMap(
    {
        "E-carl": [("salesforce", "users", "U2"), ("hubspot", "users", "11")],
        "P-1": [
            ("hubspot", "contacts", "C1"),
            ("salesforce", "leads", "L1"),
            ("salesforce", "contacts", "SC1"),
        ],
    },
    {"E-carl": EmployeeIdentity("E-carl", "Carl Call", "carl@example.com", True)},
)


def _directory(snapshot: StoreSnapshot):
    users = [
        UserFacts(
            u["source"],
            u["remote_id"],
            u["name"],
            None,
            u["is_active"],
            u.get("title"),
            u.get("department"),
            u.get("role"),
            u["raw"],
        )
        for u in snapshot.rows("users")
    ]
    employee_of = {("salesforce", "U2"): "E-carl", ("hubspot", "11"): "E-carl"}
    golden = {"E-carl": ("Carl Call", "carl@example.com")}
    return build_directory(users, employee_of, DirectoryConfig(), golden)


def test_directory_groups_users_and_settles_team_role_manager_locale() -> None:
    people = _directory(_snapshot()).employees
    assert {k: (e.team, e.role, e.manager, e.locale) for k, e in people.items()} == {
        "E-carl": ("call_centre", "call_centre", None, ""),  # "": no CRM gives a locale
        "hubspot:10": ("marketing", "marketing", None, ""),
        "salesforce:U0": ("field_sales", "manager", None, "es"),
        "salesforce:U1": ("field_sales", "field_sales", "salesforce:U0", ""),
    }
    assert people["E-carl"].email == "carl@example.com"


def test_the_last_day_worked_comes_from_the_directory_overrides() -> None:
    users = [UserFacts("salesforce", "U1", "Rita Rep", None, False, None, "Field Sales", None)]
    config = DirectoryConfig.model_validate(
        {"overrides": {"salesforce:U1": {"left_on": "2026-08-20"}}}
    )
    (rita,) = build_directory(users, {}, config).employees.values()
    assert (rita.active, rita.left_on) == (False, date(2026, 8, 20))
    assert rita.left_before(date(2026, 10, 1)) and not rita.left_before(date(2026, 7, 1))


def test_the_six_step_chain_across_crms_credits_each_slot_once() -> None:
    snapshot = _snapshot()
    directory = _directory(snapshot)
    evidence = build_evidence(snapshot, IDENTITIES, directory, as_of=date(2026, 10, 1))
    (item,) = evidence.deals
    acts = {a.key: (a.kind, a.employee) for a in item.acts}
    assert acts == {
        "hubspot:contacts:C1": ("lead_source", "hubspot:10"),
        "hubspot:activities:A1": ("touch", "E-carl"),
        "salesforce:leads:L1": ("lead_source", "E-carl"),
        "salesforce:leads:L1#owner": ("lead_owner", "E-carl"),
        "salesforce:activities:EV1": ("touch", "salesforce:U1"),
        "salesforce:deal_contacts:OCR1": ("contact_role", "salesforce:U1"),
        "hubspot:activities:IN1": ("touch", None),  # the customer wrote: nobody's act
        "hubspot:activities:A2": ("touch", "E-carl"),
        "salesforce:deals:O1#owner": ("deal_owner", "salesforce:U1"),
    }
    assert evidence.activities == {"salesforce:deals:O1": 3}
    assert item.deal.missing_fields == ("account",)
    result = credit_deals(evidence.deals, SCHEME, employees=directory.employees)
    lines = {(c.slot, c.employee, c.amount, tuple(c.acts)) for c in result.credits}
    assert lines == {
        ("lead_source", "hubspot:10", Decimal("1000.00"), ("hubspot:contacts:C1",)),
        ("qualification", "E-carl", Decimal("2000.00"), ("hubspot:activities:A1",)),
        ("field_work", "salesforce:U1", Decimal("3000.00"), ("salesforce:activities:EV1",)),
        ("close", "salesforce:U1", Decimal("4000.00"), ("salesforce:deals:O1#owner",)),
    }


def test_a_persons_record_tied_to_another_deal_is_not_evidence() -> None:
    snapshot = _snapshot()
    snapshot.tables["deals"].append(
        _row(
            "salesforce",
            "O2",
            name="Acme - spares",
            account_id=None,
            contact_id="SC2",
            stage="Prospecting",
            is_closed=False,
            is_won=False,
            amount=Decimal("500.00"),
            currency="EUR",
            close_date=date(2026, 12, 1),
            owner_id="U1",
            source_channel=None,
            remote_created_at=_at(30),
            remote_updated_at=_at(30),
            raw={},
        )
    )
    snapshot.tables["contacts"].append(
        _row("salesforce", "SC2", owner_id="U1", source_channel=None, remote_created_at=_at(30))
    )
    identities = IdentityMap(
        {
            **{k: IDENTITIES.members(k) for k in ("E-carl",)},
            "P-1": [*IDENTITIES.members("P-1"), ("salesforce", "contacts", "SC2")],
        },
    )
    evidence = build_evidence(snapshot, identities, _directory(snapshot), as_of=_at(40).date())
    second = next(e for e in evidence.deals if e.deal.key == "salesforce:deals:O2")
    keys = {a.key for a in second.acts}
    # The HubSpot contact is shared by the person's deals; O1's own lead, contact role and
    # visit stay with O1.
    assert "hubspot:contacts:C1" in keys and "hubspot:activities:A1" in keys
    assert not keys & {
        "salesforce:leads:L1",
        "salesforce:activities:EV1",
        "salesforce:deal_contacts:OCR1",
    }
    assert (second.deal.state, second.deal.currency) == ("open", "EUR")


def test_a_stored_result_decodes_to_the_same_bytes() -> None:
    from compensation.calculation import PeriodInputs, run_period
    from compensation.plans import Period, PlanBook, PlanVersion
    from compensation.rates import RateTable

    snapshot = _snapshot()
    directory = _directory(snapshot)
    evidence = build_evidence(snapshot, IDENTITIES, directory, as_of=date(2026, 10, 1))
    credits = credit_deals(evidence.deals, SCHEME, employees=directory.employees).credits
    version = PlanVersion.model_validate(
        {
            "plan": "p",
            "version": 1,
            "effective_from": "2026-01-01",
            "currency": "USD",
            "components": [
                {"name": "c", "kind": "commission", "tiers": [{"from": "0%", "rate": "3%"}]}
            ],
            "draw": {"kind": "recoverable", "amount": "100"},
        }
    )
    from compensation.plans import Assignment

    book = PlanBook(
        [version],
        [
            Assignment.model_validate({"plan": "p", "team": t, "from": "2026-01-01"})
            for t in ("field_sales", "call_centre", "marketing")
        ],
    )
    inputs = PeriodInputs(
        list(directory.employees.values()),
        credits,
        [e.deal for e in evidence.deals],
        as_of=date(2026, 9, 30),
    )
    result = run_period(inputs, book, Period.parse("2026-09"), RateTable())
    raw = canonical_json(result)
    assert canonical_json(decode_period(raw)) == raw
    assert result.employee("salesforce:U1").total == Decimal("210.00")  # type: ignore[union-attr]
