"""Insert, update, upsert and delete, with per-item results and the deleted-records API."""

from __future__ import annotations

from datetime import timedelta


def test_insert_mixed_results_207(fresh_zoho) -> None:
    box = fresh_zoho
    box.clock.advance(60)
    account = next(iter(box.world.zoho["Accounts"].rows))
    response = box.http.post(
        box.url("Contacts"),
        json={
            "data": [
                {"Last_Name": "New", "Email": "new@x.example", "Account_Name": {"id": account}},
                {"First_Name": "NoLast"},
                {"Last_Name": "Bad", "Nope": 1},
                {"Last_Name": "BadType", "Account_Name": {"id": "123"}},
            ]
        },
    )
    assert response.status_code == 207
    ok, missing, unknown, bad_ref = response.json()["data"]
    now = box.clock.now().isoformat()
    admin = {
        "name": "Patricia Boyle",
        "id": ok["details"]["Created_By"]["id"],
        "email": "patricia.boyle@example.com",
    }
    assert ok == {
        "code": "SUCCESS",
        "details": {
            "Modified_Time": now,
            "Modified_By": admin,
            "Created_Time": now,
            "id": ok["details"]["id"],
            "Created_By": admin,
        },
        "message": "record added",
        "status": "success",
    }
    assert missing == {
        "code": "MANDATORY_NOT_FOUND",
        "status": "error",
        "message": "required field not found",
        "details": {"api_name": "Last_Name", "json_path": "$.data[1].Last_Name"},
    }
    assert unknown["code"] == "INVALID_DATA"
    assert unknown["details"] == {"api_name": "Nope", "json_path": "$.data[2].Nope"}
    assert bad_ref["details"]["expected_data_type"] == "lookup"
    stored = box.world.zoho["Contacts"].rows[ok["details"]["id"]]
    assert (stored["Full_Name"], stored["Account_Name"]) == ("New", account)
    assert len(box.world.zoho["Contacts"]) == 11


def test_insert_all_ok_201_all_failed_400_and_limits(fresh_zoho) -> None:
    box = fresh_zoho
    ok = box.http.post(box.url("Accounts"), json={"data": [{"Account_Name": "A"}]})
    assert ok.status_code == 201
    failed = box.http.post(box.url("Accounts"), json={"data": [{"Industry": "x"}]})
    assert failed.status_code == 400
    too_many = box.http.post(
        box.url("Accounts"), json={"data": [{"Account_Name": str(i)} for i in range(101)]}
    )
    assert too_many.status_code == 400
    assert too_many.json()["code"] == "LIMIT_EXCEEDED"
    box.app.unique_fields["Accounts"] = ("Account_Name",)
    dup = box.http.post(box.url("Accounts"), json={"data": [{"Account_Name": "A"}]})
    assert dup.json()["data"][0]["code"] == "DUPLICATE_DATA"


def test_update_bulk_and_one_stamp_modified_time(fresh_zoho) -> None:
    box = fresh_zoho
    box.clock.advance(120)
    ids = list(box.world.zoho["Deals"].rows)[:2]
    response = box.http.put(
        box.url("Deals"),
        json={"data": [{"id": ids[0], "Amount": 42.5}, {"Amount": 1}, {"id": "1", "Amount": 1}]},
    )
    assert response.status_code == 207
    first, no_id, bad_id = response.json()["data"]
    assert first["message"] == "record updated"
    assert first["details"]["Modified_Time"] == box.clock.now().isoformat()
    assert no_id["code"] == "MANDATORY_NOT_FOUND"
    assert bad_id["code"] == "INVALID_DATA"
    assert box.world.zoho["Deals"].rows[ids[0]]["Amount"] == 42.5
    one = box.http.put(box.url(f"Deals/{ids[1]}"), json={"data": [{"Stage": "Closed Lost"}]})
    assert one.status_code == 200
    assert box.world.zoho["Deals"].rows[ids[1]]["Stage"] == "Closed Lost"
    # the change shows up incrementally
    since = (box.clock.now() - timedelta(seconds=1)).isoformat()
    changed = box.http.get(
        box.url("Deals"), params={"fields": "Amount"}, headers={"If-Modified-Since": since}
    ).json()
    assert sorted(r["id"] for r in changed["data"]) == sorted(ids)


def test_upsert_insert_and_update(fresh_zoho) -> None:
    box = fresh_zoho
    response = box.http.post(
        box.url("Leads/upsert"),
        json={
            "data": [
                {"Last_Name": "Changed", "Email": "LEAD5@leads.example.com"},
                {"Last_Name": "Brand New", "Email": "brand@new.example"},
            ],
            "duplicate_check_fields": ["Email"],
        },
    )
    assert response.status_code == 200
    updated, inserted = response.json()["data"]
    assert (updated["action"], updated["duplicate_field"]) == ("update", "Email")
    assert (inserted["action"], inserted["duplicate_field"]) == ("insert", None)
    assert box.world.zoho["Leads"].rows[updated["details"]["id"]]["Last_Name"] == "Changed"
    assert box.world.zoho["Leads"].rows[inserted["details"]["id"]]["Email"] == "brand@new.example"


def test_delete_to_recycle_bin_and_deleted_api(fresh_zoho) -> None:
    box = fresh_zoho
    box.clock.advance(30)
    ids = list(box.world.zoho["Accounts"].rows)[:2]
    response = box.http.delete(box.url("Accounts"), params={"ids": f"{ids[0]},{ids[1]},77"})
    assert response.status_code == 207
    assert [r["status"] for r in response.json()["data"]] == ["success", "success", "error"]
    assert len(box.world.zoho["Accounts"]) == 3
    box.clock.advance(30)
    with box.world.lock:
        box.world.zoho["Accounts"].purge(ids[1], box.clock.now())
    body = box.http.get(box.url("Accounts/deleted"), params={"type": "all"}).json()
    assert body["info"] == {"per_page": 200, "count": 2, "page": 1, "more_records": False}
    permanent, recycled = body["data"]
    assert permanent == {
        "id": ids[1],
        "display_name": None,
        "type": "permanent",
        "deleted_time": box.clock.now().isoformat(),
        "deleted_by": None,
        "created_by": None,
    }
    assert recycled["type"] == "recycle" and recycled["display_name"] == "Account 0"
    assert recycled["deleted_by"]["name"] == "Patricia Boyle"
    recycle_only = box.http.get(box.url("Accounts/deleted"), params={"type": "recycle"}).json()
    assert [r["id"] for r in recycle_only["data"]] == [ids[0]]
    later = box.http.get(
        box.url("Accounts/deleted"), headers={"If-Modified-Since": box.clock.now().isoformat()}
    )
    assert later.status_code == 304
    gone = box.http.get(box.url("Accounts"), params={"fields": "id"}).json()
    assert ids[0] not in [r["id"] for r in gone["data"]]


def test_state_is_a_standard_address_field(fresh_zoho) -> None:
    box = fresh_zoho
    inserts = {
        "Leads": {"Last_Name": "Waller", "City": "st james", "State": "wa", "Zip_Code": "4011"},
        "Contacts": {"Last_Name": "Waller", "Mailing_City": "st james", "Mailing_State": "wa"},
        "Accounts": {"Account_Name": "Waller Pty", "Billing_State": "wa"},
    }
    for module, record in inserts.items():
        response = box.http.post(box.url(module), json={"data": [record]})
        assert response.status_code == 201, response.json()
        rid = response.json()["data"][0]["details"]["id"]
        stored = box.world.zoho[module].rows[rid]
        assert {name: stored[name] for name in record} == record
