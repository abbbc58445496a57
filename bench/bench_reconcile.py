"""Reconciliation benchmark: quality on the sandbox ground truth, and a synthetic scale-up.

    python bench/bench_reconcile.py [--scales small,medium] [--seed 7] [--synthetic 100000]
                                    [--engine native|splink] [--addresses] [--full-again]
                                    [--workspace DIR] [--json]

1. Quality: for each scale, the sandbox is synced into SQLite (``run_demo``), a full
   reconcile runs, and pairwise precision / recall per kind (people, organisations,
   employees) are measured against ``identities.jsonl``, with the blocking recall (the
   share of true pairs that share a block or are linked by CRM evidence).
2. Scale-up: the medium store's people are replicated into ``--synthetic`` person records
   (each replica other people: e-mail domains and phone numbers shifted consistently, so
   duplicates stay duplicates within a replica and never across; surnames carry a mark per
   replica, towns a number), written into a fresh store without addresses, companies or
   accounts (the figures in the README are of such people); a full reconcile runs in a
   child process (wall time, peak RSS) and people's pairwise precision and recall are
   measured against the medium truth carried to each replica, then 1% new records (copies
   of existing people with a nickname or typo) are added and an incremental run is timed
   against the full one. ``--full-again`` then times a full run on that store, as a
   scheduled or retrained full run finds it: the earlier results forgotten first.
   ``--addresses`` keeps the people's addresses and companies and replicates the accounts
   too: each replica's words are enciphered word by word wherever they stand (a surname
   in the surname, the first-name field and the e-mail address alike), except the words
   many people share: given names, towns, states and the matcher's vocabulary (street
   types, unit words, legal suffixes); see ``synthetic_people.py``.

``--engine`` sets ``reconcile.engine`` (the people matcher); blocking recall is measured
with that engine's blocking (Splink's rules for ``splink``).

Floors: precision >= 0.99 and recall >= 0.97 per kind; 1M person records in <= 2
minutes with <= 3 GB; an incremental run after 1% new records <= 5% of a full run.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from synthetic_people import Replicas

from sandbox.clock import DEFAULT_ANCHOR
from sync.config.reconcile import ReconcileConfig
from sync.demo import run_demo
from sync.reconcile.blocking import candidate_pairs
from sync.reconcile.entities import load_entities
from sync.reconcile.evaluate import load_truth, pairwise, true_pairs
from sync.reconcile.model_store import MODELS
from sync.reconcile.persist import crosswalk
from sync.reconcile.reconciling import KINDS, reconcile
from sync.reconcile.splink_engine import blocked_pairs
from sync.store import open_store

NOW = datetime(2026, 12, 1, tzinfo=UTC)
CONFIG = ReconcileConfig()


def _use_engine(name: str) -> None:
    global CONFIG
    CONFIG = ReconcileConfig(engine=name)


_STORED_TIME = "%Y-%m-%d %H:%M:%S.%f"  # the store's datetime text format in SQLite


def quality(
    scale: str, seed: int, workspace: Path, anchor: datetime = DEFAULT_ANCHOR
) -> dict[str, Any]:
    """Full reconcile of a synced sandbox, scored against its ground truth."""
    named = "" if anchor == DEFAULT_ANCHOR else f"-{anchor.date().isoformat()}"
    target = workspace / f"{scale}-{seed}{named}"
    if not (target / "crmsync.sqlite").exists():
        started = time.perf_counter()
        assert run_demo(target, seed=seed, scale=scale, anchor=anchor).ok
        print(f"synced {scale} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    engine = open_store(f"sqlite:///{target / 'crmsync.sqlite'}")
    with engine.begin() as connection:  # a reused store: the run trains anew, as a first one
        connection.execute(MODELS.delete())
    started = time.perf_counter()
    report = reconcile(engine, CONFIG, NOW, "full")
    seconds = time.perf_counter() - started
    truth = load_truth(target / "sandbox" / "ground_truth" / "identities.jsonl")
    kinds: dict[str, Any] = {}
    with engine.connect() as connection:
        for kind in KINDS:
            score = pairwise(truth, crosswalk(connection, kind), kind)
            kinds[kind] = {
                "records": report.kinds[kind]["records"],
                "true_pairs": score.actual,
                "precision": round(score.precision, 4),
                "recall": round(score.recall, 4),
                "blocking_recall": round(_blocking_recall(engine, kind, truth), 4),
                "candidate_pairs": report.kinds[kind]["candidate_pairs"],
            }
    engine.dispose()
    engine_used = report.kinds["person"].get("engine")
    return {
        "scale": scale,
        "seed": seed,
        "engine": engine_used,
        "full_run_s": round(seconds, 2),
        "kinds": kinds,
    }


def _blocking_recall(engine: Any, kind: str, truth: dict[str, tuple[str, str]]) -> float:
    entities = load_entities(engine, kind)
    index = {e.key: n for n, e in enumerate(entities)}
    if kind == "person" and CONFIG.person_engine() == "splink":
        pairs = blocked_pairs(entities, CONFIG.max_key_records)
    else:
        pairs = set(candidate_pairs(entities, CONFIG.max_block_size))
    for n, entity in enumerate(entities):
        pairs.update(tuple(sorted((n, index[m]))) for m in entity.must if m in index)
    wanted = true_pairs(truth, kind, set(index))
    if not wanted:
        return 1.0
    found = sum(1 for a, b in wanted if tuple(sorted((index[a], index[b]))) in pairs)
    return found / len(wanted)


# --- synthetic scale-up ---------------------------------------------------------------

_PERSON_COLUMNS = (
    "source", "remote_id", "remote_created_at", "remote_updated_at", "is_deleted",
    "content_hash", "first_seen_at", "synced_at", "custom_fields", "raw", "other_emails",
    "merged_ids", "first_name", "last_name", "title", "email", "phone", "mobile", "city",
    "country", "street", "postal_code", "state",
)  # fmt: skip
# A lead names its company; a contact's company is its account's.
_OWN_COLUMNS = {"leads": ("company",), "contacts": ("account_id",)}
_ACCOUNT_COLUMNS = (
    "source", "remote_id", "remote_created_at", "remote_updated_at", "is_deleted",
    "content_hash", "first_seen_at", "synced_at", "custom_fields", "raw", "merged_ids",
    "name", "domain", "website", "industry", "phone", "city", "country", "street", "state",
    "postal_code", "person_contact_id",
)  # fmt: skip


def _template(medium: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The medium store's live people (each with its table as ``tbl``) and accounts."""
    connection = sqlite3.connect(medium / "crmsync.sqlite")
    connection.row_factory = sqlite3.Row
    rows: list[dict[str, Any]] = []
    for table in ("contacts", "leads"):
        columns = (*_PERSON_COLUMNS, *_OWN_COLUMNS[table])
        for row in connection.execute(
            f"SELECT {', '.join(columns)}, '{table}' AS tbl FROM {table} WHERE is_deleted = 0"
        ):
            rows.append(dict(row))
    accounts = [
        dict(row)
        for row in connection.execute(
            f"SELECT {', '.join(_ACCOUNT_COLUMNS)} FROM accounts WHERE is_deleted = 0"
        )
    ]
    connection.close()
    return rows, accounts


def build_synthetic(
    medium: Path, size: int, target: Path, names_only: bool = True
) -> tuple[int, float]:
    """A store with ``size`` person records replicated from the medium sandbox; with
    ``names_only``, without their addresses, companies and accounts."""
    template, accounts = _template(medium)
    if names_only:
        blank = ("street", "postal_code", "state", "company", "account_id")
        template = [{**row, **{c: None for c in blank if c in row}} for row in template]
        accounts = []
    replicas = Replicas(template, names_only)
    url = f"sqlite:///{target}"
    open_store(url).dispose()  # schema
    connection = sqlite3.connect(target)
    started = time.perf_counter()
    written = 0
    replica = 0
    while written < size:
        batch: dict[str, list[tuple[Any, ...]]] = {"contacts": [], "leads": []}
        for row in template:
            if written >= size:
                break
            copy = replicas.person(row, replica)
            columns = (*_PERSON_COLUMNS, *_OWN_COLUMNS[row["tbl"]])
            batch[row["tbl"]].append(tuple(copy[c] for c in columns))
            written += 1
        for table, rows in batch.items():
            columns = (*_PERSON_COLUMNS, *_OWN_COLUMNS[table])
            extra = ", converted" if table == "leads" else ""
            marks = ", ".join("?" for _ in columns) + (", 0" if extra else "")
            connection.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}{extra}) VALUES ({marks})", rows
            )
        # the replica's accounts, which its contacts' account ids name
        connection.executemany(
            f"INSERT INTO accounts ({', '.join(_ACCOUNT_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in _ACCOUNT_COLUMNS)})",
            [
                tuple(copy[c] for c in _ACCOUNT_COLUMNS)
                for copy in (replicas.account(a, replica) for a in accounts)
            ],
        )
        replica += 1
    connection.commit()
    connection.close()
    return written, time.perf_counter() - started


def add_new_people(target: Path, count: int, seed: int) -> None:
    """``count`` new contacts: existing people re-entered with a nickname or a typo."""
    rng = random.Random(seed)
    connection = sqlite3.connect(target)
    connection.row_factory = sqlite3.Row
    # The store's own datetime text format, later than any earlier batch.
    later = (NOW + timedelta(days=1, minutes=seed)).strftime(_STORED_TIME)
    rows = connection.execute(
        f"SELECT {', '.join(_PERSON_COLUMNS)} FROM contacts ORDER BY random() LIMIT ?", (count,)
    ).fetchall()
    fresh = []
    for n, row in enumerate(rows):
        copy = dict(row)
        copy["source"] = "zoho"
        copy["remote_id"] = f"new{seed}-{n}"
        last = copy["last_name"] or ""
        if last and rng.random() < 0.5:
            i = rng.randrange(len(last))
            copy["last_name"] = last[:i] + last[i + 1 :]
        copy["synced_at"] = copy["first_seen_at"] = later
        fresh.append(tuple(copy[c] for c in _PERSON_COLUMNS))
    # Numbered like a sync's page write (sync.store.changes): incremental runs take them.
    connection.execute("UPDATE store_changes SET last_change = last_change + 1")
    change = connection.execute("SELECT last_change FROM store_changes").fetchone()[0]
    marks = ", ".join("?" for _ in _PERSON_COLUMNS)
    connection.executemany(
        f"INSERT INTO contacts ({', '.join(_PERSON_COLUMNS)}, change_seq) VALUES ({marks}, ?)",
        [(*row, change) for row in fresh],
    )
    connection.commit()
    connection.close()


def _child_run(url: str, mode: str) -> None:
    engine = open_store(url)
    started = time.perf_counter()
    report = reconcile(engine, CONFIG, NOW + timedelta(days=2), mode)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    result = {"seconds": seconds, "cpu_s": cpu, "peak_rss_mb": usage.ru_maxrss / 1024}
    print(json.dumps({**result, "report": report.to_json()}))


def _timed(url: str, mode: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child-run", url, "--child-mode", mode]
        + ["--engine", CONFIG.engine],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _replicated_pairwise(medium: Path, url: str) -> dict[str, Any]:
    """People's pairwise precision and recall in the synthetic store, against the medium
    world's truth carried to each replica (record ``<id>-<r>`` is replica r's copy of
    ``<id>``, and the replicas are other people)."""
    truth = load_truth(medium / "sandbox" / "ground_truth" / "identities.jsonl")
    engine = open_store(url, migrate_schema=False)
    with engine.connect() as connection:
        predicted = crosswalk(connection, "person")
    engine.dispose()
    carried: dict[str, tuple[str, str]] = {}
    for key in predicted:
        found, replica = truth.get(key), "0"
        if found is None:
            original, _, replica = key.rpartition("-")
            found = truth.get(original)
        if found is not None:
            carried[key] = (found[0], f"{found[1]}#{replica}")
    score = pairwise(carried, predicted, "person")
    return {
        "records_with_truth": len(carried),
        "precision": round(score.precision, 4),
        "recall": round(score.recall, 4),
    }


def scale_up(
    medium: Path, size: int, workdir: Path, names_only: bool = True, full_again: bool = False
) -> dict[str, Any]:
    target = workdir / f"synthetic-{size}{'' if names_only else '-addresses'}.sqlite"
    target.unlink(missing_ok=True)
    written, build_s = build_synthetic(medium, size, target, names_only)
    url = f"sqlite:///{target}"
    full = _timed(url, "full")
    quality = _replicated_pairwise(medium, url)
    new = max(1, written // 100)
    add_new_people(target, new, seed=1)
    incremental = _timed(url, "incremental")
    person_full = full["report"]["kinds"]["person"]
    # A scheduled or retrained full run finds an earlier run's results to forget first.
    again = _timed(url, "full") if full_again else None
    return {
        "person_records": written,
        "addresses_and_companies": not names_only,
        "build_store_s": round(build_s, 1),
        "full_s": round(full["seconds"], 1),
        "full_cpu_s": round(full.get("cpu_s", 0.0), 1),
        "full_peak_rss_mb": round(full["peak_rss_mb"]),
        "full_candidate_pairs": person_full["candidate_pairs"],
        "full_identities": person_full["identities"],
        "full_pairwise": quality,
        "new_records": new,
        "incremental_s": round(incremental["seconds"], 2),
        "incremental_cpu_s": round(incremental.get("cpu_s", 0.0), 2),
        "incremental_share": round(incremental["seconds"] / full["seconds"], 4),
        "incremental_loaded": incremental["report"]["kinds"]["person"].get("loaded"),
        **(
            {
                "full_again_s": round(again["seconds"], 1),
                "full_again_peak_rss_mb": round(again["peak_rss_mb"]),
            }
            if again
            else {}
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="small,medium")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--synthetic", type=int, default=0, help="person records (0: skip)")
    parser.add_argument("--workspace", type=Path, default=None, help="reuse synced stores")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--anchor", type=datetime.fromisoformat, default=None, help="the sandbox's day (UTC)"
    )
    parser.add_argument("--engine", default="native", choices=["splink", "native"])
    parser.add_argument(
        "--addresses",
        action="store_true",
        help="synthetic people with their addresses, companies and accounts",
    )
    parser.add_argument(
        "--full-again",
        action="store_true",
        help="after the increment, a full run on the store holding the earlier results",
    )
    parser.add_argument("--child-run", help=argparse.SUPPRESS)
    parser.add_argument("--child-mode", help=argparse.SUPPRESS)
    args = parser.parse_args()
    _use_engine(args.engine)
    if args.child_run:
        _child_run(args.child_run, args.child_mode)
        return
    workspace = args.workspace or Path(tempfile.mkdtemp(prefix="bench-reconcile-"))
    results: dict[str, Any] = {"quality": [], "scale_up": None}
    for scale in [s for s in args.scales.split(",") if s]:
        anchor = args.anchor.replace(tzinfo=UTC) if args.anchor else DEFAULT_ANCHOR
        results["quality"].append(quality(scale, args.seed, workspace, anchor))
    if args.synthetic:
        medium = workspace / f"medium-{args.seed}"
        if not (medium / "crmsync.sqlite").exists():
            assert run_demo(medium, seed=args.seed, scale="medium", anchor=DEFAULT_ANCHOR).ok
        results["scale_up"] = scale_up(
            medium, args.synthetic, workspace, not args.addresses, args.full_again
        )
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'scale':8} {'kind':13} {'records':>8} {'pairs':>7} {'precision':>9} "
          f"{'recall':>7} {'block rec':>9} {'full run':>9}")  # fmt: skip
    for q in results["quality"]:
        for kind, k in q["kinds"].items():
            print(
                f"{q['scale']:8} {kind:13} {k['records']:>8} {k['true_pairs']:>7} "
                f"{k['precision']:>9.4f} {k['recall']:>7.4f} {k['blocking_recall']:>9.4f} "
                f"{q['full_run_s']:>8.1f}s"
            )
    if results["scale_up"]:
        s = results["scale_up"]
        print(
            f"\nscale-up: {s['person_records']:,} people: full {s['full_s']} s "
            f"({s['full_cpu_s']} s CPU), peak RSS {s['full_peak_rss_mb']} MB; "
            f"+{s['new_records']:,} new: incremental {s['incremental_s']} s "
            f"({s['incremental_cpu_s']} s CPU) = {s['incremental_share']:.1%} of full; "
            f"{s['full_candidate_pairs']:,} candidate pairs, people's precision "
            f"{s['full_pairwise']['precision']:.4f} and recall {s['full_pairwise']['recall']:.4f} "
            "against the medium truth in each replica"
            + (f"; full again {s['full_again_s']} s" if "full_again_s" in s else "")
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
