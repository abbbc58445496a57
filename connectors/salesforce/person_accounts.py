"""Person accounts: a consumer kept as one Account that is also a Contact.

An org with person accounts enabled stores a consumer as an ``Account`` with
``IsPersonAccount`` true whose person fields (``FirstName``, ``LastName``, ``PersonEmail``,
``PersonMobilePhone``, ``PersonMailing…``) live on the account, and a hidden ``Contact``
(the account's ``PersonContactId``, itself ``IsPersonAccount`` true, ``AccountId`` the
account) that carries the same person. Queries on ``Contact`` return those contacts, so
the person arrives through the contact stream; the account stays the customer
organisation that opportunities and cases point at, and names its person
(``person_contact_id``) so that crediting and reconciliation follow a B2C buyer from the
account to the person and on to the same person in other CRMs.

A business account has ``IsPersonAccount`` false, and an org without person accounts
has no such field: both map as before.
"""

from __future__ import annotations

from typing import Any

__all__ = ["is_person_account", "person_account_values"]

_ADDRESS = (
    ("street", "Street"),
    ("city", "City"),
    ("state", "State"),
    ("postal_code", "PostalCode"),
    ("country", "Country"),
)


def is_person_account(row: dict[str, Any]) -> bool:
    """True for a person account (a consumer), false for a business account."""
    return bool(row.get("IsPersonAccount"))


def person_account_values(row: dict[str, Any]) -> dict[str, Any]:
    """The ``Account`` fields a person account fills from its person fields.

    The name is the person's (Salesforce derives ``Name`` from it; a row read without
    ``Name`` still gets one), the phone falls back to the person's mobile and home
    phones, and the address is the billing address where there is one, else the
    person's mailing address (a consumer is billed at home).
    """
    if not is_person_account(row):
        return {}
    name = row.get("Name") or " ".join(
        part for part in (row.get("FirstName"), row.get("LastName")) if part
    )
    values: dict[str, Any] = {
        "name": name or None,
        "phone": row.get("Phone") or row.get("PersonMobilePhone") or row.get("PersonHomePhone"),
        "person_contact_id": row.get("PersonContactId"),
    }
    billing = any(row.get(f"Billing{suffix}") for _, suffix in _ADDRESS)
    prefix = "Billing" if billing else "PersonMailing"
    for key, suffix in _ADDRESS:
        values[key] = row.get(f"{prefix}{suffix}")
    return values
