"""Stitching reads an e-mail one keystroke away from exactly one known address as that
address, and nothing when the typo is ambiguous, the local part short or the domain other."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from connectors.core.channels import ChannelMap
from connectors.core.contract import Page
from connectors.core.records import Lead
from connectors.events.connector import EVENTS_PROFILE
from connectors.events.spec import parse_event
from sync.config.models import ReconcileConfig
from sync.reconcile.reconciling import reconcile
from sync.reconcile.stitching import stitch
from sync.store import open_store
from sync.store.event_links import EventLinkRow
from sync.store.pages import write_page
from sync.store.view.identity_map import load_identity_map

NOW = datetime(2026, 10, 31, 12, 0, tzinfo=UTC)
T0 = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)

KNOWN = {
    "L1": ("Bjorn", "Wilmont", "bjorn.wilmont60@gmail.com"),
    "L2": ("Maria", "Lopez", "maria.lopez@acme-labs.com"),
    "L3": ("Mario", "Lopes", "maria.lopes@acme-labs.com"),
    "L4": ("Anna", "Berg", "annab@acme-labs.com"),
}
TYPED = {
    "D1": "bjogn.wilmont60@gmail.com",  # a key next to r: Bjorn
    "D2": "bjrn.wilmont60@gmail.com",  # a letter missing: Bjorn
    "D3": "maria.lopec@acme-labs.com",  # one keystroke from both Maria and Mario: no one
    "D4": "anab@acme-labs.com",  # five letters: too short to read as Anna's
    "D5": "bjorn.wilmont60@yahoo.com",  # another domain: another address
}


def test_an_address_one_keystroke_from_one_known_address_links_to_its_person(
    tmp_path: Path,
) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    at = T0 + timedelta(days=10)
    leads = [
        Lead(
            source="crm",
            remote_id=remote_id,
            first_name=first,
            last_name=last,
            email=email,
            company=f"{last} GmbH",
            remote_created_at=at,
            remote_updated_at=at,
        )
        for remote_id, (first, last, email) in KNOWN.items()
    ]
    raws = [
        {
            "type": "identify",
            "messageId": f"m-{device}",
            "timestamp": T0.isoformat(),
            "anonymousId": device,
            "traits": {"email": email},
        }
        for device, email in TYPED.items()
    ]
    channels = ChannelMap(EVENTS_PROFILE)
    with engine.begin() as conn:
        write_page(conn, "crm", Page("leads", list(leads), {}), "lead", None, NOW)
        events = [parse_event("web", raw, channels) for raw in raws]
        write_page(conn, "web", Page("events", list(events), {}), "event", None, NOW)
    reconcile(engine, ReconcileConfig(), NOW, "full")
    report = stitch(engine, NOW, run_id=None)
    identities = load_identity_map(engine)
    with engine.connect() as conn:
        rows = conn.execute(EventLinkRow.__table__.select()).all()  # type: ignore[attr-defined]
    links = sorted(
        (row.anonymous_id, identities.members(row.identity_id)[0][2], row.evidence) for row in rows
    )
    assert links == [("D1", "L1", "email"), ("D2", "L1", "email")]
    assert (report.linked, report.unmatched_evidence) == (2, 3)
    engine.dispose()
