"""Name lists (shipped as data files) and the ways real people mistype them.

Every function that varies a value takes the caller's ``random.Random`` so the generator
stays deterministic.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = [
    "PHONE_STYLES",
    "City",
    "CompanyStem",
    "FirstName",
    "add_accents",
    "ascii_slug",
    "cities",
    "company_stems",
    "company_variant",
    "customer_first_names",
    "draw_surname",
    "first_names",
    "format_phone",
    "last_names",
    "strip_accents",
    "typo",
]


@dataclass(frozen=True)
class FirstName:
    name: str
    nicknames: tuple[str, ...]
    language: str


@dataclass(frozen=True)
class City:
    city: str
    country: str
    iso: str
    dial: str
    currency: str
    region: str
    area_codes: tuple[str, ...]
    suffixes: tuple[str, ...]
    tld: str
    state: str = ""
    postal_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CompanyStem:
    stem: str
    industry: str
    abbreviation: str


def _rows(filename: str) -> list[list[str]]:
    text = resources.files("sandbox.generator").joinpath("data", filename)
    rows = []
    for line in text.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("|"))
    return rows


@cache
def first_names() -> tuple[FirstName, ...]:
    return tuple(
        FirstName(name, tuple(n for n in nicks.split(",") if n), lang)
        for name, nicks, lang in _rows("first_names.txt")
    )


@cache
def last_names() -> tuple[str, ...]:
    return tuple(row[0] for row in _rows("last_names.txt"))


@cache
def customer_first_names() -> tuple[FirstName, ...]:
    """The customers' first names: the staff's list and as many again (246, 77 Iberian)."""
    more = (
        FirstName(name, tuple(n for n in nicks.split(",") if n), lang)
        for name, nicks, lang in _rows("first_names_more.txt")
    )
    return (*first_names(), *more)


# Customers' surnames are heavy-tailed, as a real population's: the 80 of last_names.txt
# are the common head, drawn for 12% of people by rank (Smith about 1% of people, as in the
# 2010 US census), the rest from a long tail of 1,980 names built from name parts. Two
# people share a surname about once in 1,400 draws, a full name about once in 340,000
# (docs/sandbox.md). A flat list of 80 made it once in 80: every office had colleagues
# sharing a surname, and a city dozens of namesakes nothing could tell apart.
HEAD_SURNAME_SHARE = 0.12
_RANK_EXPONENT = 0.6
_STARTS = (
    "Ash", "Black", "Brad", "Brook", "Bur", "Cald", "Carr", "Chad", "Clay", "Cole", "Crane",
    "Dal", "Dun", "East", "Elm", "Fair", "Fal", "Fen", "Gar", "Glad", "Gold", "Grey", "Hal",
    "Ham", "Hart", "Hay", "Hol", "Kel", "Kings", "Lang", "Lind", "Lock", "Mar", "Mid", "Mor",
    "Nor", "Oak", "Pem", "Rad", "Ram", "Red", "Ros", "Rush", "Sel", "Shel", "Sher", "Stan",
    "Stock", "Sut", "Thorn", "Ter", "Wal", "Wen", "West", "Whit", "Wil", "Win", "Wood",
    "Wyn", "Yar",
)  # fmt: skip
_ENDS = (
    "by", "den", "er", "field", "ford", "gate", "ham", "hurst", "ington", "land", "ley",
    "low", "man", "mont", "more", "ney", "ridge", "shaw", "stead", "ston", "ton", "well",
    "wick", "win", "wood", "worth", "bury", "cott", "dale", "holm",
)  # fmt: skip
_STARTS_IBERIAN = (
    "Al", "Bar", "Cas", "Cor", "Fer", "Gal", "Mar", "Mon", "Ped", "Sal", "Val", "Vil", "Rib",
    "Tor", "Ber",
)  # fmt: skip
_ENDS_IBERIAN = (
    "ares", "eira", "edo", "ero", "illa", "ino", "ana", "oso", "ueta", "ández", "ado", "ales",
)  # fmt: skip


@cache
def surname_tail() -> tuple[str, ...]:
    """The long tail of customers' surnames (1,980), each as rare as the others."""
    found = [a + b for a in _STARTS for b in _ENDS]
    found += [a + b for a in _STARTS_IBERIAN for b in _ENDS_IBERIAN]
    return tuple(found)


@cache
def _head_weights() -> tuple[float, ...]:
    total, found = 0.0, []
    for rank in range(1, len(last_names()) + 1):
        total += rank**-_RANK_EXPONENT
        found.append(total)
    return tuple(found)


def draw_surname(rng: random.Random) -> str:
    """A customer's surname from the heavy-tailed distribution above."""
    if rng.random() < HEAD_SURNAME_SHARE:
        return rng.choices(last_names(), cum_weights=_head_weights())[0]
    return rng.choice(surname_tail())


@cache
def cities() -> tuple[City, ...]:
    return tuple(
        City(
            c, country, iso, dial, cur, region, tuple(areas.split(",")), tuple(s.split(",")), t,
            state, tuple(codes.split(",")),
        )
        for c, country, iso, dial, cur, region, areas, s, t, state, codes in _rows("cities.txt")
    )  # fmt: skip


@cache
def company_stems() -> tuple[CompanyStem, ...]:
    return tuple(CompanyStem(s, ind, abbr) for s, ind, abbr in _rows("company_stems.txt"))


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ß", "ss")


_ACCENTED = {"e": "é", "a": "á", "o": "ó", "i": "í", "u": "ü", "n": "ñ"}


def add_accents(text: str, rng: random.Random) -> str:
    """Put one accent where none belongs (``Jose`` -> ``Josè``-style keyboard slips)."""
    spots = [i for i, ch in enumerate(text) if ch in _ACCENTED]
    if not spots:
        return text
    i = rng.choice(spots)
    return text[:i] + _ACCENTED[text[i]] + text[i + 1 :]


def ascii_slug(text: str, sep: str = "") -> str:
    plain = strip_accents(text).lower()
    words = ["".join(ch for ch in w if ch.isalnum()) for w in plain.split()]
    return sep.join(w for w in words if w)


def typo(text: str, rng: random.Random) -> str:
    """One-letter substitution or a transposition of two neighbours."""
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    if rng.random() < 0.5 and text[i].isalpha() and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    letters = "aeiourstnl"
    sub = rng.choice([c for c in letters if c != text[i].lower()])
    return text[:i] + sub + text[i + 1 :]


def format_phone(e164: str, dial: str, style: str) -> str:
    """Render an E.164 number the way a person or an import tool would type it."""
    national = e164[len(dial) :]
    if style == "e164":
        return e164
    if dial == "+1":
        area, mid, last = national[:3], national[3:6], national[6:]
        return {
            "paren": f"({area}) {mid}-{last}",
            "dots": f"{area}.{mid}.{last}",
            "spaced": f"+1 {area} {mid} {last}",
            "local": f"{area}-{mid}-{last}",
        }[style]
    grouped = " ".join(national[i : i + 3] for i in range(0, len(national), 3))
    return {
        "paren": f"({dial}) {grouped}",
        "dots": f"00{dial[1:]}.{national}",
        "spaced": f"{dial} {grouped}",
        "local": f"0{national}" if dial not in ("+34", "+351") else national,
    }[style]


PHONE_STYLES = ("e164", "paren", "dots", "spaced", "local")


def company_variant(stem: CompanyStem, suffix: str, rng: random.Random) -> str:
    """A company name as someone else typed it: suffix, article, case, abbreviation."""
    roll = rng.random()
    if roll < 0.25:
        return stem.stem  # legal suffix dropped
    if roll < 0.4:
        return f"The {stem.stem} {suffix}"
    if roll < 0.55:
        return f"{stem.stem}, {suffix.rstrip('.')}"
    if roll < 0.7:
        return f"{stem.stem} {suffix}".upper()
    if roll < 0.8 and stem.abbreviation:
        return stem.abbreviation
    if roll < 0.9:
        return strip_accents(f"{stem.stem} {suffix}").replace(".", "")
    return typo(stem.stem, rng) + f" {suffix}"
