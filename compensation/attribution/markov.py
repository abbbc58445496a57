"""First-order Markov channel attribution with the removal effect — a REPORT, never pay.

States are ``start``, the channels, and the absorbing ``conv`` and ``null``. Transition
probabilities are counted from converting and non-converting paths. P(conv) is the
probability of absorbing into ``conv`` from ``start``; removing channel c redirects every
transition into c to ``null``; RE(c) = 1 − P(conv without c) / P(conv); channel c is
credited ``total conversions × RE(c) / Σ RE``.

Unlike ChannelAttribution (which simulates and needs a seed), the absorption
probabilities are solved exactly with rational arithmetic, so the result is deterministic
by construction: the same paths always give the same numbers, whatever their order.
These figures are non-local (one deal's credit depends on every other path) and are not
payable; plans cannot select them.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from fractions import Fraction

__all__ = ["PathCount", "markov_attribution", "removal_effects"]

# (channels in time order, conversions, non-conversions)
PathCount = tuple[Sequence[str], int, int]


def _counts(paths: Sequence[PathCount]) -> tuple[list[str], dict[str, dict[str, int]]]:
    counts: dict[str, dict[str, int]] = {}
    channels: set[str] = set()
    for path, conversions, nulls in paths:
        if conversions < 0 or nulls < 0:
            raise ValueError("path counts must not be negative")
        if not path:
            continue
        channels.update(path)
        states = ["(start)", *path]
        for a, b in itertools.pairwise(states):
            row = counts.setdefault(a, {})
            row[b] = row.get(b, 0) + conversions + nulls
        last = counts.setdefault(path[-1], {})
        last["(conv)"] = last.get("(conv)", 0) + conversions
        last["(null)"] = last.get("(null)", 0) + nulls
    return sorted(channels), counts


def _p_conversion(
    channels: list[str], counts: dict[str, dict[str, int]], removed: str | None
) -> Fraction:
    """Absorption probability into conv from start, solving p = T p + t exactly."""
    states = ["(start)", *(c for c in channels if c != removed)]
    index = {s: i for i, s in enumerate(states)}
    size = len(states)
    matrix = [[Fraction(0)] * (size + 1) for _ in range(size)]
    for s, i in index.items():
        matrix[i][i] = Fraction(1)
        row = counts.get(s, {})
        total = sum(row.values())
        if not total:
            continue
        for target, count in row.items():
            if target == "(conv)":
                matrix[i][size] += Fraction(count, total)
            elif target in index:
                matrix[i][index[target]] -= Fraction(count, total)
            # transitions into the removed channel or null contribute nothing
    for col in range(size):
        pivot = next((r for r in range(col, size) if matrix[r][col] != 0), None)
        if pivot is None:
            continue
        matrix[col], matrix[pivot] = matrix[pivot], matrix[col]
        lead = matrix[col][col]
        matrix[col] = [v / lead for v in matrix[col]]
        for r in range(size):
            if r != col and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[col], strict=True)]
    return matrix[0][size]


def removal_effects(paths: Sequence[PathCount]) -> dict[str, Fraction]:
    """RE(c) for every channel, exact."""
    channels, counts = _counts(paths)
    base = _p_conversion(channels, counts, None)
    if base == 0:
        return {c: Fraction(0) for c in channels}
    return {c: 1 - _p_conversion(channels, counts, c) / base for c in channels}


def markov_attribution(paths: Sequence[PathCount]) -> dict[str, Fraction]:
    """Conversions credited to each channel (sums to the total conversions), exact."""
    effects = removal_effects(paths)
    total_effect = sum(effects.values(), Fraction(0))
    conversions = sum(c for _, c, _ in paths)
    if total_effect == 0:
        return {c: Fraction(0) for c in effects}
    return {c: conversions * e / total_effect for c, e in sorted(effects.items())}
