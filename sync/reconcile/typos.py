"""An e-mail address or an organisation's domain typed with a slip, told from another
person's or organisation's (the e-mail's and the organisation's ``fuzzy`` levels)."""

from __future__ import annotations

from rapidfuzz.distance import DamerauLevenshtein

__all__ = [
    "DOMAIN_TWO_EDITS",
    "DOMAIN_TYPO_MIN",
    "TYPO_MIN_ADDRESS",
    "TYPO_MIN_LOCAL",
    "digits",
    "domain_typo",
    "email_typo",
]


def email_typo(a: str, b: str) -> bool:
    """One person's address typed twice: the same local part at another domain
    ("a.cross58@brwning-nguyen.com" / "a.cross58@browning-nguyen.com"), or at most two
    edits apart in all and from the same first letter ("oc34@phelps-harper.biz" /
    "oc34@pheps-harper.biz"), both past what an edit or two makes of a short address and
    with the same digits: "carla1@client1.example" / "carla2@client2.example" are two
    numbered accounts, not a slip."""
    if digits(a) != digits(b):
        return False
    local_a, local_b = a.partition("@")[0], b.partition("@")[0]
    if local_a == local_b and len(local_a) >= TYPO_MIN_LOCAL:
        return True
    # A short local part at another domain is a typo only as the whole address is one
    # ("h.k@sharp.com" / "h.k@shhrp.com"; "jo@acme.com" / "jo@beta.org" are two people)
    if a[:1] != b[:1]:  # "kvandyke@acme.com" / "rvandyke@acme.com": two colleagues
        return False
    shortest = min(len(a), len(b))
    return shortest >= TYPO_MIN_ADDRESS and DamerauLevenshtein.distance(a, b, score_cutoff=2) <= 2


def digits(text: str) -> str:
    """The digits of ``text`` in their order: a slip keeps them, another account does not."""
    return "".join(c for c in text if c.isdigit())


TYPO_MIN_LOCAL = 4  # "info", "jo" ... a shorter local part is anyone's
TYPO_MIN_ADDRESS = 10


def domain_typo(a: str, b: str) -> bool:
    """One organisation's domain typed with a slip ("harris-bailey.net" /
    "earris-bailey.net"): one edit apart, two in a long one; a short domain one edit off
    another is another organisation ("ab.com" / "ac.com"), as is one numbered otherwise
    ("client1.example" / "client2.example")."""
    shortest = min(len(a), len(b))
    if shortest < DOMAIN_TYPO_MIN or digits(a) != digits(b):
        return False
    edits = 2 if shortest >= DOMAIN_TWO_EDITS else 1
    return DamerauLevenshtein.distance(a, b, score_cutoff=edits) <= edits


DOMAIN_TYPO_MIN = 8
DOMAIN_TWO_EDITS = 14
