"""Blocking: the candidate pairs worth scoring, as a union of cheap keys.

Each entity gets a few keys (normalised e-mail, phone, name pair, surname + company, domain,
company name, postal code + house number...). Two entities are a candidate pair when they
share a key. The number of pairs is estimated from block sizes before any pair is built;
blocks larger than ``max_block`` are split into overlapping windows of neighbours sorted by
name, so the work and memory per block stay bounded (a switchboard phone shared by 400
people does not produce 80,000 pairs). A key shared by more than ``max_key_records``
records says nothing about any pair of them (one bulk import's created time, a placeholder
that slipped through): it pairs no one and is counted in ``capped_keys``. The conversion
instant key pairs only a lead with a contact, never two contacts created in one import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sync.reconcile.entities import Entity
from sync.reconcile.nicknames import name_forms
from sync.reconcile.normalize import street_name
from sync.reconcile.pairs import PairCodes, blocks_of, pair_codes, sorted_windows

__all__ = [
    "BLOCKING_SCHEME",
    "CONVERSION",
    "NAME_START",
    "NAME_START_LIMIT",
    "RARE_VALUE_KINDS",
    "SMALL_BLOCK_KINDS",
    "SMALL_BLOCK_LIMITS",
    "BlockingStats",
    "block_keys",
    "candidate_pairs",
    "estimate_pairs",
    "silent_keys",
]

CONVERSION = "cv"  # prefix of the conversion instant key
NAME_START = "l3"  # prefix of the key of a name's first three letters at a place
STREET_AT_TOWN = "sc"  # a street's name in a town
HOUSE_AT_TOWN = "hc"  # a house number in a town
NAME_AT_TOWN = "nc"  # a first or last name in a town
NAME_PAIR = "nb"  # both names, with or without an organisation
FIRST_NAME = "fn"  # the first name alone
LAST_NAME = "ln"  # the last name alone
EMAIL_LOCAL = "el"  # an e-mail address's part before the "@"
INITIAL_LAST = "li"  # the last name with a first name's initial
POSTCODE = "pz"  # the postal code alone
NAME_START_LIMIT = 50  # records a block of a name or its start may hold and still pair
# Keys that pair only in small blocks, with the most records such a block may hold: in a
# large one they would pair everyone on a street, at a number, with a name or a name's
# start in a town, and a true pair there shares a stronger key as well (a name at a
# postal code or street, a street at its postal code). A street's name or a house number
# in a town pairs in blocks of at most ten: at 1 M people their blocks of 11 to 50 made
# 6.5 M pairs no other key made, for one true pair; the three true pairs of FEBRL4 only
# they find are in blocks of ten or fewer.
SMALL_BLOCK_LIMITS = {
    NAME_START: NAME_START_LIMIT,
    NAME_AT_TOWN: NAME_START_LIMIT,
    STREET_AT_TOWN: 10,
    HOUSE_AT_TOWN: 10,
    NAME_PAIR: NAME_START_LIMIT,
    FIRST_NAME: NAME_START_LIMIT,
    LAST_NAME: 10,
    EMAIL_LOCAL: NAME_START_LIMIT,
    INITIAL_LAST: 20,
    POSTCODE: 10,
}
SMALL_BLOCK_KINDS = tuple(SMALL_BLOCK_LIMITS)
# The keys of one value wherever it is (a rare name pair, name, e-mail local part or
# postal code), whatever else the records hold.
RARE_VALUE_KINDS = (NAME_PAIR, FIRST_NAME, LAST_NAME, EMAIL_LOCAL, INITIAL_LAST, POSTCODE)
# The version of the keys below. Keys are stored for incremental runs; a run that finds
# them made by another version runs in full, so no stored key is read with a new meaning.
BLOCKING_SCHEME = 9


@dataclass
class BlockingStats:
    """What blocking did: blocks, oversized blocks split, pairs estimated and built."""

    entities: int = 0
    blocks: int = 0
    oversized_blocks: int = 0
    estimated_pairs: int = 0
    pairs: int = 0
    capped_keys: int = 0  # shared by more than ``max_key_records`` records
    crowded_keys: int = 0  # of a small-block kind, over its limit (SMALL_BLOCK_LIMITS)
    keys_by_kind: dict[str, int] = field(default_factory=dict)
    capped_by_kind: dict[str, int] = field(default_factory=dict)
    crowded_by_kind: dict[str, int] = field(default_factory=dict)


def _initials(company: str) -> str | None:
    words = company.split()
    if len(words) >= 2:
        return "".join(w[0] for w in words)
    if len(words) == 1 and 2 <= len(words[0]) <= 5:
        return words[0]
    return None


def block_keys(entity: Entity) -> list[str]:
    """The blocking keys of one entity, sorted and unique; never built from blank values."""
    keys: set[str] = set()
    keys.update(f"e:{email}" for email in entity.emails)
    keys.update(f"p:{phone}" for phone in entity.phones)
    if entity.kind == "organisation":
        if entity.domain:
            keys.add(f"d:{entity.domain}")
        if entity.company:
            # Branches share a name in many cities: name keys are scoped by city.
            keys.add(f"c:{entity.company}|{entity.city}")
            keys.add(f"t:{entity.company.split()[0]}|{entity.city}")
            initials = _initials(entity.company)
            if initials:
                keys.add(f"ci:{initials}|{entity.city}")
        return sorted(keys)
    if entity.kind == "employee":
        keys.update(f"el:{email.split('@', 1)[0]}" for email in entity.emails)
        if entity.last:
            keys.add(f"l:{entity.last}")
        if entity.first and entity.last:  # the bare name pair (see ``_person_keys``)
            for form in name_forms(entity.first):
                keys.add("n:" + "|".join(sorted((form, entity.last))))
        return sorted(keys)
    _person_keys(entity, keys)
    return sorted(keys)


def _person_keys(entity: Entity, keys: set[str]) -> None:
    """A person's keys past e-mails and phones (made once per record: a million people;
    each value they are made of is found once)."""
    forms = name_forms(entity.first) if entity.first else frozenset()
    alone = not _has_org(entity)  # no organisation to scope the names by
    _name_keys(entity, forms, alone, keys)
    _record_keys(entity, alone, keys)
    word = street_name(entity.street)[:4]  # the street's name to its fourth letter
    digits = postcode_digits(entity.postcode)  # the postal code's digits in any order
    _address_keys(entity, word, digits, keys)
    _scoped_name_keys(entity, forms, word, digits, keys)
    _typo_keys(entity, keys)


def _name_keys(entity: Entity, forms: frozenset[str], alone: bool, keys: set[str]) -> None:
    """The names' own keys: the bare pair, and the rare pair, first or last name."""
    first, last = entity.first, entity.last
    # The bare name pair is a weak key (every John Smith in a million records): people use
    # it only when they have no organisation to scope their names by. Given to everyone, it
    # paired each free-mail namesake with every corporate one: 8 GB and more at 1 M people.
    if alone and first and last:
        for form in forms:
            keys.add("n:" + (f"{form}|{last}" if form <= last else f"{last}|{form}"))
    # Rare values pair wherever they are (SMALL_BLOCK_KINDS): a name pair, a first or a
    # last name, an e-mail's local part shared by at most NAME_START_LIMIT records. The
    # record whose every other field is missing or mistyped ("grace" at hull with an
    # address / "grace kelly" with the address only; "a.cross58@brwning-nguyen.com" /
    # "a.cross58@browning-nguyen.com": Splink's fake_1000) meets its duplicates through
    # them; a common name is over the limit in any large store and pairs no one.
    if first and last:
        for form in forms:
            keys.add(f"{NAME_PAIR}:" + (f"{form}|{last}" if form <= last else f"{last}|{form}"))
    if first:
        keys.add(f"{FIRST_NAME}:{first}")
    if last:
        keys.add(f"{LAST_NAME}:{last}")
    if last and alone:
        # A surname held by more than ten records (one person's many duplicates, in
        # Splink's historical_50k) with the first name's initial, in blocks of 20:
        # "carolyn" / "caroline playne", "herbeft" / "herbert foster". Not for people
        # with an organisation, whose names it scopes ("o:" keys): given to everyone, it
        # made 0.5 M more candidate pairs at 1 M people with addresses.
        keys.update([f"{INITIAL_LAST}:{form[0]}|{last}" for form in forms])


def _record_keys(entity: Entity, alone: bool, keys: set[str]) -> None:
    """The keys of a value of the record's own: a rare postal code, an e-mail's local part,
    the conversion instant."""
    # A postal code shared by at most ten records pairs them whatever their names
    # ("alfred" / "fred" at en1 2dy, the surname missing); a district's code pairs no one.
    # Not for people with an organisation: an office's code pairs colleagues, and training
    # learned names from them (the tiny sandbox's 102 people gave a model that found 0.90
    # of its true pairs, against 1.00 with the hand-set weights).
    if entity.postcode and alone:
        keys.add(f"{POSTCODE}:{entity.postcode}")
    keys.update([f"{EMAIL_LOCAL}:{email.partition('@')[0]}" for email in entity.emails])
    moment = entity.converted_at if entity.table == "leads" else entity.created_at
    if moment is not None:
        keys.add(f"{CONVERSION}:{entity.source}:{moment.isoformat()}")


def _address_keys(entity: Entity, word: str, digits: str, keys: set[str]) -> None:
    """One address, whatever the names' spelling (``word``: the street's name to its fourth
    letter, "dixondrive" / "dixon dr"; ``digits``: see ``postcode_digits``)."""
    house, postcode, city, last = entity.house, entity.postcode, entity.city, entity.last
    # postal code + house number, and house number + the start of the street's name (a
    # postal code typo)
    if house and postcode:
        keys.add(f"a:{postcode}|{house}")
    if house and word:
        keys.add(f"h:{house}|{word}")
    # The surname at a house number: the place around it typed otherwise ("hindmarsh
    # dr, toowoomba, 7163" / "hindmars hdrive, toowoonba, 2280").
    if last and house:
        keys.add(f"lh:{last}|{house}")
    # The street's name typed with a typo past its fourth letter, at the postal code with
    # its digits in any order (see postcode_digits) and in the town; a house number in
    # the town ("taliah morrison, 7 cope pl, 6714 dover" / "samantha nguyen, 18
    # copeplace, 6774 dover": FEBRL4). In a town, only small blocks pair (see
    # SMALL_BLOCK_KINDS): unbounded, they paired everyone on a street or at a number of a
    # large town, 45% of the candidate pairs at 100,000 people with addresses.
    if word and digits:
        keys.add(f"sp:{word}|{digits}")
    if city and word:
        keys.add(f"{STREET_AT_TOWN}:{word}|{city}")
    if city and house:
        keys.add(f"{HOUSE_AT_TOWN}:{house}|{city}")


def _scoped_name_keys(
    entity: Entity, forms: frozenset[str], word: str, digits: str, keys: set[str]
) -> None:
    """Each name within what scopes it: an organisation (its domain, or its company in the
    city) or a place."""
    last, city = entity.last, entity.city
    company = f"{entity.company}|{city}" if entity.company else None
    # A place scopes names like a company does (a typo in the other name): the postal
    # code, the city, the street's own name to its fourth letter (its type, number or
    # second line typed otherwise: "harrison treet" / "harrison st flat 79",
    # "strehlowplace" / "strehlow pl").
    places = [p for p in (digits and f"pc:{digits}", word and f"st:{word}") if p]
    names = [last, *forms] if last else list(forms)
    for org in {entity.domain, company, *places} - {None}:
        # One namespace for first and last names: a record with the names swapped, or
        # a typo in one of them, still shares the other name at the same company.
        keys.update([f"o:{name}|{org}" for name in names])
    # A name in a town pairs in small blocks only (SMALL_BLOCK_KINDS): at 1 M people
    # every first name in a large town was one block, 76% of the candidate pairs, for
    # 0.15% of the true pairs that no other key found.
    if city:
        keys.update([f"{NAME_AT_TOWN}:{name}|{city}" for name in names])


def _typo_keys(entity: Entity, keys: set[str]) -> None:
    """Names typed with a typo past their third letter."""
    first, last = entity.first, entity.last
    # Each name at the postal code or the city ("garrard" / "garrarg" at 2515, "weavell"
    # / "weaveldl" in gol gol); first and last names in one namespace, so swapped names
    # meet too.
    starts = {n[:3] for n in (first, last) if n}
    for place in (entity.postcode, entity.city):
        if place:
            keys.update([f"{NAME_START}:{start}|{place}" for start in starts])
    # Both names in one state (without a state this would be a bare name key for
    # everyone: see the "n:" key above).
    if first and last and entity.state:
        prefixes = "|".join(sorted((first[:3], last[:3])))
        keys.add(f"n3:{prefixes}|{entity.state}")


def postcode_digits(postcode: str) -> str:
    """A postal code as a place key: its characters sorted, so two typed with neighbours
    swapped ("2803" / "2830") share it. Of the true pairs of FEBRL3 no key compared, 20
    of 54 had their postcode typed so; the blocks grow by a few codes each."""
    return "".join(sorted(postcode))


def _has_org(entity: Entity) -> bool:
    return bool(entity.domain or entity.company)


def silent_keys(sizes: Mapping[str, int], max_key_records: int) -> set[str]:
    """The keys of an incremental run whose blocks pair no one in a full run: held by more
    than ``max_key_records`` records, or of a small-block kind and over its limit.
    ``sizes``: how many records hold each key, as a full run would count them (the stored
    records but those changed or deleted, and the changed records)."""
    return {
        key
        for key, size in sizes.items()
        if size > max_key_records
        or size > SMALL_BLOCK_LIMITS.get(key.partition(":")[0], max_key_records)
    }


def estimate_pairs(block_sizes: Iterable[int], max_block: int) -> int:
    """Upper bound of the pairs blocks of these sizes produce (windows for oversized ones)."""
    total = 0
    for size in block_sizes:
        if size <= max_block:
            total += size * (size - 1) // 2
        else:
            total += size * (max_block - 1)
    return total


def candidate_pairs(
    entities: Sequence[Entity],
    max_block: int,
    keys: Iterable[Iterable[str]] | None = None,
    only: set[int] | None = None,
    stats: BlockingStats | None = None,
    max_key_records: int | None = None,
) -> PairCodes:
    """Sorted unique (i, j) index pairs, i < j; with ``only``, pairs touching those indexes.
    Keys shared by more than ``max_key_records`` records pair no one (``capped_keys``)."""
    stats = stats if stats is not None else BlockingStats()
    count = len(entities)
    keys = keys if keys is not None else (block_keys(e) for e in entities)
    limit = max_key_records if max_key_records is not None else max(count, 1)
    blocks, capped = blocks_of(keys, limit)
    if max_key_records is not None:
        stats.capped_keys += len(capped)
        for prefix, n in capped.kind_counts().items():
            stats.capped_by_kind[prefix] = stats.capped_by_kind.get(prefix, 0) + n
    # The start of a name at a place is the weakest key: at a postal code shared by a
    # whole district it paired everyone whose name starts alike (46% of the candidate
    # pairs at 1 M people). A block of a small-block kind over its limit
    # (``SMALL_BLOCK_LIMITS``) pairs no one; a true pair in it shares a stronger key too.
    for kind in SMALL_BLOCK_KINDS:
        crowded = blocks.of_kind(kind) & (blocks.sizes > SMALL_BLOCK_LIMITS[kind])
        if crowded.any():
            stats.crowded_keys += int(crowded.sum())
            stats.crowded_by_kind[kind] = stats.crowded_by_kind.get(kind, 0) + int(crowded.sum())
            blocks = blocks.keep(~crowded)
    # A conversion instant pairs a lead with a contact: a block of contacts alone (one
    # import) or of leads alone pairs no one, and in the others only a lead meets a contact.
    is_conversion = blocks.of_kind(CONVERSION)
    leads = np.fromiter((e.table == "leads" for e in entities), bool, count)
    if is_conversion.any():
        mixed = np.ones(len(blocks), dtype=bool)
        for b in np.flatnonzero(is_conversion).tolist():
            of_leads = leads[blocks.of(b)]
            mixed[b] = bool(of_leads.any()) and not bool(of_leads.all())
        blocks = blocks.keep(mixed)
        is_conversion = is_conversion[mixed]
    stats.entities = count
    stats.blocks = len(blocks)
    sizes = blocks.sizes
    stats.estimated_pairs = int(
        np.where(sizes <= max_block, sizes * (sizes - 1) // 2, sizes * (max_block - 1)).sum()
    )
    for prefix, n in blocks.kind_counts().items():
        stats.keys_by_kind[prefix] = stats.keys_by_kind.get(prefix, 0) + n
    stats.oversized_blocks = int((sizes > max_block).sum())
    wanted = None
    if only is not None:
        wanted = np.zeros(count, dtype=bool)
        wanted[sorted(only)] = True
        # Blocks without a wanted record pair no one worth keeping: skipped whole.
        running = np.concatenate(([0], np.cumsum(wanted[blocks.members], dtype=np.int64)))
        touching = running[blocks.starts + blocks.sizes] - running[blocks.starts] > 0
        blocks = blocks.keep(touching)
        is_conversion = is_conversion[touching]
    oversized = blocks.sizes > max_block
    windows: dict[bool, list[Any]] = {False: [], True: []}
    order = _by_name(entities)
    for b in np.flatnonzero(oversized).tolist():
        windows[bool(is_conversion[b])] += sorted_windows(blocks.of(b), max_block, order)
    codes = pair_codes(
        count,
        blocks,
        ~oversized & ~is_conversion,
        windows[False],
        wanted,
        (leads, ~oversized & is_conversion, windows[True]),
    )
    stats.pairs = len(codes)
    return PairCodes(codes, count)


def _by_name(entities: Sequence[Entity]) -> Callable[[int], tuple[str, str, int]]:
    return lambda i: (entities[i].last, entities[i].first, i)
