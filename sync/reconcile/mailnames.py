"""Names an e-mail address spells: "klausmarham72@outlook.com" is Klaus Marham's.

Most people's addresses, personal or at work, are made of their names ("first.last",
"flast", "firstlast" with digits). When one record's address spells the other record's
name, the two agree on that name even where a name field was mistyped, swapped or changed
(a maiden name kept in the address) — evidence a different address alone never gives.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["spells_name"]

_SHORTEST_SURNAME = 4  # shorter surnames ("li", "ng") turn up inside other words


def spells_name(emails: tuple[str, ...], first: str, last: str) -> bool:
    """Whether the local part of one of ``emails`` is made of ``first`` (or its initial)
    and ``last``, in either order, with anything but letters left out."""
    if not emails:
        return False
    surname = last.replace(" ", "")
    given = first.replace(" ", "")
    if len(surname) < _SHORTEST_SURNAME or not given:
        return False
    forms = {given, given[0]}
    for email in emails:
        local = _letters(email)
        at = local.find(surname)
        if at < 0:
            continue
        before, after = local[:at], local[at + len(surname) :]
        if (before in forms and not after) or (not before and after in forms):
            return True
    return False


@lru_cache(maxsize=1 << 16)
def _letters(email: str) -> str:
    """The letters of an address's local part (compared once per pair of records)."""
    return "".join(ch for ch in email.partition("@")[0] if ch.isalpha())
