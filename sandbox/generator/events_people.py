"""Who the event stream is about: Altamira's customers as their CRM records know them.

For every person of the ground truth, the e-mail addresses and phone numbers their live
CRM records hold (a later copy may carry a misspelt or a personal address: people use the
ones they have) and the time their first record was created. The event generator draws
the person's digital life around those: visits before the first record, sign-ups with one
of their addresses, app logins with their phone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.world import World

__all__ = ["Customer", "customers"]

# (crm, object) -> (e-mail fields, phone fields, created-time field)
_FIELDS: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...], str]] = {
    ("salesforce", "Lead"): (("Email",), ("Phone", "MobilePhone"), "CreatedDate"),
    ("salesforce", "Contact"): (("Email",), ("Phone", "MobilePhone"), "CreatedDate"),
    ("hubspot", "contacts"): (("email",), ("phone", "mobilephone"), "createdate"),
    ("zoho", "Leads"): (("Email", "Secondary_Email"), ("Phone", "Mobile"), "Created_Time"),
    ("zoho", "Contacts"): (("Email", "Secondary_Email"), ("Phone", "Mobile"), "Created_Time"),
}
_NOT_ADDRESSES = ("noemail", "n/a", "example.com", "none@", "unknown@")


@dataclass
class Customer:
    """One person of the ground truth, with what their CRM records hold."""

    identity: str
    org: str | None
    first_created: datetime
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)


def _email(value: Any) -> str | None:
    if not isinstance(value, str) or value.count("@") != 1:
        return None
    text = value.strip()
    return None if any(bad in text.lower() for bad in _NOT_ADDRESSES) else text


def _phone(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    digits = sum(c.isdigit() for c in value)
    return value.strip() if digits >= 8 else None


def customers(world: World) -> list[Customer]:
    """Every person with a live CRM record, in identity order."""
    orgs = _orgs(world)
    found: dict[str, Customer] = {}
    for row in world.truth.files.get("identities", []):
        fields = _FIELDS.get((row["crm"], row["object"]))
        if row["kind"] != "person" or fields is None:
            continue
        table = getattr(world, row["crm"]).get(row["object"])
        record = table.get(row["id"]) if table is not None else None
        if record is None:
            continue
        emails, phones, created_field = fields
        created = record.get(created_field)
        if not isinstance(created, datetime):
            continue
        person = found.get(row["identity"])
        if person is None:
            org = orgs.get(row["identity"])
            person = found[row["identity"]] = Customer(row["identity"], org, created)
        person.first_created = min(person.first_created, created)
        for name in emails:
            email = _email(record.get(name))
            if email and email not in person.emails:
                person.emails.append(email)
        for name in phones:
            phone = _phone(record.get(name))
            if phone and phone not in person.phones:
                person.phones.append(phone)
    return [found[k] for k in sorted(found)]


def _orgs(world: World) -> dict[str, str]:
    """Person identity -> the organisation of their deals (colleagues share devices)."""
    orgs: dict[str, set[str]] = defaultdict(set)
    for deal in world.truth.files.get("deals", []):
        if deal.get("customer_person") and deal.get("customer_org"):
            orgs[deal["customer_person"]].add(deal["customer_org"])
    return {person: sorted(found)[0] for person, found in orgs.items()}
