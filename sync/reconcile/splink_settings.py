"""The Splink model of people: comparisons, blocking, training sessions.

A Fellegi–Sunter dedupe model (``link_type: dedupe_only``) over the columns of
``splink_frame.py``. Each comparison's levels carry a short label (``exact``, ``nickname``,
``typo``...) that ``explain`` shows with the level's weight. Comparisons of a column the
installation never fills are left out of its model (there is nothing to estimate them
from), so FEBRL-like data without e-mail or phone trains names and addresses only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "EM_SESSIONS",
    "PRIOR_RECALL",
    "PRIOR_RULES",
    "TF_COLUMNS",
    "U_MAX_PAIRS",
    "comparisons_for",
    "settings_dict",
]

# Columns whose exact agreement is weighed by how common the value is.
TF_COLUMNS = ("first_name", "last_name", "email", "phone", "street", "city", "postcode")
# EM sessions: each fixes some columns by blocking and learns m of the others.
EM_SESSIONS = (
    ("first_name", "last_name"),
    ("street", "postcode"),
    ("house", "city"),
    ("email",),
)
# Prior: pairs agreeing on all of one of these are assumed matches, and this share of all.
PRIOR_RULES = (
    ("first_name", "last_name", "postcode"),
    ("first_name", "last_name", "street"),
    ("first_name", "last_name", "email"),
)
PRIOR_RECALL = 0.6
U_MAX_PAIRS = 2e6
# A column filled in fewer records than this share (and count) gets no comparison.
_MIN_FILLED = (0.01, 10)


def _levels(column: str) -> list[tuple[Any, str]]:
    import splink.comparison_level_library as cll

    tf = column in TF_COLUMNS
    exact = (cll.ExactMatchLevel(column, term_frequency_adjustments=tf), "exact")
    if column == "first_name":
        return [
            exact,
            (cll.ColumnsReversedLevel("first_name", "last_name", symmetrical=True), "swapped"),
            (cll.ExactMatchLevel("first_canon"), "nickname"),
            (cll.DamerauLevenshteinLevel(column, 1), "typo"),
            (cll.JaroWinklerLevel(column, 0.9), "fuzzy"),
            (cll.ExactMatchLevel("first_sx"), "sounds_alike"),
            (cll.JaroWinklerLevel(column, 0.8), "similar"),
        ]
    if column == "last_name":
        return [
            exact,
            (cll.DamerauLevenshteinLevel(column, 1), "typo"),
            (cll.JaroWinklerLevel(column, 0.9), "fuzzy"),
            (cll.ExactMatchLevel("last_sx"), "sounds_alike"),
            (cll.JaroWinklerLevel(column, 0.8), "similar"),
        ]
    if column == "email":
        return [exact, (cll.ExactMatchLevel("email_local"), "local_part")]
    if column in ("house", "postcode"):
        # A one-character typo in a number still says something.
        return [exact, (cll.DamerauLevenshteinLevel(column, 1), "typo")]
    if column in ("street", "city"):
        return [
            exact,
            (cll.DamerauLevenshteinLevel(column, 1), "typo"),
            (cll.JaroWinklerLevel(column, 0.88), "fuzzy"),
        ]
    if column == "company":
        return [exact, (cll.JaroWinklerLevel(column, 0.9), "fuzzy")]
    return [exact]  # phone, state, domain


COMPARED = (
    "first_name", "last_name", "email", "phone", "house", "street", "city", "postcode",
    "state", "company", "domain",
)  # fmt: skip


def comparisons_for(filled: Mapping[str, int], records: int) -> list[str]:
    """The compared columns an installation fills often enough to learn from."""
    share, count = _MIN_FILLED
    return [c for c in COMPARED if filled.get(c, 0) >= max(count, share * records)]


def _comparison(column: str) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    levels = [cll.NullLevel(column)]
    levels += [level.configure(label_for_charts=label) for level, label in _levels(column)]
    levels.append(cll.ElseLevel().configure(label_for_charts="different"))
    return cl.CustomComparison(output_column_name=column, comparison_levels=levels)


def settings_dict(columns: list[str], blocking: list[str]) -> dict[str, Any]:
    """Splink settings (untrained) comparing ``columns``, predicting on ``blocking``."""
    from splink import SettingsCreator

    creator = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[_comparison(c) for c in columns],
        blocking_rules_to_generate_predictions=blocking,
        additional_columns_to_retain=["link_group"],
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
    )
    return creator.create_settings_dict("duckdb")
