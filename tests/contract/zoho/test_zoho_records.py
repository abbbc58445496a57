"""Record list paging, fields, sorting, If-Modified-Since, one record and counts."""

from __future__ import annotations

from datetime import timedelta

from zoho_world import CONVERTED_EVERY, LEADS, START

UNCONVERTED = LEADS - (LEADS + CONVERTED_EVERY - 1) // CONVERTED_EVERY


def test_list_renders_zoho_wire_format(zoho) -> None:
    response = zoho.http.get(
        zoho.url("Contacts"),
        params={"fields": "Last_Name,Account_Name,Owner,Modified_Time,Email", "per_page": 2},
    )
    assert response.status_code == 200
    body = response.json()
    first = body["data"][0]
    contact = zoho.world.zoho["Contacts"].rows[first["id"]]
    account = zoho.world.zoho["Accounts"].rows[contact["Account_Name"]]
    assert first == {
        "id": contact["id"],
        "Last_Name": contact["Last_Name"],
        "Account_Name": {"name": account["Account_Name"], "id": account["id"]},
        "Owner": {
            "name": "Patricia Boyle",
            "id": contact["Owner"],
            "email": "patricia.boyle@example.com",
        },
        "Modified_Time": contact["Modified_Time"].isoformat(),
        "Email": contact["Email"],
    }
    assert first["Modified_Time"].endswith("+00:00")
    info = body["info"]
    assert {k: info[k] for k in ("per_page", "count", "page", "sort_by", "sort_order")} == {
        "per_page": 2,
        "count": 2,
        "page": 1,
        "sort_by": "id",
        "sort_order": "desc",
    }
    assert info["more_records"] is True
    assert info["call"] is False and info["email"] is False
    assert info["previous_page_token"] is None
    assert info["page_token_expiry"] == (zoho.clock.now() + timedelta(hours=24)).isoformat()
    # default order is id descending
    ids = sorted(zoho.world.zoho["Contacts"].rows, reverse=True)
    assert [r["id"] for r in body["data"]] == ids[:2]


def test_polymorphic_what_id_renders_se_module(zoho) -> None:
    body = zoho.http.get(zoho.url("Tasks"), params={"fields": "Subject,What_Id"}).json()
    task = body["data"][0]
    assert task["$se_module"] == "Deals"
    assert task["What_Id"]["name"] == "Deal 0"


def test_fields_required_and_limited(zoho) -> None:
    missing = zoho.http.get(zoho.url("Leads"))
    assert missing.status_code == 400
    assert missing.json() == {
        "code": "REQUIRED_PARAM_MISSING",
        "details": {"param_name": "fields"},
        "message": "One of the expected parameter is missing",
        "status": "error",
    }
    too_many = zoho.http.get(zoho.url("Leads"), params={"fields": ",".join(["Email"] * 51)})
    assert too_many.status_code == 400
    assert too_many.json()["code"] == "LIMIT_EXCEEDED"
    assert too_many.json()["details"] == {"limit": 50, "param_name": "fields"}
    unknown = zoho.http.get(zoho.url("Leads"), params={"fields": "Email,Nope"})
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "INVALID_DATA"
    assert zoho.http.get(zoho.url("Nope"), params={"fields": "id"}).json()["code"] == (
        "INVALID_MODULE"
    )


def test_v2_does_not_require_fields(zoho) -> None:
    response = zoho.http.get(f"{zoho.base_url}/crm/v2/Accounts")
    assert response.status_code == 200
    assert "Industry" in response.json()["data"][0]


def test_page_paging_stops_at_2000_records(zoho) -> None:
    seen: list[str] = []
    for page in range(1, 11):
        body = zoho.http.get(
            zoho.url("Leads"), params={"fields": "Last_Name", "page": page, "per_page": 200}
        ).json()
        assert body["info"]["page"] == page
        seen += [r["id"] for r in body["data"]]
    assert len(seen) == len(set(seen)) == 2000
    beyond = zoho.http.get(zoho.url("Leads"), params={"fields": "Last_Name", "page": 11})
    assert beyond.status_code == 400
    assert beyond.json() == {
        "code": "DISCRETE_PAGINATION_LIMIT_EXCEEDED",
        "details": {"limit": 2000},
        "message": "You can only get the first 2000 records without using page_token param",
        "status": "error",
    }


def test_page_token_reads_the_whole_module(zoho) -> None:
    params = {"fields": "Last_Name", "converted": "both", "per_page": 200}
    seen: list[str] = []
    body = zoho.http.get(zoho.url("Leads"), params=params).json()
    calls = 1
    while True:
        seen += [r["id"] for r in body["data"]]
        if not body["info"]["more_records"]:
            break
        token = body["info"]["next_page_token"]
        body = zoho.http.get(zoho.url("Leads"), params={**params, "page_token": token}).json()
        calls += 1
    assert calls == 11
    assert body["info"]["next_page_token"] is None
    assert seen == sorted(zoho.world.zoho["Leads"].rows, reverse=True)


def test_page_token_errors(zoho) -> None:
    params = {"fields": "Last_Name", "per_page": 5}
    token = zoho.http.get(zoho.url("Leads"), params=params).json()["info"]["next_page_token"]
    both = zoho.http.get(zoho.url("Leads"), params={**params, "page": 2, "page_token": token})
    assert both.status_code == 400
    assert both.json()["code"] == "AMBIGUITY_DURING_PROCESSING"
    unknown = zoho.http.get(zoho.url("Leads"), params={**params, "page_token": "abc"})
    assert unknown.status_code == 400
    assert unknown.json()["details"] == {"param_name": "page_token"}
    other = zoho.http.get(
        zoho.url("Leads"), params={**params, "sort_order": "asc", "page_token": token}
    )
    assert other.json()["code"] == "TOKEN_BOUND_DATA_MISMATCH"


def test_page_token_expires_after_24_hours(fresh_zoho) -> None:
    box = fresh_zoho
    params = {"fields": "Last_Name", "per_page": 5}
    token = box.http.get(box.url("Leads"), params=params).json()["info"]["next_page_token"]
    box.clock.advance(24 * 3600 + 1)
    box.http.headers["Authorization"] = f"Zoho-oauthtoken {box.app.issue_token()}"
    expired = box.http.get(box.url("Leads"), params={**params, "page_token": token})
    assert expired.status_code == 400
    assert expired.json()["code"] == "EXPIRED_VALUE"


def test_page_token_limit_of_100000(fresh_zoho) -> None:
    box = fresh_zoho
    box.app.limits.page_token_records = 300
    params = {"fields": "Last_Name", "per_page": 200}
    body = box.http.get(box.url("Leads"), params=params).json()
    second = box.http.get(
        box.url("Leads"), params={**params, "page_token": body["info"]["next_page_token"]}
    ).json()
    assert second["info"]["count"] == 100
    third = box.http.get(
        box.url("Leads"), params={**params, "page_token": second["info"]["next_page_token"]}
    )
    assert third.status_code == 400
    assert third.json()["code"] == "PAGINATION_LIMIT_EXCEEDED"
    assert third.json()["details"] == {"limit": 300}


def test_sort_by_modified_time_asc_and_converted_filter(zoho) -> None:
    body = zoho.http.get(
        zoho.url("Leads"),
        params={"fields": "Modified_Time", "sort_by": "Modified_Time", "sort_order": "asc"},
    ).json()
    times = [r["Modified_Time"] for r in body["data"]]
    assert times == sorted(times)
    assert body["info"]["sort_by"] == "Modified_Time"
    # leads are modified in reverse creation order, so the oldest change is the newest id
    assert body["data"][0]["id"] == max(zoho.world.zoho["Leads"].rows)
    count = zoho.http.get(zoho.url("Leads/actions/count")).json()
    assert count == {"count": LEADS}
    converted = zoho.http.get(
        zoho.url("Leads"), params={"fields": "Converted__s", "converted": "true"}
    ).json()
    assert converted["info"]["count"] == LEADS - UNCONVERTED
    assert all(r["Converted__s"] is True for r in converted["data"])


def test_if_modified_since(zoho) -> None:
    newest = START + timedelta(hours=LEADS)  # lead 0's Modified_Time
    none_changed = zoho.http.get(
        zoho.url("Leads"),
        params={"fields": "Last_Name", "converted": "both"},
        headers={"If-Modified-Since": newest.isoformat()},
    )
    assert none_changed.status_code == 304
    assert none_changed.content == b""
    since = (newest - timedelta(hours=3)).astimezone().isoformat()
    changed = zoho.http.get(
        zoho.url("Leads"),
        params={"fields": "Last_Name,Modified_Time", "converted": "both"},
        headers={"If-Modified-Since": since},
    ).json()
    # strictly after: leads 0, 1 and 2
    assert sorted(r["Last_Name"] for r in changed["data"]) == ["Lead0000", "Lead0001", "Lead0002"]


def test_empty_module_is_204(zoho) -> None:
    response = zoho.http.get(zoho.url("Cases"), params={"fields": "Subject"})
    assert response.status_code == 204
    assert response.content == b""


def test_get_one_record_and_ids_filter(zoho) -> None:
    account_id = next(iter(zoho.world.zoho["Accounts"].rows))
    body = zoho.http.get(zoho.url(f"Accounts/{account_id}")).json()
    record = body["data"][0]
    assert record["id"] == account_id
    assert record["Account_Name"] == "Account 0"
    assert record["Annual_Revenue"] == 1000.5
    assert record["Employees"] == 10
    assert zoho.http.get(zoho.url("Accounts/5725767999999999999")).status_code == 204
    ids = list(zoho.world.zoho["Accounts"].rows)[:2]
    listed = zoho.http.get(
        zoho.url("Accounts"), params={"fields": "id", "ids": ",".join(ids)}
    ).json()
    assert sorted(r["id"] for r in listed["data"]) == sorted(ids)
