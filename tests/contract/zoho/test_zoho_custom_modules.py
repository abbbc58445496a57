"""A custom module (``Store_Visits``) as Zoho serves one: listed by ``/settings/modules``
with ``generated_type: custom``, its fields (lookups included) by ``/settings/fields``,
records listed with lookups as ``{"id", "name"}``, and deletes in ``/deleted``."""

from __future__ import annotations

from sandbox.clock import DEFAULT_ANCHOR
from sandbox.generator import generate


def _box(start_sandbox):
    world = generate(7, "tiny", DEFAULT_ANCHOR)
    return world, start_sandbox(world)


def test_settings_list_the_custom_module_and_its_fields(start_sandbox):
    _, box = _box(start_sandbox)
    modules = {
        m["api_name"]: m for m in box.http.get(box.url("settings/modules")).json()["modules"]
    }
    assert modules["Store_Visits"]["generated_type"] == "custom"
    assert modules["Contacts"]["generated_type"] == "default"
    fields = box.http.get(box.url("settings/fields"), params={"module": "Store_Visits"}).json()
    by_name = {f["api_name"]: f for f in fields["fields"]}
    customer = by_name["Customer"]
    assert (customer["data_type"], customer["custom_field"]) == ("lookup", True)
    assert customer["lookup"] == {"module": {"api_name": "Contacts"}}
    assert by_name["Visited_At"]["data_type"] == "datetime"
    assert by_name["Modified_Time"]["custom_field"] is False


def test_records_list_with_lookups(start_sandbox):
    world, box = _box(start_sandbox)
    truth = [v for v in world.truth.files["store_visits"] if v["crm"] == "zoho"]
    params = {"fields": "Customer,Account,Store,Visited_At"}
    body = box.http.get(box.url("Store_Visits"), params=params).json()
    got = [
        (r["id"], r["Customer"]["id"], (r["Account"] or {}).get("id"), r["Store"])
        for r in body["data"]
    ]
    assert sorted(got) == sorted((v["id"], v["contact"], v["account"], v["store"]) for v in truth)
    assert body["data"][0]["Customer"]["name"]


def test_deleted_visits(start_sandbox):
    world, box = _box(start_sandbox)
    table = world.zoho["Store_Visits"]
    rid = next(iter(table.rows))
    with world.lock:
        table.soft_delete(rid, box.clock.now())
    body = box.http.get(box.url("Store_Visits/deleted"), params={"type": "all"}).json()
    assert [d["id"] for d in body["data"]] == [rid]
