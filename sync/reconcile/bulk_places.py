"""Street and organisation levels over arrays, for bulk scoring (``bulk.py``): the rules of
``places._street_level`` and ``scoring._organisation`` with rapidfuzz's pairwise
``cpdist`` (the same scorers, compared with the same cut-offs)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler
from rapidfuzz.fuzz import token_set_ratio
from rapidfuzz.process import cpdist

from sync.reconcile.bulk_records import Levels, Vocab
from sync.reconcile.normalize import street_name
from sync.reconcile.typos import DOMAIN_TWO_EDITS, DOMAIN_TYPO_MIN, digits

__all__ = ["OrganisationLevels", "StreetLevels"]

IntArray = NDArray[np.int64]


def _pairwise(scorer: Any, a: list[str], b: list[str], **options: Any) -> NDArray[Any]:
    return cpdist(a, b, scorer=scorer, workers=-1, **options)


def _similarity(a: list[str], b: list[str]) -> NDArray[np.float64]:
    return _pairwise(JaroWinkler.similarity, a, b, dtype=np.float64)


def _one_edit(a: list[str], b: list[str]) -> NDArray[np.bool_]:
    distance = _pairwise(DamerauLevenshtein.distance, a, b, score_cutoff=1, dtype=np.int32)
    return distance <= 1


def _codes(values: list[str]) -> IntArray:
    vocab = Vocab()
    return np.asarray([vocab.code(v) for v in values] + [-1], dtype=np.int64)


class StreetLevels:
    """``places._street_level`` of (house, street) values, by code."""

    def __init__(self, streets: list[tuple[str, str]], levels: Levels) -> None:
        self.street = [s for _, s in streets]
        self.joined = [s.replace(" ", "") for s in self.street]
        self.same_street = _codes(self.street)
        self.house = np.asarray([h for h, _ in streets] + [""], dtype=str)
        names = [street_name(s) for s in self.street]
        self.name = np.asarray(names + [""], dtype=str)
        self.name_code = _codes(names)
        self.name_length = np.asarray([len(n) for n in names] + [0], dtype=np.int64)
        self.code = levels.code

    def __call__(self, left: IntArray, right: IntArray) -> IntArray:
        take = lambda values, side: [values[k] for k in side.tolist()]  # noqa: E731
        street_a, street_b = take(self.street, left), take(self.street, right)
        house_a, house_b = self.house[left], self.house[right]
        numbers_agree = (house_a == house_b) | (house_a == "") | (house_b == "")
        overlap = _pairwise(token_set_ratio, street_a, street_b, dtype=np.float64)
        name_a, name_b = self.name[left], self.name[right]
        blank = (self.name_length[left] == 0) | (self.name_length[right] == 0)
        same_name = ~blank & (
            (self.name_code[left] == self.name_code[right])
            | (
                (np.minimum(self.name_length[left], self.name_length[right]) >= 5)
                & _one_edit(name_a.tolist(), name_b.tolist())
            )
        )
        cut = np.strings.startswith(name_a, name_b) | np.strings.startswith(name_b, name_a)
        other_names = ~blank & ~cut & (_similarity(name_a.tolist(), name_b.tolist()) < 0.9)
        other_names &= ~same_name
        alike = (
            (overlap >= 85)
            | (_similarity(street_a, street_b) >= 0.9)
            | (_similarity(take(self.joined, left), take(self.joined, right)) >= 0.9)
            | ((house_a != "") & (house_a == house_b) & same_name)
        )
        code = self.code
        agreeing = np.where(numbers_agree, code["fuzzy"], code["other_number"])
        found = np.where(alike & ~((overlap < 85) & other_names), agreeing, code["different"])
        equal = np.where(numbers_agree, code["exact"], code["other_number"])
        return np.where(self.same_street[left] == self.same_street[right], equal, found)


class OrganisationLevels:
    """``scoring._organisation`` of (organisation identity, company, domain) values."""

    def __init__(self, orgs: list[tuple[str | None, str, str | None]], levels: Levels) -> None:
        self.identity = _codes([o or "" for o, _, _ in orgs])
        self.company = [c for _, c, _ in orgs]
        companies = Vocab()
        self.company_code = np.asarray(
            [companies.code(c) for c in self.company] + [-1], dtype=np.int64
        )
        self.domain = _codes([d or "" for _, _, d in orgs])
        self.domain_text = [d or "" for _, _, d in orgs] + [""]
        self.domain_size = np.asarray([len(d) for d in self.domain_text], dtype=np.int64)
        self.domain_digits = _codes([digits(d) for d in self.domain_text])
        # A company's initials ("international business machines" -> "ibm"), as the code
        # of the company of that name, where one is (``scoring._abbreviates``).
        self.initials = np.asarray(
            [companies.ids.get(_initials(c), -2) for c in self.company] + [-2], dtype=np.int64
        )
        self.one_word = np.asarray([" " not in c for c in self.company] + [False], dtype=bool)
        self.code = levels.code

    def __call__(self, left: IntArray, right: IntArray) -> IntArray:
        code = self.code
        org_a, org_b = self.identity[left], self.identity[right]
        domain_a, domain_b = self.domain[left], self.domain[right]
        company_a, company_b = self.company_code[left], self.company_code[right]
        companies = (company_a >= 0) & (company_b >= 0)
        overlap = np.zeros(len(left), dtype=np.float64)
        if companies.any():
            a = [self.company[k] for k in left[companies].tolist()]
            b = [self.company[k] for k in right[companies].tolist()]
            overlap[companies] = _pairwise(token_set_ratio, a, b, dtype=np.float64)
        abbreviates = (self.one_word[left] & (company_a == self.initials[right])) | (
            self.one_word[right] & (company_b == self.initials[left])
        )
        by_company = np.where(
            company_a == company_b,
            code["exact"],
            np.where((overlap >= 90) | abbreviates, code["fuzzy"], code["different"]),
        )
        found = np.where((org_a >= 0) & (org_b >= 0), code["different"], code[""])
        found = np.where(companies, by_company, found)
        domains = (domain_a >= 0) & (domain_b >= 0)
        found = np.where(domains, code["different"], found)
        typo = domains & (domain_a != domain_b)
        if typo.any():  # scoring.domain_typo, over arrays
            text, size = self.domain_text, self.domain_size
            a, b = left[typo], right[typo]
            shortest = np.minimum(size[a], size[b])
            edits = cpdist(
                [text[k] for k in a.tolist()],
                [text[k] for k in b.tolist()],
                scorer=DamerauLevenshtein.distance,
                score_cutoff=2,
                dtype=np.int32,
                workers=-1,
            )
            allowed = np.where(shortest >= DOMAIN_TWO_EDITS, 2, 1)
            numbered = self.domain_digits
            slips = (
                (shortest >= DOMAIN_TYPO_MIN) & (edits <= allowed) & (numbered[a] == numbered[b])
            )
            found[typo] = np.where(slips, code["fuzzy"], found[typo])
        found = np.where((domain_a >= 0) & (domain_a == domain_b), code["exact"], found)
        return np.where((org_a >= 0) & (org_a == org_b), code["exact"], found)


def _initials(company: str) -> str:
    words = company.split()
    return "".join(w[0] for w in words) if len(words) >= 2 else ""
