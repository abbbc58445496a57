"""The evidence identity stitching uses: known people's e-mails and phones, and what an
event's own e-mail or phone proves.

An e-mail or phone matches the people records (leads and contacts) that hold it, through
the same normalisation reconciliation uses (``email_key``, ``phone_key``); an address one
typo away from a known domain is read as that domain (``gmial.com``); a value that more
than one identity holds proves nothing and is left out. An address one keystroke away
from exactly one known address on the same domain (``bjron.wilmont@`` for
``bjorn.wilmont@``: a letter wrong, missing, doubled or two swapped) is read as that one;
short local parts are too close to each other for that.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping

import orjson
from sqlalchemy import Connection, select

from sync.reconcile.normalize import email_key, phone_key
from sync.store.records import ContactRow, LeadRow
from sync.store.table_model import table_of
from sync.store.view.identity_map import IdentityMap

__all__ = ["People", "country_code", "digest_of", "evidence"]

# Domains typed wrong often enough to read as the intended one.
_DOMAIN_TYPOS = {
    "gmial.com": "gmail.com",
    "gmai.com": "gmail.com",
    "gmail.co": "gmail.com",
    "gmail.con": "gmail.com",
    "gnail.com": "gmail.com",
    "hotmial.com": "hotmail.com",
    "hotmai.com": "hotmail.com",
    "hotmail.con": "hotmail.com",
    "yaho.com": "yahoo.com",
    "yahoo.con": "yahoo.com",
    "outlok.com": "outlook.com",
}


class People:
    """Known people's e-mails and phones -> (identity, member record)."""

    def __init__(self, connection: Connection, identities: IdentityMap) -> None:
        found: dict[str, dict[str, str]] = defaultdict(dict)  # key -> {identity: member}
        for table, model in (("leads", LeadRow), ("contacts", ContactRow)):
            c = table_of(model).c
            names = ("source", "remote_id", "email", "other_emails", "phone", "mobile")
            query = select(*(c[n] for n in names), c.country).where(c.is_deleted.is_(False))
            for row in connection.execute(query.order_by(c.source, c.remote_id)):
                source, remote_id, email, others, phone, mobile, country = tuple(row)
                member = f"{source}:{table}:{remote_id}"
                identity = identities.identity_of(source, table, remote_id) or member
                for value in (email, *(others or ())):
                    key = email_key(value)
                    if key:
                        found[f"e:{key}"].setdefault(identity, member)
                for value in (phone, mobile):
                    number = phone_key(value, country_code(country))
                    if number:
                        found[f"p:{number}"].setdefault(identity, member)
        # a value several identities hold (a shared inbox, a switchboard) proves nothing
        self.keys = {k: next(iter(v.items())) for k, v in found.items() if len(v) == 1}
        self._phones: dict[str | None, tuple[str, str] | None] = {}
        # the known addresses by domain, and per domain the index of their one-character
        # deletions: built on the first unknown address, and on its domain only
        self._domains: dict[str, list[str]] | None = None
        self._near: dict[str, dict[str, set[str]]] = {}
        self._read_domains: dict[str, tuple[str, ...]] = {}
        self._numbers: dict[str, str | None] = {}

    def digest(self) -> str:
        """A fingerprint of what every e-mail and phone proves: stitching reads only new
        events while it is the same (a new or merged person may re-link any device)."""
        return digest_of(self.keys)

    def email_domains(self, value: str) -> tuple[str, ...]:
        """The domains of known addresses ``by_email(value)`` can depend on: the address's
        own (as ``email_key`` reads it) and the one its typo stands for. Read from the
        domain part alone (an address its local part makes unreadable gets its domain
        all the same: one id more stitched again, never one less)."""
        raw = value.strip().lower().rpartition("@")[2]
        found = self._read_domains.get(raw)
        if found is None:
            key = email_key(f"someone@{raw}")
            domain = key.rpartition("@")[2] if key else None
            fixed = _DOMAIN_TYPOS.get(domain) if domain else None
            found = self._read_domains[raw] = tuple(d for d in (domain, fixed) if d)
        return found

    def phone_number(self, value: str) -> str | None:
        """The key ``by_phone(value)`` looks up (without the ``p:``)."""
        if value not in self._numbers:
            self._numbers[value] = phone_key(value)
        return self._numbers[value]

    def by_email(self, value: str | None) -> tuple[str, str] | None:
        key = email_key(value)
        if key is None:
            return None
        hit = self.keys.get(f"e:{key}")
        if hit is None and "@" in key:
            local, domain = key.rsplit("@", 1)
            fixed = _DOMAIN_TYPOS.get(domain)
            hit = self.keys.get(f"e:{email_key(f'{local}@{fixed}')}") if fixed else None
        return hit or self._one_keystroke_from(key)

    def _one_keystroke_from(self, key: str) -> tuple[str, str] | None:
        """The one known person whose address ``key`` is a keystroke away from, if one is."""
        local, _, domain = key.rpartition("@")
        if len(local) < _MIN_TYPO_LOCAL:
            return None
        if self._domains is None:
            self._domains = defaultdict(list)
            for known in self.keys:
                if known.startswith("e:"):
                    known_local, _, known_domain = known[2:].rpartition("@")
                    if len(known_local) >= _MIN_TYPO_LOCAL:
                        self._domains[known_domain].append(known[2:])
        near = self._near.get(domain)
        if near is None:  # indexed per domain, on its first unknown address
            near = self._near[domain] = defaultdict(set)
            for address in self._domains.get(domain, ()):
                for variant in _deletions(address.rpartition("@")[0]):
                    near[variant].add(address)
        candidates: set[str] = set()
        for variant in _deletions(local):
            candidates |= near.get(variant, set())
        hits = {self.keys[f"e:{c}"] for c in candidates if _one_edit(local, c.rpartition("@")[0])}
        return hits.pop() if len({identity for identity, _ in hits}) == 1 else None

    def by_phone(self, value: str | None) -> tuple[str, str] | None:
        if value in self._phones:  # parsing a number is slow, and an app repeats its user's
            return self._phones[value]
        number = phone_key(value)
        hit = self._phones[value] = self.keys.get(f"p:{number}") if number else None
        return hit


def digest_of(keys: Mapping[str, tuple[str, str]]) -> str:
    """The fingerprint of a people map (key -> identity, record)."""
    payload = orjson.dumps(sorted(keys.items()))
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


# Below this many characters before the @, a keystroke turns one person's address into
# another's too often (``jsmith`` / ``asmith``) to be read as a typo.
_MIN_TYPO_LOCAL = 6


def _deletions(local: str) -> set[str]:
    """``local`` and every string one character shorter: two strings one edit apart share
    one of these (the index of "symmetric deletion")."""
    return {local} | {local[:i] + local[i + 1 :] for i in range(len(local))}


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by exactly one substitution, insertion, deletion or
    swap of two neighbouring characters."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    if len(a) == len(b):
        rest = a[start + 1 :] == b[start + 1 :]
        swapped = a[start : start + 2] == b[start : start + 2][::-1]
        return rest or (swapped and a[start + 2 :] == b[start + 2 :])
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[start + 1 :] == shorter[start:]


def country_code(country: str | None) -> str | None:
    """A two-letter country as the region phone numbers are read in; else none."""
    return country.upper() if country and len(country) == 2 else None


def evidence(people: People, email: str | None, phone: str | None) -> tuple[str, str, str] | None:
    """(identity, member, evidence kind) an event's own e-mail or phone proves."""
    if email:
        hit = people.by_email(email)
        if hit:
            return hit[0], hit[1], "email"
    if phone:
        hit = people.by_phone(phone)
        if hit:
            return hit[0], hit[1], "phone"
    return None
