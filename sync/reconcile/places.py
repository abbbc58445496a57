"""People's places compared: city, street and house number, postal code, state.

Each lands on a level like the other comparisons (``scoring.py``); a learned model counts
only the most specific agreeing place.
"""

from __future__ import annotations

from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from sync.reconcile.entities import Entity
from sync.reconcile.normalize import street_name

__all__ = ["IMPLIED", "add_address", "add_city", "most_specific_place"]

IMPLIED = "implied"  # the level of a city or state a more specific agreeing place implies

Raw = tuple[str, str, str, str]  # field, level, left, right


def _cmp(result: list[Raw], name: str, level: str, left: str, right: str) -> None:
    result.append((name, level, left, right))


def _jw(a: str, b: str) -> float:
    return JaroWinkler.similarity(a, b)


def add_city(a: Entity, b: Entity, out: list[Raw]) -> None:
    # People at branches of one company in different cities are different people; the
    # same city at one company is the office's (see ``_address``).
    same_org = any(c[0] == "organisation" and c[1] in _AGREE for c in out)
    if a.city and b.city:
        if a.city == b.city:
            level = "same"
        elif _jw(a.city, b.city) >= 0.9:
            level = "similar"
        else:
            level = "other"
        if not (same_org and level != "other"):
            _cmp(out, "city", level, a.city, b.city)


def _street_level(a: Entity, b: Entity) -> str:
    numbers_agree = a.house == b.house or not (a.house and b.house)
    if a.street == b.street:
        return "exact" if numbers_agree else "other_number"
    # token_set_ratio: a second line (building, locality) on one side only still agrees.
    if token_set_ratio(a.street, b.street) < 85 and _other_names(
        street_name(a.street), street_name(b.street)
    ):
        # Otherwise two streets whose own names differ are two streets, whatever type
        # words they share: "avenida de gracia" / "avenida de alcala" alike to the letter.
        return "different"
    alike = (
        token_set_ratio(a.street, b.street) >= 85
        or _jw(a.street, b.street) >= 0.9
        # a space typed inside a word ("brisban e ave")
        or _jw(a.street.replace(" ", ""), b.street.replace(" ", "")) >= 0.9
        # one house number on the street's own name, its type or second line typed
        # otherwise ("73 harrison treet" / "73 harrison st flat 79"); on other numbers the
        # same name is another street as often ("6 cedar wy" / "59 cedar pl")
        or (
            a.house != ""
            and a.house == b.house
            and _same_name(street_name(a.street), street_name(b.street))
        )
    )
    if alike:
        return "fuzzy" if numbers_agree else "other_number"
    return "different"


def _other_names(a: str, b: str) -> bool:
    if not a or not b or a.startswith(b) or b.startswith(a):
        return False  # a name missing, or cut short / run into its type ("dixondrive")
    return _jw(a, b) < 0.9 and not _same_name(a, b)


def _same_name(a: str, b: str) -> bool:
    if not a or not b:
        return False
    return a == b or (
        min(len(a), len(b)) >= 5 and DamerauLevenshtein.distance(a, b, score_cutoff=1) <= 1
    )


def _postal_level(a: str, b: str) -> str:
    if a == b:
        return "exact"
    if len(a) == len(b) and (
        sum(x != y for x, y in zip(a, b, strict=True)) == 1 or sorted(a) == sorted(b)
    ):
        return "fuzzy"  # one character mistyped, or two swapped
    if abs(len(a) - len(b)) == 1 and max(len(a), len(b)) >= 4:
        short, long = sorted((a, b), key=len)
        if any(long[:i] + long[i + 1 :] == short for i in range(len(long))):
            return "fuzzy"  # one character dropped ("420072" / "4200072")
    return "different"


_AGREE = frozenset({"exact", "fuzzy", "abbreviation"})


def add_address(a: Entity, b: Entity, out: list[Raw]) -> None:
    # Two namesakes at two companies of one business district are two people: when the
    # organisations differ, an agreeing address is where their offices are, not evidence.
    # When they agree, it is their company's address: colleagues share it, so it says
    # nothing the organisation did not (counted as well, it made colleagues one person).
    offices = any(c[0] == "organisation" for c in out)
    found: list[Raw] = []
    if a.street and b.street:
        left, right = f"{a.house} {a.street}".strip(), f"{b.house} {b.street}".strip()
        _cmp(found, "street", _street_level(a, b), left, right)
    if a.postcode and b.postcode:
        level = _postal_level(a.postcode, b.postcode)
        _cmp(found, "postal_code", level, a.postcode, b.postcode)
    if a.state and b.state:
        _cmp(found, "state", _state_level(a.state, b.state), a.state, b.state)
    out.extend(c for c in found if not (offices and c[1] in _AGREE))


# Places from the most specific: one street implies its postal code, city and state.
_PLACES = ("street", "postal_code", "city", "state")
_PLACE_AGREES = frozenset({"exact", "fuzzy", "same", "similar", "abbreviation"})
_IMPLIED = ("postal_code", "city", "state")  # said by an agreeing street (or postal code)


def most_specific_place(out: list[Raw]) -> list[Raw]:
    """Leave out an agreeing city or state when a more specific place agrees too.

    A street says its postal code, and a street or postal code says the city and the
    state: counted again they made neighbours, and colleagues whose company was left out,
    one person (the office's street, postal code, city and state added up to 27 against
    two different names at -10; at a million people a shared street and postal code
    together, 23, outweighed a lone surname that differed). A postal code still counts
    where the streets do not agree (one mistyped, or missing), and one character off
    beside the same street is a typo that still counts. A postal code one character
    off implies the city too: it is a typo or a neighbouring district of the same city
    ("75001" / "75002"). Disagreements all still count.

    The implied postal code, city or state stays as the level ``implied``: it weighs what
    it adds where the street does not say the postal code, or the postal code the city
    (``frequencies.implied_weights``), nothing where it does.
    """
    agreeing = {c[0] for c in out if c[0] in _PLACES and c[1] in _PLACE_AGREES}
    if not agreeing:
        return out
    top = min(_PLACES.index(f) for f in agreeing)
    return [(c[0], IMPLIED, c[2], c[3]) if _implied(c[0], c[1], top) else c for c in out]


def _implied(fld: str, level: str, top: int) -> bool:
    if fld == "postal_code":  # the same code at an agreeing street; a typo in it says more
        return top == 0 and level == "exact"
    return fld in _IMPLIED and _PLACES.index(fld) > top and level in _PLACE_AGREES


def _state_level(a: str, b: str) -> str:
    if a == b:
        return "exact"
    short, long = sorted((a, b), key=len)
    if " " not in short and len(short) <= 3 and short[0] == long[0]:
        # "nsw" / "new south wales", "ma" / "massachusetts": a code may be the name's
        # abbreviation; without a table of codes this is only "may be", so no weight.
        letters = iter(long.replace(" ", ""))
        if all(c in letters for c in short):
            return "abbreviation"
    return "different"
