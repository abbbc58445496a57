"""The link threshold of a learned model, set from a stated precision (learned and Splink
models alike)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = ["expected_precision_threshold"]


def expected_precision_threshold(
    scores: Sequence[Sequence[float]],
    probability: Callable[[float], float],
    threshold: Callable[[float], float],
    precision: float,
    floor: float,
) -> float:
    """The lowest score at which the pairs linked are expected to be ``precision`` precise.

    ``scores`` is the training sample's histogram, ``[score, pairs]`` from the highest score
    down. From the top, as many pairs are taken as keep their mean probability (the
    expected share of true matches among them) at ``precision`` or above, and never a pair
    whose own probability is below ``floor`` (clustering links the neighbours of a doubtful
    pair too). Read off the training sample, so full and incremental runs use the same
    threshold; without scores, each link needs ``precision``.
    """
    total, count = 0.0, 0
    chosen = max(threshold(precision), threshold(floor))
    for score, pairs in scores:
        p = probability(score)
        if p < floor or (total + p * pairs) / (count + pairs) < precision:
            break
        total, count, chosen = total + p * pairs, count + int(pairs), score
    return round(min(chosen, threshold(precision)), 2)
