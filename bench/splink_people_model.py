"""The Splink 4 model the linkage benchmark trains on Splink's own person sets.

``fake_1000`` and ``historical_50k`` (``splink_sets.py``) hold names, a town, a postal code
and an e-mail address, and no street: the FEBRL model (``splink_model.py``) blocks and
trains on streets and finds nothing to learn from there. This one follows the settings of
Splink's own tutorials for these two sets, without the date of birth (dropped from both
sides of the comparison, as a CRM's leads rarely carry one):

- comparisons: Splink's ``NameComparison`` for both names and ``EmailComparison``, each
  with term-frequency adjustments on names; the town exactly (term frequencies); the
  postal code exactly, one edit apart, or its district (the part before the space);
- blocking: the tutorials' rules that read no date of birth (both names; the first name
  and the town; the surname alone; each name with the postal code and with its first
  three characters), plus the e-mail address;
- training: the prior from pairs agreeing on both names and the postal code or e-mail
  (recall 0.6, as the FEBRL model), u from random pairs (fixed seed), m by EM on both names,
  then on the postal code (the town where no postal code is held).

Nothing here reads the true links.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import splink.comparison_level_library as cll
import splink.comparison_library as cl
import splink_model
from linkage_prep import clean
from splink import Linker, SettingsCreator, block_on
from splink_model import PRIOR_RECALL, SEED, U_MAX_PAIRS, dedupe_settings

__all__ = ["BLOCKING_RULES", "COLUMNS", "canonical_person", "frame", "linker", "train"]

COLUMNS = ("given_name", "surname", "town", "postcode", "email")
# CRM field names of each column (Salesforce Lead, HubSpot contact).
_CRM_FIELDS = {
    "salesforce": ("FirstName", "LastName", "City", "PostalCode", "Email"),
    "hubspot": ("firstname", "lastname", "city", "zip", "email"),
}

BLOCKING_RULES: list[Any] = [
    block_on("given_name", "surname"),
    block_on("given_name", "town"),
    block_on("surname"),
    block_on("postcode", "given_name"),
    block_on("postcode", "surname"),
    block_on("substr(postcode, 1, 3)", "given_name"),
    block_on("substr(postcode, 1, 3)", "surname"),
    block_on("email"),
]
# The prior's rules (its assumed recall, u's sample and seed as the FEBRL model's).
PRIOR_RULES = [
    block_on("given_name", "surname", "postcode"),
    block_on("given_name", "surname", "email"),
]


def canonical_person(source: str, payload: Mapping[str, Any]) -> dict[str, str | None]:
    """A Salesforce Lead's or HubSpot contact's body as the model's columns; placeholders
    (the Lead's required last name written as "[not provided]") are NULL."""
    return {
        column: clean(payload.get(field))
        for column, field in zip(COLUMNS, _CRM_FIELDS[source], strict=True)
    }


def frame(records: dict[str, dict[str, str | None]]) -> pd.DataFrame:
    """rec_id -> columns, as the table Splink reads."""
    rows = [{"unique_id": rec_id, **records[rec_id]} for rec_id in sorted(records)]
    return pd.DataFrame(rows, columns=["unique_id", *COLUMNS])


def _postcode() -> cl.CustomComparison:
    district = "split_part(postcode, ' ', 1)"
    return cl.CustomComparison(
        output_column_name="postcode",
        comparison_levels=[
            cll.NullLevel("postcode"),
            cll.ExactMatchLevel("postcode", term_frequency_adjustments=True),
            cll.DamerauLevenshteinLevel("postcode", 1),
            cll.CustomLevel(
                f"{district.replace('postcode', 'postcode_l')} = "
                f"{district.replace('postcode', 'postcode_r')}",
                label_for_charts="same district",
            ),
            cll.ElseLevel(),
        ],
    )


def settings() -> SettingsCreator:
    comparisons = [
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.ExactMatch("town").configure(term_frequency_adjustments=True),
        _postcode(),
        cl.EmailComparison("email"),
    ]
    return dedupe_settings(comparisons, BLOCKING_RULES)


def linker(table: pd.DataFrame, memory_limit: str = "4GB") -> Linker:
    """The model on an in-process DuckDB (``splink_model.linker``)."""
    return splink_model.linker(table, memory_limit, settings())


def train(model: Linker, table: pd.DataFrame) -> None:
    """Prior, u by random sampling (seeded), m by EM: no label is read."""
    model.training.estimate_probability_two_random_records_match(PRIOR_RULES, recall=PRIOR_RECALL)
    model.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=SEED)
    model.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "surname")
    )
    place = "postcode" if table["postcode"].notna().any() else "town"
    model.training.estimate_parameters_using_expectation_maximisation(block_on(place))
