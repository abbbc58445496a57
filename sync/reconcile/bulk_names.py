"""One record holding both names and the other one, over arrays: the lone name compared in
the other column where it differs in its own (``scoring._lone_name_in_other_column``), for
bulk scoring (``bulk.py``). A tenth of the candidate pairs at 1 M people were scored one by
one by ``score_pair`` for this alone."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sync.reconcile.bulk_records import Cache, Levels

__all__ = ["lone_names"]

IntArray = NDArray[np.int64]


def lone_names(
    lv: Levels,
    caches: tuple[Cache, Cache],
    has: tuple[NDArray[np.bool_], ...],
    levels: tuple[IntArray, IntArray],
    names: tuple[IntArray, IntArray, IntArray, IntArray],
) -> tuple[IntArray, IntArray, tuple[IntArray, IntArray], tuple[IntArray, IntArray]]:
    """``scoring._lone_name_in_other_column`` over arrays: where one record holds both
    names and the other one name that differs from its own column in the first but
    agrees better with the other column, that is the one comparison of names. Returns
    the first- and last-name levels where it applies (``Levels.none`` elsewhere, and
    for the column not compared), and the value codes each shows (this record's,
    the other's)."""
    none = lv.none
    first, last = levels
    first_cache, last_cache = caches
    rank_f, rank_l = lv.rank["first_name"], lv.rank["last_name"]
    different = lv.code["different"]
    first_a, last_a, first_b, last_b = names
    both_a, both_b = has[0] & has[1], has[2] & has[3]
    lone_first = np.full(len(first), none, dtype=np.int64)
    lone_last = np.full(len(first), none, dtype=np.int64)
    first_shown = (first_a, first_b)
    last_shown = (last_a, last_b)
    if not ((both_a & (has[2] != has[3])) | (both_b & (has[0] != has[1]))).any():
        return lone_first, lone_last, first_shown, last_shown

    def level_where(mask: NDArray[np.bool_], cache: Cache, a: IntArray, b: IntArray) -> IntArray:
        found = np.full(len(first), none, dtype=np.int64)
        if mask.any():
            found[mask] = cache(a[mask], b[mask])
        return found

    # (holder of both names' first, last; the lone name; whether it is a first name),
    # in score_pair's order of the arguments (the holder of both first)
    cases = (
        (first_a, last_a, first_b, both_a & has[2] & ~has[3], True, first),
        (first_a, last_a, last_b, both_a & has[3] & ~has[2], False, last),
        (first_b, last_b, first_a, both_b & has[0] & ~has[1], True, None),
        (first_b, last_b, last_a, both_b & has[1] & ~has[0], False, None),
    )
    shown_first = [first_a.copy(), first_b.copy()]
    shown_last = [last_a.copy(), last_b.copy()]
    for holder_first, holder_last, alone, mask, is_first, usual in cases:
        if not mask.any():
            continue
        if is_first:  # its own column: first names; the other: the holder's last name
            own = (
                usual if usual is not None else level_where(mask, first_cache, holder_first, alone)
            )
            other = level_where(mask, last_cache, holder_last, alone)
            applies = mask & (own == different) & (rank_l[other] > rank_f[own])
            lone_last = np.where(applies, other, lone_last)
            compared = (holder_last, alone)
            shown = shown_last
        else:
            own = usual if usual is not None else level_where(mask, last_cache, holder_last, alone)
            other = level_where(mask, first_cache, holder_first, alone)
            applies = mask & (own == different) & (rank_f[other] > rank_l[own])
            lone_first = np.where(applies, other, lone_first)
            compared = (holder_first, alone)
            shown = shown_first
        shown[0] = np.where(applies, compared[0], shown[0])
        shown[1] = np.where(applies, compared[1], shown[1])
    return (
        lone_first,
        lone_last,
        (shown_first[0], shown_first[1]),
        (shown_last[0], shown_last[1]),
    )
