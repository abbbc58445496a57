"""Copies of the medium sandbox's people that are other people: the scale-up's replicas.

Replica 0 is the medium world as it is. Every other replica shifts phones and created
times, and sends e-mail to ``r<replica>.<domain>``, so a replica's duplicates stay
duplicates of one another and never of another replica's records.

Names only (the default of ``bench_reconcile.py``): addresses, companies and accounts are
left out; surnames carry a mark per replica and towns a number.

With addresses (``--addresses``): each replica's words go through a letter and digit
substitution of its own, word by word, wherever a word stands. A surname is enciphered
the same way in the surname, in the first-name field (names swapped) and in the e-mail
address; a street's own name, a company's words, house numbers and postal codes too.
Enciphered values keep every typo, swap and gap they had against their duplicates (the
distance between two values is the same after), and no replica's values are typos of
another's. The words many people share stay as they are: given names, towns, states, and
the vocabulary the matcher knows (street types, unit words, legal suffixes, articles):
enciphered, "Flat 7 Harrison Street" would have its street named "flat", "Acme Ltd" a
company word "ltd", and an address's first name would no longer be its owner's. Sounds do
not survive the substitution: a replica finds fewer duplicates through a surname's sound.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import cache
from string import ascii_lowercase
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from sandbox.generator.names import customer_first_names
from sync.reconcile.normalize import (
    _LEGAL_SUFFIXES,
    _STOPWORDS,
    _STREET_TYPES,
    _TYPE_WORDS,
    email_key,
    fold,
    is_free_mail,
    is_placeholder,
)

__all__ = ["Replicas"]

_STORED_TIME = "%Y-%m-%d %H:%M:%S.%f"
# the words of the matcher's own vocabulary, which every replica shares
_VOCABULARY = frozenset(_STREET_TYPES) | _TYPE_WORDS | _LEGAL_SUFFIXES | _STOPWORDS
_WORD = re.compile(r"[^\W\d_]+|\d+")  # a run of letters (any script) or of digits
_PERSON_WORDS = ("last_name", "first_name", "street", "postal_code", "company")
_ACCOUNT_WORDS = ("name", "street", "postal_code")


class Replicas:
    """Replicas of the medium world's people and accounts (see the module's text)."""

    def __init__(self, people: Iterable[dict[str, Any]], names_only: bool) -> None:
        self.names_only = names_only
        self.given, self.surnames = _names(people) if not names_only else (frozenset(),) * 2

    def person(self, row: dict[str, Any], replica: int) -> dict[str, Any]:
        copy = dict(row)
        copy["raw"] = "{}"
        copy["remote_id"] = f"{row['remote_id']}-{replica}" if replica else row["remote_id"]
        if not replica:
            return copy
        copy["phone"] = _shift_phone(row["phone"], replica)
        copy["mobile"] = _shift_phone(row["mobile"], replica)
        # Other people were not created at the very same instant: a copied timestamp would
        # put every replica of a record in one conversion-instant block ("cv:" key), which
        # real data never does at that scale (21 M candidate pairs at 1 M records).
        for column in ("remote_created_at", "remote_updated_at"):
            copy[column] = _shift_time(row[column], replica)
        if row.get("account_id"):
            copy["account_id"] = f"{row['account_id']}-{replica}"
        if self.names_only:
            self._mark(copy, row, replica)
        else:
            for column in _PERSON_WORDS:
                copy[column] = self._words(row.get(column), replica)
            copy["email"] = self._email(row, replica)
        return copy

    def account(self, row: dict[str, Any], replica: int) -> dict[str, Any]:
        copy = dict(row)
        copy["raw"] = "{}"
        if not replica:
            return copy
        copy["remote_id"] = f"{row['remote_id']}-{replica}"
        for column in _ACCOUNT_WORDS:
            copy[column] = self._words(row[column], replica)
        for column in ("domain", "website"):
            value = row[column]
            if value:  # the replica's people's e-mail domains are r<replica>.<domain>
                scheme, sep, host = value.rpartition("://")
                host = host.removeprefix("www.")
                copy[column] = f"{scheme}{sep}r{replica}.{host}"
        copy["phone"] = _shift_phone(row["phone"], replica)
        if row["person_contact_id"]:
            copy["person_contact_id"] = f"{row['person_contact_id']}-{replica}"
        for column in ("remote_created_at", "remote_updated_at"):
            copy[column] = _shift_time(row[column], replica)
        return copy

    def _mark(self, copy: dict[str, Any], row: dict[str, Any], replica: int) -> None:
        """Names only: each replica's people are other people as their surnames carry the
        replica's mark. Copied as they were, every name would recur exactly once per
        replica (45 namesakes for everyone at 1 M) and the bare-name key of people
        without an organisation would grow with the square of the replicas."""
        mark = _marked(replica)
        surname = row["last_name"]
        if surname and not is_placeholder(surname):
            copy["last_name"] = f"{surname}{mark}"
        copy["city"] = f"{row['city'] or ''} {replica}"
        # The same address gets the same mark on every record holding it, whichever way
        # each record's surname is typed ("jsmith" -> "jsmithad").
        copy["email"] = _moved_email(row["email"], replica, lambda local: local + mark)

    def _words(self, value: str | None, replica: int) -> str | None:
        """The value with each word not shared by everyone enciphered."""
        if not value or is_placeholder(value):  # a placeholder stays one
            return value
        return _WORD.sub(lambda m: self._word(m.group(), replica), value)

    def _word(self, word: str, replica: int) -> str:
        folded = fold(word)
        if folded in self.given or folded in _VOCABULARY:
            return word
        # accents go first ("Conceição" as "Conceicao"), as the matcher folds them: the
        # substitution knows plain letters only, and the same name typed with and without
        # its accents must stay the same name
        return _plain(word).translate(_cipher(replica))

    def _email(self, row: dict[str, Any], replica: int) -> str | None:
        """The address of the replica's person. Its own of each address alone (two
        records holding one address hold one after), whatever their names."""

        def moving(local: str) -> str:
            return _WORD.sub(lambda m: self._local_word(m.group(), replica), local)

        return _moved_email(row["email"], replica, moving)

    def _local_word(self, word: str, replica: int) -> str:
        """A word of an e-mail's local part: a given name or initial run together with a
        surname ("annasmith", "asmith") stays, the rest is enciphered."""
        folded = fold(word)
        if word.isdigit() or folded in self.given or folded in self.surnames:
            return self._word(word, replica)
        if len(folded) > 3 and folded[1:] in self.surnames:
            return word[0] + self._word(word[1:], replica)
        for size in range(len(folded) - 2, 1, -1):
            if folded[:size] in self.given and len(word) == len(folded):
                return word[:size] + self._word(word[size:], replica)
        return self._word(word, replica)


def _moved_email(email: str | None, replica: int, moving: Callable[[str], str]) -> str | None:
    """An address of the replica: its local part ``moving``, a company's domain as
    ``r<replica>.<domain>``; a free mail provider's domain stays one (a personal address,
    no company), with the replica's letters on a local part ``moving`` left as it was."""
    if not email or "@" not in email or email_key(email) is None:
        return email  # a placeholder ("noemail@...") stays one
    local, domain = email.split("@", 1)
    moved = moving(local)
    if not is_free_mail(domain.lower()):
        return f"{moved}@r{replica}.{domain}"
    if moved == local:  # nothing enciphered: the address would be every replica's
        moved += _marked(replica)
    return f"{moved}@{domain}"


def _names(people: Iterable[dict[str, Any]]) -> tuple[frozenset[str], frozenset[str]]:
    """Given names and surnames. Given: the generator's first names and nicknames, and
    the words found more often as a first name than as a surname that are nearer a
    listed given name than any surname ("miuhael"). A surname typed in the first name's
    field ("whlte" / "white", names swapped) stays a surname, enciphered; kept, it would
    be one person's in every replica."""
    as_first: Counter[str] = Counter()
    as_last: Counter[str] = Counter()
    for row in people:
        as_first.update(fold(row["first_name"]).split())
        as_last.update(fold(row["last_name"]).split())
    listed = {
        fold(word) for name in customer_first_names() for word in (name.name, *name.nicknames)
    }
    surnames = [w for w, n in as_last.items() if n > 1 and w not in listed]
    given = set(listed)
    for word, n in as_first.items():
        if word in listed or n <= as_last[word]:
            continue
        to_given = process.extractOne(word, listed, scorer=Levenshtein.distance)
        to_surname = process.extractOne(word, surnames, scorer=Levenshtein.distance)
        if to_given and (not to_surname or to_given[1] < to_surname[1]):
            given.add(word)
    return frozenset(given), frozenset(as_last) - given


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _cipher(replica: int) -> dict[int, str]:
    """A letter and digit substitution of the replica's own."""
    rng = random.Random(f"replica-{replica}")
    letters, digits = list(ascii_lowercase), list("0123456789")
    to_letters, to_digits = rng.sample(letters, 26), rng.sample(digits, 10)
    table = dict(zip(letters, to_letters, strict=True))
    table |= {a.upper(): b.upper() for a, b in zip(letters, to_letters, strict=True)}
    table |= dict(zip(digits, to_digits, strict=True))
    return str.maketrans(table)


def _marked(replica: int) -> str:
    """Letters that tell one replica's surnames from another's ("", "ab", "ac", ...)."""
    letters = ""
    while replica:
        replica, digit = divmod(replica, 26)
        letters = ascii_lowercase[digit] + letters
    return letters.rjust(2, "a") if letters else ""


def _shift_phone(phone: str | None, replica: int) -> str | None:
    if not phone or replica == 0:
        return phone
    digits = [i for i, c in enumerate(phone) if c.isdigit()]
    if len(digits) < 6:
        return phone
    last4 = int("".join(phone[i] for i in digits[-4:]))
    new = f"{(last4 + replica * 1237) % 10000:04d}"
    chars = list(phone)
    for position, digit in zip(digits[-4:], new, strict=True):
        chars[position] = digit
    # Also vary the digits before them, so 10,000 replicas do not collide.
    third = digits[-5]
    chars[third] = str((int(phone[third]) + replica // 10000) % 10)
    return "".join(chars)


def _shift_time(stored: str | None, replica: int) -> str | None:
    if not stored:
        return stored
    moment = datetime.strptime(stored, _STORED_TIME) + timedelta(seconds=replica * 421)
    return moment.strftime(_STORED_TIME)
