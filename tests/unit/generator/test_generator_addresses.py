"""People and organisations carry a state/region and a postal code that belong to their
city, in every CRM's standard address fields."""

from __future__ import annotations

from connectors.sandbox.generator.names import cities
from connectors.sandbox.world import World

# (crm, object, city field, state field, postal code field)
ADDRESS_FIELDS = (
    ("salesforce", "Lead", "City", "State", "PostalCode"),
    ("salesforce", "Contact", "MailingCity", "MailingState", "MailingPostalCode"),
    ("salesforce", "Account", "BillingCity", "BillingState", "BillingPostalCode"),
    ("hubspot", "contacts", "city", "state", "zip"),
    ("hubspot", "companies", "city", "state", "zip"),
    ("zoho", "Leads", "City", "State", "Zip_Code"),
    ("zoho", "Contacts", "Mailing_City", "Mailing_State", "Mailing_Zip"),
    ("zoho", "Accounts", "Billing_City", "Billing_State", "Billing_Code"),
)


def test_known_cities_have_their_state_and_postal_codes() -> None:
    by_city = {c.city: c for c in cities()}
    assert (by_city["Boston"].state, by_city["Boston"].postal_codes[0]) == ("MA", "02108")
    assert by_city["Toronto"].state == "ON" and "M5V 3L9" in by_city["Toronto"].postal_codes
    assert by_city["Madrid"].state == "Comunidad de Madrid"
    assert all(c.state and len(c.postal_codes) == 5 for c in cities())


def test_every_address_has_a_state_and_postal_code_of_its_city(world: World) -> None:
    by_city = {c.city: c for c in cities()}
    for crm, obj, city_field, state_field, code_field in ADDRESS_FIELDS:
        rows = list(getattr(world, crm)[obj].rows.values())
        placed = [r for r in rows if r.get(city_field) in by_city]
        assert placed, (crm, obj)
        for row in placed:
            city = by_city[row[city_field]]
            assert row[state_field] == city.state, (crm, obj, row)
            assert row[code_field] in city.postal_codes, (crm, obj, row)
