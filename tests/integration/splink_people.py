"""People for the Splink backend tests: person ``n``'s fields, and the same person as another
CRM typed them; ``per_surname`` people share each surname; ``write_people`` puts leads and
contacts in a store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine

from connectors.core.contract import Page
from connectors.core.records import Contact, Lead
from sync.store.pages import write_page

__all__ = ["copy_of", "fields", "people", "write_people"]

FIRST = ("anna", "ben", "carla", "dev", "emil", "fay", "gus", "hana", "ivo", "jana")
LAST = ("lindqvist", "mosby", "novak", "ortega", "parkin", "quayle", "reyes", "satoh")
STREETS = ("oak st", "elm rd", "pine ave", "ash ct")


def fields(n: int, per_surname: int) -> dict[str, str]:
    return {
        "first_name": FIRST[n % 10].title(),
        "last_name": LAST[n // per_surname].title(),
        "street": f"{n % 90 + 1} {STREETS[n % 4].title()}",
        "postal_code": f"{2000 + n}",
        "city": f"Town {n % 13}",
        "state": "NSW",
    }


def copy_of(n: int, per_surname: int) -> dict[str, str]:
    """Person ``n`` as another CRM typed them: a surname typo, a first name one letter
    short, or the street's letters swapped, in turn."""
    found = fields(n, per_surname)
    if n % 3 == 0:
        last = found["last_name"]
        found["last_name"] = last[:-2] + last[-1] + last[-2]
    elif n % 3 == 1:
        found["first_name"] = found["first_name"][:-1]
    else:
        found["street"] = found["street"].replace("St", "Ts").replace("Rd", "Dr")
    return found


def people(count: int, copied: int, per_surname: int) -> tuple[list[Lead], list[Contact]]:
    """``count`` Salesforce leads, and the first ``copied`` of them as HubSpot contacts."""
    leads = [
        Lead(source="salesforce", remote_id=f"L{n:03d}", **fields(n, per_surname))
        for n in range(count)
    ]
    contacts = [
        Contact(source="hubspot", remote_id=f"C{n:03d}", **copy_of(n, per_surname))
        for n in range(copied)
    ]
    return leads, contacts


def write_people(
    engine: Engine, leads: Sequence[Lead], contacts: Sequence[Contact], at: datetime
) -> None:
    """The leads as Salesforce's and the contacts as HubSpot's, one page each."""
    with engine.begin() as connection:
        for source, stream, kind, records in (
            ("salesforce", "leads", "lead", leads),
            ("hubspot", "contacts", "contact", contacts),
        ):
            page = Page(
                stream=stream, records=list(records), state={"after": records[-1].remote_id}
            )
            write_page(connection, source, page, kind, None, at)
