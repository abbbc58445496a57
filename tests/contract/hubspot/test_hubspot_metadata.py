"""Properties, owners, associations v4 and pipelines."""

from __future__ import annotations

import orjson
import pytest
from hubspot.crm.properties import PropertyCreate
from hubspot.crm.properties.exceptions import ApiException


def test_properties_list_and_get(hs):
    api = hs.client().crm.properties.core_api
    props = {p.name: p for p in api.get_all(object_type="contacts").results}
    assert len(props) == len(hs.world.hubspot["contacts"].schema.fields)
    email = props["email"]
    assert (email.type, email.field_type, email.has_unique_value) == ("string", "text", True)
    stage = props["lifecyclestage"]
    assert (stage.type, stage.field_type) == ("enumeration", "select")
    assert [o.value for o in stage.options][:3] == ["subscriber", "lead", "marketingqualifiedlead"]
    assert props["lastmodifieddate"].type == "datetime"
    assert props["associatedcompanyid"].type == "number"
    deal_stage = api.get_by_name(object_type="deals", property_name="dealstage")
    assert (deal_stage.external_options, deal_stage.options) == (True, [])
    closed = api.get_by_name(object_type="0-3", property_name="hs_is_closed")
    assert (closed.type, closed.field_type, closed.calculated) == ("bool", "booleancheckbox", True)


def test_create_custom_property_then_write_and_read_it(hs):
    client = hs.client()
    api = client.crm.properties.core_api
    created = api.create(
        object_type="contacts",
        property_create=PropertyCreate(
            name="crmsync_score",
            label="Usage score",
            type="number",
            field_type="number",
            group_name="contactinformation",
            has_unique_value=False,
        ),
    )
    assert (created.name, created.type, created.hubspot_defined) == (
        "crmsync_score",
        "number",
        False,
    )
    fetched = api.get_by_name(object_type="contacts", property_name="crmsync_score")
    assert fetched.label == "Usage score"
    client.crm.contacts.basic_api.update(
        "100001", simple_public_object_input={"properties": {"crmsync_score": "87.5"}}
    )
    record = client.crm.contacts.basic_api.get_by_id("100001", properties=["crmsync_score"])
    assert record.properties["crmsync_score"] == "87.5"
    with pytest.raises(ApiException) as info:
        api.create(
            object_type="contacts",
            property_create=PropertyCreate(
                name="crmsync_score",
                label="again",
                type="string",
                field_type="text",
                group_name="contactinformation",
            ),
        )
    body = orjson.loads(info.value.body)
    body.pop("correlationId")
    assert info.value.status == 409
    assert body == {
        "status": "error",
        "message": "A property named 'crmsync_score' already exists.",
        "category": "CONFLICT",
    }


def test_unique_custom_property_allows_upsert(hs):
    client = hs.client()
    client.crm.properties.core_api.create(
        object_type="companies",
        property_create=PropertyCreate(
            name="erp_id",
            label="ERP id",
            type="string",
            field_type="text",
            group_name="companyinformation",
            has_unique_value=True,
        ),
    )
    result = client.crm.companies.batch_api.upsert(
        batch_input_simple_public_object_batch_input_upsert={
            "inputs": [{"idProperty": "erp_id", "id": "E-1", "properties": {"name": "ERP Co"}}]
        }
    )
    assert result.results[0].new is True
    again = client.crm.companies.batch_api.upsert(
        batch_input_simple_public_object_batch_input_upsert={
            "inputs": [{"idProperty": "erp_id", "id": "e-1", "properties": {"name": "ERP Co 2"}}]
        }
    )
    assert (again.results[0].new, again.results[0].id) == (False, result.results[0].id)


def test_owners_paging_email_filter_and_get(hs):
    api = hs.client().crm.owners.owners_api
    first = api.get_page(limit=2)
    assert [o.id for o in first.results] == ["501", "502"]
    rest = api.get_page(limit=2, after=first.paging.next.after)
    assert ([o.id for o in rest.results], rest.paging) == (["503"], None)
    found = api.get_page(email="OWNER1@sandbox.example")
    assert [(o.id, o.first_name, o.user_id) for o in found.results] == [("502", "Owner1", 9002)]
    owner = api.get_by_id(503)
    assert (owner.email, owner.teams[0].name, owner.archived) == (
        "owner2@sandbox.example",
        "Sales",
        False,
    )
    assert api.get_page(archived=True).results == []


def test_associations_v4_basic_and_batch(hs):
    v4 = hs.client().crm.associations.v4
    page = v4.basic_api.get_page("deals", "15000000001", "contacts")
    assert [(r.to_object_id, [t.type_id for t in r.association_types]) for r in page.results] == [
        ("100001", [3]),
        ("100002", [3]),
    ]
    batch = v4.batch_api.get_page(
        "0-1",
        "companies",
        batch_input_public_fetch_associations_batch_request={
            "inputs": [{"id": "100003"}, {"id": "100099"}]
        },
    )
    assert [(r._from.id, [t.to_object_id for t in r.to]) for r in batch.results] == [
        ("100003", ["9000000003"])
    ]
    labels = [(t.type_id, t.label) for t in batch.results[0].to[0].association_types]
    assert labels == [(1, "Primary"), (279, None)]
    assert batch.num_errors == 1
    assert batch.errors[0].message == "No company is associated with contact 100099."


def test_associations_v4_batch_read_takes_up_to_1000_ids(hs):
    url = f"{hs.base_url}/crm/v4/associations/contacts/companies/batch/read"

    def read(count: int) -> tuple[int, dict]:
        inputs = [{"id": "100003"}] + [{"id": str(200_000 + i)} for i in range(count - 1)]
        with hs.session() as session, session.post(url, json={"inputs": inputs}) as r:
            return r.status_code, r.json()

    status, body = read(1000)
    assert status == 207  # some inputs have no associations
    assert [r["from"]["id"] for r in body["results"]] == ["100003"]
    assert body["numErrors"] == 999
    status, body = read(1001)
    assert status == 400
    assert body["message"] == "Batch input limit exceeded: 1001 inputs, the maximum is 1000"


def test_associations_v4_create_default_batch_create_and_archive(hs):
    v4 = hs.client().crm.associations.v4
    links = hs.world.hubspot_associations
    v4.basic_api.create_default("deals", "15000000002", "companies", "9000000004")
    assert links.get("deals", "15000000002", "companies") == {"9000000004": {341}}
    created = v4.batch_api.create(
        "tickets",
        "contacts",
        batch_input_public_association_multi_post={"inputs": []},
    )
    assert created.results == []
    v4.batch_api.create(
        "deals",
        "contacts",
        batch_input_public_association_multi_post={
            "inputs": [
                {
                    "from": {"id": "15000000003"},
                    "to": {"id": "100010"},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}],
                }
            ]
        },
    )
    assert links.get("contacts", "100010", "deals") == {"15000000003": {4}}
    v4.batch_api.archive(
        "deals",
        "contacts",
        batch_input_public_association_multi_archive={
            "inputs": [{"from": {"id": "15000000001"}, "to": [{"id": "100001"}]}]
        },
    )
    assert links.get("deals", "15000000001", "contacts") == {"100002": {3}}


def test_pipelines_and_stages(hs):
    api = hs.client().crm.pipelines
    deals = api.pipelines_api.get_all(object_type="deals").results
    assert [(p.id, p.label, len(p.stages)) for p in deals] == [("default", "Sales Pipeline", 7)]
    assert deals[0].stages[5].metadata == {"isClosed": "true", "probability": "1.0"}
    stages = api.pipeline_stages_api.get_all(object_type="tickets", pipeline_id="0").results
    assert [(s.id, s.metadata["ticketState"]) for s in stages] == [
        ("1", "OPEN"),
        ("2", "OPEN"),
        ("3", "OPEN"),
        ("4", "CLOSED"),
    ]


def test_associations_v4_labelled_put_and_delete(hs):
    v4 = hs.client().crm.associations.v4
    links = hs.world.hubspot_associations
    pair = v4.basic_api.create(
        "tickets",
        "2500000001",
        "contacts",
        "100005",
        association_spec=[{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 16}],
    )
    assert (pair.from_object_type_id, pair.to_object_type_id, pair.to_object_id) == (
        "0-5",
        "0-1",
        "100005",
    )
    assert links.get("contacts", "100005", "tickets") == {"2500000001": {15}}
    v4.basic_api.archive("contacts", "100005", "tickets", "2500000001")
    assert links.get("tickets", "2500000001", "contacts") == {}
