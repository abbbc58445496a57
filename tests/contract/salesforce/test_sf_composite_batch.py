"""Composite Batch (``/composite/batch``) through simple-salesforce's ``restful``."""

from __future__ import annotations

import pytest
import requests
from conftest import LEADS, Org
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceMalformedRequest

LEAD_SOQL = "SELECT Id, LastName FROM Lead ORDER BY Id"


def _batch(sf: Salesforce, requests_: list[dict[str, object]], halt: bool = False) -> dict:
    body = {"haltOnError": halt, "batchRequests": requests_}
    return sf.restful("composite/batch", method="POST", json=body)


def test_a_batch_answers_like_the_resources_alone_and_costs_one_call(
    org: Org, sf: Salesforce
) -> None:
    alone_describe = sf.Lead.describe()
    alone_query = sf.query_all(LEAD_SOQL, include_deleted=True)
    org.app.stats.reset()
    used_before, _ = org.app.api_usage()
    answer = _batch(
        sf,
        [
            {"method": "GET", "url": "v59.0/sobjects/Lead/describe"},
            {"method": "GET", "url": "/services/data/v59.0/queryAll/?q=" + LEAD_SOQL},
            {"method": "GET", "url": "v58.0/sobjects/Contact/describe"},
        ],
    )
    assert answer["hasErrors"] is False
    assert [r["statusCode"] for r in answer["results"]] == [200, 200, 200]
    assert answer["results"][0]["result"] == alone_describe
    query = answer["results"][1]["result"]
    assert (query["totalSize"], query["done"]) == (alone_query["totalSize"], True)
    assert query["totalSize"] >= LEADS  # the recycle bin's leads included
    assert query["records"] == alone_query["records"]
    assert answer["results"][2]["result"]["name"] == "Contact"
    assert org.app.stats.snapshot() == {
        "total": 1,
        "endpoints": {"POST /services/data/<version>/composite/batch": 1},
    }
    used_after, _ = org.app.api_usage()
    assert used_after == used_before + 1
    assert sf.api_usage["api-usage"].used == used_after


def test_failed_subrequests_are_reported_in_place(sf: Salesforce) -> None:
    answer = _batch(
        sf,
        [
            {"method": "GET", "url": "v59.0/query/?q=SELECT Nope FROM Lead"},
            {"method": "GET", "url": "v59.0/sobjects/Nope/describe"},
            {"method": "GET", "url": "v59.0/limits"},
        ],
    )
    assert answer["hasErrors"] is True
    bad_query, unknown, limits = answer["results"]
    assert bad_query["statusCode"] == 400
    assert bad_query["result"][0]["errorCode"] == "INVALID_FIELD"
    assert unknown["statusCode"] == 404
    assert unknown["result"][0]["errorCode"] == "NOT_FOUND"
    assert limits["statusCode"] == 200
    assert limits["result"]["DailyApiRequests"]["Max"] == 5_000_000


def test_halt_on_error_skips_the_rest_with_412(sf: Salesforce) -> None:
    answer = _batch(
        sf,
        [
            {"method": "GET", "url": "v59.0/limits"},
            {"method": "GET", "url": "v59.0/sobjects/Nope/describe"},
            {"method": "GET", "url": "v59.0/limits"},
        ],
        halt=True,
    )
    assert answer["hasErrors"] is True
    assert [r["statusCode"] for r in answer["results"]] == [200, 404, 412]
    assert answer["results"][2]["result"][0]["errorCode"] == "BATCH_PROCESSING_HALTED"


def test_subrequests_can_write(org: Org, sf: Salesforce) -> None:
    answer = _batch(
        sf,
        [
            {
                "method": "POST",
                "url": "v59.0/sobjects/Lead/",
                "richInput": {"LastName": "Batch", "Company": "Batch Co"},
            }
        ],
    )
    created = answer["results"][0]
    assert created["statusCode"] == 201 and created["result"]["success"] is True
    rid = created["result"]["id"]
    again = _batch(sf, [{"method": "DELETE", "url": f"v59.0/sobjects/Lead/{rid}"}])
    assert again["results"] == [{"statusCode": 204, "result": None}]
    with org.world.lock:
        assert org.world.salesforce["Lead"].is_deleted(rid)
        # leave the shared org's recycle bin as other tests count it
        org.world.salesforce["Lead"].purge(rid, org.clock.now())


@pytest.mark.parametrize(
    ("subrequests", "fragment"),
    [
        ([{"method": "GET", "url": "v59.0/limits"}] * 26, "at most 25"),
        ([{"method": "FETCH", "url": "v59.0/limits"}], "invalid method"),
        ([{"method": "GET", "url": "limits"}], "invalid url"),
        ([{"method": "GET", "url": "v60.0/limits"}], "not available in a v59.0 batch"),
        ([], "at least one"),
    ],
)
def test_a_malformed_batch_is_refused_whole(
    org: Org, sf: Salesforce, subrequests: list[dict[str, object]], fragment: str
) -> None:
    org.app.stats.reset()
    with pytest.raises(SalesforceMalformedRequest) as refused:
        _batch(sf, subrequests)
    assert refused.value.content[0]["errorCode"] == "INVALID_BATCH_REQUEST"
    assert fragment in refused.value.content[0]["message"]


def test_a_batch_inside_a_batch_is_refused(sf: Salesforce) -> None:
    inner = {"method": "POST", "url": "v59.0/composite/batch", "richInput": {}}
    answer = _batch(sf, [inner])
    assert answer["results"][0]["statusCode"] == 400
    assert answer["results"][0]["result"][0]["errorCode"] == "INVALID_BATCH_REQUEST"


def test_a_batch_without_a_valid_session_is_401(org: Org, http: requests.Session) -> None:
    stale = Salesforce(instance_url=org.base, session_id="nope", session=http, version="59.0")
    with pytest.raises(SalesforceExpiredSession) as refused:
        _batch(stale, [{"method": "GET", "url": "v59.0/limits"}])
    assert refused.value.content[0]["errorCode"] == "INVALID_SESSION_ID"
