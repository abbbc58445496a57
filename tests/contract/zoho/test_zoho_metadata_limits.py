"""Settings, users, org, and the rate limits and faults."""

from __future__ import annotations

import threading
import time


def test_fields_metadata_and_custom_field_creation(fresh_zoho) -> None:
    box = fresh_zoho
    fields = box.http.get(box.url("settings/fields"), params={"module": "Deals"}).json()["fields"]
    by_name = {f["api_name"]: f for f in fields}
    assert by_name["Stage"]["data_type"] == "picklist"
    assert by_name["Stage"]["pick_list_values"][1] == {
        "display_value": "Qualification",
        "actual_value": "Qualification",
    }
    assert by_name["Account_Name"]["data_type"] == "lookup"
    assert by_name["Account_Name"]["lookup"] == {"module": {"api_name": "Accounts"}}
    assert by_name["Owner"]["data_type"] == "ownerlookup"
    assert by_name["Amount"]["data_type"] == "currency"
    created = box.http.post(
        box.url("settings/fields"),
        params={"module": "Deals"},
        json={"fields": [{"field_label": "Incentive Paid", "data_type": "currency"}]},
    )
    assert created.status_code == 201
    result = created.json()["fields"][0]
    assert (result["code"], result["details"]["api_name"]) == ("SUCCESS", "Incentive_Paid")
    fields = box.http.get(box.url("settings/fields"), params={"module": "Deals"}).json()["fields"]
    new = next(f for f in fields if f["api_name"] == "Incentive_Paid")
    assert (new["data_type"], new["custom_field"], new["field_label"]) == (
        "currency",
        True,
        "Incentive Paid",
    )
    deal = next(iter(box.world.zoho["Deals"].rows))
    update = box.http.put(box.url(f"Deals/{deal}"), json={"data": [{"Incentive_Paid": 12.345}]})
    assert update.status_code == 200
    read = box.http.get(box.url("Deals"), params={"fields": "Incentive_Paid", "ids": deal})
    assert read.json()["data"][0]["Incentive_Paid"] == 12.35
    again = box.http.post(
        box.url("settings/fields"),
        params={"module": "Deals"},
        json={"fields": [{"field_label": "Incentive Paid", "data_type": "currency"}]},
    )
    assert again.json()["fields"][0]["code"] == "DUPLICATE_DATA"


def test_modules_users_and_org(zoho) -> None:
    modules = zoho.http.get(zoho.url("settings/modules")).json()["modules"]
    assert {m["api_name"] for m in modules} >= {"Leads", "Contacts", "Accounts", "Deals"}
    assert "users" not in {m["api_name"] for m in modules}
    all_users = zoho.http.get(zoho.url("users"), params={"type": "AllUsers"}).json()
    assert all_users["info"]["count"] == 3
    active = zoho.http.get(zoho.url("users"), params={"type": "ActiveUsers"}).json()
    assert [u["full_name"] for u in active["users"]] == ["Patricia Boyle", "Omar Diaz"]
    current = zoho.http.get(zoho.url("users"), params={"type": "CurrentUser"}).json()["users"]
    assert current[0]["email"] == "patricia.boyle@example.com"
    assert current[0]["role"]["name"] == "CEO" and current[0]["role"]["id"].isdigit()
    one = zoho.http.get(zoho.url(f"users/{current[0]['id']}")).json()["users"][0]
    assert one == current[0]
    org = zoho.http.get(zoho.url("org")).json()["org"][0]
    assert org["time_zone"] == "UTC"


def test_daily_credit_limit_in_every_profile(fresh_zoho) -> None:
    box = fresh_zoho
    box.app.limits.daily = 3
    statuses = [box.http.get(box.url("org")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = box.http.get(box.url("org"))
    assert refused.json()["code"] == "TOO_MANY_REQUESTS"
    assert int(refused.headers["Retry-After"]) == 86_400
    box.clock.advance(86_400)
    box.http.headers["Authorization"] = f"Zoho-oauthtoken {box.app.issue_token()}"
    assert box.http.get(box.url("org")).status_code == 200


def test_concurrency_limit_under_strict(start_sandbox) -> None:
    box = start_sandbox(profile="strict")
    box.app.limits.concurrency = 2
    results: list[int] = []

    def call() -> None:
        with box.session(box.token) as s:
            results.append(s.get(box.url("Accounts"), params={"fields": "id"}).status_code)

    # holding the world lock parks the first two calls inside the emulator
    with box.world.lock:
        threads = [threading.Thread(target=call) for _ in range(2)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 5
        while box.app.gate.in_flight < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        refused = box.http.get(box.url("Accounts"), params={"fields": "id"})
    for t in threads:
        t.join()
    assert refused.status_code == 429
    assert refused.json()["code"] == "TOO_MANY_REQUESTS"
    assert refused.headers["Retry-After"] == "1"
    assert results == [200, 200]


def test_flaky_faults_are_zoho_shaped(start_sandbox) -> None:
    import requests

    box = start_sandbox(profile="flaky")
    box.app.faults.configure("flaky", failure_rate=1.0, slow_s=0)
    seen: dict[int, dict] = {}
    retry_after: set[str | None] = set()
    dropped = 0
    for i in range(40):
        box.http.headers["Authorization"] = f"Zoho-oauthtoken {box.app.issue_token()}"
        try:
            response = box.http.get(box.url("Accounts"), params={"fields": "id", "per_page": i + 1})
        except requests.exceptions.ChunkedEncodingError:
            dropped += 1
            continue
        seen.setdefault(response.status_code, response.json())
        if response.status_code == 429:
            retry_after.add(response.headers.get("Retry-After"))
    assert seen[429]["code"] == "TOO_MANY_REQUESTS"
    assert retry_after == {"1", None}  # with and without Retry-After
    assert seen[401]["code"] == "INVALID_TOKEN"
    assert seen[504]["code"] == "INTERNAL_ERROR"  # a held answer (timeout) ends in a 504
    server_errors = [s for s in seen if s >= 500]
    assert server_errors and seen[server_errors[0]]["code"] == "INTERNAL_ERROR"
    assert dropped >= 1
    injected = box.app.faults.counts()
    assert injected["dropped_connection"] == dropped
    assert sum(injected.values()) - injected["latency"] == 40
