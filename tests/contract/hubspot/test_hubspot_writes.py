"""Batch and single-record writes, upsert, archive and merge."""

from __future__ import annotations

import orjson
import pytest
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchInputSimplePublicObjectId,
    BatchReadInputSimplePublicObjectId,
)
from hubspot.crm.contacts.exceptions import ApiException

NOW = "2026-10-31T00:00:00.000Z"
NOT_FOUND = (
    "Could not get some CONTACT objects, they may be deleted or not exist. "
    "Check that ids are valid."
)


def _update(hs, inputs):
    api = hs.client().crm.contacts.batch_api
    batch = BatchInputSimplePublicObjectBatchInput(inputs=inputs)
    return api.update(batch_input_simple_public_object_batch_input=batch)


def test_batch_update_stamps_modified_date(hs):
    hs.clock.advance(60)
    result = _update(hs, [{"id": "100001", "properties": {"firstname": "Ann"}}])
    assert result.status == "COMPLETE"
    record = result.results[0]
    assert record.properties["firstname"] == "Ann"
    assert record.properties["lastmodifieddate"] == "2026-10-31T00:01:00.000Z"
    assert hs.world.hubspot["contacts"].get("100001")["firstname"] == "Ann"


def test_batch_update_partial_failure_is_207(hs):
    result = _update(
        hs,
        [
            {"id": "100002", "properties": {"lifecyclestage": "customer"}},
            {"id": "999", "properties": {"firstname": "Nobody"}},
            {"id": "100004", "properties": {"firstname": "Archived"}},
        ],
    )
    assert [r.id for r in result.results] == ["100002"]
    assert result.num_errors == 1
    error = result.errors[0]
    assert (error.category, error.message, error.context) == (
        "OBJECT_NOT_FOUND",
        NOT_FOUND,
        {"ids": ["999", "100004"]},
    )


def test_batch_update_unknown_property_is_400_and_writes_nothing(hs):
    with pytest.raises(ApiException) as info:
        _update(
            hs,
            [
                {"id": "100001", "properties": {"firstname": "Changed"}},
                {"id": "100002", "properties": {"favourite_colour": "blue"}},
            ],
        )
    body = orjson.loads(info.value.body)
    body.pop("correlationId")
    detail = 'Property \\"favourite_colour\\" does not exist'
    assert info.value.status == 400
    assert body == {
        "status": "error",
        "message": "Property values were not valid: "
        f'[{{"isValid":false,"message":"{detail}","error":"PROPERTY_DOESNT_EXIST",'
        f'"name":"favourite_colour","localizedErrorMessage":"{detail}"}}]',
        "category": "VALIDATION_ERROR",
    }
    assert hs.world.hubspot["contacts"].get("100001")["firstname"] == "First0"


def test_more_than_100_inputs_is_400(hs):
    with pytest.raises(ApiException) as info:
        _update(hs, [{"id": str(100_001 + i), "properties": {}} for i in range(101)])
    assert info.value.status == 400
    assert orjson.loads(info.value.body)["category"] == "VALIDATION_ERROR"


def test_batch_upsert_by_email(hs):
    api = hs.client().crm.contacts.batch_api
    batch = BatchInputSimplePublicObjectBatchInputUpsert(
        inputs=[
            {"idProperty": "email", "id": "person1@example1.com", "properties": {"city": "Bern"}},
            {"idProperty": "email", "id": "new@example.com", "properties": {"firstname": "New"}},
        ]
    )
    result = api.upsert(batch_input_simple_public_object_batch_input_upsert=batch)
    by_new = {r.new: r for r in result.results}
    assert by_new[False].id == "100002"
    assert by_new[False].properties["city"] == "Bern"
    created = hs.world.hubspot["contacts"].get(by_new[True].id)
    assert (created["email"], created["firstname"]) == ("new@example.com", "New")


def test_upsert_by_non_unique_property_is_400(hs):
    api = hs.client().crm.contacts.batch_api
    batch = BatchInputSimplePublicObjectBatchInputUpsert(
        inputs=[{"idProperty": "firstname", "id": "First1", "properties": {"city": "Bern"}}]
    )
    with pytest.raises(ApiException) as info:
        api.upsert(batch_input_simple_public_object_batch_input_upsert=batch)
    assert orjson.loads(info.value.body)["message"] == (
        "Unable to perform update/upsert by non-unique 0-1 property: firstname"
    )


def test_batch_read_with_missing_ids_is_207(hs):
    api = hs.client().crm.contacts.batch_api
    request = BatchReadInputSimplePublicObjectId(
        inputs=[{"id": "100003"}, {"id": "31337"}], properties=["email"], properties_with_history=[]
    )
    result = api.read(batch_read_input_simple_public_object_id=request)
    assert [r.properties["email"] for r in result.results] == ["person2@example2.com"]
    assert (result.num_errors, result.errors[0].context) == (1, {"ids": ["31337"]})


def test_batch_create_with_association_and_duplicate_email(hs):
    api = hs.client().crm.contacts.batch_api
    association = {
        "to": {"id": "9000000002"},
        "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}],
    }
    result = api.create(
        batch_input_simple_public_object_batch_input_for_create={
            "inputs": [{"properties": {"email": "fresh@x.com"}, "associations": [association]}]
        }
    )
    new_id = result.results[0].id
    assert result.results[0].created_at.isoformat() == "2026-10-31T00:00:00+00:00"
    links = hs.world.hubspot_associations.get("contacts", new_id, "companies")
    assert links == {"9000000002": {279}}
    with pytest.raises(ApiException) as info:
        api.create(
            batch_input_simple_public_object_batch_input_for_create={
                "inputs": [{"properties": {"email": "PERSON0@example0.com"}, "associations": []}]
            }
        )
    body = orjson.loads(info.value.body)
    assert (info.value.status, body["category"], body["message"]) == (
        409,
        "CONFLICT",
        "Contact already exists. Existing ID: 100001",
    )


def test_batch_archive_keeps_modified_date(hs):
    api = hs.client().crm.contacts.batch_api
    hs.clock.advance(3600)
    api.archive(
        batch_input_simple_public_object_id=BatchInputSimplePublicObjectId(
            inputs=[{"id": "100003"}]
        )
    )
    page = hs.client().crm.contacts.basic_api.get_page(archived=True, limit=10)
    archived = {r.id: r for r in page.results}
    assert archived["100003"].archived_at.isoformat() == "2026-10-31T01:00:00+00:00"
    assert archived["100003"].properties["lastmodifieddate"] == "2026-01-07T10:30:00.123Z"


def test_single_record_create_update_delete(hs):
    api = hs.client().crm.companies.basic_api
    created = api.create(
        simple_public_object_input_for_create={
            "properties": {"name": "Acme", "numberofemployees": "12"}
        }
    )
    assert created.properties["numberofemployees"] == "12"
    hs.clock.advance(5)
    updated = api.update(created.id, simple_public_object_input={"properties": {"name": "Acme 2"}})
    assert updated.properties["name"] == "Acme 2"
    assert updated.properties["hs_lastmodifieddate"] == "2026-10-31T00:00:05.000Z"
    api.archive(created.id)
    assert hs.world.hubspot["companies"].is_deleted(created.id)


def test_invalid_option_is_rejected(hs):
    with pytest.raises(ApiException) as info:
        _update(hs, [{"id": "100001", "properties": {"lifecyclestage": "champion"}}])
    assert '"error":"INVALID_OPTION"' in orjson.loads(info.value.body)["message"]


def test_merge_contacts(hs):
    with hs.session() as session:
        url = f"{hs.base_url}/crm/v3/objects/contacts/merge"
        with session.post(
            url, json={"primaryObjectId": "100001", "objectIdToMerge": "100002"}
        ) as r:
            assert r.status_code == 200
            merged = r.json()
    assert merged["properties"]["hs_merged_object_ids"] == "100002"
    contacts = hs.world.hubspot["contacts"]
    assert contacts.get("100002", include_deleted=True) is None
    assert "100002" in contacts.purged
    assert contacts.get("100001")["hs_additional_emails"] == "person1@example1.com"
    assert hs.world.hubspot_associations.get("contacts", "100001", "companies") == {
        "9000000001": {1, 279},
        "9000000002": {1, 279},
    }


def test_state_is_a_default_contact_and_company_property(hs):
    client = hs.client()
    address = {
        "address": "6 tullaroop street",
        "city": "st james",
        "state": "wa",
        "zip": "4011",
        "country": "Australia",
    }
    created = client.crm.contacts.basic_api.create(
        simple_public_object_input_for_create={"properties": {"lastname": "Waller", **address}}
    )
    record = client.crm.contacts.basic_api.get_by_id(created.id, properties=list(address))
    assert {name: record.properties[name] for name in address} == address
    properties = client.crm.properties.core_api
    for object_type in ("contacts", "companies"):
        state = properties.get_by_name(object_type=object_type, property_name="state")
        assert (state.label, state.hubspot_defined) == ("State/Region", True)


def test_closing_a_ticket_stamps_closed_date_and_reopening_clears_it(hs):
    from hubspot.crm.tickets import SimplePublicObjectInput

    tickets = hs.client().crm.tickets.basic_api
    hs.clock.advance(24 * 3600)  # the sandbox clock starts at 2026-10-31T00:00Z
    closed = tickets.update(
        "2500000001", SimplePublicObjectInput(properties={"hs_pipeline_stage": "4"})
    )
    assert closed.properties["hs_pipeline_stage"] == "4"
    read = tickets.get_by_id("2500000001", properties=["closed_date", "hs_pipeline_stage"])
    assert read.properties["closed_date"] == "2026-11-01T00:00:00.000Z"
    hs.clock.advance(3600)  # an edit that leaves it closed keeps its close time
    tickets.update("2500000001", SimplePublicObjectInput(properties={"subject": "Fixed"}))
    read = tickets.get_by_id("2500000001", properties=["closed_date"])
    assert read.properties["closed_date"] == "2026-11-01T00:00:00.000Z"
    tickets.update("2500000001", SimplePublicObjectInput(properties={"hs_pipeline_stage": "1"}))
    read = tickets.get_by_id("2500000001", properties=["closed_date"])
    assert read.properties["closed_date"] is None
    created = tickets.create(
        SimplePublicObjectInput(
            properties={"subject": "Done on arrival", "hs_pipeline": "0", "hs_pipeline_stage": "4"}
        )
    )
    read = tickets.get_by_id(created.id, properties=["closed_date"])
    assert read.properties["closed_date"] == "2026-11-01T01:00:00.000Z"
