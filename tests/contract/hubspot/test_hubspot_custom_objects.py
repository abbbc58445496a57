"""A custom object as a real portal serves one: its schema under ``/crm/v3/schemas``
(``PORTAL_SPECIFIC``, ``p{portalId}_{name}``, ``2-{id}``), its records under
``/crm/v3/objects/`` by fully qualified name or type id, searchable on
``hs_lastmodifieddate``, with v4 associations to contacts and companies."""

from __future__ import annotations

import pytest

from sandbox.clock import DEFAULT_ANCHOR
from sandbox.generator import generate
from sandbox.hubspot.schema_custom import ORDERS, ORDERS_TYPE_ID, STORE_VISITS, STORE_VISITS_TYPE_ID

ORDER_PROPS = ("order_date", "total", "paid")


@pytest.fixture
def portal(serve):
    return serve(generate(7, "tiny", DEFAULT_ANCHOR))


def _truth(portal):
    return [v for v in portal.world.truth.files["store_visits"] if v["crm"] == "hubspot"]


def test_schemas_list_the_custom_object(portal):
    for prefix in ("/crm/v3/schemas", "/crm-object-schemas/v3/schemas"):
        body = portal.session().get(f"{portal.base_url}{prefix}").json()
        schema, orders = body["results"]
        assert (orders["name"], orders["fullyQualifiedName"], orders["objectTypeId"]) == (
            "orders",
            ORDERS,
            ORDERS_TYPE_ID,
        )
        assert {p["name"]: p["type"] for p in orders["properties"] if p["name"] in ORDER_PROPS} == {
            "order_date": "date",
            "total": "number",
            "paid": "bool",
        }
        assert (schema["name"], schema["fullyQualifiedName"], schema["objectTypeId"]) == (
            "store_visits",
            STORE_VISITS,
            STORE_VISITS_TYPE_ID,
        )
        assert (schema["metaType"], schema["id"]) == ("PORTAL_SPECIFIC", "7730401")
        assert schema["labels"] == {"singular": "Store visit", "plural": "Store visits"}
        props = {p["name"]: p for p in schema["properties"]}
        assert props["visit_date"]["type"] == "datetime"
        assert props["store"]["type"] == "enumeration"
        assert {a["toObjectTypeId"] for a in schema["associations"]} == {"0-1", "0-2", "0-3"}
    by_id = portal.session().get(f"{portal.base_url}/crm/v3/schemas/{STORE_VISITS_TYPE_ID}")
    assert by_id.json()["fullyQualifiedName"] == STORE_VISITS


def test_records_by_name_or_type_id_with_associations(portal):
    truth = _truth(portal)
    session = portal.session()
    for object_type in (STORE_VISITS, STORE_VISITS_TYPE_ID):
        response = session.get(
            f"{portal.base_url}/crm/v3/objects/{object_type}",
            params={"limit": 100, "properties": "store,visit_date", "associations": "contacts"},
        )
        assert response.status_code == 200
        results = response.json()["results"]
        assert [r["id"] for r in results] == [v["id"] for v in truth]
        first = results[0]
        assert first["properties"]["store"] == truth[0]["store"]
        assert [a["id"] for a in first["associations"]["contacts"]["results"]] == [
            truth[0]["contact"]
        ]


def test_search_and_v4_association_reads(portal):
    truth = _truth(portal)
    session = portal.session()
    body = {
        "filterGroups": [
            {"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": "0"}]}
        ],
        "sorts": [{"propertyName": "hs_object_id", "direction": "ASCENDING"}],
        "properties": ["visit_name"],
        "limit": 100,
    }
    found = session.post(
        f"{portal.base_url}/crm/v3/objects/{STORE_VISITS_TYPE_ID}/search", json=body
    ).json()
    assert found["total"] == len(truth)
    visit = next(v for v in truth if v["account"] is not None)
    links = session.post(
        f"{portal.base_url}/crm/v4/associations/{STORE_VISITS}/companies/batch/read",
        json={"inputs": [{"id": visit["id"]}]},
    ).json()
    (result,) = links["results"]
    assert [t["toObjectId"] for t in result["to"]] == [int(visit["account"])]


def test_archived_visits_list_apart(portal):
    truth = _truth(portal)
    table = portal.world.hubspot[STORE_VISITS]
    with portal.world.lock:
        table.soft_delete(truth[0]["id"], portal.clock.now())
    session = portal.session()
    url = f"{portal.base_url}/crm/v3/objects/{STORE_VISITS}"
    live = [r["id"] for r in session.get(url, params={"limit": 100}).json()["results"]]
    archived = session.get(url, params={"limit": 100, "archived": "true"}).json()["results"]
    assert truth[0]["id"] not in live
    assert [(r["id"], r["archived"]) for r in archived] == [(truth[0]["id"], True)]
