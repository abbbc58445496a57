"""Deal splits as an object type, marketing forms, the v4 object list, and the 403 a
private app gets for a scope it was not granted (HubSpot's ``MISSING_SCOPES`` body, key for
key)."""

from __future__ import annotations

import pytest

MESSAGE = (
    "This app hasn't been granted all required scopes to make this call. Read more about "
    "required scopes here: https://developers.hubspot.com/scopes."
)


def test_deal_split_is_a_searchable_type_with_its_properties(hs):
    session = hs.session()
    props = session.get(f"{hs.base_url}/properties/v2/deal_split/properties")
    assert props.status_code == 200
    names = {p["name"] for p in props.json()}
    assert {"hs_deal_split_percentage", "hubspot_owner_id", "hs_lastmodifieddate"} <= names
    search = session.post(
        f"{hs.base_url}/crm/v3/objects/deal_split/search",
        json={
            "filters": [{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": "0"}],
            "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
            "limit": 100,
        },
    )
    assert (search.status_code, search.json()["total"], search.json()["results"]) == (200, 0, [])


def test_object_type_ids_are_hubspots_and_deal_splits_have_none():
    """HubSpot's object type ID table (developers.hubspot.com, "Using object APIs"; the
    same in its PHP client's ``ObjectTypeIDs``) for the types the sandbox serves; it lists
    no ID for deal splits, which are read by name (``deal_split``) or per deal. Custom
    objects have the portal's own ``2-…`` ids."""
    from sandbox.hubspot.objects import OBJECT_TYPE_IDS

    custom = {k: v for k, v in OBJECT_TYPE_IDS.items() if k.startswith("2-")}
    assert custom == {"2-7730401": "p20261031_store_visits", "2-7730402": "p20261031_orders"}
    assert {k: v for k, v in OBJECT_TYPE_IDS.items() if k not in custom} == {
        "0-1": "contacts",
        "0-2": "companies",
        "0-3": "deals",
        "0-5": "tickets",
        "0-7": "products",
        "0-8": "line_items",
        "0-14": "quotes",
        "0-27": "tasks",
        "0-46": "notes",
        "0-47": "meetings",
        "0-48": "calls",
        "0-49": "emails",
        "0-74": "goal_targets",
        "0-136": "leads",
    }


def test_forms_list_the_portals_forms_and_form_properties_list_a_forms_attributes(hs):
    session = hs.session()
    forms = session.get(
        f"{hs.base_url}/marketing/v3/forms",
        params={"limit": 100, "formTypes": ["hubspot", "captured", "flow"]},
    )
    assert forms.status_code == 200
    assert [(f["name"], f["formType"], f["archived"]) for f in forms.json()["results"]] == [
        ("Newsletter sign-up", "hubspot", False),
        ("Contact us", "hubspot", False),
        ("Webinar registration", "hubspot", False),
    ]
    captured = session.get(f"{hs.base_url}/marketing/v3/forms", params={"formTypes": "captured"})
    assert captured.json() == {"results": []}
    props = session.get(f"{hs.base_url}/properties/v2/form/properties")
    assert props.status_code == 200
    assert [p["name"] for p in props.json()] == [
        "name",
        "formType",
        "archived",
        "createdAt",
        "updatedAt",
    ]
    bad = session.get(f"{hs.base_url}/marketing/v3/forms", params={"limit": 0})
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("method", "path", "body", "scope"),
    [
        ("GET", "/crm/v3/objects/deals", None, "crm.objects.deals.read"),
        ("GET", "/crm/v3/objects/0-3/123", None, "crm.objects.deals.read"),
        ("PATCH", "/crm/v3/objects/deals/123", {"properties": {}}, "crm.objects.deals.write"),
        ("POST", "/crm/v3/objects/deals/search", {"limit": 1}, "crm.objects.deals.read"),
        ("GET", "/crm/v3/objects/tickets", None, "tickets"),
        ("GET", "/crm/v3/objects/line_items", None, "crm.objects.line_items.read"),
        ("GET", "/crm/v3/objects/products", None, "e-commerce"),
        ("GET", "/crm/v3/owners/", None, "crm.objects.owners.read"),
        ("GET", "/crm/v3/schemas", None, "crm.schemas.custom.read"),
        ("GET", "/properties/v2/deal/properties", None, "crm.objects.deals.read"),
        ("GET", "/marketing/v3/forms", None, "forms"),
        ("POST", "/crm/v3/objects/deal_split/search", {"limit": 1}, "crm.dealsplits.read_write"),
    ],
)
def test_a_missing_scope_gets_hubspots_403_body(hs, method, path, body, scope):
    hs.app.private_app_scopes = frozenset({"crm.objects.contacts.read"})
    response = hs.session().request(method, f"{hs.base_url}{path}", json=body)
    assert response.status_code == 403
    got = response.json()
    assert list(got) == ["status", "message", "correlationId", "errors", "links", "category"]
    got.pop("correlationId")
    assert got == {
        "status": "error",
        "message": MESSAGE,
        "errors": [
            {
                "message": "One or more of the following scopes are required.",
                "context": {"requiredGranularScopes": [scope]},
            }
        ],
        "links": {"scopes": "https://developers.hubspot.com/scopes"},
        "category": "MISSING_SCOPES",
    }


def test_granted_scopes_pass_and_oauth_tokens_are_not_restricted(hs):
    hs.app.private_app_scopes = frozenset({"crm.objects.contacts.read"})
    session = hs.session()
    assert session.get(f"{hs.base_url}/crm/v3/objects/contacts").status_code == 200
    oauth = hs.session(hs.app.issue_token())
    assert oauth.get(f"{hs.base_url}/crm/v3/objects/deals").status_code == 200


def test_the_official_client_raises_forbidden_with_the_scope(hs):
    from hubspot.crm.deals import ApiException

    hs.app.private_app_scopes = frozenset()
    with pytest.raises(ApiException) as caught:
        hs.client().crm.deals.basic_api.get_page(limit=1)
    assert caught.value.status == 403
    assert "crm.objects.deals.read" in caught.value.body


def test_the_v4_object_list_answers_as_v3_does(hs):
    session = hs.session()
    params = {"limit": 5, "associations": "contact,company,deals", "archived": "false"}
    v3 = session.get(f"{hs.base_url}/crm/v3/objects/tickets", params=params)
    v4 = session.get(f"{hs.base_url}/crm/v4/objects/tickets", params=params)
    assert v4.status_code == v3.status_code == 200
    assert v4.json()["results"] == v3.json()["results"]
