"""How hard the world's duplicates are: the share of true duplicate pairs of person records
that share an e-mail, a phone, a company, or none of the three.

Compared as a careful matcher would: e-mails case-folded, phones by their last nine digits,
company names without accents, punctuation, case, legal suffixes or "The"; placeholders
count as blanks. A record's company is its company field and the name of the company
record it is linked to; two records of one CRM linked to the same company record share it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from sandbox.generator.corruption import PLACEHOLDER_EMAILS
from sandbox.generator.misspell import PLACEHOLDER_WORDS
from sandbox.generator.names import cities
from sandbox.world import World

__all__ = ["PairShares", "pair_shares"]

# (email, phone, mobile, company text, linked company field, linked company object)
_FIELDS = {
    ("salesforce", "Lead"): ("Email", "Phone", "MobilePhone", "Company", "ConvertedAccountId"),
    ("salesforce", "Contact"): ("Email", "Phone", "MobilePhone", None, "AccountId"),
    ("hubspot", "contacts"): ("email", "phone", "mobilephone", "company", "associatedcompanyid"),
    ("zoho", "Leads"): ("Email", "Phone", "Mobile", "Company", None),
    ("zoho", "Contacts"): ("Email", "Phone", "Mobile", None, "Account_Name"),
}
_ACCOUNT = {"salesforce": ("Account", "Name"), "hubspot": ("companies", "name")}
_ACCOUNT["zoho"] = ("Accounts", "Account_Name")
_BLANK_EMAILS = frozenset(PLACEHOLDER_EMAILS) | {"none@none.com", "noemail@example.com"}


@dataclass(frozen=True)
class PairShares:
    """Counts over true duplicate pairs of person records (live records only)."""

    pairs: int
    email: int
    phone: int
    company: int
    none: int
    converted: int  # pairs of a converted lead and its contact (linked by the CRM)
    none_of_unconverted: int

    def share(self, count: int, of: int | None = None) -> float:
        total = self.pairs if of is None else of
        return count / total if total else 0.0


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def _legal_words() -> frozenset[str]:
    words = {w for c in cities() for s in c.suffixes for w in _fold(s).split()}
    return frozenset(words | {"the"})


def _blank(value: Any) -> bool:
    if not isinstance(value, str) or not value.strip():
        return True
    text = value.strip().lower()
    return text in PLACEHOLDER_WORDS or len(set(text)) == 1


def company_key(name: Any, legal: frozenset[str]) -> str:
    if _blank(name):
        return ""
    return " ".join(w for w in _fold(name).split() if w not in legal)


def _keys(world: World, crm: str, obj: str, row: dict[str, Any], legal: frozenset[str]) -> dict:
    email_f, phone_f, mobile_f, company_f, link_f = _FIELDS[(crm, obj)]
    email = (row.get(email_f) or "").strip().lower()
    emails = {email} if "@" in email and email not in _BLANK_EMAILS else set()
    phones = {re.sub(r"\D", "", row[f])[-9:] for f in (phone_f, mobile_f) if row.get(f) and f} - {
        ""
    }
    companies = {company_key(row.get(company_f), legal)} if company_f else set()
    links = set()
    link = row.get(link_f) if link_f else None
    if link:
        table, name_field = _ACCOUNT[crm]
        account = getattr(world, crm)[table].rows.get(str(link))
        links.add((crm, str(link)))
        if account:
            companies.add(company_key(account.get(name_field), legal))
    return {"emails": emails, "phones": phones, "companies": companies - {""}, "links": links}


def _converted(a: tuple, b: tuple, rows: dict[tuple, dict]) -> bool:
    contact, lead = sorted((a, b))  # "Contact" < "Lead", "Contacts" < "Leads"
    if contact[0] != lead[0]:
        return False
    if (contact[1], lead[1]) == ("Contact", "Lead"):
        return rows[lead].get("ConvertedContactId") == contact[2]
    if (contact[1], lead[1]) == ("Contacts", "Leads"):
        return bool(rows[lead].get("Converted__s"))
    return False


def pair_shares(world: World) -> PairShares:
    """Count the true duplicate pairs of people's records and what each pair shares."""
    legal = _legal_words()
    by_person: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for t in world.truth.files.get("identities", []):
        key = (t["crm"], t["object"], t["id"])
        if t["kind"] != "person" or key[:2] not in _FIELDS:
            continue
        row = getattr(world, t["crm"])[t["object"]].rows.get(t["id"])
        if row is not None:
            by_person[t["identity"]].append(key)
            rows[key] = row
    keys = {k: _keys(world, k[0], k[1], rows[k], legal) for k in rows}
    counts = dict.fromkeys(("pairs", "email", "phone", "company", "none", "converted"), 0)
    none_unconverted = 0
    for records in by_person.values():
        for a, b in combinations(records, 2):
            ka, kb = keys[a], keys[b]
            shared = {
                "email": bool(ka["emails"] & kb["emails"]),
                "phone": bool(ka["phones"] & kb["phones"]),
                "company": bool(ka["companies"] & kb["companies"] or ka["links"] & kb["links"]),
            }
            counts["pairs"] += 1
            for name, hit in shared.items():
                counts[name] += hit
            converted = _converted(a, b, rows)
            counts["converted"] += converted
            if not any(shared.values()):
                counts["none"] += 1
                none_unconverted += not converted
    return PairShares(**counts, none_of_unconverted=none_unconverted)
