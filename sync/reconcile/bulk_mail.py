"""``scoring.email_typo`` over arrays of e-mail codes: the bulk scorer's e-mail level
between two records whose addresses differ."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from rapidfuzz.distance import DamerauLevenshtein
from rapidfuzz.process import cpdist

from sync.reconcile.bulk_records import SLOTS, Cache, Levels, Vocab
from sync.reconcile.typos import TYPO_MIN_ADDRESS, TYPO_MIN_LOCAL, digits

__all__ = ["MailTypos"]

IntArray = NDArray[np.int64]


class MailTypos:
    """Where an address of one record is a typo of one of the other's."""

    def __init__(self, mails: list[str], levels: Levels, column: dict[str, IntArray]) -> None:
        self.mails = np.asarray(mails + [""], dtype=object)
        self.length = np.asarray([len(m) for m in mails] + [0], dtype=np.int64)
        self.initial = np.asarray([ord(m[0]) if m else -1 for m in mails] + [-1], dtype=np.int64)
        numbers = Vocab()
        self.digits = np.asarray([numbers.code(digits(m)) for m in mails] + [-1], dtype=np.int64)
        local_parts = [m.partition("@")[0] for m in mails]
        codes = Vocab()
        self.local = np.asarray([codes.code(p) for p in local_parts] + [-1], dtype=np.int64)
        self.local_length = np.asarray([len(p) for p in local_parts] + [0], dtype=np.int64)
        self.fuzzy, self.none = levels.code["fuzzy"], levels.none
        self.column = column
        self.cache = Cache(levels, len(mails), vector=self._levels)

    def _levels(self, left: IntArray, right: IntArray) -> IntArray:
        same_local = (self.local[left] == self.local[right]) & (self.local[left] >= 0)
        same_local &= self.digits[left] == self.digits[right]
        typo = same_local & (self.local_length[left] >= TYPO_MIN_LOCAL)
        long = ~typo & (np.minimum(self.length[left], self.length[right]) >= TYPO_MIN_ADDRESS)
        long &= (self.initial[left] == self.initial[right]) & (
            self.digits[left] == self.digits[right]
        )
        if long.any():
            a, b = self.mails[left[long]].tolist(), self.mails[right[long]].tolist()
            edits = cpdist(
                a, b, scorer=DamerauLevenshtein.distance, score_cutoff=2, dtype=np.int32, workers=-1
            )
            typo[long] = edits <= 2
        return np.where(typo, self.fuzzy, self.none)

    def __call__(
        self, wanted: NDArray[np.bool_], left: IntArray, right: IntArray
    ) -> NDArray[np.bool_]:
        """Among the pairs ``wanted``, where the two records' addresses are one's typos."""
        found = np.zeros(len(left), dtype=bool)
        for mine in range(SLOTS):
            for theirs in range(SLOTS):
                a, b = self.column[f"mail{mine}"][left], self.column[f"mail{theirs}"][right]
                both = wanted & (a >= 0) & (b >= 0)
                if both.any():
                    found[both] |= self.cache(a[both], b[both]) == self.fuzzy
        return found
