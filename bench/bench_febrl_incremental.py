"""An incremental reconcile run against a full one, on a public data set: FEBRL records
synced as CRM leads and contacts (a store ``bench_febrl.py --workspace`` keeps).

    python bench/bench_febrl.py --sets febrl2 --modes across --engines native --workspace WS
    python bench/bench_febrl_incremental.py WS/febrl2-across-native/crmsync.sqlite [--seeds 1,2,3]

For each seed, on a copy of the store: a tenth of the people (chosen by the seed) are held
back, a full run reconciles the rest, the held-back records come back as one new change,
and an incremental run takes them in. Its identities are then compared, member for member,
with those of a full run of the same store (model and settings alike), and its stored pairs
score for score and status for status. Printed: records held back, records the increment
loaded, identities of each, and whether they and the pairs are the same.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sync.config.reconcile import ReconcileConfig
from sync.reconcile.reconciling import reconcile
from sync.store import open_store

NOW = datetime(2026, 12, 1, tzinfo=UTC)
_RESULTS = ("identities", "identity_members", "reconcile_pairs", "reconcile_keys")
_PEOPLE = ("contacts", "leads")


def _partition(connection: sqlite3.Connection) -> set[frozenset[tuple[str, str, str]]]:
    groups: dict[str, set[tuple[str, str, str]]] = {}
    query = "SELECT identity_id, source, table_name, remote_id FROM identity_members"
    for identity, source, table, remote_id in connection.execute(query + " WHERE kind='person'"):
        groups.setdefault(identity, set()).add((source, table, remote_id))
    return {frozenset(members) for members in groups.values()}


def _pairs(connection: sqlite3.Connection) -> set[tuple[str, str, float, str]]:
    """Each stored pair of people by its two records (in either order), score and status:
    what later increments build on (a pair's status decides whether it links)."""
    query = "SELECT a_key, b_key, score, status FROM reconcile_pairs WHERE kind = 'person'"
    found: set[tuple[str, str, float, str]] = set()
    for a, b, score, status in connection.execute(query):
        first, second = sorted((a, b))
        found.add((first, second, round(score, 6), status))
    return found


def check(store: Path, seed: int, work: Path, min_records: int | None = None) -> dict[str, object]:
    """One seed's increment against a full run; see the module."""
    target = work / f"seed-{seed}.sqlite"
    shutil.copy(store, target)
    connection = sqlite3.connect(target)
    for table in (*_RESULTS, "reconcile_runs", "reconcile_models"):
        connection.execute(f"DELETE FROM {table}")
    rng = random.Random(seed)
    held = 0
    for table in _PEOPLE:
        ids = [row[0] for row in connection.execute(f"SELECT id FROM {table}")]
        sample = rng.sample(ids, len(ids) // 10)
        held += len(sample)
        chosen = f"id IN ({', '.join(str(n) for n in sample)})"
        connection.execute(f"CREATE TABLE held_{table} AS SELECT * FROM {table} WHERE {chosen}")
        connection.execute(f"DELETE FROM {table} WHERE {chosen}")
    connection.commit()
    engine = open_store(f"sqlite:///{target}")
    config = ReconcileConfig()
    if min_records is not None:  # a set too small for the first run to train otherwise
        config = config.model_copy(
            update={"learning": config.learning.model_copy(update={"min_records": min_records})}
        )
    reconcile(engine, config, NOW, "full")
    # Back as one new change, numbered as a sync's page write is (sync.store.changes).
    connection.execute("UPDATE store_changes SET last_change = last_change + 1")
    change = connection.execute("SELECT last_change FROM store_changes").fetchone()[0]
    for table in _PEOPLE:
        connection.execute(f"UPDATE held_{table} SET change_seq = ?", (change,))
        connection.execute(f"INSERT INTO {table} SELECT * FROM held_{table}")
    connection.commit()
    report = reconcile(engine, config, NOW + timedelta(hours=1), "auto")
    incremental, incremental_pairs = _partition(connection), _pairs(connection)
    reconcile(engine, config, NOW + timedelta(hours=2), "full")
    full, full_pairs = _partition(connection), _pairs(connection)
    engine.dispose()
    connection.close()
    person = report.kinds["person"]
    return {
        "seed": seed,
        "mode": report.mode,
        "held_back": held,
        "loaded": person.get("loaded"),
        "identities_incremental": len(incremental),
        "identities_full": len(full),
        "differing_identities": len(incremental ^ full),
        "pairs_incremental": len(incremental_pairs),
        "differing_pairs": len(incremental_pairs ^ full_pairs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store", type=Path, help="a synced FEBRL store (bench_febrl.py)")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument(
        "--min-records",
        type=int,
        default=None,
        help="reconcile.learning.min_records: fewer than the held-back store's people, so "
        "its first full run trains and the increment scores with that model",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for seed in (int(s) for s in args.seeds.split(",")):
            found = check(args.store, seed, Path(tmp), args.min_records)
            same = "same" if found["differing_identities"] == 0 else "DIFFERENT"
            pairs = (
                "same" if found["differing_pairs"] == 0 else f"{found['differing_pairs']} differ"
            )
            print(
                f"seed {seed}: {found['mode']}, {found['held_back']} held back, "
                f"{found['loaded']} loaded; identities {found['identities_incremental']} "
                f"incremental, {found['identities_full']} full: {same}; "
                f"{found['pairs_incremental']} pairs: {pairs}"
            )


if __name__ == "__main__":
    main()
