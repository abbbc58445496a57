"""The legacy engagements list (``/engagements/v1/engagements/modified/after``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hubspot_world import T0, build_world, contact_id

from sandbox.hubspot.legacy_objects import PORTAL_ID


def _ms(value):
    return int(value.timestamp() * 1000)


@pytest.fixture
def served(serve):
    world = build_world()
    world.hubspot["calls"].insert(
        {
            "id": "30000000001",
            "hs_call_title": "Intro call",
            "hs_call_duration": 90000,
            "hubspot_owner_id": "501",
            "hs_timestamp": T0,
            "hs_createdate": T0,
            "hs_lastmodifieddate": T0 + timedelta(hours=2),
        }
    )
    world.hubspot["notes"].insert(
        {
            "id": "33000000001",
            "hs_note_body": "Wants a demo",
            "hs_timestamp": T0,
            "hs_createdate": T0,
            "hs_lastmodifieddate": T0 + timedelta(hours=1),
        }
    )
    world.hubspot["notes"].insert(
        {
            "id": "33000000002",
            "hs_note_body": "Archived",
            "hs_timestamp": T0,
            "hs_createdate": T0,
            "hs_lastmodifieddate": T0 + timedelta(hours=3),
        }
    )
    world.hubspot["notes"].soft_delete("33000000002", T0 + timedelta(hours=4))
    world.hubspot_associations.add("calls", "30000000001", "contacts", contact_id(2))
    return serve(world)


def _get(hs, **params):
    response = hs.session().get(
        f"{hs.base_url}/engagements/v1/engagements/modified/after", params=params
    )
    return response.status_code, response.json()


def test_engagements_oldest_modification_first_with_cursor_paging(served):
    status, first = _get(served, after=_ms(T0), limit=1)
    assert status == 200
    assert [e["engagement"]["id"] for e in first["results"]] == [33000000001]
    assert first["hasMore"] is True
    _, second = _get(served, after=first["after"], limit=1)
    assert [e["engagement"]["id"] for e in second["results"]] == [30000000001]
    assert second["hasMore"] is False  # the archived note is not listed


def test_engagement_shape(served):
    _, page = _get(served, after=_ms(T0 + timedelta(hours=1)))
    [call] = page["results"]
    assert call["engagement"] == {
        "id": 30000000001,
        "portalId": PORTAL_ID,
        "active": True,
        "createdAt": _ms(T0),
        "lastUpdated": _ms(T0 + timedelta(hours=2)),
        "ownerId": 501,
        "type": "CALL",
        "timestamp": _ms(T0),
    }
    assert call["associations"]["contactIds"] == [int(contact_id(2))]
    assert call["metadata"] == {"title": "Intro call", "durationMilliseconds": 90000}


def test_engagements_limit_over_1000_is_refused(served):
    status, body = _get(served, after=0, limit=1001)
    assert (status, body["category"]) == (400, "VALIDATION_ERROR")
