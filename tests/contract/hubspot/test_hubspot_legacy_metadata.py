"""Metadata endpoints third-party clients call at start-up: object schemas, v1 properties."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("prefix", ["/crm/v3/schemas", "/crm-object-schemas/v3/schemas"])
def test_schemas_list_answers_the_portals_custom_objects(hs, prefix):
    response = hs.session().get(f"{hs.base_url}{prefix}")
    assert response.status_code == 200
    names = [s["fullyQualifiedName"] for s in response.json()["results"]]
    assert names == ["p20261031_store_visits", "p20261031_orders"]


def test_schemas_list_requires_a_token(hs):
    response = hs.session(token="").get(f"{hs.base_url}/crm/v3/schemas")
    assert (response.status_code, response.json()["category"]) == (401, "INVALID_AUTHENTICATION")


def test_schemas_list_through_the_official_client(hs):
    visits, orders = hs.client().crm.schemas.core_api.get_all().results
    assert (visits.object_type_id, visits.name) == ("2-7730401", "store_visits")
    assert (orders.object_type_id, orders.name) == ("2-7730402", "orders")


@pytest.mark.parametrize("object_type", ["contacts", "0-1"])
def test_schema_of_a_standard_object(hs, object_type):
    response = hs.session().get(f"{hs.base_url}/crm/v3/schemas/{object_type}")
    assert response.status_code == 200
    schema = response.json()
    assert {k: schema[k] for k in ("name", "fullyQualifiedName", "objectTypeId", "metaType")} == {
        "name": "CONTACT",
        "fullyQualifiedName": "CONTACT",
        "objectTypeId": "0-1",
        "metaType": "HUBSPOT",
    }
    assert schema["labels"] == {"singular": "Contact", "plural": "Contacts"}
    v3 = hs.session().get(f"{hs.base_url}/crm/v3/properties/contacts").json()["results"]
    assert [p["name"] for p in schema["properties"]] == [p["name"] for p in v3]
    to_companies = [a for a in schema["associations"] if a["toObjectTypeId"] == "0-2"]
    assert [(a["id"], a["name"]) for a in to_companies] == [("279", "CONTACT_TO_COMPANY")]


def test_schema_of_an_unknown_object_type_is_refused(hs):
    response = hs.session().get(f"{hs.base_url}/crm/v3/schemas/p123_widgets")
    assert response.status_code == 400
    assert response.json()["message"] == "Unable to infer object type from: p123_widgets"


@pytest.mark.parametrize("object_type", ["contacts", "companies", "deals"])
def test_v1_properties_are_a_bare_array_of_the_v3_definitions(hs, object_type):
    session = hs.session()
    response = session.get(f"{hs.base_url}/properties/v1/{object_type}/properties")
    assert response.status_code == 200
    v1 = response.json()
    assert isinstance(v1, list)
    v3 = session.get(f"{hs.base_url}/crm/v3/properties/{object_type}").json()["results"]
    assert [(p["name"], p["type"], p["fieldType"]) for p in v1] == [
        (p["name"], p["type"], p["fieldType"]) for p in v3
    ]
    anchor_ms = int(hs.world.anchor.timestamp() * 1000)
    first = v1[0]
    assert set(first) >= {"name", "label", "description", "groupName", "options", "deleted"}
    assert (first["createdAt"], first["deleted"], first["readOnlyDefinition"]) == (
        anchor_ms,
        False,
        True,
    )


def test_v1_deal_stage_options_and_custom_property(hs):
    session = hs.session()
    created = session.post(
        f"{hs.base_url}/crm/v3/properties/deals",
        json={
            "name": "crmsync_tier",
            "label": "Tier",
            "type": "enumeration",
            "fieldType": "select",
            "groupName": "dealinformation",
            "options": [{"label": "Gold", "value": "gold"}],
        },
    )
    assert created.status_code == 201
    v1 = {p["name"]: p for p in session.get(f"{hs.base_url}/properties/v1/deals/properties").json()}
    tier = v1["crmsync_tier"]
    assert (tier["hubspotDefined"], tier["mutableDefinitionNotDeletable"]) == (False, False)
    assert tier["options"] == [
        {
            "description": "",
            "label": "Gold",
            "value": "gold",
            "displayOrder": 0,
            "hidden": False,
            "readOnly": False,
        }
    ]
    assert (v1["dealstage"]["externalOptions"], v1["dealstage"]["options"]) == (True, [])


def test_v1_properties_of_an_object_v1_never_had_is_not_found(hs):
    response = hs.session().get(f"{hs.base_url}/properties/v1/tickets/properties")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("object_type", "canonical"),
    [("contact", "contacts"), ("deals", "deals"), ("ticket", "tickets"), ("0-2", "companies")],
)
def test_v2_properties_accept_singular_plural_and_type_ids(hs, object_type, canonical):
    session = hs.session()
    response = session.get(f"{hs.base_url}/properties/v2/{object_type}/properties")
    assert response.status_code == 200
    v2 = response.json()
    v1_or_v3 = session.get(f"{hs.base_url}/crm/v3/properties/{canonical}").json()["results"]
    assert [(p["name"], p["type"]) for p in v2] == [(p["name"], p["type"]) for p in v1_or_v3]
    assert all(isinstance(p["createdAt"], int) for p in v2)


def test_v2_properties_of_an_unknown_type_are_refused(hs):
    response = hs.session().get(f"{hs.base_url}/properties/v2/widget/properties")
    assert response.status_code == 400
    assert response.json()["message"] == "Unable to infer object type from: widget"


def test_companies_v2_properties_list_is_the_v1_array(hs):
    session = hs.session()
    v2 = session.get(f"{hs.base_url}/companies/v2/properties")
    assert v2.status_code == 200
    v1 = session.get(f"{hs.base_url}/properties/v1/companies/properties").json()
    assert v2.json() == v1
    assert [p["name"] for p in v2.json()][:4] == [
        "hs_object_id",
        "createdate",
        "hs_lastmodifieddate",
        "hubspot_owner_id",
    ]
