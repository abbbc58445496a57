"""Every address field of a Lead, a Contact (Mailing*) and an Account (Billing*) reaches
the store's street, city, state, postal code and country columns."""

from __future__ import annotations

from pathlib import Path

from connectors.core.http import pinned_session
from tests.contract.address_roundtrip import stored_addresses

ADDRESS = {
    "street": "6 tullaroop street",
    "city": "st james",
    "state": "wa",
    "postal_code": "4011",
    "country": "Australia",
}
NAMES = {
    "street": "Street",
    "city": "City",
    "state": "State",
    "postal_code": "PostalCode",
    "country": "Country",
}
CASES = (
    ("Lead", "", {"LastName": "Waller", "Company": "Waller Pty"}, "leads", "lead"),
    ("Contact", "Mailing", {"LastName": "Waller"}, "contacts", "contact"),
    ("Account", "Billing", {"Name": "Waller Pty"}, "accounts", "account"),
)


def test_every_address_field_round_trips_into_the_store(sb, connect, tmp_path: Path) -> None:
    info = sb.info.salesforce
    session = pinned_session(sb.info.ca_bundle)
    session.headers["Authorization"] = f"Bearer {info.access_token}"
    try:
        for object_name, prefix, required, stream, kind in CASES:
            values = {prefix + NAMES[k]: v for k, v in ADDRESS.items()}
            url = f"{info.instance_url}/services/data/v59.0/sobjects/{object_name}"
            response = session.post(url, json={**required, **values})
            assert response.status_code == 201, response.text
            rid = response.json()["id"]
            stored = stored_addresses(connect(), "salesforce", stream, kind, {rid}, tmp_path / kind)
            assert stored == {rid: ADDRESS}, object_name
    finally:
        session.close()
