"""sObject rows, describe, collections, Tooling and Bulk 2.0 through simple-salesforce."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import DELETED_LEADS, Org
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound


def test_crud_round_trip(org: Org, sf: Salesforce) -> None:
    created = sf.Lead.create({"FirstName": "Nia", "LastName": "New", "Company": "Acme"})
    assert created["success"] is True and created["errors"] == []
    rid = created["id"]
    got = sf.Lead.get(rid)
    assert (got["Name"], got["Status"], got["IsDeleted"]) == (
        "Nia New",
        "Open - Not Contacted",
        False,
    )
    assert got["CreatedDate"] == org.clock.now().strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    org.clock.advance(60)
    assert sf.Lead.update(rid, {"LastName": "Newer"}) == 204
    got = sf.Lead.get(rid)
    assert got["Name"] == "Nia Newer"
    assert got["SystemModstamp"] == org.clock.now().strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    assert sf.Lead.delete(rid) == 204
    with pytest.raises(SalesforceResourceNotFound):
        sf.Lead.get(rid)
    deleted = sf.query_all(f"SELECT IsDeleted FROM Lead WHERE Id = '{rid}'", include_deleted=True)
    assert deleted["records"][0]["IsDeleted"] is True


def test_create_validation_errors(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as missing:
        sf.Lead.create({"FirstName": "No"})
    assert missing.value.content == [
        {
            "message": "Required fields are missing: [LastName, Company]",
            "errorCode": "REQUIRED_FIELD_MISSING",
            "fields": ["LastName", "Company"],
        }
    ]
    with pytest.raises(SalesforceMalformedRequest) as locked:
        sf.Lead.create({"LastName": "L", "Company": "C", "IsConverted": True})
    assert locked.value.content[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert locked.value.content[0]["fields"] == ["IsConverted"]
    with pytest.raises(SalesforceMalformedRequest) as bad_id:
        sf.Lead.create({"LastName": "L", "Company": "C", "OwnerId": "nope"})
    assert bad_id.value.content[0]["errorCode"] == "MALFORMED_ID"
    with pytest.raises(SalesforceMalformedRequest) as unknown:
        sf.Lead.create({"LastName": "L", "Company": "C", "Foo__c": 1})
    assert unknown.value.content == [
        {"message": "No such column 'Foo__c' on sobject of type Lead", "errorCode": "INVALID_FIELD"}
    ]


def test_not_found_body(sf: Salesforce) -> None:
    with pytest.raises(SalesforceResourceNotFound) as info:
        sf.Lead.get("00Q5g0000ZZZZZZEAA")
    assert info.value.content == [
        {"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}
    ]


def test_tooling_custom_field_then_upsert(org: Org, sf: Salesforce) -> None:
    body = {
        "FullName": "Lead.Ext_Key__c",
        "Metadata": {"label": "Ext Key", "type": "Text", "length": 40, "externalId": True},
    }
    created = sf.toolingexecute("sobjects/CustomField", method="POST", data=body)
    assert created["success"] is True and created["id"].startswith("00N")
    field = next(f for f in sf.Lead.describe()["fields"] if f["name"] == "Ext_Key__c")
    assert (field["type"], field["length"], field["custom"], field["externalId"]) == (
        "string",
        40,
        True,
        True,
    )
    with pytest.raises(SalesforceMalformedRequest) as dup:
        sf.toolingexecute("sobjects/CustomField", method="POST", data=body)
    assert dup.value.content[0]["errorCode"] == "DUPLICATE_DEVELOPER_NAME"
    assert sf.Lead.upsert("Ext_Key__c/K-1", {"LastName": "Up", "Company": "Co"}) == 201
    assert sf.Lead.upsert("Ext_Key__c/K-1", {"LastName": "Up2"}) == 200
    rows = sf.query("SELECT LastName, Ext_Key__c FROM Lead WHERE Ext_Key__c = 'K-1'")["records"]
    assert [(r["LastName"], r["Ext_Key__c"]) for r in rows] == [("Up2", "K-1")]


def test_collections_all_or_none_rolls_back(sf: Salesforce) -> None:
    before = sf.query("SELECT COUNT() FROM Account")["totalSize"]
    records = [
        {"attributes": {"type": "Account"}, "Name": "Good"},
        {"attributes": {"type": "Account"}, "Type": "No name"},
    ]
    results = sf.restful(
        "composite/sobjects", method="POST", json={"allOrNone": True, "records": records}
    )
    assert [r["success"] for r in results] == [False, False]
    assert results[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert results[1]["errors"] == [
        {
            "statusCode": "REQUIRED_FIELD_MISSING",
            "message": "Required fields are missing: [Name]",
            "fields": ["Name"],
        }
    ]
    assert sf.query("SELECT COUNT() FROM Account")["totalSize"] == before
    partial = sf.restful(
        "composite/sobjects", method="POST", json={"allOrNone": False, "records": records}
    )
    assert [r["success"] for r in partial] == [True, False]
    update = sf.restful(
        "composite/sobjects",
        method="PATCH",
        json={
            "records": [
                {"attributes": {"type": "Account"}, "id": partial[0]["id"], "Name": "Renamed"}
            ]
        },
    )
    assert update == [{"id": partial[0]["id"], "success": True, "errors": []}]
    gone = sf.restful("composite/sobjects", method="DELETE", params={"ids": partial[0]["id"]})
    assert gone == [{"id": partial[0]["id"], "success": True, "errors": []}]
    with pytest.raises(SalesforceMalformedRequest) as too_many:
        sf.restful(
            "composite/sobjects",
            method="POST",
            json={"records": [{"attributes": {"type": "Account"}, "Name": "x"}] * 201},
        )
    assert too_many.value.content[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_deleted_and_updated(org: Org, sf: Salesforce) -> None:
    now = org.clock.now()
    deleted = sf.Lead.deleted(now - timedelta(days=3), now)
    assert len(deleted["deletedRecords"]) >= DELETED_LEADS
    assert deleted["earliestDateAvailable"] == (now - timedelta(days=15)).strftime(
        "%Y-%m-%dT%H:%M:00.000+0000"
    )
    updated = sf.Account.updated(now - timedelta(days=60), now)
    assert len(updated["ids"]) >= 3


def test_bulk2_query_csv_pages(sf: Salesforce) -> None:
    live = sf.query("SELECT COUNT() FROM Lead")["totalSize"]
    pages = list(sf.bulk2.Lead.query("SELECT Id, Owner.Name FROM Lead", max_records=200, wait=0.1))
    assert len(pages) == -(-live // 200)
    assert pages[0].splitlines()[0] == '"Id","Owner.Name"'
    assert pages[0].splitlines()[1].endswith('","Ada Admin"')
    assert sum(len(p.splitlines()) - 1 for p in pages) == live
    total = sf.query("SELECT COUNT() FROM Lead", include_deleted=True)["totalSize"]
    everything = list(sf.bulk2.Lead.query_all("SELECT Id FROM Lead", max_records=1000, wait=0.1))
    assert sum(len(p.splitlines()) - 1 for p in everything) == total


def test_describe_global_and_limits(sf: Salesforce) -> None:
    names = {o["name"] for o in sf.describe()["sobjects"]}
    assert {"Lead", "Account", "Task", "User"} <= names
    lead = sf.Lead.describe()
    owner = next(f for f in lead["fields"] if f["name"] == "OwnerId")
    assert (owner["type"], owner["referenceTo"], owner["relationshipName"]) == (
        "reference",
        ["User"],
        "Owner",
    )
    assert sf.limits()["DailyApiRequests"]["Remaining"] < 5_000_000


def test_address_standard_fields_are_writable(sf: Salesforce) -> None:
    # Lead.State, Contact.MailingState and Account.BillingState are standard fields of
    # every org; a web-to-lead form or an import writes them.
    address = {
        "Street": "6 tullaroop street",
        "City": "st james",
        "State": "wa",
        "PostalCode": "4011",
        "Country": "Australia",
    }
    created = sf.Lead.create({"LastName": "Waller", "Company": "[not provided]", **address})
    got = sf.Lead.get(created["id"])
    assert {name: got[name] for name in address} == address
    assert sf.Lead.delete(created["id"]) == 204
    contact_fields = {f["name"] for f in sf.Contact.describe()["fields"]}
    account_fields = {f["name"] for f in sf.Account.describe()["fields"]}
    assert "MailingState" in contact_fields and "BillingState" in account_fields
