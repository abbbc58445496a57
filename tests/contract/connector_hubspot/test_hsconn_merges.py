"""Merges move associations without touching the linked records: incremental reads re-read
them; and incremental reads spend no calls on metadata.

Tests run in file order on one module sandbox that they change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import requests
from hsconn_support import read_all, records, reset_stats, stats

from connectors.hubspot import HubSpotConnector
from sandbox import Sandbox

Connect = Callable[..., HubSpotConnector]
ENGAGEMENTS = ("calls", "emails", "meetings", "notes", "tasks")
_states: dict[str, Any] = {}
_merge: dict[str, Any] = {}


def _links(sb: Sandbox, from_type: str, rid: str, to_type: str) -> set[str]:
    return set(sb.world.hubspot_associations.get(from_type, rid, to_type))


def _pick_pair(sb: Sandbox) -> tuple[str, str]:
    """A contact with activities and deals (the loser), and another contact (the winner)."""
    live = sorted((r["id"] for r in sb.world.hubspot["contacts"].live()), key=int)
    loser = next(
        c for c in live if _links(sb, "contacts", c, "deals") and _links(sb, "contacts", c, "calls")
    )
    winner = next(c for c in live if c != loser and not _links(sb, "contacts", c, "deals"))
    return winner, loser


def test_merge_relinks_activities_deals_and_roles(
    connect: Connect, sb: Sandbox, admin: requests.Session
) -> None:
    connector = connect()
    for stream in ("deals", "deal_contacts", "activities"):
        _states[stream] = read_all(connector, stream, None)[1]
    winner, loser = _pick_pair(sb)
    moved = {t: _links(sb, "contacts", loser, t) for t in ("deals", *ENGAGEMENTS)}
    sb.clock.advance(5)
    response = admin.post(
        f"{sb.info.hubspot.base_url}/crm/v3/objects/contacts/merge",
        json={"primaryObjectId": winner, "objectIdToMerge": loser},
        headers={"Authorization": f"Bearer {sb.info.hubspot.access_token}"},
    )
    assert response.status_code == 200, response.text
    response.close()
    sb.clock.advance(5)
    _merge.update(winner=winner, loser=loser)

    connector = connect()
    pages, _states["activities"] = read_all(
        connector, "activities", _states["activities"], lookback=timedelta(0)
    )
    activities = {a.remote_id: a for a in records(pages, "activity")}
    relinked = set().union(*(moved[t] for t in ENGAGEMENTS))
    assert relinked and relinked <= set(activities)
    for rid in relinked:
        assert loser not in activities[rid].raw["links"]["contacts"]
        assert winner in activities[rid].raw["links"]["contacts"]

    pages, _states["deals"] = read_all(connector, "deals", _states["deals"], lookback=timedelta(0))
    deals = {d.remote_id: d for d in records(pages, "deal")}
    assert moved["deals"] <= set(deals)
    roles = {r.remote_id for r in records(pages, "deal_contact")}
    assert {f"{d}:{winner}" for d in moved["deals"]} <= roles

    # On its own (a new connector), deal_contacts drops the loser's roles.
    pages, _states["deal_contacts"] = read_all(
        connect(), "deal_contacts", _states["deal_contacts"], lookback=timedelta(0)
    )
    deleted = {i for p in pages for i in p.deleted_ids}
    assert deleted == {f"{d}:{loser}" for d in moved["deals"]}
    live_roles = {r.remote_id for r in records(pages, "deal_contact") if not r.deleted}
    assert {f"{d}:{winner}" for d in moved["deals"]} <= live_roles
    assert all(loser not in r for r in live_roles)


def test_incremental_read_spends_no_calls_on_metadata_or_old_merges(
    connect: Connect, sb: Sandbox, admin: requests.Session
) -> None:
    sb.clock.advance(5)
    connector = connect()
    reset_stats(admin, sb)
    signpost = sb.clock.now()
    pages, state = read_all(
        connector, "activities", _states["activities"], lookback=timedelta(0), signpost=signpost
    )
    cursors = {t: s["cursor"] for t, s in _states["activities"]["objects"].items()}
    with sb.world.lock:
        archived_pages = sum(
            max(1, -(-len(list(sb.world.hubspot[t].deleted())) // 100)) for t in ENGAGEMENTS
        )
        # once per run, the archived lists of the types engagements link to: a record
        # archived since the cursors would mean re-listing the engagements
        archived_pages += sum(
            max(1, -(-len(list(sb.world.hubspot[t].deleted())) // 100))
            for t in ("contacts", "companies", "deals", "tickets")
        )
        # the closed lower bound re-reads the records sitting exactly on each cursor
        boundary = {
            t: {
                r["id"]
                for r in sb.world.hubspot[t].live()
                if int(r["hs_lastmodifieddate"].timestamp() * 1000) == cursors[t]
            }
            for t in ENGAGEMENTS
        }
    live = {r.remote_id for r in records(pages, "activity") if not r.deleted}
    assert live == set().union(*boundary.values())
    expected = {
        "POST /crm/v3/objects/<type>/search": 5 + 2,  # one per type, and merge winners
        "GET /crm/v3/objects/<type>": archived_pages,
    }
    if live:  # four association reads per type with records
        links = 4 * sum(1 for ids in boundary.values() if ids)
        expected["POST /crm/v4/associations/<from>/<to>/batch/read"] = links
    assert stats(admin, sb) == expected
    assert state is not None and state["merges"] == {"since": int(signpost.timestamp() * 1000)}


def test_one_run_of_the_streams_reads_each_archived_list_and_merge_window_once(
    connect: Connect, sb: Sandbox, admin: requests.Session
) -> None:
    streams = ("contacts", "accounts", "deals", "activities")
    sb.clock.advance(5)
    connector, signpost, states = connect(), sb.clock.now(), {}
    for stream in streams:
        states[stream] = read_all(connector, stream, None, signpost=signpost)[1]
    sb.clock.advance(5)
    connector, signpost = connect(), sb.clock.now()
    reset_stats(admin, sb)
    for stream in streams:
        read_all(connector, stream, states[stream], lookback=timedelta(0), signpost=signpost)
    calls = stats(admin, sb)
    types = ("contacts", "companies", "deals", *ENGAGEMENTS)
    with sb.world.lock:
        pages = {t: max(1, -(-len(list(sb.world.hubspot[t].deleted())) // 100)) for t in types}
        pages["tickets"] = max(1, -(-len(list(sb.world.hubspot["tickets"].deleted())) // 100))
    # one search per type: the contacts' and companies' searches saw the merge window, so
    # no stream searches for merge winners; each type's archived list is paged once (the
    # tickets' for the engagements' links, the others by their own streams, read first)
    assert calls["POST /crm/v3/objects/<type>/search"] == len(types)
    assert calls["GET /crm/v3/objects/<type>"] == sum(pages.values())


def test_catalog_is_fetched_again_after_its_ttl(
    connect: Connect, sb: Sandbox, admin: requests.Session
) -> None:
    sb.clock.advance(24 * 3600)
    reset_stats(admin, sb)
    read_all(connect(), "deals", _states["deals"], signpost=sb.clock.now())
    calls = stats(admin, sb)
    assert calls["GET /crm/v3/properties/<type>"] == 1
    assert calls["GET /crm/v3/pipelines/<type>"] == 2
