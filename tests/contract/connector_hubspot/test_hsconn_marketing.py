"""Form submissions and marketing e-mail events read over HTTP from the HubSpot emulator
as digital events: every one of the sandbox's ground truth, mapped, and read on
incrementally from the cursors."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from hsconn_support import read_all, records
from sqlalchemy import select

from connectors.core.http import pinned_session
from connectors.core.records import DigitalEvent
from connectors.hubspot import HubSpotConnector
from connectors.hubspot.marketing import MARKETING_STREAMS
from sandbox import Sandbox
from sandbox.hubspot.marketing_data import FORMS, marketing_data
from sync.config.models import ReconcileConfig
from sync.reconcile.normalize import email_key
from sync.reconcile.reconciling import reconcile
from sync.reconcile.stitching import stitch
from sync.store import open_store
from sync.store.event_links import EventLinkRow
from sync.store.pages import write_page
from sync.store.view.identity_map import load_identity_map

Connect = Callable[..., HubSpotConnector]


def _events(pages: list) -> list[DigitalEvent]:
    found = records(pages)
    assert all(isinstance(r, DigitalEvent) for r in found)
    return found  # type: ignore[return-value]


def test_the_streams_are_there_only_when_the_source_asks_for_them(connect: Connect) -> None:
    assert "form_submissions" not in {s.name for s in connect().streams()}
    infos = {s.name: s for s in connect(marketing_events=True).streams()}
    for name in ("form_submissions", "email_events"):
        info = infos[name]
        assert (info.record_type, info.append_only, info.detects_deletes) == ("event", True, False)


def test_every_form_submission_is_read_as_an_identified_track_event(
    connect: Connect, sb: Sandbox
) -> None:
    truth = marketing_data(sb.world).submissions
    pages, state = read_all(connect(marketing_events=True), "form_submissions", None)
    events = _events(pages)
    expected = {s["conversionId"]: (g, s) for g, rows in truth.items() for s in rows}
    assert len(expected) > 20
    assert sorted(e.remote_id for e in events) == sorted(expected)
    assert not [q for p in pages for q in p.quarantined]
    names = {form.guid: form.name for form in FORMS}
    for event in events:
        guid, item = expected[event.remote_id]
        email = next(v["value"] for v in item["values"] if v["name"] == "email").casefold()
        at = datetime.fromtimestamp(item["submittedAt"] / 1000, UTC)
        assert (event.event_type, event.name) == ("track", f"Form Submitted: {names[guid]}")
        assert (event.email, event.user_id, event.anonymous_id) == (email, email, None)
        assert (event.occurred_at, event.url, event.raw["formGuid"]) == (at, item["pageUrl"], guid)
    tagged = [e for e in events if e.utm_medium]
    assert tagged and all(e.channel in ("web", "social") for e in tagged)
    assert {e.channel for e in events if not e.utm_medium} == {None}
    newest = {g: rows[0]["submittedAt"] for g, rows in truth.items() if rows}
    assert state == {"forms": dict(sorted(newest.items()))}


def test_every_email_event_is_read_with_its_type_and_link(connect: Connect, sb: Sandbox) -> None:
    truth = marketing_data(sb.world).email_events
    pages, state = read_all(connect(marketing_events=True), "email_events", None)
    events = _events(pages)
    assert len(events) == len(truth) > 50
    assert sorted(e.remote_id for e in events) == sorted(e["id"] for e in truth)
    by_name = Counter(e.name for e in events)
    kinds = Counter(e["type"] for e in truth)
    assert by_name == {
        "Email Sent": kinds["SENT"],
        "Email Delivered": kinds["DELIVERED"],
        "Email Opened": kinds["OPEN"],
        "Email Link Clicked": kinds["CLICK"],
        "Email Bounced": kinds["BOUNCE"],
    }
    assert kinds["CLICK"] > 0
    assert {e.channel for e in events} == {"email"}
    clicks = [e for e in events if e.name == "Email Link Clicked"]
    assert all(e.url and e.utm_medium == "email" and e.utm_source == "newsletter" for e in clicks)
    assert all(e.email == e.user_id == e.raw["recipient"].casefold() for e in events)
    assert state == {"since": max(e["created"] for e in truth)}


def test_incremental_reads_bring_only_what_is_new(connect: Connect, sb: Sandbox) -> None:
    connector = connect(marketing_events=True)
    _, forms_state = read_all(connector, "form_submissions", None)
    _, email_state = read_all(connector, "email_events", None)
    truth = marketing_data(sb.world).submissions
    before = {s["conversionId"] for rows in truth.values() for s in rows}
    newest = {rows[0]["conversionId"] for rows in truth.values() if rows}
    # contacts created a day later: the forms that created them are new submissions
    sb.clock.advance(86_400)
    session = pinned_session(sb.info.ca_bundle)
    session.headers["Authorization"] = f"Bearer {sb.info.hubspot.access_token}"
    for n in range(8):
        properties = {"email": f"new.lead{n}@labs-example.org", "lastname": f"Lead{n}"}
        response = session.post(
            f"{sb.info.hubspot.base_url}/crm/v3/objects/contacts", json={"properties": properties}
        )
        assert response.status_code == 201, response.text
    session.close()
    after = marketing_data(sb.world).submissions
    new = {s["conversionId"] for rows in after.values() for s in rows} - before
    assert new
    pages, state = read_all(connector, "form_submissions", forms_state)
    read = {e.remote_id for e in _events(pages)}
    # what is new, and the newest submission of each form read before (the cursor is
    # inclusive: the store keeps it once); nothing older
    assert new <= read <= new | newest
    assert state == {"forms": {g: rows[0]["submittedAt"] for g, rows in sorted(after.items())}}
    # no newsletter went out since: only the newest e-mail event is read again
    pages, state = read_all(connector, "email_events", email_state)
    events = marketing_data(sb.world).email_events
    last = max(e["created"] for e in events)
    assert sorted(e.remote_id for e in _events(pages)) == sorted(
        e["id"] for e in events if e["created"] == last
    )
    assert state == email_state


def test_stored_and_stitched_each_address_links_to_its_contacts_identity(
    connect: Connect, sb: Sandbox, tmp_path: Path
) -> None:
    """Through the store: the contacts, then both marketing streams, written append-only
    (twice: the second write adds nothing), reconciled and stitched. Each address the
    events carry is linked to the one identity whose contacts hold it."""
    connector = connect(marketing_events=True)
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    now = sb.clock.now()
    contacts, _ = read_all(connector, "contacts", None)
    streams = {name: read_all(connector, name, None)[0] for name in MARKETING_STREAMS}
    with engine.begin() as conn:
        for page in contacts:
            write_page(conn, "hubspot", page, "contact", None, now)
    for replay in (False, True):
        for pages in streams.values():
            with engine.begin() as conn:
                for page in pages:
                    counts = write_page(conn, "hubspot", page, "event", None, now)["event"]
                    assert counts.inserted == (0 if replay else len(page.records))
    reconcile(engine, ReconcileConfig(), now, "full")
    report = stitch(engine, now)
    identities = load_identity_map(engine)
    holders: dict[str, set[str]] = {}
    for record in records(contacts, "contact"):
        identity = identities.identity_of("hubspot", "contacts", record.remote_id)
        if record.email and identity and not record.deleted:
            holders.setdefault(record.email.casefold(), set()).add(identity)
    addresses = {e.email for pages in streams.values() for e in _events(pages)}
    expected = {  # a placeholder address (noemail@...) is no evidence, as in reconciliation
        f"user:{a}": next(iter(holders[a]))
        for a in addresses
        if len(holders.get(a, ())) == 1 and email_key(a) is not None
    }
    assert len(expected) > 20
    with engine.connect() as conn:
        links = conn.execute(select(EventLinkRow.__table__)).all()  # type: ignore[attr-defined]
    assert {row.anonymous_id: row.identity_id for row in links} == expected
    assert {(row.status, row.evidence) for row in links} == {("linked", "email")}
    assert report.linked == len(expected)
    engine.dispose()
