"""People's candidate pairs scored in bulk: ``scoring.score_pair``'s totals over arrays.

A million people give twenty million candidate pairs, and scoring them one by one in
Python was two thirds of a run. Here each field's level is found once per distinct pair
of values, by the level functions ``score_pair`` itself uses, and the levels are combined
and weighed per pair with numpy: the same comparisons, the same weights (term frequencies
included), added in the same order, so a total is ``score_pair``'s to the last bit.

Pairs whose comparison takes a rarer path stay with ``score_pair``: a record with more
than two e-mails or phones, and organisations and employees (few records). One record with
both names and the other with one is scored here (``bulk_names.py``). The pairs kept (those
at or above the review band) are stored and explained from the levels found here, with the
values ``score_pair`` shows for each comparison (``bulk_shown.py``): what it gives, without
scoring them again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
from numpy.typing import NDArray

from sync.reconcile.bulk_mail import MailTypos
from sync.reconcile.bulk_names import lone_names
from sync.reconcile.bulk_places import OrganisationLevels, StreetLevels
from sync.reconcile.bulk_records import (
    NO_TIME,
    SLOTS,
    Cache,
    Levels,
    NameLevels,
    Records,
)
from sync.reconcile.bulk_shown import comparisons, shown_for_training, tf_values
from sync.reconcile.entities import Entity
from sync.reconcile.mailnames import spells_name
from sync.reconcile.pairs import pair_arrays
from sync.reconcile.places import _PLACE_AGREES, IMPLIED, _postal_level, _state_level, add_city
from sync.reconcile.scoring import Raw, ScoreContext, score_pair

__all__ = ["CHUNK", "PersonCodes", "bulk_totals", "observations", "scored_pairs"]

IntArray = NDArray[np.int64]
Compared = tuple[str, IntArray, IntArray, IntArray]  # field, levels, values, other values
CHUNK = 1 << 18  # pairs scored at a time: some fifty arrays of this length are alive at once
_MARGIN = 0.01  # a total this close under the review band is scored again by score_pair
_AGREE = ("exact", "fuzzy", "abbreviation")  # places._AGREE: an organisation agreeing


class _Scorer:
    def __init__(
        self, entities: Sequence[Entity], ctx: ScoreContext, records: Records | None = None
    ) -> None:
        self.entities, self.ctx = entities, ctx
        self.records = records = records or Records(entities, ctx)
        self.levels = levels = Levels(ctx, records)
        names = NameLevels(records.names.values, levels)
        self.first = Cache(levels, len(records.names.values), vector=names.first)
        self.last = Cache(levels, len(records.names.values), vector=names.last)
        orgs = OrganisationLevels(records.orgs.values, levels)
        self.org = Cache(levels, len(records.orgs.values), vector=orgs)
        # No method of this scorer in its caches: a cycle through it would keep every
        # entity alive past the run, until the cyclic collector ran (3.5 s at 1 M people).
        cities = records.cities.values
        self.city = Cache(levels, len(cities), lambda x, y: _city_level(cities[x], cities[y]))
        streets = StreetLevels(records.streets.values, levels)
        self.street = Cache(levels, len(records.streets.values), vector=streets)
        codes = records.postcodes.values
        self.postal = Cache(levels, len(codes), lambda x, y: _postal_level(codes[x], codes[y]))
        states = records.states.values
        self.state = Cache(levels, len(states), lambda x, y: _state_level(states[x], states[y]))
        self.mail_typos = MailTypos(records.mails.values, levels, records.column)

    def totals(
        self, left: IntArray, right: IntArray
    ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """The unrounded total of each pair, and where ``score_pair`` must score it."""
        return self.weighed(*self.compared(left, right))

    def weighed(
        self, fields: list[Compared], python: NDArray[np.bool_]
    ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """``totals`` of pairs ``compared`` already."""
        total = np.zeros(len(python), dtype=np.float64)
        for fld, level, value, other in fields:  # score_pair's order of addition
            total += self.levels.weight(fld, level, value, other)
        # A level without a weight for its field: score_pair says what it makes of it.
        return total, python | np.isnan(total)

    def compared(self, left: IntArray, right: IntArray) -> tuple[list[Compared], NDArray[np.bool_]]:
        """Each field's level per pair (``Levels.none``: not compared) with the codes of
        the two values compared, in ``score_pair``'s order; and where ``score_pair`` must
        score the pair."""
        col, lv = self.records.column, self.levels
        none = lv.none
        count = len(left)
        fields: list[Compared] = []
        python = ~(col["simple"][left].astype(bool) & col["simple"][right].astype(bool))

        def level_where(
            mask: NDArray[np.bool_], cache: Cache, a: IntArray, b: IntArray
        ) -> IntArray:
            found = np.full(count, none, dtype=np.int64)
            if mask.any():
                found[mask] = cache(a[mask], b[mask])
            return found

        # e-mail
        both, common, shared = self._common("mail", self.records.shared_mail, left, right)
        free_differs = col["free"][left] != col["free"][right]
        typo = self.mail_typos(both & ~common, left, right)
        apart = np.where(free_differs, lv.code["personal_vs_work"], lv.code["different"])
        level = np.where(typo, lv.code["fuzzy"], apart)
        level = np.where(common, np.where(shared, lv.code["shared"], lv.code["exact"]), level)
        fields.append(("email", np.where(both, level, none), left, right))

        # names: each column, the two swapped, an address spelling the other's name
        first_a, first_b = col["first"][left], col["first"][right]
        last_a, last_b = col["last"][left], col["last"][right]
        has = (first_a >= 0, last_a >= 0, first_b >= 0, last_b >= 0)
        first = level_where(has[0] & has[2], self.first, first_a, first_b)
        last = level_where(has[1] & has[3], self.last, last_a, last_b)
        four = has[0] & has[1] & has[2] & has[3]
        # one record with both names, the other with one (``_lone_names``)
        names = (first_a, last_a, first_b, last_b)
        lone = lone_names(lv, (self.first, self.last), has, (first, last), names)
        lone_first, lone_last, first_shown, last_shown = lone
        lone_any = (lone_first != none) | (lone_last != none)
        exact = lv.code["exact"]
        unsure = four & ~((first == exact) & (last == exact))
        # the two readings of crossed names (``scoring._swapped``): b's columns crossed, or
        # a's; the better agreeing, on a tie the lighter (each name where it is common)
        swap_first = level_where(unsure, self.first, first_a, last_b)
        swap_last = level_where(unsure, self.last, last_a, first_b)
        other_first = level_where(unsure, self.first, last_a, first_b)
        other_last = level_where(unsure, self.last, first_a, last_b)
        rank_f, rank_l = lv.rank["first_name"], lv.rank["last_name"]
        rank_one = rank_f[swap_first] + rank_l[swap_last]
        rank_two = rank_f[other_first] + rank_l[other_last]
        weight_one = lv.weight("first_name", swap_first, first_a, last_b) + lv.weight(
            "last_name", swap_last, last_a, first_b
        )
        weight_two = lv.weight("first_name", other_first, last_a, first_b) + lv.weight(
            "last_name", other_last, first_a, last_b
        )
        second = unsure & (
            (rank_two > rank_one) | ((rank_two == rank_one) & (weight_two < weight_one))
        )
        swap_first = np.where(second, other_first, swap_first)
        swap_last = np.where(second, other_last, swap_last)
        swapped = unsure & (rank_f[swap_first] + rank_l[swap_last] > rank_f[first] + rank_l[last])
        weak = ~swapped & ~lone_any & np.isin(last, lv.of(["different", "similar"]))
        last = np.where(weak & self._spelt(left, right, weak), lv.code["fuzzy"], last)
        first = np.where(swapped, swap_first, np.where(lone_any, lone_first, first))
        crossed_a = np.where(second, last_a, first_a)  # the first-name column compared
        crossed_b = np.where(second, first_b, last_b)
        fields.append(
            (
                "first_name",
                first,
                np.where(swapped, crossed_a, np.where(lone_any, first_shown[0], first_a)),
                np.where(swapped, crossed_b, np.where(lone_any, first_shown[1], first_b)),
            )
        )
        last = np.where(swapped, swap_last, np.where(lone_any, lone_last, last))
        fields.append(
            (
                "last_name",
                last,
                np.where(swapped & second, first_a, np.where(lone_any, last_shown[0], last_a)),
                np.where(
                    swapped,
                    np.where(second, last_b, first_b),
                    np.where(lone_any, last_shown[1], last_b),
                ),
            )
        )

        # a converted lead and its contact
        lead_a, lead_b = col["lead"][left].astype(bool), col["lead"][right].astype(bool)
        lead = np.where(lead_a, left, right)
        contact = np.where(lead_a, right, left)
        converted, created = col["converted"][lead], col["created"][contact]
        known = (converted != NO_TIME) & (created != NO_TIME)
        close = np.abs(np.where(known, converted - created, 0)) <= 60_000_000
        conversion = (
            (col["source"][left] == col["source"][right]) & (lead_a != lead_b) & known & close
        )
        fields.append(("conversion", np.where(conversion, exact, none), left, right))

        # phone
        both, common, shared = self._common("phone", self.records.shared_phone, left, right)
        level = np.where(common, np.where(shared, lv.code["shared"], exact), lv.code["different"])
        phone = np.where(both, level, none)
        fields.append(("phone", phone, left, right))

        # organisation, job title
        org_a, org_b = col["org"][left], col["org"][right]
        org = level_where((org_a >= 0) & (org_b >= 0), self.org, org_a, org_b)
        # the switchboard colleagues share says nothing the organisation did not
        board = (phone == lv.code["shared"]) & np.isin(org, lv.of(["exact", "fuzzy"]))
        fields[-1] = ("phone", np.where(board, none, phone), left, right)
        fields.append(("organisation", org, org_a, org_b))
        title_a, title_b = col["title"][left], col["title"][right]
        level = np.where(title_a == title_b, exact, lv.code["other"])
        fields.append(
            ("title", np.where((title_a >= 0) & (title_b >= 0), level, none), title_a, title_b)
        )

        # places: city, street, postal code, state
        offices = org != none
        same_org = np.isin(org, lv.of(_AGREE))
        city_a, city_b = col["city"][left], col["city"][right]
        city = level_where((city_a >= 0) & (city_b >= 0), self.city, city_a, city_b)
        city = np.where(same_org & (city != lv.code["other"]), none, city)
        agree = lv.of(_AGREE)
        street_a, street_b = col["street"][left], col["street"][right]
        street = level_where((street_a >= 0) & (street_b >= 0), self.street, street_a, street_b)
        street = np.where(offices & np.isin(street, agree), none, street)
        code_a, code_b = col["postcode"][left], col["postcode"][right]
        postal = level_where((code_a >= 0) & (code_b >= 0), self.postal, code_a, code_b)
        postal = np.where(offices & np.isin(postal, agree), none, postal)
        state_a, state_b = col["state"][left], col["state"][right]
        state = level_where((state_a >= 0) & (state_b >= 0), self.state, state_a, state_b)
        state = np.where(offices & np.isin(state, agree), none, state)
        if self.ctx.nested_places:
            agrees = lv.of(sorted(_PLACE_AGREES))
            city_agrees, state_agrees = np.isin(city, agrees), np.isin(state, agrees)
            street_agrees, implied = np.isin(street, agrees), lv.code[IMPLIED]
            specific = street_agrees | np.isin(postal, agrees)
            postal = np.where(street_agrees & (postal == lv.code["exact"]), implied, postal)
            city = np.where(specific & city_agrees, implied, city)
            state = np.where((specific | city_agrees) & state_agrees, implied, state)
        fields.append(("city", city, city_a, city_b))
        fields.append(("street", street, col["address"][left], col["address"][right]))
        fields.append(("postal_code", postal, code_a, code_b))
        fields.append(("state", state, state_a, state_b))
        return fields, python

    def _common(
        self, name: str, shared: NDArray[np.bool_], left: IntArray, right: IntArray
    ) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]]:
        """Where both records hold a value (e-mail or phone), where they share one, and
        where every value they share is shared by more people than the limit."""
        col = self.records.column
        mine = [col[f"{name}{slot}"][left] for slot in range(SLOTS)]
        theirs = [col[f"{name}{slot}"][right] for slot in range(SLOTS)]
        both = (mine[0] >= 0) & (theirs[0] >= 0)
        common = np.zeros(len(left), dtype=bool)
        alone = np.zeros(len(left), dtype=bool)  # a shared value few people hold
        for value in mine:
            for other in theirs:
                same = (value >= 0) & (value == other)
                common |= same
                alone |= same & ~shared[np.where(same, value, 0)]
        return both, common, common & ~alone

    def _spelt(
        self, left: IntArray, right: IntArray, wanted: NDArray[np.bool_]
    ) -> NDArray[np.bool_]:
        """Where one record's address spells the other's name (``mailnames.spells_name``):
        the local parts that could are found by code, then checked one by one."""
        col = self.records.column
        found = np.zeros(len(left), dtype=bool)
        maybe = np.zeros(len(left), dtype=bool)
        for mine, theirs in ((left, right), (right, left)):
            for slot in range(SLOTS):
                local = col[f"local{slot}"][mine]
                for n in range(4):
                    maybe |= (local >= 0) & (local == col[f"spelt{n}"][theirs])
        maybe &= wanted
        entities = self.entities
        for k in np.flatnonzero(maybe).tolist():
            a, b = entities[int(left[k])], entities[int(right[k])]
            found[k] = spells_name(a.emails, b.first, b.last) or spells_name(
                b.emails, a.first, a.last
            )
        return found


def _city_level(a: str, b: str) -> str:
    out: list[Raw] = []
    add_city(_place(a), _place(b), out)
    return out[0][1]


def _bulk(entities: Sequence[Entity], ctx: ScoreContext) -> bool:
    """Whether these records' pairs are scored here: people, weighed by term frequencies
    of the fields this module knows the values of."""
    known = set(ctx.terms) <= {"first_name", "last_name", "street", "postal_code"}
    return known and bool(entities) and all(e.kind == "person" for e in entities)


class PersonCodes:
    """Every person's comparison codes (``Records``), made once for a full run and read by
    training (its sampled and random pairs) and by the run's candidate pairs; with the
    scorer of the last scoring context asked for."""

    def __init__(self, entities: Sequence[Entity], ctx: ScoreContext) -> None:
        self.entities, self.ctx = entities, ctx
        self.records: Records | None = Records(entities, ctx)
        self._last: tuple[ScoreContext, _Scorer] | None = None

    def release(self) -> None:
        """Let the codes and the scorer go once every pair is scored (half a GB at 1 M)."""
        self.records, self._last = None, None

    def scorer(self, ctx: ScoreContext) -> _Scorer | None:
        """A scorer of ``ctx`` on these codes, or None where they do not serve it: other
        counts of people per e-mail or phone, other organisations, not people, or the
        codes released."""
        base = self.ctx
        if self.records is None:
            return None
        same = (
            ctx.email_people is base.email_people
            and ctx.phone_people is base.phone_people
            and ctx.org_of is base.org_of
            and ctx.shared_limit == base.shared_limit
        )
        if not same or not _bulk(self.entities, ctx):
            return None
        if self._last is None or self._last[0] is not ctx:
            self._last = (ctx, _Scorer(self.entities, ctx, self.records))
        return self._last[1]


def _scorer(
    entities: Sequence[Entity],
    ctx: ScoreContext,
    left: IntArray,
    right: IntArray,
    codes: PersonCodes | None = None,
) -> tuple[_Scorer | None, IntArray]:
    """A scorer over the records the pairs name (an incremental run's few pairs among
    thousands of records loaded), and each record's position in it; ``codes``: made
    already for all of ``entities``."""
    if not _bulk(entities, ctx):
        return None, np.zeros(0, dtype=np.int64)
    if codes is not None and codes.entities is entities:
        found = codes.scorer(ctx)
        if found is not None:
            return found, np.arange(len(entities), dtype=np.int64)
    named = np.zeros(len(entities), dtype=bool)
    named[left] = True
    named[right] = True
    chosen = np.flatnonzero(named)
    position = np.cumsum(named, dtype=np.int64) - 1
    return _Scorer([entities[k] for k in chosen.tolist()], ctx), position


def _place(city: str) -> Entity:
    return Entity("", "person", "", "", "", city=city)


def bulk_totals(
    entities: Sequence[Entity], left: IntArray, right: IntArray, ctx: ScoreContext
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Each pair's total as ``score_pair`` adds it up (before rounding), and where the pair
    needs ``score_pair`` itself (its total here is then meaningless)."""
    scorer, position = _scorer(entities, ctx, left, right)
    if scorer is None:
        return np.zeros(len(left)), np.ones(len(left), dtype=bool)
    return scorer.totals(position[left], position[right])


def scored_pairs(
    entities: Sequence[Entity],
    left: IntArray,
    right: IntArray,
    ctx: ScoreContext,
    floor: float,
    codes: PersonCodes | None = None,
) -> Iterator[tuple[int, int, float, list[Raw]]]:
    """The pairs (in the order given) whose ``score_pair`` total is at least ``floor``,
    with that total and the comparisons."""
    scorer, position = _scorer(entities, ctx, left, right, codes)
    for start in range(0, len(left), CHUNK):
        i, j = left[start : start + CHUNK], right[start : start + CHUNK]
        if scorer is None:
            wanted = np.flatnonzero(np.ones(len(i), dtype=bool))
            python, total, columns = [True] * len(wanted), [0.0] * len(wanted), []
        else:
            fields, found = scorer.compared(position[i], position[j])
            totals, found = scorer.weighed(fields, found)
            wanted = np.flatnonzero(found | (totals >= floor - _MARGIN))
            python, total = found[wanted].tolist(), totals[wanted].tolist()
            columns = [
                (f, lv[wanted].tolist(), a[wanted].tolist(), b[wanted].tolist())
                for f, lv, a, b in fields
            ]
            del fields, found, totals
        for k, (a, b) in enumerate(zip(i[wanted].tolist(), j[wanted].tolist(), strict=True)):
            if python[k]:
                score, raw = score_pair(entities[a], entities[b], ctx)
            else:  # score_pair's total to the last bit, rounded as it rounds it
                assert scorer is not None
                score = round(total[k], 2)
                if score < floor:
                    continue
                raw = comparisons(
                    scorer.levels, scorer.records, ctx, columns, k, entities[a], entities[b]
                )
            if score >= floor:
                yield a, b, score, raw


Pattern = tuple[tuple[str, str], ...]
Values = tuple[tuple[str, str, str], ...]


def observations(
    entities: Sequence[Entity],
    pairs: Sequence[tuple[int, int]],
    ctx: ScoreContext,
    adjusted: Callable[[str, str], bool],
    codes: PersonCodes | None = None,
) -> Iterator[tuple[Pattern, Values]]:
    """Each pair's comparisons as training reads them from ``score_pair``: the sorted
    (field, level) pattern, and the sorted (field, value, other value) of the comparisons
    ``adjusted`` says term frequencies weigh (first and last names, street, postal code)."""
    left, right = pair_arrays(pairs)
    scorer, position = _scorer(entities, ctx, left, right, codes)
    values = tf_values(scorer.records) if scorer is not None else {}
    for start in range(0, len(left), CHUNK):
        i, j = left[start : start + CHUNK].tolist(), right[start : start + CHUNK].tolist()
        if scorer is None:
            python, columns = [True] * len(i), []
        else:
            fields, found = scorer.compared(
                position[left[start : start + CHUNK]], position[right[start : start + CHUNK]]
            )
            python = found.tolist()
            columns = [(f, lv.tolist(), a.tolist(), b.tolist()) for f, lv, a, b in fields]
        for k, (a, b) in enumerate(zip(i, j, strict=True)):
            if python[k]:
                _, raw = score_pair(entities[a], entities[b], ctx)
                comparisons = [(c[0], c[1], c[2], c[3]) for c in raw]
            else:
                assert scorer is not None
                comparisons = shown_for_training(scorer.levels, values, columns, k)
            yield (
                tuple(sorted((c[0], c[1]) for c in comparisons)),
                tuple(sorted((c[0], c[2], c[3]) for c in comparisons if adjusted(c[0], c[1]))),
            )
