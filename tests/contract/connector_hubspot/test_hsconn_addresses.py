"""Every address property of a HubSpot contact and company (address, city, state, zip,
country) reaches the store's street, city, state, postal code and country columns."""

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
PROPERTIES = {
    "address": ADDRESS["street"],
    "city": ADDRESS["city"],
    "state": ADDRESS["state"],
    "zip": ADDRESS["postal_code"],
    "country": ADDRESS["country"],
}
CASES = (
    ("contacts", {"lastname": "Waller"}, "contacts", "contact"),
    ("companies", {"name": "Waller Pty"}, "accounts", "account"),
)


def test_every_address_field_round_trips_into_the_store(sb, connect, tmp_path: Path) -> None:
    info = sb.info.hubspot
    session = pinned_session(sb.info.ca_bundle)
    session.headers["Authorization"] = f"Bearer {info.access_token}"
    try:
        for object_type, required, stream, kind in CASES:
            url = f"{info.base_url}/crm/v3/objects/{object_type}"
            response = session.post(url, json={"properties": {**required, **PROPERTIES}})
            assert response.status_code == 201, response.text
            rid = str(response.json()["id"])
            stored = stored_addresses(connect(), "hubspot", stream, kind, {rid}, tmp_path / kind)
            assert stored == {rid: ADDRESS}, object_type
    finally:
        session.close()
