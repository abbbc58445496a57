"""Identity stitching end to end: events and CRM people in a store, reconciled, stitched,
explained, and shown in the person's journey before the first CRM record."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from connectors.core.channels import ChannelMap
from connectors.core.contract import Page
from connectors.core.records import Lead
from connectors.events.connector import EVENTS_PROFILE
from connectors.events.spec import parse_event
from sync.config.models import ReconcileConfig
from sync.reconcile.journey import journey
from sync.reconcile.reconciling import reconcile
from sync.reconcile.stitching import explain_anonymous, stitch
from sync.store import open_store
from sync.store.event_links import EventLinkRow
from sync.store.pages import write_page
from sync.store.view.identity_map import load_identity_map
from tests.integration.sync_support import sqlite_or_postgres

NOW = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
T0 = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)


def _lead(remote_id: str, first: str, last: str, email: str, phone: str) -> Lead:
    return Lead(
        source="crm",
        remote_id=remote_id,
        first_name=first,
        last_name=last,
        email=email,
        phone=phone,
        company=f"{last} GmbH",
        remote_created_at=T0 + timedelta(days=10),
        remote_updated_at=T0 + timedelta(days=10),
        source_channel="web",
    )


def _event(n: int, kind: str, minutes: int, **fields: Any) -> dict[str, Any]:
    at = (T0 + timedelta(minutes=minutes)).isoformat()
    return {"type": kind, "messageId": f"m{n}", "timestamp": at, **fields}


EVENTS = [
    # A1: a campaign click, then a newsletter sign-up with Ana's e-mail
    _event(
        1,
        "page",
        0,
        anonymousId="A1",
        context={"campaign": {"source": "newsletter", "medium": "email", "name": "Fall"}},
        properties={"url": "https://altamira.example/offer"},
    ),
    _event(2, "identify", 5, anonymousId="A1", traits={"email": "ANA@altamira-clients.com"}),
    # A2: a trade-show tablet where Bo and Carla (typing gmial.com) both signed up
    _event(3, "track", 10, anonymousId="A2", event="Signed Up", properties={"email": "bo@x.org"}),
    _event(
        4, "track", 20, anonymousId="A2", event="Signed Up", properties={"email": "carla@gmial.com"}
    ),
    _event(5, "page", 30, anonymousId="A2"),
    # u-7 is Ana (her app login with her phone), then used on A3 and aliased from A4
    _event(6, "identify", 40, anonymousId="A9", userId="u-7", traits={"phone": "+34 600 000 001"}),
    _event(7, "screen", 50, anonymousId="A3", userId="u-7", name="Catalogue"),
    _event(8, "alias", 60, userId="u-7", previousId="A4"),
    _event(9, "track", 70, userId="u-7", event="Order Viewed"),
    # A5: an address no one in the CRM has
    _event(10, "identify", 80, anonymousId="A5", traits={"email": "nobody@nowhere.org"}),
]


def _store(
    tmp_path: Path, more: tuple[tuple[str, list[Any]], ...] = (), url: str | None = None
) -> Engine:
    """Ana, Bo and Carla as leads of one CRM, the events, and ``more`` (kind, records),
    reconciled."""
    engine = open_store(url or f"sqlite:///{tmp_path / 'store.sqlite'}")
    leads = [
        _lead("L1", "Ana", "Ruiz", "ana@altamira-clients.com", "+34 600 000 001"),
        _lead("L2", "Bo", "Li", "bo@x.org", "+34 600 000 002"),
        _lead("L3", "Carla", "Nunes", "carla@gmail.com", "+34 600 000 003"),
    ]
    channels = ChannelMap(EVENTS_PROFILE)
    events = [parse_event("web", raw, channels) for raw in EVENTS]
    with engine.begin() as conn:
        write_page(conn, "crm", Page("leads", list(leads), {}), "lead", None, NOW)
        write_page(conn, "web", Page("events", list(events), {}), "event", None, NOW)
        for kind, records in more:
            write_page(conn, "crm", Page(f"{kind}s", records, {}), kind, None, NOW)
    reconcile(engine, ReconcileConfig(), NOW, "full")
    return engine


def _links(engine: Engine) -> dict[str, list[tuple[str, str, str, str]]]:
    identities = load_identity_map(engine)
    found: dict[str, list[tuple[str, str, str, str]]] = {}
    with engine.connect() as conn:
        for row in conn.execute(select(EventLinkRow.__table__)).all():  # type: ignore[attr-defined]
            lead = identities.members(row.identity_id)[0][2]
            found.setdefault(row.anonymous_id, []).append(
                (lead, row.status, row.evidence, row.message_id)
            )
    return {k: sorted(v) for k, v in sorted(found.items())}


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from sqlite_or_postgres(request.param, tmp_path / "store.sqlite")


def test_anonymous_ids_are_linked_by_their_evidence_and_shared_ones_join_no_one(
    tmp_path: Path, store_url: str
) -> None:
    engine = _store(tmp_path, url=store_url)
    report = stitch(engine, NOW, run_id=None)
    assert (report.events, report.anonymous_ids, report.linked, report.shared) == (10, 7, 5, 1)
    assert (report.user_ids, report.unmatched_evidence) == (1, 1)
    assert _links(engine) == {
        "A1": [("L1", "linked", "email", "m2")],
        "A2": [("L2", "shared", "email", "m3"), ("L3", "shared", "email", "m4")],
        "A3": [("L1", "linked", "user_id", "m7")],
        "A4": [("L1", "linked", "alias", "m8")],
        "A9": [("L1", "linked", "phone", "m6")],
        "user:u-7": [("L1", "linked", "user_id", "m9")],
    }
    # the shared tablet made no one of Bo and Carla
    identities = load_identity_map(engine)
    assert identities.identity_of("crm", "leads", "L2") != identities.identity_of(
        "crm", "leads", "L3"
    )
    # stitching again over the same events gives the same links
    before = _links(engine)
    stitch(engine, NOW, run_id=None)
    assert _links(engine) == before
    engine.dispose()


def test_links_are_explained_and_digital_touches_lead_the_journey(tmp_path: Path) -> None:
    engine = _store(tmp_path)
    stitch(engine, NOW, run_id=None)
    identities = load_identity_map(engine)
    ana = identities.identity_of("crm", "leads", "L1")
    assert ana is not None
    with engine.connect() as conn:
        explained = explain_anonymous(conn, "A2")
    assert explained is not None
    assert explained["status"] == "shared"
    assert [
        (link["record"], link["evidence"], link["event"]) for link in explained["links"]
    ] == sorted(
        [("crm:leads:L2", "email", "m3"), ("crm:leads:L3", "email", "m4")],
        key=lambda t: identities.identity_of("crm", "leads", t[0].rsplit(":", 1)[1]) or "",
    )
    touches = journey(engine, identities, ana)
    assert [(t.kind, t.channel, t.record) for t in touches] == [
        ("page", "email", "web:events:m1"),
        ("identify", None, "web:events:m2"),
        ("identify", None, "web:events:m6"),
        ("screen: Catalogue", None, "web:events:m7"),
        ("alias", None, "web:events:m8"),
        ("track: Order Viewed", None, "web:events:m9"),
        ("lead created", "web", "crm:leads:L1"),
    ]
    assert touches[0].summary == "https://altamira.example/offer [newsletter / email / Fall]"
    engine.dispose()


def test_the_touch_that_brought_the_lead_fills_the_lead_source_slot_once(
    tmp_path: Path,
) -> None:
    from decimal import Decimal

    from compensation.crediting import credit_deals
    from compensation.crediting.scheme import CreditScheme
    from compensation.inputs import Employee
    from connectors.core.records import Contact, Deal
    from sync.compute.digital import digital_lead_acts
    from sync.compute.directory import Directory
    from sync.compute.evidence import build_evidence
    from sync.compute.snapshot import load_store_snapshot
    from sync.config.compensation import DigitalCreditConfig

    when = T0 + timedelta(days=20)
    contact = Contact(
        source="crm",
        remote_id="C1",
        first_name="Ana",
        last_name="Ruiz",
        email="ana@altamira-clients.com",
        remote_created_at=when,
        remote_updated_at=when,
    )
    deals = [
        Deal(
            source="crm",
            remote_id=f"D{n}",
            name=f"Deal {n}",
            contact_id="C1",
            is_closed=True,
            is_won=True,
            amount=Decimal(amount),
            currency="EUR",
            close_date=(T0 + timedelta(days=40)).date(),
            owner_id="U1",
            remote_created_at=when,
            remote_updated_at=when,
        )
        for n, amount in ((1, "1000.00"), (2, "3000.00"))
    ]
    engine = _store(tmp_path, (("contact", [contact]), ("deal", list(deals))))
    stitch(engine, NOW, run_id=None)
    identities = load_identity_map(engine)
    ana = identities.identity_of("crm", "leads", "L1")
    assert ana is not None
    staff = {
        "E-mkt": Employee("E-mkt", "Mara Kent", "mara@altamira.example", "marketing", "marketing"),
        "E-own": Employee("E-own", "Olaf Wendt", "olaf@altamira.example", "field", "field_sales"),
    }
    directory = Directory(staff, {("crm", "U1"): "E-own"})
    settings = DigitalCreditConfig(campaign_owners={"Fall": "mara@altamira.example"})
    snapshot = load_store_snapshot(engine)
    digital = digital_lead_acts(engine, snapshot, identities, directory, settings)
    assert {k: (a.key, a.employee, a.channel) for k, a in digital.items()} == {
        ana: ("web:events:m1", "E-mkt", "email")
    }
    # no campaign owner and no marketing owner: the touch pays no one and is left out
    assert digital_lead_acts(engine, snapshot, identities, directory, DigitalCreditConfig()) == {}
    evidence = build_evidence(snapshot, identities, directory, as_of=NOW.date(), digital=digital)
    scheme = CreditScheme.model_validate(
        {
            "slots": [
                {"name": "lead_source", "weight": "0.1", "kinds": ["lead_source"], "pick": "first"},
                {"name": "close", "weight": "0.9", "kinds": ["deal_owner"], "pick": "last"},
            ]
        }
    )
    result = credit_deals(evidence.deals, scheme, employees=staff)
    lead_source = sorted(
        (c.deal, c.employee, c.amount) for c in result.credits if c.slot == "lead_source"
    )
    # one touch behind two deals fills the slot of both, and is apportioned between them
    # by deal amount (a quarter and three quarters of the act): paid once in all
    assert lead_source == [
        ("crm:deals:D1", "E-mkt", Decimal("100.00")),
        ("crm:deals:D2", "E-mkt", Decimal("300.00")),
    ]
    assert [(c.acts, c.act_fractions) for c in result.credits if c.slot == "lead_source"] == [
        (("web:events:m1",), (Decimal("0.25"),)),
        (("web:events:m1",), (Decimal("0.75"),)),
    ]
    engine.dispose()


def test_a_marketing_email_sent_is_the_companys_touch_and_its_delivery_is_left_out(
    tmp_path: Path,
) -> None:
    from compensation.inputs import Employee
    from sync.compute.digital import digital_lead_acts
    from sync.compute.directory import Directory
    from sync.compute.snapshot import load_store_snapshot
    from sync.config.compensation import DigitalCreditConfig

    engine = _store(tmp_path)
    winter = {"context": {"campaign": {"source": "newsletter", "medium": "email", "name": "W"}}}
    mails = [
        _event(11, "track", 90, anonymousId="A1", event="Email Sent", **winter),
        _event(12, "track", 91, anonymousId="A1", event="Email Delivered", **winter),
        _event(13, "track", 120, anonymousId="A1", event="Email Opened"),
    ]
    channels = ChannelMap(EVENTS_PROFILE)
    with engine.begin() as conn:
        events = [parse_event("web", raw, channels) for raw in mails]
        write_page(conn, "web", Page("events", events, {}), "event", None, NOW)
    stitch(engine, NOW, run_id=None)
    identities = load_identity_map(engine)
    ana = identities.identity_of("crm", "leads", "L1")
    assert ana is not None
    touches = [
        (t.kind, t.summary, t.record)
        for t in journey(engine, identities, ana)
        if t.record.startswith("web:events:m1")
    ]
    assert touches == [
        ("page", "https://altamira.example/offer [newsletter / email / Fall]", "web:events:m1"),
        ("track: Email Sent", "outbound [newsletter / email / W]", "web:events:m11"),
        ("track: Email Opened", "", "web:events:m13"),
    ]
    # the send carries a campaign and came later, but the person's own click brought them
    staff = {"E-mkt": Employee("E-mkt", "Mara Kent", "mara@x.example", "marketing", "marketing")}
    settings = DigitalCreditConfig(marketing_owner="mara@x.example")
    snapshot = load_store_snapshot(engine)
    acts = digital_lead_acts(engine, snapshot, identities, Directory(staff, {}), settings)
    assert {k: a.key for k, a in acts.items()} == {ana: "web:events:m1"}
    engine.dispose()
