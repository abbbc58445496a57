"""The Products module and a deal's products (the Deals -> Products related list)."""

from __future__ import annotations

from sandbox.clock import DEFAULT_ANCHOR
from sandbox.generator import generate
from sandbox.zoho.schema import DEAL_PRODUCTS_KEY

FIELDS = "Product_Name,Product_Code,Product_Category,Unit_Price"


def _box(start_sandbox):
    world = generate(7, "tiny", DEFAULT_ANCHOR)
    return world, start_sandbox(world)


def test_products_module_lists_the_catalogue(start_sandbox):
    _, box = _box(start_sandbox)
    body = box.http.get(box.url("Products"), params={"fields": FIELDS}).json()
    got = [(r["Product_Name"], r["Product_Code"], r["Unit_Price"]) for r in body["data"]]
    assert sorted(got) == [
        ("Chromatography columns", "ALT-COL-C18", 450.0),
        ("HPLC system", "ALT-HPLC-1290", 48000.0),
        ("Lab consumables kit", "ALT-CONS-KIT", 120.0),
        ("Mass spectrometer", "ALT-MS-6500", 185000.0),
        ("Service contract", "ALT-SVC-ANNUAL", 6000.0),
        ("Spectrophotometer", "ALT-UV-1900", 14500.0),
    ]
    modules = box.http.get(box.url("settings/modules")).json()["modules"]
    assert "Products" in {m["api_name"] for m in modules}


def test_a_won_deals_products_come_from_its_related_list(start_sandbox):
    world, box = _box(start_sandbox)
    (deal,) = [d for d in world.zoho["Deals"].live() if d.get(DEAL_PRODUCTS_KEY)]
    response = box.http.get(box.url(f"Deals/{deal['id']}/Products"), params={"fields": FIELDS})
    assert response.status_code == 200
    body = response.json()
    assert [r["Product_Name"] for r in body["data"]] == ["HPLC system"]
    assert body["info"] == {"per_page": 200, "count": 1, "page": 1, "more_records": False}
    # the private key is no field: the deal itself does not show it
    record = box.http.get(box.url(f"Deals/{deal['id']}")).json()["data"][0]
    assert DEAL_PRODUCTS_KEY not in record


def test_related_list_rules(start_sandbox):
    world, box = _box(start_sandbox)
    lost = next(d for d in world.zoho["Deals"].live() if not d.get(DEAL_PRODUCTS_KEY))
    empty = box.http.get(box.url(f"Deals/{lost['id']}/Products"), params={"fields": FIELDS})
    assert empty.status_code == 204
    missing = box.http.get(box.url(f"Deals/{lost['id']}/Products"))
    assert (missing.status_code, missing.json()["code"]) == (400, "REQUIRED_PARAM_MISSING")
    bad = box.http.get(box.url(f"Deals/{lost['id']}/Widgets"), params={"fields": "id"})
    assert bad.status_code == 400
    assert (bad.json()["code"], bad.json()["message"]) == (
        "INVALID_DATA",
        "The relation name given seems to be invalid",
    )
