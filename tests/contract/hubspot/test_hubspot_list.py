"""The object list endpoint, get by id, and value rendering."""

from __future__ import annotations

import orjson
import pytest
from hubspot.crm.contacts.exceptions import ApiException, NotFoundException
from hubspot_world import ARCHIVED_CONTACTS, N_CONTACTS, contact_id

LIVE_IDS = [contact_id(i) for i in range(N_CONTACTS) if contact_id(i) not in ARCHIVED_CONTACTS]


def _json(hs, path: str, **params):
    with hs.session() as session, session.get(f"{hs.base_url}{path}", params=params) as r:
        return r.status_code, r.json()


def test_get_page_pages_to_the_end_in_id_order(hs):
    api = hs.client().crm.contacts.basic_api
    seen, after, pages = [], None, 0
    while True:
        page = api.get_page(limit=7, after=after)
        pages += 1
        seen.extend(r.id for r in page.results)
        if page.paging is None:
            break
        after = page.paging.next.after
        assert after == str(int(page.results[-1].id) + 1)
    assert seen == LIVE_IDS
    assert pages == 4


def test_get_all_returns_every_live_record(hs):
    records = hs.client().crm.contacts.get_all()
    assert [r.id for r in records] == LIVE_IDS
    assert {r.archived for r in records} == {False}


def test_archived_true_returns_only_archived_with_archived_at(hs):
    page = hs.client().crm.contacts.basic_api.get_page(archived=True)
    assert [r.id for r in page.results] == list(ARCHIVED_CONTACTS)
    assert [r.archived for r in page.results] == [True, True]
    assert page.results[0].archived_at.isoformat() == "2026-02-14T09:30:00.123000+00:00"
    # archiving did not touch the modified date
    assert page.results[0].properties["lastmodifieddate"] == "2026-01-08T10:30:00.123Z"


@pytest.mark.parametrize("flag", ["False", "false", "FALSE"])
def test_archived_flag_is_case_insensitive(hs, flag):
    status, body = _json(hs, "/crm/v3/objects/contacts", archived=flag, limit=100)
    assert status == 200
    assert [r["id"] for r in body["results"]] == LIVE_IDS


def test_default_properties_and_record_shape(hs):
    status, body = _json(hs, "/crm/v3/objects/contacts", limit=1)
    assert status == 200
    assert body["results"] == [
        {
            "id": "100001",
            "properties": {
                "createdate": "2026-01-05T09:30:00.123Z",
                "email": "person0@example0.com",
                "firstname": "First0",
                "hs_object_id": "100001",
                "lastmodifieddate": "2026-01-05T10:30:00.123Z",
                "lastname": "Jones",
            },
            "createdAt": "2026-01-05T09:30:00.123Z",
            "updatedAt": "2026-01-05T10:30:00.123Z",
            "archived": False,
        }
    ]
    link = f"{hs.base_url}/crm/v3/objects/contacts?limit=1&after=100002"
    assert body["paging"] == {"next": {"after": "100002", "link": link}}


def test_offset_is_not_a_paging_parameter(hs):
    """The v3 list pages with ``after`` only (its documented parameters are limit, after,
    properties, propertiesWithHistory, associations, archived); like HubSpot, it ignores
    ``offset`` and answers the first page, so a client that pages with offset repeats it."""
    _, first = _json(hs, "/crm/v3/objects/contacts", limit=3)
    status, offset = _json(hs, "/crm/v3/objects/contacts", limit=3, offset=3)
    assert status == 200
    assert [r["id"] for r in offset["results"]] == [r["id"] for r in first["results"]]
    assert [r["id"] for r in first["results"]] == LIVE_IDS[:3]
    assert offset["paging"]["next"]["after"] == str(int(LIVE_IDS[2]) + 1)


def test_paging_link_is_followable(hs):
    status, body = _json(hs, "/crm/v3/objects/companies", limit=3, properties="name")
    assert status == 200
    with hs.session() as session, session.get(body["paging"]["next"]["link"]) as r:
        follow = r.json()
    assert [c["id"] for c in follow["results"]] == ["9000000004"]
    assert follow["results"][0]["properties"]["name"] == "Company 3"
    assert "paging" not in follow


def test_properties_repeated_and_comma_separated_unknown_ignored(hs):
    api = hs.client().crm.companies.basic_api
    repeated = api.get_page(limit=2, properties=["numberofemployees", "annualrevenue", "nope"])
    status, body = _json(
        hs, "/crm/v3/objects/companies", limit=2, properties="numberofemployees,annualrevenue,nope"
    )
    assert status == 200
    expected = {
        "annualrevenue": "1000.5",
        "createdate": "2026-01-05T09:30:00.123Z",
        "hs_lastmodifieddate": "2026-01-05T10:30:00.123Z",
        "hs_object_id": "9000000002",
        "numberofemployees": "20",
    }
    assert repeated.results[1].properties == expected
    assert body["results"][1]["properties"] == expected
    assert repeated.results[0].properties["annualrevenue"] == "0"


def test_values_are_strings_booleans_and_nulls(hs):
    api = hs.client().crm.deals.basic_api
    page = api.get_page(limit=2, properties=["hs_is_closed", "amount", "closedate", "dealtype"])
    first, second = page.results
    assert first.properties["hs_is_closed"] == "true"
    assert second.properties["hs_is_closed"] == "false"
    assert first.properties["amount"] == "2500"
    assert first.properties["closedate"] == "2026-02-04T09:30:00.123Z"
    assert first.properties["dealtype"] is None


def test_limit_over_100_is_a_400(hs):
    with pytest.raises(ApiException) as info:
        hs.client().crm.contacts.basic_api.get_page(limit=101)
    assert info.value.status == 400
    body = orjson.loads(info.value.body)
    assert body["category"] == "VALIDATION_ERROR"
    assert body["message"] == "limit must be between 1 and 100, was 101"


def test_associations_on_list(hs):
    page = hs.client().crm.contacts.basic_api.get_page(limit=1, associations=["companies"])
    results = page.results[0].associations["companies"].results
    assert [(a.id, a.type) for a in results] == [
        ("9000000001", "contact_to_company"),
        ("9000000001", "contact_to_company_unlabeled"),
    ]


def test_object_type_ids_are_accepted(hs):
    status, body = _json(hs, "/crm/v3/objects/0-2", limit=100)
    assert status == 200
    assert [c["id"] for c in body["results"]] == [str(9_000_000_001 + i) for i in range(4)]


def test_get_by_id_and_by_email(hs):
    api = hs.client().crm.contacts.basic_api
    by_id = api.get_by_id("100003", properties=["email"])
    by_email = api.get_by_id("PERSON2@example2.com", id_property="email", properties=["email"])
    assert by_id.id == by_email.id == "100003"
    assert by_email.properties["email"] == "person2@example2.com"


def test_get_archived_by_id_needs_archived_flag(hs):
    api = hs.client().crm.contacts.basic_api
    assert api.get_by_id("100004", archived=True).archived is True
    with pytest.raises(NotFoundException):
        api.get_by_id("100004")


def test_missing_record_is_404_object_not_found(hs):
    status, body = _json(hs, "/crm/v3/objects/contacts/424242")
    assert status == 404
    body.pop("correlationId")
    assert body == {
        "status": "error",
        "message": "Object not found.  objectId are usually numeric.",
        "category": "OBJECT_NOT_FOUND",
        "context": {"id": ["424242"]},
    }


def test_unknown_object_type_and_path(hs):
    status, body = _json(hs, "/crm/v3/objects/widgets")
    assert (status, body["message"]) == (400, "Unable to infer object type from: widgets")
    status, body = _json(hs, "/crm/v9/nothing")
    assert (status, body["category"]) == (404, "OBJECT_NOT_FOUND")
