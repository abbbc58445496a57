"""HubSpot: an incremental sync after a contact is archived re-reads only the records that
linked to it, found in the store, and ends with the same store as a fresh sync.

Archiving hides the contact's links without moving the linked records' modified dates, so
the search alone never sees them; the store says which activities and deals linked to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from sqlalchemy import Engine, func, select

from connectors.core.http import pinned_session
from sandbox import Sandbox
from sync.config import load_config
from sync.pull import StreamReport, SyncOptions, sync_source
from sync.pull.runs import load_state
from sync.sources import build_connector
from sync.store.records import TABLES
from tests.integration.contract_suite import BACKENDS, store_url, tiny_sandbox, utc_now
from tests.integration.sync_support import (
    opened,
    store_differences,
    store_snapshot,
    write_config,
)

ENGAGEMENTS = ("calls", "emails", "meetings", "notes", "tasks")
LINKED = ("contacts", "companies", "deals", "tickets")  # what engagements link to
TYPES = {"calls": "call", "emails": "email", "meetings": "meeting", "notes": "note"}


def _config(sandbox: Sandbox, directory: Path, url: str) -> Path:
    """The HubSpot source with no lookback: only records on a cursor are read again."""
    directory.mkdir()
    path = write_config(sandbox, directory, url, ("hubspot",))
    config = yaml.safe_load(path.read_text())
    config["sources"][0]["lookback"] = "0s"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def _sync(path: Path, *streams: str, full: bool = False) -> dict[str, StreamReport]:
    config = load_config(path)
    source = config.source("hubspot")
    connector = build_connector(source)
    try:
        with opened(config.store.url) as engine:
            options = SyncOptions(streams=streams or None, full=full)
            report = sync_source(engine, source, connector, options, now=utc_now)
    finally:
        connector.close()
    assert report.status == "succeeded", [(s.stream, s.status, s.error) for s in report.streams]
    return {s.stream: s for s in report.streams}


def _stored(engine: Engine, kind: str, column: str, value: str) -> dict[str, str]:
    """Live ``kind`` rows of HubSpot whose ``column`` is ``value``: remote id -> type."""
    table = TABLES[kind].__table__  # type: ignore[attr-defined]
    kind_column = table.c.activity_type if kind == "activity" else table.c.remote_id
    query = select(table.c.remote_id, kind_column).where(
        table.c.source == "hubspot", table.c.is_deleted.is_(False), table.c[column] == value
    )
    with engine.connect() as conn:
        return {r[0]: r[1] for r in conn.execute(query)}


def _busiest_contact(engine: Engine) -> str:
    """Of the contacts in a deal's roles, the one most activities link to first (the
    lowest id among equals)."""
    table = TABLES["activity"].__table__  # type: ignore[attr-defined]
    roles = TABLES["deal_contact"].__table__  # type: ignore[attr-defined]
    query = (
        select(table.c.contact_id, func.count())
        .where(
            table.c.source == "hubspot",
            table.c.contact_id.in_(select(roles.c.contact_id).where(roles.c.source == "hubspot")),
        )
        .group_by(table.c.contact_id)
    )
    with engine.connect() as conn:
        counts = {r[0]: r[1] for r in conn.execute(query)}
    return min(counts, key=lambda c: (-counts[c], int(c)))


def _pages(count: int, size: int = 100) -> int:
    return max(1, -(-count // size))


def _at_cursor(sandbox: Sandbox, state: dict[str, Any]) -> dict[str, set[str]]:
    """Per engagement type, the live records sitting exactly on its cursor."""
    out = {}
    for name in ENGAGEMENTS:
        cursor = state["objects"][name]["cursor"]
        out[name] = {
            r["id"]
            for r in sandbox.world.hubspot[name].live()
            if int(r["hs_lastmodifieddate"].timestamp() * 1000) == cursor
        }
    return out


def _stats(session: requests.Session, sandbox: Sandbox, reset: bool = False) -> dict[str, int]:
    url = f"{sandbox.info.hubspot.base_url}/_sandbox/stats"
    if reset:
        session.delete(url).close()
        return {}
    with session.get(url) as response:
        return response.json()["endpoints"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_incremental_sync_after_an_archive_rereads_only_the_records_linked_to_it(
    backend: str, tmp_path: Path
) -> None:
    with (
        tiny_sandbox() as sandbox,
        store_url(backend, tmp_path, "inc") as url,
        store_url("sqlite", tmp_path, "fresh") as fresh_url,
        pinned_session(sandbox.info.ca_bundle) as admin,
    ):
        config = _config(sandbox, tmp_path / "a", url)
        _sync(config)
        with opened(url) as engine:
            contact = _busiest_contact(engine)
            linked = _stored(engine, "activity", "contact_id", contact)
            deals = set(_stored(engine, "deal", "contact_id", contact))
            roles = set(_stored(engine, "deal_contact", "contact_id", contact))
            state = load_state(engine, "hubspot", "activities")
        assert len(linked) >= 2 and roles
        sandbox.clock.advance(120)  # type: ignore[attr-defined]
        world = sandbox.world
        with world.lock:
            world.hubspot["contacts"].soft_delete(contact, sandbox.clock.now())
            boundary = _at_cursor(sandbox, state or {})
            archived = {t: len(list(world.hubspot[t].deleted())) for t in (*ENGAGEMENTS, *LINKED)}
        sandbox.clock.advance(120)  # type: ignore[attr-defined]

        _stats(admin, sandbox, reset=True)
        activities = _sync(config, "activities")["activities"]
        calls = _stats(admin, sandbox)
        by_type = {
            name: {i for i, kind in linked.items() if kind == TYPES.get(name, "task")}
            for name in ENGAGEMENTS
        }
        reread = {name: boundary[name] | by_type[name] for name in ENGAGEMENTS}
        assert activities.counts.updated == len(linked)  # each one's contact_id changed
        live = sum(len(ids) for ids in reread.values())
        assert activities.counts.fetched == live + sum(archived[t] for t in ENGAGEMENTS)
        assert calls == {
            "GET /crm/v3/owners/": 1,  # the signpost
            # one per type, and the merge winners among contacts and companies
            "POST /crm/v3/objects/<type>/search": len(ENGAGEMENTS) + 2,
            # each type's archived list, and those of the types it links to
            "GET /crm/v3/objects/<type>": sum(_pages(archived[t]) for t in archived),
            # the linked records of each type, one batch read each
            "POST /crm/v3/objects/<type>/batch/read": sum(1 for i in by_type.values() if i),
            # their links and those of the records on the cursors, four types each
            "POST /crm/v4/associations/<from>/<to>/batch/read": 4
            * sum(1 for ids in reread.values() if ids),
        }
        with opened(url) as engine:
            assert _stored(engine, "activity", "contact_id", contact) == {}

        deal_report = _sync(config, "deals")["deals"]
        assert deal_report.counts.updated == len(deals)  # the first contact changed
        with opened(url) as engine:
            assert _stored(engine, "deal", "contact_id", contact) == {}
            assert _stored(engine, "deal_contact", "contact_id", contact) == {}

        _sync(config)  # the other streams, then the store equals a fresh one
        fresh = _config(sandbox, tmp_path / "b", fresh_url)
        _sync(fresh, full=True)
        kept = store_snapshot(url, live_only=True)
        assert store_differences(kept, store_snapshot(fresh_url, live_only=True)) == []

        # Restored (HubSpot dates the restored record, not those its links come back to):
        # the store kept which archived contact had links, so they are read again.
        sandbox.clock.advance(120)  # type: ignore[attr-defined]
        with world.lock:
            world.hubspot["contacts"].restore(contact)
            world.hubspot["contacts"].update(contact, {}, sandbox.clock.now())
        sandbox.clock.advance(120)  # type: ignore[attr-defined]
        reports = _sync(config)
        assert reports["contacts"].counts.restored == 1
        assert reports["activities"].counts.updated == len(linked)
        assert reports["deals"].counts.updated == len(deals)
        with opened(url) as engine:
            assert _stored(engine, "activity", "contact_id", contact) == linked
            assert set(_stored(engine, "deal_contact", "contact_id", contact)) == roles
            assert "hidden" not in (load_state(engine, "hubspot", "activities") or {})
        again_url = f"sqlite:///{tmp_path / 'again'}.sqlite"
        _sync(_config(sandbox, tmp_path / "c", again_url), full=True)
        kept = store_snapshot(url, live_only=True)
        assert store_differences(kept, store_snapshot(again_url, live_only=True)) == []
