"""People and organisations carry a state/region and a postal code that belong to their
city, in every CRM's standard address fields (a person's later copies: left out or mistyped
once, as the corruption profile does)."""

from __future__ import annotations

from sandbox.generator.names import cities
from sandbox.world import World

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


def _typed_cleanly(world: World) -> set[tuple[str, str, str]]:
    """Organisation records and each person's first record: later copies of a person
    carry the corruption profile (postal code typos among them)."""
    clean, seen = set(), set()
    for row in world.truth.files["identities"]:
        if row["kind"] == "organisation" or row["identity"] not in seen:
            clean.add((row["crm"], row["object"], row["id"]))
        seen.add(row["identity"])
    return clean


def test_every_address_has_a_state_and_postal_code_of_its_city(world: World) -> None:
    by_city = {c.city: c for c in cities()}
    clean = _typed_cleanly(world)
    for crm, obj, city_field, state_field, code_field in ADDRESS_FIELDS:
        table = getattr(world, crm)[obj]
        placed = [(rid, r) for rid, r in table.rows.items() if r.get(city_field) in by_city]
        assert placed, (crm, obj)
        for rid, row in placed:
            city = by_city[row[city_field]]
            assert row[state_field] == city.state, (crm, obj, row)
            code = row[code_field]
            if (crm, obj, rid) in clean:
                assert code in city.postal_codes, (crm, obj, row)
            else:  # a later copy: the code may be left out or mistyped once
                assert code is None or any(_one_slip(code, c) for c in city.postal_codes)


def _one_slip(typed: str, code: str) -> bool:
    """``typed`` is ``code`` or one slip away: a character changed, dropped or swapped
    with its neighbour, or the space left out."""
    if typed in (code, code.replace(" ", "")):
        return True
    if len(typed) == len(code):
        diff = [i for i in range(len(code)) if typed[i] != code[i]]
        swapped = len(diff) == 2 and diff[1] == diff[0] + 1
        return len(diff) == 1 or (swapped and typed[diff[0]] == code[diff[1]])
    return len(typed) == len(code) - 1 and any(
        code[:i] + code[i + 1 :] == typed for i in range(len(code))
    )
