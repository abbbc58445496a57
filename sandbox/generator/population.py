"""The true customers: organisations and the people who work there.

These are the facts behind every CRM record; the records themselves (with their typos and
duplicates) are made in ``customers.py``.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field

from sandbox.generator.names import (
    City,
    CompanyStem,
    FirstName,
    ascii_slug,
    cities,
    company_stems,
    customer_first_names,
    draw_surname,
    first_names,
    last_names,
)

__all__ = ["Org", "Person", "build_population", "new_org", "new_person"]

_TITLES = (
    "Lab Manager",
    "Head of Quality",
    "Procurement Officer",
    "Research Scientist",
    "CTO",
    "Purchasing Manager",
    "Analytical Chemist",
    "Director of Operations",
    "QA Specialist",
    "Head of R&D",
)
_PERSONAL = ("gmail.com", "outlook.com", "yahoo.com", "gmx.de", "hotmail.es", "proton.me")
PLACEHOLDER_EMAILS = ("noemail@example.com", "n/a", "none@none.com")


@dataclass
class Org:
    identity: str
    stem: CompanyStem
    suffix: str
    city: City
    phone: str
    domain: str
    employees: int
    revenue: float
    people: list[Person] = field(default_factory=list)
    records: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.stem.stem} {self.suffix}"

    @property
    def iberian(self) -> bool:
        return self.city.region == "Iberia"

    @property
    def postal_code(self) -> str:
        """The postal code of its office: one of its city's business districts, chosen by
        its identity (no draw from the generator's random stream, which stays as it was)."""
        codes = self.city.postal_codes
        return codes[zlib.crc32(self.identity.encode()) % len(codes)] if codes else ""


@dataclass
class Person:
    identity: str
    first: FirstName
    last: str
    org: Org
    email: str
    personal_email: str
    phone: str
    mobile: str
    title: str
    # The name the main stream drew from the flat lists before names had a stream of their
    # own: every draw that depends on a name (a typo's place, which nickname) is made on
    # it too, so that the main and corruption streams draw as they did (see customers.py).
    drawn: tuple[FirstName, str]
    records: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.first.name} {self.last}"


def _number(rng: random.Random, city: City) -> str:
    area = rng.choice(city.area_codes)
    if city.dial == "+1":
        return f"+1{area}555{rng.randrange(10000):04d}"
    return f"{city.dial}{area}{rng.randrange(10**6, 10**7)}"


def new_org(rng: random.Random, number: int, iberian: bool | None = None) -> Org:
    pool = [c for c in cities() if iberian is None or (c.region == "Iberia") == iberian]
    city = rng.choice(pool)
    stem = rng.choice(company_stems())
    # Several branches of one stem exist (one per city); that is a real hard case too.
    domain_stem = ascii_slug(stem.stem, "-") if rng.random() < 0.5 else ascii_slug(stem.stem)
    domain = f"{domain_stem}{'-' + ascii_slug(city.city) if number % 3 else ''}.{city.tld}"
    return Org(
        identity=f"O{number:06d}",
        stem=stem,
        suffix=rng.choice(city.suffixes),
        city=city,
        phone=_number(rng, city),
        domain=domain,
        employees=rng.choice((12, 40, 85, 150, 400, 1200, 5000)),
        revenue=round(rng.uniform(1e6, 5e8), 2),
    )


def new_person(
    rng: random.Random,
    number: int,
    org: Org,
    namesake: Person | None = None,
    *,
    names: random.Random,
) -> Person:
    """A person at ``org``; ``namesake`` copies another person's name (a different human).

    The name comes from ``names``, a stream of its own; ``rng`` still draws a name from
    the flat lists names once came from (``Person.drawn``), so that every other value of a
    world (who works where, who buys what, every copy's corruption) stays as it was."""
    lang = "es" if org.iberian and rng.random() < 0.8 else None
    iberian = lang is not None
    drawn = (
        namesake.drawn
        if namesake
        else (
            rng.choice([f for f in first_names() if not iberian or f.language in ("es", "pt")]),
            rng.choice(last_names()),
        )
    )
    pool = [f for f in customer_first_names() if not iberian or f.language in ("es", "pt")]
    first = namesake.first if namesake else names.choice(pool)
    last = namesake.last if namesake else draw_surname(names)
    local = f"{ascii_slug(first.name)}.{ascii_slug(last)}"
    if rng.random() < 0.3:
        local = f"{ascii_slug(first.name)[0]}{ascii_slug(last)}"
    email = f"{local}@{org.domain}"
    if rng.random() < 0.03:
        email = rng.choice(PLACEHOLDER_EMAILS)
    personal = f"{ascii_slug(first.name)}{ascii_slug(last)}{rng.randrange(10, 99)}"
    # About a third of people only give the company switchboard.
    phone = org.phone if rng.random() < 0.3 else _number(rng, org.city)
    return Person(
        identity=f"P{number:06d}",
        first=first,
        last=last,
        org=org,
        email=email,
        personal_email=f"{personal}@{rng.choice(_PERSONAL)}",
        phone=phone,
        mobile=_number(rng, org.city),
        title=rng.choice(_TITLES),
        drawn=drawn,
    )


def build_population(
    rng: random.Random, names: random.Random, orgs: int, people: int, iberian_share: float
) -> tuple[list[Org], list[Person]]:
    org_list = [new_org(rng, i + 1, rng.random() < iberian_share) for i in range(orgs)]
    person_list: list[Person] = []
    for i in range(people):
        org = org_list[i % orgs] if i < orgs else rng.choice(org_list)
        namesake = rng.choice(person_list) if person_list and rng.random() < 0.01 else None
        person = new_person(rng, i + 1, org, namesake, names=names)
        org.people.append(person)
        person_list.append(person)
    return org_list, person_list
