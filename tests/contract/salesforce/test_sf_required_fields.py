"""Required fields as the real API checks them (an empty string is no value), Lead fields."""

from __future__ import annotations

import pytest
from conftest import Org
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest


def _missing(*fields: str) -> dict[str, object]:
    return {
        "message": f"Required fields are missing: [{', '.join(fields)}]",
        "errorCode": "REQUIRED_FIELD_MISSING",
        "fields": list(fields),
    }


def _lead_count(sf: Salesforce) -> int:
    return sf.query("SELECT COUNT() FROM Lead")["totalSize"]


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({"LastName": "Empty", "Company": ""}, ("Company",)),
        ({"LastName": "", "Company": "Acme"}, ("LastName",)),
        ({"LastName": "", "Company": ""}, ("LastName", "Company")),
    ],
)
def test_create_refuses_empty_required_fields(sf: Salesforce, payload, fields) -> None:
    before = _lead_count(sf)
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.Lead.create(payload)
    assert refused.value.status == 400
    assert refused.value.content == [_missing(*fields)]
    assert _lead_count(sf) == before


def test_update_refuses_emptying_a_required_field(sf: Salesforce) -> None:
    rid = sf.query("SELECT Id FROM Lead ORDER BY Id LIMIT 1")["records"][0]["Id"]
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.Lead.update(rid, {"Company": ""})
    assert refused.value.content == [_missing("Company")]
    assert sf.Lead.get(rid)["Company"] != ""


def test_collections_refuse_empty_required_fields(sf: Salesforce) -> None:
    before = _lead_count(sf)
    records = [{"attributes": {"type": "Lead"}, "LastName": "Empty", "Company": ""}]
    results = sf.restful(
        "composite/sobjects", method="POST", json={"allOrNone": False, "records": records}
    )
    assert results == [
        {
            "success": False,
            "errors": [
                {
                    "statusCode": "REQUIRED_FIELD_MISSING",
                    "message": "Required fields are missing: [Company]",
                    "fields": ["Company"],
                }
            ],
        }
    ]
    assert _lead_count(sf) == before


def test_composite_batch_refuses_empty_required_fields(sf: Salesforce) -> None:
    subrequest = {
        "method": "POST",
        "url": "v59.0/sobjects/Lead/",
        "richInput": {"LastName": "Empty", "Company": ""},
    }
    answer = sf.restful(
        "composite/batch", method="POST", json={"haltOnError": False, "batchRequests": [subrequest]}
    )
    assert answer["hasErrors"] is True
    assert answer["results"] == [{"statusCode": 400, "result": [_missing("Company")]}]


def test_lead_has_a_writable_description(org: Org, sf: Salesforce) -> None:
    fields = {f["name"]: f for f in sf.Lead.describe()["fields"]}
    description = fields["Description"]
    assert (description["type"], description["updateable"], description["nillable"]) == (
        "textarea",
        True,
        True,
    )
    assert fields["State"]["type"] == "string"
    text = "Met at ASMS; wants a demo of the Q-TOF.\nFollow up in May."
    rid = sf.Lead.create(
        {"LastName": "Described", "Company": "Acme", "State": "MA", "Description": text}
    )["id"]
    try:
        got = sf.Lead.get(rid)
        assert (got["Description"], got["State"]) == (text, "MA")
        soql = f"SELECT Description FROM Lead WHERE Id = '{rid}'"
        assert sf.query(soql)["records"][0]["Description"] == text
    finally:
        with org.world.lock:
            # leave the shared org's counts as other tests expect them
            org.world.salesforce["Lead"].purge(rid, org.clock.now())
