"""Candidate pairs from block keys, in numpy: blocks as runs of one sorted array, and the
pairs of every block of one size built in one step.

A million people hold about fifteen million block keys and share millions of blocks; a
Python list per block and a Python int per pair (a set of twenty million of them) took
more memory than the records themselves. Here a key is an int, a block a slice of one
array, and a pair one int64 (``i * count + j``), sorted and unique.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import repeat
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["Blocks", "PairCodes", "blocks_of", "pair_arrays", "pair_codes", "sorted_windows"]

IntArray = NDArray[np.int64]
_CHUNK = 65_536  # pairs decoded to Python ints at a time
_SLICE = 1 << 20  # pairs decoded to arrays at a time


class Blocks:
    """Records grouped by key: ``members[starts[b]:starts[b] + sizes[b]]`` are the record
    indexes (ascending) of block ``b``, whose key is of kind ``kinds[b]`` (the text before
    its first ":", an index into ``kind_names``)."""

    def __init__(
        self,
        kind_names: list[str],
        kinds: IntArray,
        members: IntArray,
        starts: IntArray,
        sizes: IntArray,
    ) -> None:
        self.kind_names = kind_names
        self.kinds = kinds
        self.members = members
        self.starts = starts
        self.sizes = sizes

    def __len__(self) -> int:
        return len(self.kinds)

    def of(self, block: int) -> IntArray:
        """The record indexes of one block."""
        start = int(self.starts[block])
        return self.members[start : start + int(self.sizes[block])]

    def of_kind(self, kind: str) -> NDArray[np.bool_]:
        """Where a block's key is of ``kind``."""
        if kind not in self.kind_names:
            return np.zeros(len(self), dtype=bool)
        return self.kinds == self.kind_names.index(kind)

    def kind_counts(self, wanted: NDArray[np.bool_] | None = None) -> dict[str, int]:
        """How many blocks (where ``wanted``) have a key of each kind, kinds in the order
        they first appear."""
        kinds = self.kinds if wanted is None else self.kinds[wanted]
        counts = np.bincount(kinds, minlength=len(self.kind_names))
        return {self.kind_names[k]: int(counts[k]) for k in _first_seen(kinds)}

    def keep(self, wanted: NDArray[np.bool_]) -> Blocks:
        """Only the blocks where ``wanted`` is true."""
        chosen = np.flatnonzero(wanted)
        return Blocks(
            self.kind_names,
            self.kinds[chosen],
            self.members,
            self.starts[chosen],
            self.sizes[chosen],
        )


def _first_seen(values: IntArray) -> list[int]:
    distinct, first = np.unique(values, return_index=True)
    return distinct[np.argsort(first)].tolist()


def blocks_of(keys: Iterable[Iterable[str]], max_records: int) -> tuple[Blocks, Blocks]:
    """Blocks of the keys shared by 2 to ``max_records`` records (``keys``: one iterable per
    record, in index order), in the order keys first appear; and the blocks of the keys
    shared by more (capped).

    A key is held as its 64-bit hash, never as text: a million people hold about fifteen
    million keys, some eight million of them distinct, and a dictionary of their texts was
    a gigabyte, the run's peak. Two distinct keys with one hash would be one block; among
    ten million keys that is about one chance in a million per run (the hash of text is
    64 bits wide)."""
    kind_ids: dict[str, int] = {}
    # Machine ints, not a Python int object per key held.
    hashes = array("q")
    kinds = array("q")
    owners = array("q")
    # A record's keys a list at a time, appended by C loops (fifteen million keys).
    for index, record_keys in enumerate(keys):
        listed = record_keys if type(record_keys) is list else list(record_keys)
        hashes.extend(map(hash, listed))
        kinds.extend([kind_ids.setdefault(key.partition(":")[0], len(kind_ids)) for key in listed])
        owners.extend(repeat(index, len(listed)))
    kind_names = list(kind_ids)
    if not hashes:
        empty = np.zeros(0, dtype=np.int64)
        nothing = Blocks(kind_names, empty, empty, empty, empty)
        return nothing, nothing
    hash_array = np.frombuffer(hashes, dtype=np.int64)
    # A stable sort keeps each block's records in index order, its first one first.
    order = np.argsort(hash_array, kind="stable")
    ranked = hash_array[order]
    del hash_array, hashes
    runs = np.flatnonzero(np.concatenate(([True], ranked[1:] != ranked[:-1])))
    del ranked
    counts = np.diff(np.append(runs, len(order)))
    first = order[runs]  # each key's first occurrence
    members = np.frombuffer(owners, dtype=np.int64)[order]
    del owners
    kind_of = np.frombuffer(kinds, dtype=np.int64)[first]
    del kinds, order
    appearance = np.argsort(first, kind="stable")  # keys in the order they first appear
    starts, counts, kind_of = runs[appearance], counts[appearance], kind_of[appearance]
    del first, appearance, runs

    def where(wanted: NDArray[np.bool_]) -> Blocks:
        chosen = np.flatnonzero(wanted)
        return Blocks(kind_names, kind_of[chosen], members, starts[chosen], counts[chosen])

    return where((counts > 1) & (counts <= max_records)), where(counts > max_records)


def pair_codes(
    count: int,
    blocks: Blocks,
    plain: NDArray[np.bool_],
    windows: Iterable[IntArray] = (),
    only: NDArray[np.bool_] | None = None,
    apart: tuple[NDArray[Any], NDArray[np.bool_], Iterable[IntArray]] | None = None,
) -> IntArray:
    """Sorted unique pair codes ``i * count + j`` (i < j) of every two records in one of the
    ``plain`` blocks or one of ``windows``. With ``only``, pairs touching a record where it
    is true. ``apart``: (a value per record, blocks, windows) where only records whose
    values differ pair."""
    found: list[IntArray] = []
    for rows in _rows_by_size(blocks, plain, windows):
        found.append(_codes(rows, count, only))
    if apart is not None:
        values, wanted, apart_windows = apart
        for rows in _rows_by_size(blocks, wanted, apart_windows):
            left, right = _pairs_of(rows)
            kept = values[left] != values[right]
            found.append(_distinct(_encode(left[kept], right[kept], count, only)))
    if not found:
        return np.zeros(0, dtype=np.int64)
    merged = np.concatenate(found)
    found.clear()  # the parts let go before the sort: as many codes again, a pair per key
    return _distinct(merged)


def _rows_by_size(
    blocks: Blocks, wanted: NDArray[np.bool_], windows: Iterable[IntArray]
) -> Iterator[NDArray[np.int64]]:
    """Member matrices, one per block size: row ``r`` holds one block's (or window's)
    records."""
    sizes = blocks.sizes
    for size in _distinct(sizes[wanted]).tolist():
        picked = np.flatnonzero(wanted & (sizes == size))
        yield blocks.members[blocks.starts[picked][:, None] + np.arange(size)]
    by_size: dict[int, list[IntArray]] = {}
    for window in windows:
        by_size.setdefault(len(window), []).append(window)
    for rows in by_size.values():
        yield np.stack(rows)


def _pairs_of(rows: NDArray[np.int64]) -> tuple[IntArray, IntArray]:
    first, second = np.triu_indices(rows.shape[1], 1)
    return rows[:, first].ravel(), rows[:, second].ravel()


def _codes(rows: NDArray[np.int64], count: int, only: NDArray[np.bool_] | None) -> IntArray:
    if rows.shape[1] < 2:
        return np.zeros(0, dtype=np.int64)
    # Bounded temporaries: a block size shared by many blocks is done in slices.
    per_row = rows.shape[1] * (rows.shape[1] - 1) // 2
    step = max(1, 4_000_000 // per_row)
    parts = []
    for start in range(0, rows.shape[0], step):
        left, right = _pairs_of(rows[start : start + step])
        parts.append(_distinct(_encode(left, right, count, only)))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _distinct(values: IntArray) -> IntArray:
    """``np.unique(values)``, sorting ``values`` in place (a temporary of the caller's):
    NumPy 2.3 and later find the distinct values of a plain array with a hash table,
    twenty times slower than a sort at ten million pair codes (23 s against 1.1 s)."""
    values.sort()
    if len(values) < 2:
        return values
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def _encode(
    left: IntArray, right: IntArray, count: int, only: NDArray[np.bool_] | None
) -> IntArray:
    if only is not None:
        touching = only[left] | only[right]
        left, right = left[touching], right[touching]
    return np.minimum(left, right) * count + np.maximum(left, right)


class PairCodes(Sequence[tuple[int, int]]):
    """Sorted (i, j) pairs kept as one int64 each (i * count + j) and decoded when read."""

    def __init__(self, codes: IntArray, count: int) -> None:
        self._codes = codes
        self._count = max(count, 1)

    def __len__(self) -> int:
        return len(self._codes)

    def __getitem__(self, index: int) -> tuple[int, int]:  # type: ignore[override]
        return divmod(int(self._codes[index]), self._count)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for start in range(0, len(self._codes), _CHUNK):
            chunk = self._codes[start : start + _CHUNK]
            yield from zip(
                (chunk // self._count).tolist(), (chunk % self._count).tolist(), strict=True
            )

    def slices(self, size: int = _SLICE) -> Iterator[tuple[IntArray, IntArray]]:
        """The pairs as ``arrays`` gives them, ``size`` pairs at a time (never all the
        decoded pairs held at once: 200 MB at 25 M pairs)."""
        dtype = self._dtype()
        for start in range(0, len(self._codes), size):
            codes = self._codes[start : start + size]
            yield (codes // self._count).astype(dtype), (codes % self._count).astype(dtype)

    def _dtype(self) -> Any:
        return np.int32 if self._count <= np.iinfo(np.int32).max else np.int64

    def arrays(self) -> tuple[IntArray, IntArray]:
        """The pairs as two arrays: every pair's ``i``, and its ``j`` (32-bit ints while
        the indexes fit: twenty million pairs are 160 MB, not 320 MB, and the decoding is
        done a slice at a time)."""
        size = len(self._codes)
        dtype = self._dtype()
        left, right = np.empty(size, dtype=dtype), np.empty(size, dtype=dtype)
        for start in range(0, size, _SLICE):
            codes = self._codes[start : start + _SLICE]
            left[start : start + _SLICE] = codes // self._count
            right[start : start + _SLICE] = codes % self._count
        return left, right

    def among(self, wanted: NDArray[np.bool_]) -> PairCodes:
        """The pairs whose two records are both ``wanted`` (by index), a slice at a time."""
        parts = [np.zeros(0, dtype=np.int64)]
        for start in range(0, len(self._codes), _SLICE):
            codes = self._codes[start : start + _SLICE]
            parts.append(codes[wanted[codes // self._count] & wanted[codes % self._count]])
        return PairCodes(np.concatenate(parts), self._count)

    def release(self) -> None:
        """Let the codes go (200 MB at 25 M pairs): no pair is read from it after."""
        self._codes = np.zeros(0, dtype=np.int64)

    def __contains__(self, pair: object) -> bool:
        if not isinstance(pair, tuple) or len(pair) != 2:
            return False
        code = min(pair) * self._count + max(pair)
        at = int(np.searchsorted(self._codes, code))
        return at < len(self._codes) and int(self._codes[at]) == code


def sorted_windows(members: IntArray, size: int, order: Callable[[int], Any]) -> list[IntArray]:
    """Overlapping windows over ``members`` sorted by ``order`` (sorted neighbourhood):
    each record meets its size-1 neighbours."""
    ranked = np.asarray(sorted(members.tolist(), key=order), dtype=np.int64)
    step = max(1, size // 2)
    return [ranked[start : start + size] for start in range(0, len(ranked) - step, step)]


def pair_arrays(pairs: Sequence[tuple[int, int]]) -> tuple[IntArray, IntArray]:
    """(i, j) pairs as two arrays, in their order."""
    if isinstance(pairs, PairCodes):
        return pairs.arrays()
    found = np.asarray(list(pairs), dtype=np.int64).reshape(-1, 2)
    return found[:, 0].copy(), found[:, 1].copy()
