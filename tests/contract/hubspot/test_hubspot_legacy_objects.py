"""Legacy record lists Singer's tap-hubspot reads: deals v1, companies v2, deal pipelines v1."""

from __future__ import annotations

from datetime import timedelta

from hubspot_world import T0, contact_id

from sandbox.hubspot.legacy_objects import PORTAL_ID

T0_MS = int(T0.timestamp() * 1000)


def _get(hs, path, **params):
    response = hs.session().get(f"{hs.base_url}{path}", params=params)
    return response.status_code, response.json()


def test_deals_paged_newest_first_with_offset_paging(hs):
    status, first = _get(hs, "/deals/v1/deal/paged", limit=2)
    assert status == 200
    assert [d["dealId"] for d in first["deals"]] == [15_000_000_003, 15_000_000_002]
    assert (first["hasMore"], first["offset"]) == (True, 2)
    _, second = _get(hs, "/deals/v1/deal/paged", limit=2, offset=first["offset"])
    assert [d["dealId"] for d in second["deals"]] == [15_000_000_001]
    assert (second["hasMore"], second["offset"]) == (False, 3)


def test_deals_paged_property_objects_in_epoch_milliseconds(hs):
    _, page = _get(
        hs,
        "/deals/v1/deal/paged",
        properties=["dealname", "closedate", "hs_lastmodifieddate", "nosuchproperty"],
    )
    deal = page["deals"][-1]
    assert (deal["portalId"], deal["dealId"], deal["isDeleted"]) == (
        PORTAL_ID,
        15_000_000_001,
        False,
    )
    assert "associations" not in deal
    modified_ms = int((T0 + timedelta(days=1)).timestamp() * 1000)
    assert sorted(deal["properties"]) == ["closedate", "dealname", "hs_lastmodifieddate"]
    assert deal["properties"]["dealname"] == {
        "value": "Deal 0",
        "timestamp": modified_ms,
        "source": "API",
        "sourceId": None,
        "versions": [
            {
                "name": "dealname",
                "value": "Deal 0",
                "timestamp": modified_ms,
                "source": "API",
                "sourceVid": [],
            }
        ],
    }
    closed_ms = int((T0 + timedelta(days=30)).timestamp() * 1000)
    assert deal["properties"]["closedate"]["value"] == str(closed_ms)


def test_deals_paged_all_properties_and_associations(hs):
    _, page = _get(
        hs, "/deals/v1/deal/paged", includeAllProperties="true", includeAssociations="true"
    )
    deal = page["deals"][-1]
    assert deal["associations"] == {
        "associatedVids": [int(contact_id(0)), int(contact_id(1))],
        "associatedCompanyIds": [],
        "associatedDealIds": [],
        "associatedTicketIds": [],
    }
    assert {"amount", "dealstage", "pipeline", "createdate", "hs_object_id"} <= set(
        deal["properties"]
    )
    assert deal["properties"]["amount"]["value"] == "2500"
    assert deal["properties"]["hs_is_closed"]["value"] == "true"
    assert deal["properties"]["createdate"]["value"] == str(T0_MS)


def test_deals_paged_limit_over_250_is_refused(hs):
    status, body = _get(hs, "/deals/v1/deal/paged", limit=251)
    assert (status, body["category"]) == (400, "VALIDATION_ERROR")


def test_companies_paged_and_detail(hs):
    status, page = _get(hs, "/companies/v2/companies/paged", limit=250, properties="name")
    assert status == 200
    assert [c["companyId"] for c in page["companies"]] == [9_000_000_004 - i for i in range(4)]
    assert (page["has-more"], page["offset"]) == (False, 4)
    assert sorted(page["companies"][0]["properties"]) == ["name"]
    status, detail = _get(hs, "/companies/v2/companies/9000000002")
    assert status == 200
    assert (detail["companyId"], detail["portalId"]) == (9_000_000_002, PORTAL_ID)
    assert detail["properties"]["domain"]["value"] == "example1.com"
    assert detail["properties"]["numberofemployees"]["value"] == "20"


def test_company_detail_of_an_unknown_id_is_404(hs):
    status, body = _get(hs, "/companies/v2/companies/123")
    assert (status, body["category"]) == (404, "OBJECT_NOT_FOUND")


def test_deal_pipelines_v1_is_a_bare_array(hs):
    status, pipelines = _get(hs, "/deals/v1/pipelines")
    assert status == 200
    assert [(p["pipelineId"], p["label"]) for p in pipelines] == [("default", "Sales Pipeline")]
    stages = pipelines[0]["stages"]
    assert [s["stageId"] for s in stages][-2:] == ["closedwon", "closedlost"]
    assert (stages[-2]["closedWon"], stages[-2]["probability"]) == (True, 1.0)
