"""Street addresses of the customers' offices, and the ways the same address gets typed.

An organisation's street is chosen by its identity (no draw from the generator's random
stream, which stays as it was): the same office gives the same street in every CRM, and
only a person's copy typed by someone else varies it.
"""

from __future__ import annotations

import random
import re
import zlib

from sandbox.generator.misspell import keyboard_typo, phonetic, transpose
from sandbox.generator.names import City

__all__ = ["city_typo", "office_street", "postcode_typo", "street_variant"]

_NAMES = (
    "High", "Church", "Station", "Main", "Park", "Victoria", "Mill", "King", "Queen",
    "Market", "Oak", "Elm", "Maple", "Cedar", "Lake", "Hill", "River", "Bridge", "York",
    "Albert", "Harbour", "Commerce", "Science Park", "Innovation", "Franklin", "Washington",
)  # fmt: skip
_TYPES = ("Street", "Road", "Avenue", "Drive", "Lane", "Boulevard", "Place", "Way")
_NAMES_ES = ("Mayor", "de Alcalá", "del Prado", "de la Ciencia", "Serrano", "de Gràcia")
_TYPES_ES = ("Calle", "Avenida", "Paseo", "Plaza")
_NAMES_PT = ("Augusta", "da Liberdade", "de Santa Catarina", "do Comércio", "Aurea")
_TYPES_PT = ("Rua", "Avenida", "Praça")

# Long form -> what a hurried typist writes. Matched as whole words.
ABBREVIATIONS = {
    "Street": "St",
    "Road": "Rd",
    "Avenue": "Ave",
    "Drive": "Dr",
    "Lane": "Ln",
    "Boulevard": "Blvd",
    "Place": "Pl",
    "Way": "Wy",
    "Calle": "C/",
    "Avenida": "Avda.",
    "Paseo": "Pº",
    "Plaza": "Pza.",
    "Rua": "R.",
    "Praça": "Pç.",
}
_UNITS = ("Suite {n}", "Unit {n}", "Floor {n}", "Building {n}", "Apt {n}")


def office_street(identity: str, city: City) -> str:
    """The street line of an organisation's office, in its country's usual order."""
    h = zlib.crc32(f"{identity}:street".encode())
    number = 1 + h % 180
    if city.iso == "ES":
        return f"{_TYPES_ES[h % 4]} {_NAMES_ES[(h >> 8) % len(_NAMES_ES)]}, {number}"
    if city.iso == "PT":
        return f"{_TYPES_PT[h % 3]} {_NAMES_PT[(h >> 8) % len(_NAMES_PT)]}, {number}"
    return f"{number} {_NAMES[(h >> 8) % len(_NAMES)]} {_TYPES[(h >> 16) % len(_TYPES)]}"


def _abbreviate(street: str) -> str:
    for long, short in ABBREVIATIONS.items():
        street, n = re.subn(rf"\b{long}\b", short, street, count=1)
        if n:
            return street
    return street


def street_variant(street: str, rng: random.Random) -> str:
    """The same address written another way: street type abbreviated, a unit line added
    (``Suite 4, 12 High St``), house number dropped or moved, or all in capitals."""
    kind = rng.choice(("abbreviate", "abbreviate", "unit", "number", "upper"))
    if kind == "abbreviate":
        return _abbreviate(street)
    if kind == "unit":
        unit = rng.choice(_UNITS).format(n=rng.randrange(1, 40))
        return f"{unit}, {_abbreviate(street) if rng.random() < 0.5 else street}"
    if kind == "number":
        bare = re.sub(r"(^\d+\s+|,?\s*\d+$)", "", street)
        if bare != street and rng.random() < 0.5:
            return bare  # the house number left out
        number = re.search(r"\d+", street)
        return f"No. {number.group()} {bare}" if number else street
    return street.upper()


def postcode_typo(code: str, rng: random.Random) -> str:
    """A postal code mistyped: two characters swapped, a digit off by a neighbouring key,
    a character dropped, or (for codes with a space) the space left out."""
    if len(code) < 3:
        return code
    if " " in code and rng.random() < 0.3:
        return code.replace(" ", "")
    kind = rng.choice(("swap", "digit", "drop"))
    spots = [i for i in range(len(code) - 1) if code[i] != " " and code[i + 1] != " "]
    i = rng.choice(spots)
    if kind == "swap" and code[i] != code[i + 1]:
        return code[:i] + code[i + 1] + code[i] + code[i + 2 :]
    if kind in ("swap", "digit") and code[i].isdigit():
        digit = (int(code[i]) + rng.choice((-1, 1))) % 10
        return code[:i] + str(digit) + code[i + 1 :]
    return code[:i] + code[i + 1 :]


def city_typo(city: str, rng: random.Random) -> str:
    """A city (or suburb) name misspelt: a keyboard slip, a transposition, or by ear."""
    slip = rng.choice((keyboard_typo, transpose, phonetic))
    return slip(city, rng)
