"""How people mistype and misspell values: keyboard slips, transpositions, spelling by ear,
and the placeholders typed into a required field.

Every function takes the caller's ``random.Random`` and returns the value unchanged when it
is too short to vary, so a copy never loses a value by accident.
"""

from __future__ import annotations

import random

__all__ = [
    "KEYBOARD_NEIGHBOURS",
    "PLACEHOLDER_WORDS",
    "keyboard_typo",
    "phonetic",
    "placeholder",
    "transpose",
]

_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")


def _neighbours() -> dict[str, str]:
    """Keys next to each key on a QWERTY keyboard (same row, and the rows above/below)."""
    where = {ch: (r, c) for r, row in enumerate(_ROWS) for c, ch in enumerate(row)}
    near: dict[str, str] = {}
    for ch, (r, c) in where.items():
        found = []
        for other, (r2, c2) in where.items():
            near_key = other != ch and abs(r - r2) <= 1 and abs(c - c2) <= 1
            if near_key and other.isdigit() == ch.isdigit():  # a name never gets a digit
                found.append(other)
        near[ch] = "".join(sorted(found))
    return near


KEYBOARD_NEIGHBOURS = _neighbours()

# Spellings by ear: written -> heard-as (both directions listed where both happen).
_SOUNDS = (
    ("ph", "f"),
    ("f", "ph"),
    ("ck", "k"),
    ("th", "t"),
    ("ie", "y"),
    ("y", "ie"),
    ("ei", "ie"),
    ("ie", "ei"),
    ("ou", "ow"),
    ("son", "sen"),
    ("sen", "son"),
    ("sch", "sh"),
    ("c", "k"),
    ("k", "c"),
    ("z", "s"),
    ("s", "z"),
    ("y", "i"),
    ("i", "y"),
    ("v", "b"),
    ("b", "v"),
    ("ll", "l"),
    ("l", "ll"),
    ("nn", "n"),
    ("n", "nn"),
    ("tt", "t"),
    ("t", "tt"),
    ("ss", "s"),
    ("rr", "r"),
    ("mm", "m"),
)

PLACEHOLDER_WORDS = ("[not provided]", "unknown", "n/a", "-", "test", "xxx")


def _with_case(original: str, replacement: str) -> str:
    return replacement.upper() if original.isupper() else replacement


def keyboard_typo(text: str, rng: random.Random) -> str:
    """One slip of a finger: a letter replaced by a neighbouring key, a neighbour struck
    as well, or a letter left out. The first letter is kept (people check it)."""
    spots = [i for i in range(1, len(text)) if text[i].lower() in KEYBOARD_NEIGHBOURS]
    if len(text) < 3 or not spots:
        return text
    i = rng.choice(spots)
    ch = text[i]
    key = rng.choice(KEYBOARD_NEIGHBOURS[ch.lower()])
    slip = rng.choice(("replace", "insert", "omit"))
    if slip == "replace":
        return text[:i] + _with_case(ch, key) + text[i + 1 :]
    if slip == "insert":
        return text[:i] + _with_case(ch, key) + text[i:]
    return text[:i] + text[i + 1 :]


def transpose(text: str, rng: random.Random) -> str:
    """Two neighbouring letters typed in the wrong order (never the first letter)."""
    spots = [
        i
        for i in range(1, len(text) - 1)
        if text[i].isalpha() and text[i + 1].isalpha() and text[i] != text[i + 1]
    ]
    if not spots:
        return text
    i = rng.choice(spots)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def phonetic(text: str, rng: random.Random) -> str:
    """The name as someone wrote it down from hearing it: one sound spelt another way
    (``Stephen``/``Steven``-style: ph/f, ck/k, c/k, double letters, -son/-sen...)."""
    lower = text.lower()
    options = []
    for written, heard in _SOUNDS:
        start = lower.find(written, 1)
        if start > 0:
            options.append((start, written, heard))
    if not options:
        return text
    start, a, b = rng.choice(options)
    part = text[start : start + len(a)]
    return text[:start] + _with_case(part, b) + text[start + len(a) :]


def placeholder(rng: random.Random) -> str:
    """What gets typed into a field the form insists on: a placeholder word or a key held
    down (``aaa``, ``xxxx``)."""
    if rng.random() < 0.25:
        return rng.choice("axz.") * rng.randrange(3, 6)
    return rng.choice(PLACEHOLDER_WORDS)
