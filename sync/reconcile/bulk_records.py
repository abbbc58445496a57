"""The records and levels bulk scoring works on (``bulk.py``): each record's comparison
values as codes, each level as a small int with its weight per field, and a level function
evaluated once per distinct pair of values. First and last names' levels are computed over
arrays (rapidfuzz's pairwise ``cpdist``), with the rules of ``scoring._first_level`` and
``scoring._last_level``.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler
from rapidfuzz.process import cpdist

from sync.reconcile.entities import Entity
from sync.reconcile.mailnames import _letters
from sync.reconcile.nicknames import name_forms
from sync.reconcile.normalize import email_domain, is_free_mail
from sync.reconcile.places import IMPLIED
from sync.reconcile.scoring import TYPO_LEVELS, WEIGHTS, ScoreContext

__all__ = ["FIELDS", "NO_TIME", "SLOTS", "Cache", "Levels", "NameLevels", "Records", "Vocab"]

IntArray = NDArray[np.int64]
_EPOCH = datetime(1970, 1, 1)
_AWARE_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NO_TIME = np.iinfo(np.int64).min
SLOTS = 2  # e-mails and phones of a record compared here; one with more: score_pair
FIELDS = (
    "email", "first_name", "last_name", "conversion", "phone", "organisation", "title",
    "city", "street", "postal_code", "state",
)  # fmt: skip


class Vocab:
    """Distinct values as codes 0, 1, ...; a blank value is -1."""

    def __init__(self) -> None:
        self.ids: dict[Any, int] = {}
        self.values: list[Any] = []

    def code(self, value: Any) -> int:
        if not value:
            return -1
        found = self.ids.get(value)
        if found is None:
            found = self.ids[value] = len(self.values)
            self.values.append(value)
        return found


def _micros(moment: datetime | None) -> int:
    if moment is None:
        return int(NO_TIME)
    delta = moment - (_AWARE_EPOCH if moment.tzinfo is not None else _EPOCH)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class Records:
    """Each record's comparison values as codes, one array per value."""

    def __init__(self, entities: Sequence[Entity], ctx: ScoreContext) -> None:
        self.names, self.locals, self.mails = Vocab(), Vocab(), Vocab()
        self.phones, self.titles, self.cities = Vocab(), Vocab(), Vocab()
        self.orgs, self.streets, self.postcodes = Vocab(), Vocab(), Vocab()
        self.states, self.sources, self.addresses = Vocab(), Vocab(), Vocab()
        # One record standing for each organisation / street value (the level functions
        # take records).
        self.org_rep: list[Entity] = []
        self.street_rep: list[Entity] = []
        # Machine ints as they come: a Python int object per value was a gigabyte at 1 M.
        columns: dict[str, array[int]] = {name: array("q") for name in _COLUMNS}
        shared_mail: list[bool] = []
        shared_phone: list[bool] = []
        # Each address's letters once (``_letters`` is per character): every local part
        # first, so a name spelt the same way is looked up among them.
        letters: list[tuple[str, ...]] = []
        local_ids = self.locals.ids
        for entity in entities:
            found = tuple(_letters(email) for email in entity.emails[:SLOTS])
            letters.append(found)
            for local in found:
                if local and local not in local_ids:
                    local_ids[local] = len(self.locals.values)
                    self.locals.values.append(local)
        # One pass over the records in their order, each value coded as ``Vocab.code``
        # codes it (the same codes, in the same order), with the calls inlined: a million
        # records, some thirty values each.
        appends = {name: columns[name].append for name in _COLUMNS}
        simple, free, lead = appends["simple"], appends["free"], appends["lead"]
        mail0, mail1, local0, local1 = (appends[n] for n in ("mail0", "mail1", "local0", "local1"))
        phone0, phone1, first, last = (appends[n] for n in ("phone0", "phone1", "first", "last"))
        spelt_columns = tuple(appends[f"spelt{n}"] for n in range(4))
        title, city, org_column = appends["title"], appends["city"], appends["org"]
        street_column, address = appends["street"], appends["address"]
        postcode, state, source = appends["postcode"], appends["state"], appends["source"]
        converted, created = appends["converted"], appends["created"]
        mails, phones, names = self.mails, self.phones, self.names
        mail_code, phone_code, name_code = mails.code, phones.code, names.code
        title_code, city_code = self.titles.code, self.cities.code
        org_code, street_code = self.orgs.code, self.streets.code
        address_code, postcode_code = self.addresses.code, self.postcodes.code
        state_code, source_code = self.states.code, self.sources.code
        email_people, phone_people = ctx.email_people, ctx.phone_people
        limit, org_of = ctx.shared_limit, ctx.org_of
        org_rep, street_rep = self.org_rep, self.street_rep
        no_local = ("", "")
        for entity, found in zip(entities, letters, strict=True):
            emails, numbers = entity.emails, entity.phones
            simple(len(emails) <= SLOTS and len(numbers) <= SLOTS and entity.kind == "person")
            free(all(_free(e) for e in emails))
            pair = emails[:SLOTS] + no_local[len(emails) :]
            locals_ = found + no_local[len(found) :]
            for email, local, mail, local_column in (
                (pair[0], locals_[0], mail0, local0),
                (pair[1], locals_[1], mail1, local1),
            ):
                code = mail_code(email)
                mail(code)
                if code == len(shared_mail):
                    shared_mail.append(email_people.get(email, 1) > limit)
                local_column(local_ids.get(local, -1) if email else -1)
            numbers = numbers[:SLOTS] + no_local[len(numbers) :]
            for number, column in ((numbers[0], phone0), (numbers[1], phone1)):
                code = phone_code(number)
                column(code)
                if code == len(shared_phone):
                    shared_phone.append(phone_people.get(number, 1) > limit)
            first(name_code(entity.first))
            last(name_code(entity.last))
            for spelt, column in zip(
                _spellings(entity.first, entity.last), spelt_columns, strict=True
            ):
                column(local_ids.get(spelt, -1))
            title(title_code(entity.title))
            city(city_code(entity.city))
            org = (org_of.get(entity.org_ref or ""), entity.company, entity.domain)
            code = org_code(org if any(org) else None)
            if code == len(org_rep):
                org_rep.append(entity)
            org_column(code)
            code = street_code((entity.house, entity.street) if entity.street else None)
            if code == len(street_rep):
                street_rep.append(entity)
            street_column(code)
            shown = f"{entity.house} {entity.street}".strip() if entity.street else ""
            address(address_code(shown))
            postcode(postcode_code(entity.postcode))
            state(state_code(entity.state))
            source(source_code(entity.source))
            lead(entity.table == "leads")
            converted(_micros(entity.converted_at))
            created(_micros(entity.created_at))
        self.column = {
            name: np.frombuffer(values, dtype=np.int64) if values else np.zeros(0, np.int64)
            for name, values in columns.items()
        }
        self.shared_mail = np.asarray(shared_mail + [False], dtype=bool)
        self.shared_phone = np.asarray(shared_phone + [False], dtype=bool)


_COLUMNS = (
    "simple", "mail0", "mail1", "local0", "local1", "free", "phone0", "phone1", "first",
    "last", "spelt0", "spelt1", "spelt2", "spelt3", "title", "city", "org", "street",
    "address", "postcode", "state", "source", "lead", "converted", "created",
)  # fmt: skip


def _free(email: str) -> bool:
    return is_free_mail(email_domain(email))


def _spellings(first: str, last: str) -> list[str]:
    """The local parts that would spell this name (``mailnames.spells_name``), or blanks."""
    surname, given = last.replace(" ", ""), first.replace(" ", "")
    if len(surname) < 4 or not given:
        return ["", "", "", ""]
    return [given + surname, given[0] + surname, surname + given, surname + given[0]]


class Levels:
    """Level names as small ints, and each field's weight per level."""

    def __init__(self, ctx: ScoreContext, records: Records) -> None:
        names = sorted({level for _, level in ctx.weights} | {lv for _, lv in WEIGHTS} | {IMPLIED})
        self.names = names
        self.code = {name: n for n, name in enumerate(names)}
        self.none = len(names)  # no comparison
        self.code[""] = self.none
        self.table: dict[str, NDArray[np.float64]] = {}
        for fld in FIELDS:
            row = [ctx.weights.get((fld, level), np.nan) for level in names] + [0.0]
            self.table[fld] = np.asarray(row, dtype=np.float64)
        self.rank = {
            fld: np.asarray([WEIGHTS.get((fld, lv), np.nan) for lv in names] + [0.0])
            for fld in ("first_name", "last_name")
        }
        self.typo = np.zeros(len(names) + 1, dtype=bool)
        self.typo[[self.code[lv] for lv in TYPO_LEVELS if lv in self.code]] = True
        values = {
            "first_name": records.names.values,
            "last_name": records.names.values,
            "street": records.addresses.values,
            "postal_code": records.postcodes.values,
        }
        self.terms: dict[str, tuple[int, NDArray[np.float64]]] = {}
        for fld, (level, by_value, default) in ctx.terms.items():
            if fld in values and level in self.code:
                found = [by_value.get(v, default) for v in values[fld]]
                self.terms[fld] = (self.code[level], np.asarray(found + [0.0], dtype=np.float64))

    def of(self, names: Sequence[str]) -> NDArray[np.int64]:
        return np.asarray([self.code[name] for name in names], dtype=np.int64)

    def weight(
        self, fld: str, level: IntArray, left: IntArray, right: IntArray
    ) -> NDArray[np.float64]:
        """``scoring.weight_of`` over arrays (``left``/``right``: the values' codes)."""
        table = self.table[fld]
        found = table[level]
        adjusted = self.terms.get(fld)
        if adjusted is None:
            return found
        exact, by_value = adjusted
        value, other = by_value[left], by_value[right]
        typo = self.typo[level]
        found = np.where(typo, np.minimum(np.minimum(found, value), other), found)
        return np.where(level == exact, np.minimum(value, other), found)


class Cache:
    """A level function's result per distinct pair of value codes: ``level_of`` called on
    each distinct pair, or ``vector`` on all of them at once."""

    def __init__(
        self,
        levels: Levels,
        count: int,
        level_of: Callable[[int, int], str] | None = None,
        vector: Callable[[IntArray, IntArray], IntArray] | None = None,
    ) -> None:
        self.levels, self.count = levels, max(count, 1)
        self.level_of, self.vector = level_of, vector

    def __call__(self, left: IntArray, right: IntArray) -> IntArray:
        keys = left * self.count + right
        distinct, inverse = np.unique(keys, return_inverse=True)
        if self.vector is not None:
            found = self.vector(distinct // self.count, distinct % self.count)
        else:
            assert self.level_of is not None
            code, count, level_of = self.levels.code, self.count, self.level_of
            found = np.fromiter(
                (code[level_of(*divmod(key, count))] for key in distinct.tolist()),
                dtype=np.int64,
                count=len(distinct),
            )
        return found[inverse.reshape(-1)]


class NameLevels:
    """``scoring._first_level`` and ``scoring._last_level`` over arrays of name codes."""

    def __init__(self, names: list[str], levels: Levels) -> None:
        self.names = names
        self.text = np.asarray(names + [""], dtype=str)
        # The same names as the str objects they are, for rapidfuzz: taken by index, where
        # ``text[...].tolist()`` copied each name at the width of the longest and made a
        # new str of it (people's pairs scored in 7.4 s against 13.4 s at 400,000 people).
        self.objects = np.asarray(names + [""], dtype=object)
        self.length = np.asarray([len(n) for n in names] + [0], dtype=np.int64)
        joined = Vocab()
        self.joined = np.asarray([joined.code(n.replace(" ", "")) for n in names] + [-1])
        forms = Vocab()
        width = max([len(name_forms(n)) for n in names] + [1])
        table = np.full((len(names) + 1, width), -1, dtype=np.int64)
        for n, name in enumerate(names):
            for k, form in enumerate(sorted(name_forms(name))):
                table[n, k] = forms.code(form)
        self.forms = table
        self.code = levels.code

    def _common(self, left: IntArray, right: IntArray) -> tuple[NDArray[Any], ...]:
        a, b = self.objects[left].tolist(), self.objects[right].tolist()
        jw = cpdist(a, b, scorer=JaroWinkler.similarity, dtype=np.float64, workers=-1)
        one = cpdist(
            a, b, scorer=DamerauLevenshtein.distance, score_cutoff=1, dtype=np.int32, workers=-1
        )
        return jw, one <= 1, np.minimum(self.length[left], self.length[right])

    def last(self, left: IntArray, right: IntArray) -> IntArray:
        jw, one_edit, shortest = self._common(left, right)
        fuzzy = (jw >= 0.9) | (self.joined[left] == self.joined[right])
        fuzzy |= (shortest >= 4) & one_edit
        similar = (jw >= 0.8) | one_edit
        code = self.code
        return np.where(
            left == right,
            code["exact"],
            np.where(fuzzy, code["fuzzy"], np.where(similar, code["similar"], code["different"])),
        )

    def first(self, left: IntArray, right: IntArray) -> IntArray:
        jw, one_edit, shortest = self._common(left, right)
        a, b = self.text[left], self.text[right]
        b_starts_a, a_starts_b = np.strings.startswith(b, a), np.strings.startswith(a, b)
        forms_left, forms_right = self.forms[left], self.forms[right]
        nickname = np.zeros(len(left), dtype=bool)
        for k in range(forms_left.shape[1]):
            mine = forms_left[:, k : k + 1]
            nickname |= ((mine >= 0) & (mine == forms_right)).any(axis=1)
        nickname |= (shortest >= 3) & (b_starts_a | a_starts_b)
        fuzzy = (jw >= 0.88) | ((shortest >= 4) & one_edit)
        initial = ((self.length[left] == 1) & b_starts_a) | ((self.length[right] == 1) & a_starts_b)
        similar = (jw >= 0.8) | one_edit
        code = self.code
        found = np.where(similar, code["similar"], code["different"])
        found = np.where(initial, code["initial"], found)
        found = np.where(fuzzy, code["fuzzy"], found)
        found = np.where(nickname, code["nickname"], found)
        return np.where(left == right, code["exact"], found)
