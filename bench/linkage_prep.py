"""Record preparation for the Splink benchmark: placeholders to NULL, street lines split,
and the label-free threshold rule.

Pure functions over strings, no third-party imports, so the unit tests load this file alone.
A learned matcher must see "nothing here" as NULL: a placeholder that many records share
(``[not provided]``) would otherwise look like strong agreement, and an empty string like
a disagreement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from itertools import groupby
from typing import Any

__all__ = [
    "CANONICAL",
    "PLACEHOLDERS",
    "canonical_from_crm",
    "canonical_from_febrl",
    "choose_threshold",
    "clean",
    "split_street",
]

# The columns the model compares, whatever the record's origin.
CANONICAL = (
    "given_name",
    "surname",
    "street_number",
    "street",
    "address_2",
    "suburb",
    "postcode",
    "state",
)
# Values that CRMs, web forms and imports write where the person gave nothing (compared
# after lower-casing and collapsing spaces).
PLACEHOLDERS = frozenset(
    {
        "[not provided]",
        "not provided",
        "n/a",
        "na",
        "none",
        "null",
        "unknown",
        "-",
        "--",
        ".",
        "?",
        "tbd",
        "[unknown]",
    }
)
_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"^(\d+[a-z]?)\s+(.+)$")


def clean(value: Any) -> str | None:
    """Lower-cased, spaces collapsed; None for missing, empty and placeholder values."""
    if value is None or (isinstance(value, float) and value != value):  # NaN
        return None
    text = _SPACES.sub(" ", str(value)).strip().lower()
    return None if not text or text in PLACEHOLDERS else text


def canonical_from_febrl(person: Mapping[str, Any]) -> dict[str, str | None]:
    """A FEBRL record's names and address as the model's columns (address_1 is the street)."""
    out = {c: clean(person.get(c)) for c in CANONICAL if c != "street"}
    out["street"] = clean(person.get("address_1"))
    return {c: out[c] for c in CANONICAL}


def split_street(value: Any) -> tuple[str | None, str | None, str | None]:
    """(number, street, second line) of a one-field street address.

    Salesforce's ``Street`` separates lines with a newline, HubSpot's ``address`` with a
    comma. A first line that starts with a number gives the street number; otherwise the
    whole first line is the street.
    """
    if value is None:
        return None, None, None
    text = str(value)
    first, sep, rest = text.partition("\n")
    if not sep:
        first, _, rest = text.partition(",")
    first_clean, second = clean(first), clean(rest)
    if first_clean is None:
        return None, None, second
    match = _NUMBER.match(first_clean)
    if match:
        return match.group(1), clean(match.group(2)), second
    if first_clean.isdigit():
        return first_clean, None, second
    return None, first_clean, second


# CRM field names of each canonical column (Salesforce Lead, HubSpot contact).
_CRM_FIELDS = {
    "salesforce": {
        "given_name": "FirstName",
        "surname": "LastName",
        "street": "Street",
        "suburb": "City",
        "postcode": "PostalCode",
        "state": "State",
    },
    "hubspot": {
        "given_name": "firstname",
        "surname": "lastname",
        "street": "address",
        "suburb": "city",
        "postcode": "zip",
        "state": "state",
    },
}


def canonical_from_crm(source: str, payload: Mapping[str, Any]) -> dict[str, str | None]:
    """A Salesforce Lead's or HubSpot contact's body as the model's columns."""
    fields = _CRM_FIELDS[source]
    number, street, second = split_street(payload.get(fields["street"]))
    return {
        "given_name": clean(payload.get(fields["given_name"])),
        "surname": clean(payload.get(fields["surname"])),
        "street_number": number,
        "street": street,
        "address_2": second,
        "suburb": clean(payload.get(fields["suburb"])),
        "postcode": clean(payload.get(fields["postcode"])),
        "state": clean(payload.get(fields["state"])),
    }


def choose_threshold(probabilities: Iterable[float], target: float) -> float:
    """The lowest match probability whose pairs the model itself expects to be ``target``
    precise: from the most probable down, the most pairs whose mean probability (the
    expected share of true matches among them, if the model is calibrated) is at least
    ``target``; pairs with equal probability are taken or left together. No label is read.
    1.0 when not even the most probable pairs qualify."""
    total, count, chosen = 0.0, 0, 1.0
    for p, group in groupby(sorted(probabilities, reverse=True)):
        size = sum(1 for _ in group)
        total, count = total + p * size, count + size
        if total / count < target:
            break
        chosen = p
    return chosen
