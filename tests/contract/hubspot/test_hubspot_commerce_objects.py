"""Products, line items, quotes, leads, goal targets: standard object types of every portal.

The synthetic company keeps none, but clients list them, name them in ``associations=``
(dlt's verified source asks contacts for ``deals,products,tickets,quotes``) and read their
properties, so each is an empty but valid type with its standard properties.
"""

from __future__ import annotations

import pytest

COMMERCE = [
    ("products", "0-7"),
    ("line_items", "0-8"),
    ("quotes", "0-14"),
    ("leads", "0-136"),
    ("goal_targets", "0-74"),
]


@pytest.mark.parametrize(("object_type", "type_id"), COMMERCE)
def test_commerce_types_list_empty_by_name_and_by_id(hs, object_type, type_id):
    for path in (object_type, type_id):
        response = hs.session().get(f"{hs.base_url}/crm/v3/objects/{path}", params={"limit": 100})
        assert (response.status_code, response.json()) == (200, {"results": []})


def test_associations_may_name_commerce_types(hs):
    session = hs.session()
    plain = session.get(
        f"{hs.base_url}/crm/v3/objects/contacts",
        params={"limit": 2, "associations": "deals,tickets,companies"},
    ).json()
    response = session.get(
        f"{hs.base_url}/crm/v3/objects/contacts",
        params={"limit": 2, "associations": "deals,products,tickets,quotes,companies,line_items"},
    )
    assert response.status_code == 200
    # No record has a product, quote or line item: nothing is added for them.
    assert response.json()["results"] == plain["results"]


def test_unknown_type_in_associations_is_still_refused(hs):
    response = hs.session().get(
        f"{hs.base_url}/crm/v3/objects/contacts", params={"associations": "widgets"}
    )
    assert response.status_code == 400
    assert response.json()["message"] == "Unable to infer object type from: widgets"


@pytest.mark.parametrize(
    ("object_type", "expected"),
    [
        ("products", {"createdate", "hs_lastmodifieddate", "name", "price", "hs_sku"}),
        (
            "line_items",
            {"createdate", "hs_lastmodifieddate", "name", "quantity", "price", "hs_product_id"},
        ),
        (
            "quotes",
            {"hs_createdate", "hs_lastmodifieddate", "hs_title", "hs_expiration_date", "hs_status"},
        ),
    ],
)
def test_commerce_types_have_their_standard_properties(hs, object_type, expected):
    response = hs.session().get(f"{hs.base_url}/crm/v3/properties/{object_type}")
    assert response.status_code == 200
    names = {p["name"] for p in response.json()["results"]}
    assert expected <= names


def test_line_item_schema_names_and_deal_association(hs):
    schema = hs.session().get(f"{hs.base_url}/crm/v3/schemas/line_items").json()
    assert (schema["objectTypeId"], schema["name"], schema["labels"]) == (
        "0-8",
        "LINE_ITEM",
        {"singular": "Line Item", "plural": "Line Items"},
    )
    to_deals = [a for a in schema["associations"] if a["toObjectTypeId"] == "0-3"]
    assert [(a["id"], a["name"]) for a in to_deals] == [("20", "LINE_ITEM_TO_DEAL")]


def test_a_created_product_is_listed_with_default_properties(hs):
    session = hs.session()
    created = session.post(
        f"{hs.base_url}/crm/v3/objects/products",
        json={"properties": {"name": "HPLC column", "price": "420.50", "hs_sku": "COL-1"}},
    )
    assert created.status_code == 201
    listed = session.get(f"{hs.base_url}/crm/v3/objects/products").json()["results"]
    assert [r["id"] for r in listed] == [created.json()["id"]]
    properties = listed[0]["properties"]
    assert (properties["name"], properties["price"], properties["description"]) == (
        "HPLC column",
        "420.5",
        None,
    )
    assert "hs_sku" not in properties


def test_search_on_quotes_finds_none(hs):
    response = hs.session().post(f"{hs.base_url}/crm/v3/objects/quotes/search", json={})
    assert response.status_code == 200
    assert response.json()["total"] == 0


@pytest.mark.parametrize(
    ("singular", "expected_first_id"),
    [
        ("contact", "100001"),
        ("company", "9000000001"),
        ("deal", "15000000001"),
        ("ticket", "2500000001"),
    ],
)
def test_object_types_may_be_named_in_the_singular(hs, singular, expected_first_id):
    # Airbyte's source-hubspot lists /crm/v3/objects/contact, /company, /line_item...
    response = hs.session().get(f"{hs.base_url}/crm/v3/objects/{singular}", params={"limit": 1})
    assert response.status_code == 200
    first = response.json()["results"][0]["id"]
    assert first == expected_first_id


def test_singular_names_work_for_properties_and_empty_types(hs):
    session = hs.session()
    plural = session.get(f"{hs.base_url}/crm/v3/properties/line_items").json()
    assert session.get(f"{hs.base_url}/crm/v3/properties/line_item").json() == plural
    response = session.get(f"{hs.base_url}/crm/v3/objects/product")
    assert (response.status_code, response.json()) == (200, {"results": []})


def test_lead_and_goal_target_properties(hs):
    session = hs.session()
    leads = {
        p["name"] for p in session.get(f"{hs.base_url}/crm/v3/properties/leads").json()["results"]
    }
    assert {"hs_lead_name", "hs_pipeline", "hs_pipeline_stage", "hs_createdate"} <= leads
    goals = session.get(f"{hs.base_url}/properties/v2/goal_targets/properties").json()
    assert {"hs_goal_name", "hs_target_amount"} <= {p["name"] for p in goals}
