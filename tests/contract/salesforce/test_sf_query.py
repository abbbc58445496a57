"""REST query / queryAll through simple-salesforce and raw requests."""

from __future__ import annotations

import pytest
import requests
from conftest import DELETED_LEADS, LEADS, Org
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceMalformedRequest


def test_query_all_iter_pages_with_batch_size(sf: Salesforce, http: requests.Session) -> None:
    http.headers["Sforce-Query-Options"] = "batchSize=200"
    first = sf.query("SELECT Id FROM Lead")
    assert first["totalSize"] == LEADS - DELETED_LEADS
    assert len(first["records"]) == 200
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    assert first["nextRecordsUrl"].endswith("-200")
    ids = [r["Id"] for r in sf.query_all_iter("SELECT Id FROM Lead ORDER BY Id")]
    assert len(ids) == LEADS - DELETED_LEADS
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_query_all_includes_deleted_rows(sf: Salesforce) -> None:
    result = sf.query_all("SELECT Id, IsDeleted FROM Lead", include_deleted=True)
    assert result["totalSize"] == LEADS
    assert sum(r["IsDeleted"] for r in result["records"]) == DELETED_LEADS
    live = sf.query_all("SELECT Id FROM Lead WHERE IsDeleted = true")
    assert live["totalSize"] == 0


def test_relationship_fields_nest_with_attributes(sf: Salesforce, org: Org) -> None:
    result = sf.query("SELECT Id, Owner.Name, CreatedDate FROM Lead ORDER BY Id LIMIT 2")
    first, second = result["records"]
    assert first["Owner"]["Name"] == "Ada Admin"
    assert first["Owner"]["attributes"]["type"] == "User"
    assert second["Owner"]["Name"] == "Bo Seller"
    assert first["CreatedDate"] == "2026-10-01T00:00:00.000+0000"
    assert first["attributes"]["url"] == f"/services/data/v59.0/sobjects/Lead/{first['Id']}"


def test_polymorphic_who_and_null_lookup(sf: Salesforce) -> None:
    rows = sf.query("SELECT Subject, Who.Name FROM Task ORDER BY CreatedDate, Id")["records"]
    assert [r["Who"] and r["Who"]["Name"] for r in rows] == ["Last000", "Cara Contact", None]
    assert [r["Who"] and r["Who"]["attributes"]["type"] for r in rows] == ["Lead", "Contact", None]


def test_count_order_limit_offset(sf: Salesforce) -> None:
    count = sf.query("SELECT COUNT() FROM Lead WHERE LeadSource = 'Web'")
    assert count == {"totalSize": 223, "done": True, "records": []}
    rows = sf.query(
        "SELECT LastName FROM Lead ORDER BY FirstName ASC NULLS LAST, LastName DESC "
        "LIMIT 3 OFFSET 1"
    )["records"]
    assert [r["LastName"] for r in rows] == ["Last101", "Last102", "Last103"]
    nulls = sf.query(
        "SELECT LastName FROM Lead ORDER BY FirstName DESC NULLS FIRST, LastName DESC LIMIT 2"
    )["records"]
    assert [r["LastName"] for r in nulls] == ["Last440", "Last430"]


def test_date_literal_relative_to_sandbox_clock(sf: Salesforce) -> None:
    # ConvertedDate runs 2026-10-01 .. 2026-10-20; the clock stands at 2026-10-31.
    last_15 = sf.query("SELECT COUNT() FROM Lead WHERE ConvertedDate = LAST_N_DAYS:15")
    expected = sf.query(
        "SELECT COUNT() FROM Lead WHERE ConvertedDate >= 2026-10-16 AND ConvertedDate <= 2026-10-31"
    )
    assert last_15["totalSize"] == expected["totalSize"] > 0


def test_malformed_query_error_body(http: requests.Session, org: Org, token: str) -> None:
    response = http.get(
        f"{org.base}/services/data/v59.0/query",
        params={"q": "SELECT Id FROM Lead WHERE"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert response.json() == [
        {
            "message": "\nSELECT Id FROM Lead WHERE\n                         ^\n"
            "ERROR at Row:1:Column:26\nunexpected token: '<EOF>'",
            "errorCode": "MALFORMED_QUERY",
        }
    ]


def test_unknown_field_error_body(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.query("select Id, Company, SF_date__c from Lead")
    assert info.value.status == 400
    assert info.value.content == [
        {
            "message": "\nselect Id, Company, SF_date__c from Lead\n                    ^\n"
            "ERROR at Row:1:Column:21\nNo such column 'SF_date__c' on entity 'Lead'. If you "
            "are attempting to use a custom field, be sure to append the '__c' after the custom "
            "field name. Please reference your WSDL or the describe call for the appropriate "
            "names.",
            "errorCode": "INVALID_FIELD",
        }
    ]


def test_unknown_object_error_body(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as info:
        sf.query("SELECT Id FROM Foo")
    assert info.value.content[0]["errorCode"] == "INVALID_TYPE"
    assert info.value.content[0]["message"].startswith(
        "\nSELECT Id FROM Foo\n               ^\nERROR at Row:1:Column:16\n"
        "sObject type 'Foo' is not supported."
    )


def test_locator_dies_with_its_session(
    org: Org, http: requests.Session, sf: Salesforce, token: str
) -> None:
    http.headers["Sforce-Query-Options"] = "batchSize=200"
    first = sf.query("SELECT Id FROM Lead")
    org.app.tokens.revoke(token)
    other = Salesforce(
        instance_url=org.base, session_id=org.app.issue_token(), session=http, version="59.0"
    )
    with pytest.raises(SalesforceExpiredSession) as info:
        other.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert info.value.content == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]
    with pytest.raises(SalesforceMalformedRequest) as bad:
        other.query_more("/services/data/v59.0/query/01gNOPE-200", identifier_is_url=True)
    assert bad.value.content == [
        {"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}
    ]


def test_eleventh_cursor_evicts_the_oldest(sf: Salesforce, http: requests.Session) -> None:
    http.headers["Sforce-Query-Options"] = "batchSize=200"
    urls = [sf.query("SELECT Id FROM Lead")["nextRecordsUrl"] for _ in range(11)]
    with pytest.raises(SalesforceMalformedRequest):
        sf.query_more(urls[0], identifier_is_url=True)
    assert len(sf.query_more(urls[10], identifier_is_url=True)["records"]) == 200
