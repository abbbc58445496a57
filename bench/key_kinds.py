"""Candidate pairs by blocking-key kind, on a store ``bench_reconcile.py`` has reconciled.

    python bench/key_kinds.py WORKSPACE/synthetic-1000000-addresses.sqlite WORKSPACE/medium-1

For each kind of key (the prefix before ``:``; the ``o:`` keys of a name at an
organisation split by what scopes them: ``opc`` a postal code, ``ost`` a street's name,
``o-co`` a company in its town, ``o-d`` an e-mail domain), with the run's own blocking
(``candidate_pairs``, the default ``max_block_size`` and ``max_key_records``):

- pairs: the candidate pairs that kind's keys make alone;
- unique: those no other kind makes (what dropping the kind would save);
- true, true-uniq: of those, the pairs of one true identity (the medium world's truth
  carried to each replica, as ``bench_reconcile.py`` measures precision and recall);
- pred-false, pf-uniq: pairs the stored run put in one identity that are not one.

It holds every kind's pair codes at once: about 2 GB at 1,000,000 people with addresses.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sync.config.reconcile import ReconcileConfig
from sync.reconcile.blocking import block_keys, candidate_pairs
from sync.reconcile.entities import load_entities
from sync.reconcile.evaluate import load_truth
from sync.reconcile.persist import crosswalk
from sync.store import open_store

_ORG_SCOPES = (("pc:", "opc"), ("st:", "ost"))


def kind_of(key: str) -> str:
    prefix, _, rest = key.partition(":")
    if prefix != "o":
        return prefix
    scope = rest.partition("|")[2]
    for start, name in _ORG_SCOPES:
        if scope.startswith(start):
            return name
    return "o-co" if "|" in scope else "o-d"


def main(store: Path, medium: Path) -> None:
    config = ReconcileConfig()
    engine = open_store(f"sqlite:///{store}", migrate_schema=False)
    entities = load_entities(engine, "person")
    with engine.connect() as connection:
        predicted = crosswalk(connection, "person")
    engine.dispose()
    truth = load_truth(medium / "sandbox" / "ground_truth" / "identities.jsonl")
    count = len(entities)
    groups: dict[str, int] = {}
    true_id = np.full(count, -1, np.int64)
    found_id = np.full(count, -1, np.int64)
    for n, entity in enumerate(entities):
        found, replica = truth.get(entity.key), "0"
        if found is None:  # replica r's copy of <id> is <id>-<r>
            original, _, replica = entity.key.rpartition("-")
            found = truth.get(original)
        if found is not None:
            true_id[n] = groups.setdefault(f"{found[1]}#{replica}", len(groups))
        if entity.key in predicted:
            found_id[n] = groups.setdefault("run:" + predicted[entity.key], len(groups))
    keys = [block_keys(entity) for entity in entities]
    kinds = [[kind_of(key) for key in record] for record in keys]

    def pairs(chosen: str | None) -> NDArray[np.int64]:
        wanted = (
            keys
            if chosen is None
            else [
                [k for k, c in zip(ks, cs, strict=True) if c == chosen]
                for ks, cs in zip(keys, kinds, strict=True)
            ]
        )
        made = candidate_pairs(
            entities, config.max_block_size, wanted, max_key_records=config.max_key_records
        )
        left, right = made.arrays()
        return np.asarray(left, np.int64) * count + np.asarray(right, np.int64)

    def same(codes: NDArray[np.int64], ids: NDArray[np.int64]) -> NDArray[np.bool_]:
        left, right = ids[codes // count], ids[codes % count]
        return (left >= 0) & (left == right)

    every = pairs(None)
    by_kind = {kind: pairs(kind) for kind in sorted({k for ks in kinds for k in ks})}
    codes, made_by = np.unique(np.concatenate(list(by_kind.values())), return_counts=True)
    alone = codes[made_by == 1]
    print(f"{count:,} records, {len(every):,} candidate pairs")
    print(f"{'kind':6} {'pairs':>12} {'unique':>12} {'true':>9} {'true-uniq':>9} "
          f"{'pred-false':>10} {'pf-uniq':>8}")  # fmt: skip
    for kind, made in sorted(by_kind.items(), key=lambda item: -len(item[1])):
        own = made[np.isin(made, alone, assume_unique=True)]
        true, true_own = same(made, true_id), same(own, true_id)
        false, false_own = same(made, found_id) & ~true, same(own, found_id) & ~true_own
        figures = (true.sum(), true_own.sum(), false.sum(), false_own.sum())
        counts = " ".join(f"{int(n):>{w},}" for n, w in zip(figures, (9, 9, 10, 8), strict=True))
        print(f"{kind:6} {len(made):>12,} {len(own):>12,} {counts}")
    print(f"true pairs among the candidates: {int(same(every, true_id).sum()):,}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    main(Path(sys.argv[1]), Path(sys.argv[2]))
