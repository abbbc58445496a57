"""Normalisation of the values reconciliation compares: e-mails, phones, names, companies,
addresses. Placeholders (``PLACEHOLDERS``: "[not provided]", "n/a", "xxx"...) are missing
values for every field: they normalise to the empty string, like a blank.

Every function is pure, total (garbage in -> ``None`` out, never an exception) and cached
where the same values repeat (phones, countries, company names).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers

__all__ = [
    "FREE_MAIL_DOMAINS",
    "PLACEHOLDERS",
    "PLACEHOLDER_EMAILS",
    "clear_caches",
    "company_key",
    "country_region",
    "domain_of",
    "email_domain",
    "email_key",
    "fold",
    "is_free_mail",
    "is_placeholder",
    "name_key",
    "phone_key",
    "place_key",
    "postal_key",
    "street_key",
    "street_name",
]

PLACEHOLDER_EMAILS = frozenset(
    {
        "noemail@example.com",
        "none@none.com",
        "no@email.com",
        "test@test.com",
        "info@example.com",
        "email@example.com",
        "unknown@unknown.com",
        "na@na.com",
    }
)
_PLACEHOLDER_LOCALS = frozenset({"noemail", "no-email", "none", "na", "n/a", "unknown", "test"})
_PLACEHOLDER_DOMAINS = frozenset({"example.com", "example.org", "example.net", "test.com"})

FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.es",
        "hotmail.co.uk",
        "hotmail.fr",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.es",
        "yahoo.co.uk",
        "yahoo.fr",
        "ymail.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "proton.me",
        "protonmail.com",
        "mail.com",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "telefonica.net",
        "libero.it",
        "qq.com",
        "163.com",
    }
)
# Providers where "+tag" is documented as an alias of the same mailbox.
_PLUS_SAFE = frozenset({"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "proton.me"})
_GMAIL = frozenset({"gmail.com", "googlemail.com"})

_LEGAL_SUFFIXES = frozenset(
    [
        "inc",
        "incorporated",
        "llc",
        "ltd",
        "limited",
        "corp",
        "corporation",
        "co",
        "company",
        "plc",
        "gmbh",
        "ag",
        "kg",
        "sa",
        "sas",
        "sarl",
        "sl",
        "slu",
        "srl",
        "spa",
        "bv",
        "nv",
        "oy",
        "ab",
        "as",
        "aps",
        "lda",
        "sociedad",
        "anonima",
        "limitada",
        "pty",
        "pte",
        "llp",
        "lp",
    ]
)
_STOPWORDS = frozenset({"the", "de", "la", "el", "and", "y", "et", "und", "of"})
_TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "prof",
        "sir",
        "madam",
        "sr",
        "sra",
        "srta",
        "don",
        "dona",
        "herr",
        "frau",
        "mme",
        "mlle",
    ]
)
_NON_WORD = re.compile(r"[^0-9a-z]+")

# What people, forms and CRMs type when they have no value, compared after ``fold`` (so
# "[Not Provided]", "N/A" and "n.a." are covered by "not provided" and "n a"). Values that
# fold to nothing ("-", "?", "...") and repeated single characters ("xxx", "0000") are
# placeholders too (``is_placeholder``). Salesforce web-to-lead stores "[not provided]" in
# a Lead's required Company and Last Name when the form leaves them out; "no name",
# "unknown" and "not available" are what HubSpot and Zoho imports and exports write for
# records shown without a name. A real surname "Na" is lost with "n/a": it counts as
# missing (no weight either way), never as a different name.
PLACEHOLDERS = frozenset(
    {
        "not provided",
        "not available",
        "not applicable",
        "not given",
        "not specified",
        "unspecified",
        "unknown",
        "n a",
        "na",
        "n d",
        "none",
        "null",
        "nil",
        "nan",
        "undefined",
        "empty",
        "blank",
        "tbd",
        "tba",
        "test",
        "testing",
        "test test",
        "asdf",
        "x",
        "xx",
        "no name",
        "noname",
        "no company",
        "no last name",
        "no first name",
        "unknown company",
        "unknown contact",
        "unknown lead",
    }
)
_REPEATED = re.compile(r"^(.)\1{2,}$")


@lru_cache(maxsize=200_000)
def fold(value: str | None) -> str:
    """Lower case, accents removed, punctuation to single spaces (``"Ñúñez-Pé"`` -> nunez pe)."""
    if not value:
        return ""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    ascii_only = ascii_only.translate(_LETTERS)
    return _NON_WORD.sub(" ", ascii_only).strip()


# Letters Unicode does not decompose into a base letter and a mark: without these
# "Łukasz" folded to "ukasz" and "Đorđević" to "orevic".
_LETTERS = str.maketrans(
    {"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
     "ħ": "h", "ı": "i", "ŀ": "l", "ŧ": "t"}
)  # fmt: skip


@lru_cache(maxsize=200_000)
def is_placeholder(value: str | None) -> bool:
    """Whether a non-blank value stands for "no value" (see ``PLACEHOLDERS``)."""
    if value is None or not value.strip():
        return False
    folded = fold(value)
    compact = folded.replace(" ", "")
    return not folded or folded in PLACEHOLDERS or bool(_REPEATED.match(compact))


def clear_caches() -> None:
    """Let the normalisers' remembered answers go: they serve one load of records (a name,
    a street or a phone met again in it). A million people's filled a million entries
    that stayed held, and kept the memory around them from reuse, for the rest of a run."""
    for cached in (fold, is_placeholder, street_key, phone_key, name_key, company_key):
        cached.cache_clear()


def place_key(value: str | None) -> str:
    """A folded city or state; placeholders are blank."""
    return "" if is_placeholder(value) else fold(value)


def postal_key(value: str | None) -> str:
    """A postal code without spaces or dashes (``"M5H 2N2"`` -> ``m5h2n2``); a US ZIP+4
    as its ZIP (``"02139-4307"`` -> ``02139``): forms and imports keep one or the other
    for the same address, and the four digits say no more than the street does."""
    if value is None or is_placeholder(value):
        return ""
    zip_plus_four = _ZIP_PLUS_FOUR.match(value.strip())
    if zip_plus_four:
        return zip_plus_four.group(1)
    return fold(value).replace(" ", "")


_ZIP_PLUS_FOUR = re.compile(r"^(\d{5})[-\s]\d{4}$")


# Street types as the postal services abbreviate them, so "6 Tullaroop Street" and
# "6 tullaroop st" are one street.
_STREET_TYPES = {
    "street": "st", "str": "st", "road": "rd", "avenue": "ave", "av": "ave", "drive": "dr",
    "place": "pl", "crescent": "cres", "court": "ct", "lane": "ln", "boulevard": "blvd",
    "terrace": "tce", "parade": "pde", "highway": "hwy", "circuit": "cct", "close": "cl",
    "square": "sq", "grove": "gr", "parkway": "pkwy", "way": "wy",
}  # fmt: skip
_NUMBER = re.compile(r"^\d+[a-z]?$")
# A number after one of these is a flat, floor or box, not the house number.
_UNIT_WORDS = frozenset(
    {
        "flat",
        "unit",
        "apt",
        "apartment",
        "suite",
        "ste",
        "level",
        "floor",
        "fl",
        "wing",
        "room",
        "box",
        "building",
        "bldg",
    }
)


@lru_cache(maxsize=200_000)
def street_key(value: str | None) -> tuple[str, str]:
    """(house number, street words) of a street line: ``"6 Tullaroop Street"`` ->
    ``("6", "tullaroop st")``; either part may be blank, placeholders are blank."""
    if is_placeholder(value):
        return "", ""
    words = [_STREET_TYPES.get(w, w) for w in fold(value).split()]
    for index, word in enumerate(words):
        if _NUMBER.match(word) and (index == 0 or words[index - 1] not in _UNIT_WORDS):
            return word, " ".join(words[:index] + words[index + 1 :])
    return "", " ".join(words)


# Words naming a street's type or a unit, in the languages the CRMs' addresses come in:
# what is left is the street's own name ("harrison" in "harrison st flat 79").
_TYPE_WORDS = (
    frozenset(_STREET_TYPES.values())
    | _UNIT_WORDS
    | {"calle", "c", "avda", "avenida", "paseo", "plaza", "pza", "rua", "r", "praca", "pc"}
    | {"rue", "via", "viale", "no", "de", "del", "la", "da", "do", "dos", "das", "the"}
)


def street_name(street: str) -> str:
    """The street's own name: the first word of the (folded) street words that is not a
    street type, a unit or an article; blank when there is none."""
    for word in street.split():
        if len(word) >= 3 and word not in _TYPE_WORDS and not word[0].isdigit():
            return word
    return ""


def email_key(value: str | None) -> str | None:
    """Canonical e-mail, or ``None`` for blanks, placeholders and non-addresses."""
    if not value:
        return None
    email = value.strip().lower()
    if email.count("@") != 1:
        return None
    local, domain = email.split("@")
    if not local or "." not in domain or email in PLACEHOLDER_EMAILS:
        return None
    if local in _PLACEHOLDER_LOCALS or domain in _PLACEHOLDER_DOMAINS:
        return None
    if domain in _PLUS_SAFE:
        local = local.split("+", 1)[0]
    if domain in _GMAIL:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def email_domain(email: str | None) -> str | None:
    """The domain of a canonical e-mail."""
    return email.rsplit("@", 1)[1] if email and "@" in email else None


def is_free_mail(domain: str | None) -> bool:
    """Whether a domain belongs to a free mail provider (never a company key)."""
    return bool(domain) and domain in FREE_MAIL_DOMAINS


def domain_of(website: str | None) -> str | None:
    """``https://www.Acme.com/about`` -> ``acme.com``; free-mail domains -> ``None``."""
    if not website:
        return None
    host = website.strip().lower()
    host = re.sub(r"^[a-z]+://", "", host).split("/", 1)[0].split(":", 1)[0]
    if "@" in host:
        host = host.rsplit("@", 1)[1]
    host = host.removeprefix("www.").strip(".")
    if "." not in host or is_free_mail(host) or host in _PLACEHOLDER_DOMAINS:
        return None
    return host


@lru_cache(maxsize=1024)
def country_region(country: str | None) -> str | None:
    """ISO region for a country name or code (``"United Kingdom"`` -> ``GB``)."""
    if not country:
        return None
    key = fold(country)
    if len(key) == 2 and key.upper() in _REGION_CODES:
        return key.upper()
    return _country_names().get(key)


_REGION_CODES = frozenset(phonenumbers.SUPPORTED_REGIONS)


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    from babel import Locale

    names: dict[str, str] = {}
    for language in ("en", "es", "de", "fr", "pt"):
        for code, name in Locale(language).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(fold(name), code)
    names.update({"usa": "US", "us": "US", "uk": "GB", "england": "GB", "espana": "ES"})
    return names


@lru_cache(maxsize=500_000)
def phone_key(value: str | None, region: str | None = None) -> str | None:
    """The number in E.164, parsed with ``region`` as default; ``None`` when not a number."""
    if not value:
        return None
    text = value.strip().replace("(0)", "")
    digits = re.sub(r"\D", "", text)
    if len(digits) < 6:
        return None
    if text.startswith("00"):
        text = "+" + text[2:]
        digits = digits[2:]
    if text.lstrip("(").startswith("+") and 8 <= len(digits) <= 15:
        # Already international: the digits are country code + national number (fast path;
        # phonenumbers is only needed to apply a region to national formats).
        return "+" + digits
    try:
        number = phonenumbers.parse(text, region or "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        # Unusual lengths still identify a line: keep the digits with the country code.
        return f"+{number.country_code}{number.national_number}"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=200_000)
def name_key(value: str | None) -> str:
    """A folded person-name part without titles (``"Dr. José"`` -> ``jose``); blank for a
    placeholder."""
    if is_placeholder(value):
        return ""
    words = [w for w in fold(value).split() if w not in _TITLES]
    return " ".join(words)


@lru_cache(maxsize=200_000)
def company_key(value: str | None) -> str:
    """A company name without legal suffixes, articles and punctuation; blank for a
    placeholder ("[not provided]", "Unknown Ltd")."""
    if is_placeholder(value):
        return ""
    words = fold(value).split()
    kept = [w for w in words if w not in _LEGAL_SUFFIXES and w not in _STOPWORDS]
    # "S.A." folds to "s a": drop trailing single letters left by dotted suffixes.
    while len(kept) > 1 and len(kept[-1]) == 1:
        kept.pop()
    key = " ".join(kept)
    return "" if is_placeholder(key) else key
