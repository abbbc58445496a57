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

# Columns whose agreement is weighed by how common the value is.
TF_COLUMNS = ("first_name", "last_name", "email", "phone", "street", "city", "postcode")
# EM sessions: each fixes the comparisons using its columns by blocking and learns m of
# the others. Names are learned where neither name is blocked on, never from an address
# alone: people of one office share it, and EM took them for one person. Where people have
# e-mails, only the names and e-mail sessions run (records sharing an e-mail teach the
# names' m better than a place can); without, a name's sound in one postal code or city.
EM_SESSIONS = (
    ("first_name", "last_name"),
    ("last_sx", "postcode"),
    ("first_sx", "postcode"),
    ("last_sx", "city"),
    ("first_sx", "city"),
    ("email",),
)
# Prior: pairs agreeing on all of one of these are assumed matches, and this share of all.
PRIOR_RULES = (
    ("first_name", "last_name", "postcode"),
    ("first_name", "last_name", "street"),
    ("first_name", "last_name", "email"),
)
PRIOR_RECALL = 0.6
U_MAX_PAIRS = 1e6
# A comparison whose columns are filled in fewer records than this share (and count) is
# left out of the model.
_MIN_FILLED = (0.01, 10)

# Comparison -> the columns it reads (any of them filled makes it usable).
COMPARED = {
    "first_name": ("first_name",),
    "last_name": ("last_name",),
    "email": ("email",),
    "phone": ("phone",),
    # Each address field on its own: CRMs and FEBRL type, and mistype, them apart (one
    # hierarchical address comparison lost FEBRL2 a quarter of its recall). Where the
    # organisations agree they weigh nothing (the ``office`` level below).
    "house": ("house",),
    "street": ("street",),
    "city": ("city",),
    "postcode": ("postcode",),
    "state": ("state",),
    "organisation": ("company", "domain"),
}


def _eq(column: str) -> str:
    return f'"{column}_l" = "{column}_r"'


def _blank(columns: tuple[str, ...]) -> str:
    sides = [" AND ".join(f'"{c}_{side}" IS NULL' for c in columns) for side in "lr"]
    return " OR ".join(f"({side})" for side in sides)


def _swapped_alike() -> str:
    first, last = '"first_name_l", "last_name_r"', '"last_name_l", "first_name_r"'
    return f"jaro_winkler_similarity({first}) >= 0.88 AND jaro_winkler_similarity({last}) >= 0.88"


def _levels(name: str) -> list[tuple[Any, str]]:
    import splink.comparison_level_library as cll

    if name in ("house", "postcode"):
        # A one-character typo in a number still says something.
        return [
            (cll.ExactMatchLevel(name, term_frequency_adjustments=name in TF_COLUMNS), "exact"),
            (cll.DamerauLevenshteinLevel(name, 1), "typo"),
        ]
    if name in ("street", "city"):
        return [
            (cll.ExactMatchLevel(name, term_frequency_adjustments=True), "exact"),
            (cll.DamerauLevenshteinLevel(name, 1), "typo"),
            (cll.JaroWinklerLevel(name, 0.88), "fuzzy"),
        ]
    if name == "state":
        return [(cll.ExactMatchLevel(name), "exact")]
    if name == "organisation":
        return [
            (cll.ExactMatchLevel("domain"), "domain"),
            (cll.ExactMatchLevel("company"), "exact"),
            (cll.JaroWinklerLevel("company", 0.9), "fuzzy"),
        ]
    tf = name in TF_COLUMNS
    exact = (cll.ExactMatchLevel(name, term_frequency_adjustments=tf), "exact")
    if name == "first_name":
        return [
            exact,
            (cll.ColumnsReversedLevel("first_name", "last_name", symmetrical=True), "swapped"),
            (cll.CustomLevel(_swapped_alike(), base_dialect_str="duckdb"), "swapped_typo"),
            (cll.ExactMatchLevel("first_canon"), "nickname"),
            (cll.DamerauLevenshteinLevel(name, 1), "typo"),
            (cll.JaroWinklerLevel(name, 0.9), "fuzzy"),
            (cll.ExactMatchLevel("first_sx"), "sounds_alike"),
            (cll.JaroWinklerLevel(name, 0.8), "similar"),
        ]
    if name == "last_name":
        # A swapped pair lands on "swapped" here too, not on "different".
        return [
            exact,
            (cll.CustomLevel(_swapped_alike(), base_dialect_str="duckdb"), "swapped"),
            (cll.DamerauLevenshteinLevel(name, 1), "typo"),
            (cll.JaroWinklerLevel(name, 0.9), "fuzzy"),
            (cll.ExactMatchLevel("last_sx"), "sounds_alike"),
            (cll.JaroWinklerLevel(name, 0.8), "similar"),
        ]
    if name == "email":
        return [exact, (cll.ExactMatchLevel("email_local"), "local_part")]
    return [exact]  # phone


def comparisons_for(filled: Mapping[str, int], records: int) -> list[str]:
    """The comparisons an installation fills the columns of often enough to learn from."""
    share, count = _MIN_FILLED
    least = max(count, share * records)
    return [name for name, cols in COMPARED.items() if max(filled.get(c, 0) for c in cols) >= least]


_ADDRESS = ("house", "street", "city", "postcode", "state")
_OFFICE = f"({_eq('domain')}) OR ({_eq('company')})"


def _comparison(name: str) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    blank = cll.CustomLevel(_blank(COMPARED[name]), base_dialect_str="duckdb")
    # Splink's creators take levels or plain dicts (its annotation is an invariant list).
    levels: list[Any] = []
    if name in _ADDRESS:
        # Two people of one organisation share its office's address: where the
        # organisations agree, the address says nothing (weight 0, fixed), else
        # colleagues' five agreeing address fields outweighed their different names.
        office = cll.CustomLevel(_OFFICE, base_dialect_str="duckdb").configure(
            label_for_charts="office",
            m_probability=1.0,
            u_probability=1.0,
            fix_m_probability=True,
            fix_u_probability=True,
        )
        levels.append(office)
    levels.append(blank.configure(is_null_level=True, label_for_charts="missing"))
    levels += [level.configure(label_for_charts=label) for level, label in _levels(name)]
    levels.append(cll.ElseLevel().configure(label_for_charts="different"))
    return cl.CustomComparison(output_column_name=name, comparison_levels=levels)


def settings_dict(columns: list[str], blocking: list[str]) -> dict[str, Any]:
    """Splink settings (untrained) with the comparisons named in ``columns``, predicting
    on ``blocking``."""
    from splink import SettingsCreator

    creator = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[_comparison(c) for c in columns],
        blocking_rules_to_generate_predictions=list[Any](blocking),
        additional_columns_to_retain=["link_group"],
        retain_matching_columns=True,
        retain_intermediate_calculation_columns=True,
    )
    return creator.create_settings_dict("duckdb")
