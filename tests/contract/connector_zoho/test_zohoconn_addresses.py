"""Every address field of a Zoho Lead, Contact (Mailing_*) and Account (Billing_*) reaches
the store's street, city, state, postal code and country columns; a field list saved by a
version that asked for fewer standard fields is chosen again."""

from __future__ import annotations

from pathlib import Path

from zohoconn_support import read_all

from tests.contract.address_roundtrip import stored_addresses

ADDRESS = {
    "street": "6 tullaroop street",
    "city": "st james",
    "state": "wa",
    "postal_code": "4011",
    "country": "Australia",
}
CASES = (
    (
        "Leads",
        {"Last_Name": "Waller", "Company": "Waller Pty"},
        ("Street", "City", "State", "Zip_Code", "Country"),
        "leads",
        "lead",
    ),
    (
        "Contacts",
        {"Last_Name": "Waller"},
        ("Mailing_Street", "Mailing_City", "Mailing_State", "Mailing_Zip", "Mailing_Country"),
        "contacts",
        "contact",
    ),
    (
        "Accounts",
        {"Account_Name": "Waller Pty"},
        ("Billing_Street", "Billing_City", "Billing_State", "Billing_Code", "Billing_Country"),
        "accounts",
        "account",
    ),
)


def _create(connector, module: str, values: dict[str, str]) -> str:
    response = connector.http.api("POST", f"/{module}", json={"data": [values]})
    return str(response.body["data"][0]["details"]["id"])


def test_every_address_field_round_trips_into_the_store(sb, connect, tmp_path: Path) -> None:
    for module, required, names, stream, kind in CASES:
        connector = connect()
        values = dict(zip(names, ADDRESS.values(), strict=True))
        rid = _create(connector, module, {**required, **values})
        stored = stored_addresses(connect(), "zoho", stream, kind, {rid}, tmp_path / kind)
        assert stored == {rid: ADDRESS}, module


def test_a_field_list_saved_without_the_state_field_is_chosen_again(sb, connect) -> None:
    connector = connect()
    signpost = connector.server_time()
    _, state = read_all(connector, "contacts", None, signpost=signpost)
    saved = state["modules"]["Contacts"]
    # What an earlier version saved: no Mailing_State, no record of the standard fields.
    saved["fields"] = [f for f in saved["fields"] if f != "Mailing_State"]
    saved.pop("standard", None)
    rid = _create(connect(), "Contacts", {"Last_Name": "Waller", "Mailing_State": "vic"})
    pages, after = read_all(connect(), "contacts", state, signpost=connector.server_time())
    got = {r.remote_id: r for p in pages for r in p.records}
    assert got[rid].state == "vic"
    assert "Mailing_State" in after["modules"]["Contacts"]["fields"]
