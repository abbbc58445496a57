"""The corruption real CRM data has, applied to every later copy of a person.

A person's first record is typed cleanly. Every later copy (the same person in another CRM,
or typed in again in the same CRM) goes through :meth:`Corruptor.corrupt`, which applies
each corruption of :class:`CorruptionRates` with its own probability. The rates are one
documented profile (``HARD``, documented in ``docs/sandbox.md``); a profile is a plain
dataclass, so a matcher can be measured against another one with ``dataclasses.replace``.

The corruptor draws from its own ``random.Random`` (seeded from the world's seed, scale and
anchor), never from the generator's stream: which records exist, their owners, times and
deals are the same with any profile; only the values of the copies change. Corruption never
touches the ground truth: every copy stays a record of its person.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sandbox.generator.addresses import city_typo, postcode_typo, street_variant
from sandbox.generator.misspell import keyboard_typo, phonetic, placeholder, transpose
from sandbox.generator.names import draw_surname, last_names
from sandbox.world import World

__all__ = ["HARD", "PLACEHOLDER_EMAILS", "CorruptionRates", "Corruptor"]

PLACEHOLDER_EMAILS = ("noemail@example.com", "none@none.com", "test@test.com", "n/a")


@dataclass(frozen=True)
class CorruptionRates:
    """Probability of each corruption on one later copy of a person (drawn independently).

    ``no_shared_contact`` is the share of copies typed with none of the person's contact
    points: no work e-mail (blank, a placeholder or a private address), no phone and no
    company (blank or a placeholder, and not linked to the company's record).
    """

    no_shared_contact: float = 0.80
    drop_email: float = 0.12
    drop_phone: float = 0.15
    drop_company: float = 0.10
    drop_title: float = 0.25
    drop_street: float = 0.15
    drop_postcode: float = 0.12
    drop_city: float = 0.05
    keyboard_typo: float = 0.12
    transposition: float = 0.06
    phonetic: float = 0.08
    nickname: float = 0.10
    swap_names: float = 0.03
    surname_change: float = 0.03
    placeholder_name: float = 0.02
    placeholder_company: float = 0.04
    placeholder_street: float = 0.03
    street_variant: float = 0.40
    postcode_typo: float = 0.06
    city_typo: float = 0.05
    bulk_import: float = 0.30
    bulk_import_every_days: int = 28


HARD = CorruptionRates()

# Keys of the values a copy carries (``None`` is a blank field).
PERSON_FIELDS = (
    "first",
    "last",
    "email",
    "phone",
    "mobile",
    "title",
    "company",
    "street",
    "city",
    "postcode",
)


class Corruptor:
    """Applies one profile of rates, deterministically, from its own random stream."""

    def __init__(
        self, rates: CorruptionRates, rng: random.Random, names: random.Random | None = None
    ) -> None:
        for f in fields(rates):
            value = getattr(rates, f.name)
            if f.name != "bulk_import_every_days" and not 0.0 <= value <= 1.0:
                raise ValueError(f"corruption rate {f.name}={value} is not within 0..1")
        self.rates = rates
        self.rng = rng
        # Draws that depend on a name (which nickname, the married name, a slip's place)
        # come from ``names`` when given, so that ``rng`` draws the same whatever the names.
        self.names = names if names is not None else rng
        # Records that may have arrived by a list import: (crm, object, id, earliest time).
        self.imports: list[tuple[str, str, str, datetime]] = []

    def _roll(self, rate: float) -> bool:
        return self.rng.random() < rate  # always one draw, so the stream does not drift

    def corrupt(
        self,
        values: dict[str, Any],
        nicknames: tuple[str, ...],
        personal_email: str,
        drawn: tuple[dict[str, Any], tuple[str, ...]] | None = None,
    ) -> bool:
        """Corrupt one copy's ``values`` in place; True when it must not be linked to the
        company's record (a copy sharing no contact point).

        ``drawn``: the same name parts for the person's drawn name, and its nicknames; the
        draws that depend on a name are made on them from ``rng`` (so that ``rng`` draws as
        it did before names had a stream of their own) and on ``values`` from ``names``."""
        r = self.rates
        hidden = self._roll(r.no_shared_contact)
        if hidden:
            roll = self.rng.random()
            values["email"] = (
                None
                if roll < 0.5
                else self.rng.choice(PLACEHOLDER_EMAILS)
                if roll < 0.75
                else personal_email
            )
            values["phone"] = values["mobile"] = None
            values["company"] = placeholder(self.rng) if self.rng.random() < 0.3 else None
        for key, rate in (
            ("email", r.drop_email),
            ("phone", r.drop_phone),
            ("company", r.drop_company),
            ("title", r.drop_title),
            ("street", r.drop_street),
            ("postcode", r.drop_postcode),
            ("city", r.drop_city),
        ):
            if self._roll(rate):
                values[key] = None
                if key == "phone":
                    values["mobile"] = None  # no number given at all
        self._names(values, nicknames, drawn)
        self._address(values)
        if self._roll(r.placeholder_company) and values["company"] is not None:
            values["company"] = placeholder(self.rng)
        return hidden

    def _names(
        self,
        values: dict[str, Any],
        nicknames: tuple[str, ...],
        drawn: tuple[dict[str, Any], tuple[str, ...]] | None,
    ) -> None:
        r, rng = self.rates, self.rng
        # With a drawn name, the rolls look at it and its draws are made from ``rng``, the
        # values' own from ``names``; without one, everything is drawn from ``rng``.
        shadow, lead_nicknames = drawn if drawn else (None, nicknames)
        lead = values if shadow is None else shadow
        names = rng if shadow is None else self.names
        if self._roll(r.nickname) and lead_nicknames and lead["first"]:
            if shadow is not None:
                shadow["first"] = rng.choice(lead_nicknames)
            if nicknames and values["first"]:
                values["first"] = names.choice(nicknames)
        if self._roll(r.surname_change) and lead["last"]:
            if shadow is not None:
                shadow["last"] = rng.choice([n for n in last_names() if n != shadow["last"]])
            married = draw_surname(names)
            while married == values["last"]:
                married = draw_surname(names)
            values["last"] = married
        for rate, slip in (
            (r.keyboard_typo, keyboard_typo),
            (r.transposition, transpose),
            (r.phonetic, phonetic),
        ):
            if self._roll(rate):
                key = "last" if rng.random() < 0.6 else "first"
                if lead[key]:
                    if shadow is not None:
                        shadow[key] = slip(shadow[key], rng)
                    values[key] = slip(values[key], names)
        if self._roll(r.swap_names):
            values["first"], values["last"] = values["last"], values["first"]
            if shadow is not None:
                shadow["first"], shadow["last"] = shadow["last"], shadow["first"]
        if self._roll(r.placeholder_name):
            values["first"] = placeholder(rng)
            if shadow is not None:
                shadow["first"] = values["first"]

    def _address(self, values: dict[str, Any]) -> None:
        r, rng = self.rates, self.rng
        if self._roll(r.street_variant) and values["street"]:
            values["street"] = street_variant(values["street"], rng)
        if self._roll(r.placeholder_street):
            values["street"] = placeholder(rng)
        if self._roll(r.postcode_typo) and values["postcode"]:
            values["postcode"] = postcode_typo(values["postcode"], rng)
        if self._roll(r.city_typo) and values["city"]:
            values["city"] = city_typo(values["city"], rng)

    def import_time(self, at: datetime, earliest: datetime, origin: datetime) -> datetime:
        """When a record arrives by a bulk import, its creation time is the import's: the
        last import run (every ``bulk_import_every_days`` at 02:00 from ``origin``) at or
        before ``at``, if that is not before ``earliest``. Many records share that instant."""
        if not self._roll(self.rates.bulk_import):
            return at
        first = origin.replace(hour=2, minute=0, second=0, microsecond=0)
        every = timedelta(days=self.rates.bulk_import_every_days)
        if at < first:
            return at
        run = first + every * ((at - first) // every)
        return run if run >= earliest else at

    def apply_imports(self, world: World, origin: datetime) -> int:
        """Move the noted records' creation back to their import run, once the world is
        built (so nothing made after them depends on the new time); returns how many moved.

        Only moved earlier, and never before ``earliest`` (a re-typed copy stays after the
        record it copies); modified stamps move too where the record was never edited."""
        moved = 0
        for crm, obj, rid, earliest in self.imports:
            schema = getattr(world, crm)[obj].schema
            record = getattr(world, crm)[obj].rows[rid]
            created = record[schema.created_fields[0]]
            run = self.import_time(created, earliest, origin)
            if run == created:
                continue
            for name in schema.modified_fields:
                if record[name] == created:
                    record[name] = run
            for name in schema.created_fields:
                record[name] = run
            moved += 1
        self.imports.clear()
        return moved
