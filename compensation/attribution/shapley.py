"""Shapley channel attribution — a REPORT, never pay.

The coalition value v(S) is the number (or value) of conversions on paths whose channel
set is a subset of S. Channel i gets
φ_i = Σ_{S ⊆ N∖{i}} |S|!·(|N|−|S|−1)!/|N|! · [v(S ∪ {i}) − v(S)],
so the values sum to v(N), the total conversions (efficiency). Exact rational arithmetic;
cost grows as 2^n, so at most :data:`MAX_CHANNELS` channels are accepted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction
from math import factorial

__all__ = ["MAX_CHANNELS", "shapley_attribution"]

MAX_CHANNELS = 16


def shapley_attribution(paths: Iterable[tuple[Sequence[str], int]]) -> dict[str, Fraction]:
    """Credit per channel from ``(channels on the path, conversions)`` pairs."""
    by_set: dict[frozenset[str], int] = {}
    for path, conversions in paths:
        if conversions < 0:
            raise ValueError("conversions must not be negative")
        key = frozenset(path)
        by_set[key] = by_set.get(key, 0) + conversions
    channels = sorted(set().union(*by_set)) if by_set else []
    n = len(channels)
    if n > MAX_CHANNELS:
        raise ValueError(f"Shapley attribution supports at most {MAX_CHANNELS} channels, got {n}")
    bit = {c: 1 << i for i, c in enumerate(channels)}
    value = [0] * (1 << n)
    for channel_set, conversions in by_set.items():
        value[sum(bit[c] for c in channel_set)] += conversions
    for i in range(n):  # subset sums: v(S) = Σ conversions of sets T ⊆ S
        for mask in range(1 << n):
            if mask & (1 << i):
                value[mask] += value[mask ^ (1 << i)]
    weight = [Fraction(factorial(s) * factorial(n - s - 1), factorial(n)) for s in range(n)]
    result: dict[str, Fraction] = {}
    for i, channel in enumerate(channels):
        me = 1 << i
        total = Fraction(0)
        for mask in range(1 << n):
            if not mask & me:
                total += weight[mask.bit_count()] * (value[mask | me] - value[mask])
        result[channel] = total
    return result
