"""The search endpoint: operators, sorts, paging, the 10,000-result cap."""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest
from hubspot.crm.contacts import Filter, FilterGroup, PublicObjectSearchRequest
from hubspot.crm.contacts.exceptions import ApiException
from hubspot_world import ARCHIVED_CONTACTS, SEED, T0, contact_id

from sandbox.clock import DEFAULT_ANCHOR
from sandbox.world import World


def ms(days: float = 0, hours: float = 0) -> str:
    return str(int((T0 + timedelta(days=days, hours=hours)).timestamp() * 1000))


def search(hs, *groups, object_type="contacts", **kw):
    api = getattr(hs.client().crm, object_type).search_api
    request = PublicObjectSearchRequest(
        filter_groups=[FilterGroup(filters=list(g)) for g in groups], **kw
    )
    return api.do_search(public_object_search_request=request)


def ids(page) -> list[str]:
    return [r.id for r in page.results]


def live(*indexes: int) -> list[str]:
    return [contact_id(i) for i in indexes if contact_id(i) not in ARCHIVED_CONTACTS]


def test_comparison_operators_on_datetimes(hs):
    # contact i was modified at T0 + i days + 1 h
    f = lambda op, v: Filter(property_name="lastmodifieddate", operator=op, value=v)  # noqa: E731
    assert ids(search(hs, [f("EQ", ms(2, 1))], limit=50)) == live(2)
    assert ids(search(hs, [f("LT", ms(2, 1))], limit=50)) == live(0, 1)
    assert ids(search(hs, [f("LTE", ms(2, 1))], limit=50)) == live(0, 1, 2)
    assert ids(search(hs, [f("GT", ms(22, 1))], limit=50)) == live(23, 24)
    assert ids(search(hs, [f("GTE", ms(22, 1))], limit=50)) == live(22, 23, 24)
    neq = search(hs, [f("NEQ", ms(0, 1))], limit=50)
    assert neq.total == 22
    between = Filter(
        property_name="lastmodifieddate", operator="BETWEEN", value=ms(5), high_value=ms(7, 2)
    )
    assert ids(search(hs, [between])) == live(5, 6, 7)


def test_in_not_in_and_has_property(hs):
    in_ = Filter(property_name="lifecyclestage", operator="IN", values=["customer", "LEAD"])
    page = search(hs, [in_], limit=100)
    assert ids(page) == live(*[i for i in range(25) if i % 3 in (0, 1)])
    not_in = Filter(property_name="lifecyclestage", operator="NOT_IN", values=["customer", "lead"])
    assert ids(search(hs, [not_in], limit=100)) == live(*range(2, 25, 3))
    has = Filter(property_name="hubspot_owner_id", operator="HAS_PROPERTY")
    missing = Filter(property_name="hubspot_owner_id", operator="NOT_HAS_PROPERTY")
    assert ids(search(hs, [missing], limit=100)) == live(0, 5, 10, 15, 20)
    assert search(hs, [has], limit=100).total == 23 - 5


def test_contains_token_and_numbers(hs):
    token = Filter(property_name="email", operator="CONTAINS_TOKEN", value="example1.com")
    assert ids(search(hs, [token], limit=100)) == live(*range(1, 25, 3))
    wildcard = Filter(property_name="email", operator="CONTAINS_TOKEN", value="*@example2.com")
    assert ids(search(hs, [wildcard], limit=100)) == live(*range(2, 25, 3))
    not_token = Filter(property_name="lastname", operator="NOT_CONTAINS_TOKEN", value="smith")
    assert ids(search(hs, [not_token], limit=100)) == live(*range(0, 25, 2))
    big = Filter(property_name="numberofemployees", operator="GTE", value="30")
    page = search(hs, [big], object_type="companies")
    assert ids(page) == ["9000000003", "9000000004"]


def test_groups_are_or_and_filters_are_and(hs):
    a = Filter(property_name="lastname", operator="EQ", value="smith")
    b = Filter(property_name="lifecyclestage", operator="EQ", value="lead")
    c = Filter(property_name="firstname", operator="EQ", value="First0")
    page = search(hs, [a, b], [c], limit=100)
    assert ids(page) == live(0, *[i for i in range(25) if i % 2 and i % 3 == 0])


def test_sorts_in_both_forms_and_paging_to_the_end(hs):
    api = hs.client().crm.contacts.search_api
    seen, after = [], None
    while True:
        body = {"sorts": ["-createdate"], "limit": 4}
        if after is not None:
            body["after"] = after
        page = api.do_search(public_object_search_request=body)
        assert page.total == 23
        seen.extend(ids(page))
        if page.paging is None:
            break
        after = page.paging.next.after
    assert seen == list(reversed(live(*range(25))))
    documented = PublicObjectSearchRequest(
        sorts=[{"propertyName": "lastmodifieddate", "direction": "DESCENDING"}], limit=3
    )
    page = api.do_search(public_object_search_request=documented)
    assert ids(page) == ["100025", "100024", "100023"]
    assert page.paging.next.after == "3"
    assert page.paging.next.link is None


def test_default_properties_and_archived_never_returned(hs):
    page = search(hs, limit=100)
    assert page.total == 23
    assert not set(ARCHIVED_CONTACTS) & set(ids(page))
    assert sorted(page.results[0].properties) == [
        "createdate",
        "email",
        "firstname",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    ]


def test_contacts_filtered_by_hs_lastmodifieddate_find_nothing(hs):
    wrong = Filter(property_name="hs_lastmodifieddate", operator="GTE", value="0")
    assert search(hs, [wrong]).total == 0
    right = Filter(property_name="hs_lastmodifieddate", operator="GTE", value="0")
    assert search(hs, [right], object_type="deals").total == 3


def _error(hs, body):
    with pytest.raises(ApiException) as info:
        hs.client().crm.contacts.search_api.do_search(public_object_search_request=body)
    payload = orjson.loads(info.value.body)
    payload.pop("correlationId")
    return info.value.status, payload


def test_bad_requests(hs):
    iso = {"propertyName": "lastmodifieddate", "operator": "GTE", "value": "2026-01-01"}
    bad = {"status": "error", "message": "There was a problem with the request."}
    assert _error(hs, {"filterGroups": [{"filters": [iso]}]}) == (400, bad)
    status, body = _error(hs, {"limit": 201})
    assert (status, body["category"]) == (400, "VALIDATION_ERROR")
    eq = {"propertyName": "firstname", "operator": "EQ", "value": "x"}
    status, body = _error(hs, {"filterGroups": [{"filters": [eq]}] * 6})
    assert body["message"] == "Too many filter groups (6). The maximum is 5."
    status, body = _error(hs, {"filterGroups": [{"filters": [eq] * 11}]})
    assert body["message"] == "Too many filters in a group (11). The maximum is 10."
    status, body = _error(hs, {"filterGroups": [{"filters": [eq] * 9}] * 3})
    assert body["message"] == "Too many filters (27). The maximum is 25."


def test_no_rate_limit_headers_on_search(hs):
    with hs.session() as session:
        url = f"{hs.base_url}/crm/v3/objects/contacts/search"
        with session.post(url, json={"limit": 1}) as r:
            assert r.status_code == 200
            assert not [h for h in r.headers if h.lower().startswith("x-hubspot-ratelimit")]


def test_ten_thousand_cap_and_object_id_keyset(serve):
    world = World.empty(SEED, "tiny", DEFAULT_ANCHOR)
    table = world.hubspot["contacts"]
    count = 10_050
    for i in range(count):
        table.insert({"id": str(200_001 + i), "createdate": T0, "lastmodifieddate": T0})
    hs = serve(world)
    api = hs.client().crm.contacts.search_api
    same_time = {"propertyName": "lastmodifieddate", "operator": "EQ", "value": ms()}
    body = {"filterGroups": [{"filters": [same_time]}], "sorts": ["lastmodifieddate"]}
    after, read = None, 0
    with pytest.raises(ApiException) as info:
        while True:
            page = api.do_search(
                public_object_search_request={**body, "limit": 200, "after": after}
            )
            read += len(page.results)
            after = page.paging.next.after
    assert (read, after, info.value.status) == (10_000, "10000", 400)
    assert orjson.loads(info.value.body)["message"] == "There was a problem with the request."

    keyset, last = [], "0"
    while True:
        after_last = {"propertyName": "hs_object_id", "operator": "GT", "value": last}
        request = {
            "filterGroups": [{"filters": [same_time, after_last]}],
            "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
            "limit": 200,
        }
        page = api.do_search(public_object_search_request=request)
        if not page.results:
            break
        keyset.extend(ids(page))
        last = page.results[-1].id
    assert keyset == [str(200_001 + i) for i in range(count)]


def test_modified_window_follows_writes_after_the_first_search(serve):
    # the first window search indexes the table by modified time; later writes keep it true
    world = World.empty(SEED, "tiny", DEFAULT_ANCHOR)
    table = world.hubspot["contacts"]
    for i in range(10):
        at = T0 + timedelta(days=i)
        table.insert({"id": str(300_001 + i), "createdate": T0, "lastmodifieddate": at})
    hs = serve(world)
    api = hs.client().crm.contacts.search_api

    def window(low_days: float, high_days: float, after: str = "0") -> list[str]:
        filters = [
            {"propertyName": "lastmodifieddate", "operator": "GTE", "value": ms(low_days)},
            {"propertyName": "lastmodifieddate", "operator": "LT", "value": ms(high_days)},
            {"propertyName": "hs_object_id", "operator": "GT", "value": after},
        ]
        request = {
            "filterGroups": [{"filters": filters}],
            "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
            "limit": 100,
        }
        return ids(api.do_search(public_object_search_request=request))

    assert window(3, 6) == ["300004", "300005", "300006"]
    assert window(3, 6, after="300004") == ["300005", "300006"]
    with world.lock:
        table.update("300002", {"firstname": "Moved"}, when=T0 + timedelta(days=4))
        table.update("300005", {"firstname": "Out"}, when=T0 + timedelta(days=8))
        table.soft_delete("300006", T0)
        table.insert({"id": "300011", "createdate": T0, "lastmodifieddate": T0 + timedelta(3)})
        table.insert({"id": "300012", "createdate": T0})  # no modified time: never in a window
    assert window(3, 6) == ["300002", "300004", "300011"]
    everything = [str(300_001 + i) for i in range(11) if i != 5]  # 300006 archived
    assert window(0, 100) == everything
    with world.lock:
        table.restore("300006")
    assert window(5, 5.5) == ["300006"]
    assert window(6, 5) == []
