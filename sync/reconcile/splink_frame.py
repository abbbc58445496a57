"""People entities as the table the Splink engine reads, and its blocking rules.

Each column is a value ``entities.py`` already normalised (folded names, canonical e-mail,
E.164 phone, house number and street, city, postal code, state, company key, domain);
blanks and placeholders are NULL. Derived columns serve blocking and comparison: the
canonical form of a first name under the nickname table, a Soundex code of each name,
three-letter prefixes, an e-mail's local part, and ``link_group`` (the records tied by a
conversion, a merge or an admin link, so Splink scores those pairs too).

Blocking rules are equalities of columns (``l.a = r.b AND ...``); the same description
gives the SQL Splink runs and the keys a record is stored under (``reconcile_keys``), so an
incremental run finds every record a changed one would be compared with. Every rule needs
two values to agree, except e-mail, phone and link group, whose values held by more than
``max_key_records`` records are left out of blocking (a switchboard number, a bulk
import's shared address) so no key goes quadratic.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from sync.reconcile.blocking import postcode_digits
from sync.reconcile.entities import Entity
from sync.reconcile.nicknames import NICKNAMES

__all__ = [
    "BLOCKING_RULES",
    "COLUMNS",
    "Rule",
    "frame_rows",
    "link_groups",
    "record_keys",
    "row_of",
    "rule_sql",
    "soundex",
]

# Columns compared (and, with the derived ones, blocked on).
COLUMNS = (
    "first_name", "first_canon", "last_name", "first_sx", "last_sx", "first3", "last3",
    "email", "email_local", "phone", "house", "street", "street3", "city", "city3", "postcode",
    "state", "company", "domain",
)  # fmt: skip
# Blocking-only copies of the single-field keys, blank where a value is too common.
CAPPED = ("email", "phone")

# (name, left columns, right columns): ``l.left[k] = r.right[k]`` for every k.
Rule = tuple[str, tuple[str, ...], tuple[str, ...]]
_NAMES = ("first_name", "last_name")
# ``postcode_s``: the postal code with its characters sorted, for blocking only (see
# ``blocking.postcode_digits``: a code typed with two digits swapped still blocks).
_PLACES = ("postcode_s", "city", "house")


def _rules() -> list[Rule]:
    rules: list[Rule] = [
        ("e", ("email_b",), ("email_b",)),
        ("p", ("phone_b",), ("phone_b",)),
        ("g", ("link_group",), ("link_group",)),
        ("n", _NAMES, _NAMES),
        ("nc", ("first_canon", "last_name"), ("first_canon", "last_name")),
        ("ns", _NAMES, _NAMES[::-1]),
        ("sx", ("first_sx", "last_sx"), ("first_sx", "last_sx")),
        ("hp", ("house", "postcode_s"), ("house", "postcode_s")),
        ("hc", ("house", "city"), ("house", "city")),
        ("hs", ("house", "street"), ("house", "street")),
        ("p3", ("first3", "last3"), ("first3", "last3")),
        ("ls3", ("last3", "street3"), ("last3", "street3")),
        ("fs3", ("first3", "street3"), ("first3", "street3")),
        ("lc3", ("last3", "city"), ("last3", "city")),
        ("fc3", ("first3", "city"), ("first3", "city")),
    ]
    for field in (*_NAMES, "street"):
        rules += [(f"{field}+{place}", (field, place), (field, place)) for place in _PLACES]
    rules += [(f"{name}+street", (name, "street"), (name, "street")) for name in _NAMES]
    # The same person with first and last name swapped, in the same place.
    rules += [
        (f"swap:{a}+{place}", (a, place), (b, place))
        for a, b in (_NAMES, _NAMES[::-1])
        for place in ("postcode_s", "city")
    ]
    # Heavier corruption: a prefix or sound of one field within a postal code or suburb.
    rules += [
        (f"{field}+postcode", (field, "postcode"), (field, "postcode"))
        for field in ("first3", "last3", "street3", "first_sx", "last_sx")
    ]
    rules += [("street3+city", ("street3", "city"), ("street3", "city"))]
    rules += [(f"{name}+city3", (name, "city3"), (name, "city3")) for name in _NAMES]
    rules += [
        (f"swap:{a}+{place}", (a, place), (b, place))
        for a, b in (("first3", "last3"), ("last3", "first3"))
        for place in ("postcode", "house")
    ]
    rules += [(f"swap:{a}+house", (a, "house"), (b, "house")) for a, b in (_NAMES, _NAMES[::-1])]
    # Colleagues' records scoped by their organisation.
    rules += [(f"{name}+company", (name, "company"), (name, "company")) for name in _NAMES]
    rules += [(f"{name}+domain", (name, "domain"), (name, "domain")) for name in _NAMES]
    return rules


BLOCKING_RULES: list[Rule] = _rules()


def rule_sql(rule: Rule) -> str:
    """The rule as Splink's SQL condition."""
    _, left, right = rule
    return " AND ".join(f"l.{a} = r.{b}" for a, b in zip(left, right, strict=True))


def _soundex_codes() -> dict[str, str]:
    codes: dict[str, str] = {}
    for digit, letters in enumerate(("bfpv", "cgjkqsxz", "dt", "l", "mn", "r"), start=1):
        codes.update(dict.fromkeys(letters, str(digit)))
    return codes


_SOUNDEX = _soundex_codes()


def soundex(name: str) -> str | None:
    """American Soundex of a folded name ("robert" / "rupert" -> r163); None when blank."""
    letters = [c for c in name if c.isalpha()]
    if not letters:
        return None
    code, last = letters[0], _SOUNDEX.get(letters[0], "")
    for char in letters[1:]:
        digit = _SOUNDEX.get(char, "")
        if digit and digit != last:
            code += digit
        if char not in "hw":
            last = digit
        if len(code) == 4:
            break
    return code.ljust(4, "0")


def _canonical(first: str) -> str | None:
    if not first:
        return None
    forms = NICKNAMES.get(first)
    return min(forms) if forms else first


def _blank(value: str | None) -> str | None:
    return value or None


def row_of(entity: Entity) -> dict[str, Any]:
    """The comparison columns of one entity (without ``link_group`` and the capped keys)."""
    email = entity.emails[0] if entity.emails else None
    return {
        "first_name": _blank(entity.first),
        "first_canon": _canonical(entity.first),
        "last_name": _blank(entity.last),
        "first_sx": soundex(entity.first),
        "last_sx": soundex(entity.last),
        "first3": _blank(entity.first[:3]),
        "last3": _blank(entity.last[:3]),
        "email": email,
        "email_local": email.split("@", 1)[0] if email else None,
        "phone": entity.phones[0] if entity.phones else None,
        "house": _blank(entity.house),
        "street": _blank(entity.street),
        "street3": _blank(entity.street[:3]),
        "city": _blank(entity.city),
        "city3": _blank(entity.city[:3]),
        "postcode": _blank(entity.postcode),
        "postcode_s": _blank(postcode_digits(entity.postcode)),
        "state": _blank(entity.state),
        "company": _blank(entity.company),
        "domain": _blank(entity.domain),
    }


def link_groups(
    entities: Sequence[Entity], links: Iterable[tuple[str, str]] = (), cap: int = 50
) -> list[str | None]:
    """Per entity, the key of the group of records tied to it by evidence (``must``) or an
    admin link among ``entities``; None for a record tied to none, or to more than ``cap``."""
    index = {e.key: n for n, e in enumerate(entities)}
    parent = list(range(len(entities)))

    def find(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    tied = [(n, index[o]) for n, e in enumerate(entities) for o in e.must if o in index]
    tied += [(index[a], index[b]) for a, b in links if a in index and b in index]
    for a, b in tied:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = [find(n) for n in range(len(entities))]
    sizes = Counter(roots)
    return [
        entities[root].key if 1 < sizes[root] <= cap else None
        for root in roots  # the smallest key of a group names it: stable across runs
    ]


def frame_rows(
    entities: Sequence[Entity], groups: Sequence[str | None], max_key_records: int
) -> list[dict[str, Any]]:
    """The rows of the Splink table: ``unique_id`` is the entity's index."""
    rows = [row_of(e) for e in entities]
    for column in CAPPED:
        counts = Counter(row[column] for row in rows if row[column])
        for row in rows:
            value = row[column]
            row[f"{column}_b"] = value if value and counts[value] <= max_key_records else None
    for n, (row, group) in enumerate(zip(rows, groups, strict=True)):
        row["unique_id"] = n
        row["link_group"] = group
    return rows


def record_keys(entity: Entity) -> list[str]:
    """The keys a record is stored under: two records Splink's rules would compare share
    one (a superset: the link group and the cap are not keyed; evidence is found apart)."""
    row = row_of(entity)
    row["email_b"], row["phone_b"] = row["email"], row["phone"]
    keys: set[str] = set()
    for name, left, right in BLOCKING_RULES:
        if name == "g":
            continue
        for side in {left, right}:
            values = [row[c] for c in side]
            if all(values):
                keys.add(f"s{name.split(':')[0]}:" + "|".join(values))
    return sorted(keys)
