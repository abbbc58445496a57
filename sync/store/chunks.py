"""Slices of a list for bounded ``IN (...)`` lists and insert batches.

500 values a statement stays well under SQLite's limit on bound variables (32,766 since
3.32, 999 before) and keeps PostgreSQL's plans small.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

__all__ = ["IN_LIST", "chunks"]

T = TypeVar("T")

IN_LIST = 500  # values per IN (...) clause


def chunks(items: Sequence[T], size: int = IN_LIST) -> Iterator[Sequence[T]]:
    """Slices of at most ``size`` items, in order."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
