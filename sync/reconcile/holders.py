"""How many different people hold one phone or e-mail: a value many people hold (a
switchboard, info@...) is weak evidence that two of them are one (``scoring.py``)."""

from __future__ import annotations

from collections import Counter

from rapidfuzz.distance import JaroWinkler

from sync.reconcile.nicknames import same_first_name
from sync.reconcile.normalize import email_domain, is_free_mail

__all__ = ["email_holders", "people"]

Names = list[tuple[str, ...]]  # the names of each record holding a value


def people(names: Names, cap: int = 20) -> int:
    """How many different people a list of names is: variants of one name count once."""
    if len(names) > cap:
        return len(names)
    groups: list[list[str]] = []
    for parts in names:
        if not parts:
            continue  # a record without a name may be anyone's: it adds nobody
        # A record alike to several groups joins them: "thomson" / "holly" are one person
        # once "thomson holly" holds the address too (Splink's fake_1000, where each of
        # a person's records keeps a part of the name), whatever order they come in.
        alike = [g for g in groups if any(_alike(x, y) for x in parts for y in g)]
        joined = [name for group in alike for name in group] + list(parts)
        groups = [g for g in groups if not any(g is a for a in alike)] + [joined]
    return max(1, len(groups))


def _alike(a: str, b: str) -> bool:
    return a == b or same_first_name(a, b) or JaroWinkler.similarity(a, b) >= 0.85


def email_holders(names_by_email: dict[str, Names]) -> Counter[str]:
    """How many people hold each e-mail more than one record holds. A work address held
    by two records is one person's mailbox whatever their names say: the names are
    compared on their own, and counted here as well they kept a person whose names were
    both mistyped apart from their own work address. A shared mailbox (a team's, a
    family's free-mail one) is held by more records, or is free mail."""
    found: Counter[str] = Counter()
    for email, names in names_by_email.items():
        if len(names) > 2 or (len(names) == 2 and is_free_mail(email_domain(email))):
            found[email] = people(names)
    return found
