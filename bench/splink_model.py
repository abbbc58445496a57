"""The Splink 4 model the linkage benchmark trains: comparisons, blocking rules, training.

A Fellegi-Sunter dedupe model on DuckDB over the columns of ``linkage_prep.CANONICAL``
plus metaphone codes of the two names. Nothing here reads the true links: u comes from
random pairs (fixed seed), m from expectation maximisation on blocked pairs, and the prior
from deterministic rules with an assumed recall.
"""

from __future__ import annotations

from typing import Any

import duckdb
import jellyfish
import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from linkage_prep import CANONICAL
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

__all__ = ["BLOCKING_RULES", "dedupe_settings", "frame", "linker", "train"]

# Predictions compare the union of these blocks. Each needs two values to agree exactly
# (a whole field or its first three letters), so a block stays small as records grow;
# a true pair is missed only when every rule has a corrupted field. Chosen by measuring
# blocking recall on FEBRL's labelled pairs (the only step that reads them).
_NAMES, _LINES, _PLACES = ("given_name", "surname"), ("street", "address_2"), ("postcode", "suburb")


def _blocking_rules() -> list[Any]:
    rules: list[Any] = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname AND l.surname = r.given_name",
        "l.street = r.address_2 AND l.address_2 = r.street",
        block_on("street", "address_2"),
        block_on("given_name_mp", "surname_mp"),
        block_on("street_number", "postcode"),
        block_on("street_number", "suburb"),
    ]
    for field in (*_NAMES, *_LINES):
        rules += [block_on(field, other) for other in (*_PLACES, "street_number")]
    rules += [block_on(name, line) for name in _NAMES for line in _LINES]
    # The same person with first and last name swapped, in the same place.
    rules += [
        f"l.{a} = r.{b} AND l.{place} = r.{place}"
        for a, b in (_NAMES, _NAMES[::-1])
        for place in _PLACES
    ]
    rules += [
        block_on(f"{a}3", f"{b}3")
        for a, b in (
            ("given_name", "surname"),
            ("surname", "street"),
            ("given_name", "street"),
            ("surname", "suburb"),
            ("given_name", "suburb"),
        )
    ]
    return rules


BLOCKING_RULES = _blocking_rules()
# EM sessions: each fixes some fields by blocking and learns m of the others.
EM_BLOCKS = [
    block_on("given_name", "surname"),
    block_on("street", "postcode"),
    block_on("street_number", "suburb"),
]
# Prior: pairs agreeing on all of these are assumed matches, and to be this share of all.
PRIOR_RULES = [
    block_on("given_name", "surname", "postcode"),
    block_on("given_name", "surname", "street"),
]
PRIOR_RECALL = 0.6
U_MAX_PAIRS = 2e6
SEED = 1


_PREFIXED = ("given_name", "surname", "street", "suburb")


def _phonetic(value: str | None) -> str | None:
    return jellyfish.metaphone(value) or None if value else None


def frame(records: dict[str, dict[str, str | None]]) -> pd.DataFrame:
    """rec_id -> canonical columns, as the table Splink reads (metaphone codes added)."""
    rows = []
    for rec_id in sorted(records):
        row: dict[str, Any] = {"unique_id": rec_id, **{c: records[rec_id][c] for c in CANONICAL}}
        row["given_name_mp"] = _phonetic(row["given_name"])
        row["surname_mp"] = _phonetic(row["surname"])
        for col in _PREFIXED:
            row[f"{col}3"] = row[col][:3] if row[col] else None
        rows.append(row)
    extra = ["given_name_mp", "surname_mp", *(f"{c}3" for c in _PREFIXED)]
    return pd.DataFrame(rows, columns=["unique_id", *CANONICAL, *extra])


def _name(col: str, swapped_with: str | None = None) -> cl.CustomComparison:
    # The swap level sits in the first-name comparison only, so a swapped pair is not
    # counted twice.
    swap = (
        [
            cll.ColumnsReversedLevel(col, swapped_with, symmetrical=True).configure(
                label_for_charts="first and last name swapped"
            )
        ]
        if swapped_with
        else []
    )
    return cl.CustomComparison(
        output_column_name=col,
        comparison_levels=[
            cll.NullLevel(col),
            cll.ExactMatchLevel(col, term_frequency_adjustments=True),
            *swap,
            cll.DamerauLevenshteinLevel(col, 1),
            cll.JaroWinklerLevel(col, 0.9),
            cll.ExactMatchLevel(f"{col}_mp").configure(label_for_charts="same metaphone"),
            cll.JaroWinklerLevel(col, 0.8),
            cll.ElseLevel(),
        ],
    )


def _text(col: str, tf: bool = False) -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name=col,
        comparison_levels=[
            cll.NullLevel(col),
            cll.ExactMatchLevel(col, term_frequency_adjustments=tf),
            cll.DamerauLevenshteinLevel(col, 1),
            cll.JaroWinklerLevel(col, 0.88),
            cll.ElseLevel(),
        ],
    )


def _code(col: str) -> cl.CustomComparison:
    # Street numbers and postcodes: a one-character typo still says something.
    return cl.CustomComparison(
        output_column_name=col,
        comparison_levels=[
            cll.NullLevel(col),
            cll.ExactMatchLevel(col),
            cll.DamerauLevenshteinLevel(col, 1),
            cll.ElseLevel(),
        ],
    )


def dedupe_settings(comparisons: list[Any], rules: list[Any]) -> SettingsCreator:
    """A dedupe model of ``comparisons``, predicting on the pairs ``rules`` block."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=rules,
        retain_intermediate_calculation_columns=False,
    )


def settings() -> SettingsCreator:
    comparisons = [
        _name("given_name", "surname"),
        _name("surname"),
        _code("street_number"),
        _text("street", tf=True),
        _text("address_2"),
        _text("suburb", tf=True),
        _code("postcode"),
        cl.ExactMatch("state"),
    ]
    return dedupe_settings(comparisons, BLOCKING_RULES)


def linker(
    table: pd.DataFrame, memory_limit: str = "4GB", chosen: SettingsCreator | None = None
) -> Linker:
    """The model (``chosen``, else this module's) on an in-process DuckDB that spills to
    disk past ``memory_limit`` (DuckDB's own default is 80% of the machine's memory)."""
    connection = duckdb.connect()
    connection.execute(f"SET memory_limit = '{memory_limit}'")
    return Linker(table, chosen or settings(), DuckDBAPI(connection=connection))


def train(model: Linker) -> None:
    """Prior, u by random sampling (seeded), m by EM: no label is read."""
    model.training.estimate_probability_two_random_records_match(PRIOR_RULES, recall=PRIOR_RECALL)
    model.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=SEED)
    for rule in EM_BLOCKS:
        model.training.estimate_parameters_using_expectation_maximisation(rule)
