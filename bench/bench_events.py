"""Digital events benchmark: ingest and stitch a million events, against the ground truth.

    python bench/bench_events.py [--scale medium] [--seed 1] [--sessions 14] [--json]

Not timed, and made in a child process (a million generated messages held in this one
would be counted in its memory, and freed memory is not always given back): the sandbox
world (``--scale``, ``--seed``, anchored on 2026-10-31), its event stream
(``sandbox.generator.events``, ``--sessions`` visits per device) written as monthly
JSON-lines exports, the truth of every device, and the world's people written into a fresh
SQLite store as CRM leads (each record its own identity: stitching is measured, not
reconciliation). This process keeps only who each lead is and the true (device, person)
pairs. Its resident memory is sampled every 10 ms and reported per phase (``rss_mb``: the
peak of each; the child's own peak apart). Timed, in this process, wall-clock and CPU:
the events connector read through the pull into the store (``sync_source``), then
identity stitching (``stitch``). Then the links are scored
against ``event_devices``: a pair (anonymous id, person) is right when the person used and
identified on that id; precision over the pairs stitched, recall over the pairs truth has
for people with a CRM record (typo'd e-mails, devices that never identify and bots count
against no one: a device no one identified on is no pair). Last, the exports are read
again from the start (an incremental stitching then has nothing to do) and stitched again
in full: the store (events and links) must not change. Last, 1% more events on the same
devices (every 100th message again under a new id) are read and stitched incrementally,
timed, and the links compared with a full stitching's; then one lead in 100 with a
company address gets it mistyped by its CRM user (its first letter doubled), and the
incremental stitching that follows is timed and compared with a full one too.
Issue floors: 1,000,000 events ingested and stitched in at most 60 s on the 2-core machine;
precision >= 0.99, recall >= 0.95.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import resource
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import orjson
import yaml
from sqlalchemy import Engine, select, text

from connectors.core.contract import Page
from connectors.core.records import Lead
from sandbox.clock import DEFAULT_ANCHOR
from sandbox.generator import generate
from sandbox.generator.events import generate_events, write_events
from sandbox.generator.events_people import customers
from sync.config import load_config
from sync.pull.source import SyncOptions, sync_source
from sync.reconcile.normalize import email_domain, email_key, is_free_mail
from sync.reconcile.stitching import stitch
from sync.sources import build_connector
from sync.store import open_store
from sync.store.pages import write_page
from sync.store.records import LeadRow

NOW = datetime(2026, 10, 31, 12, tzinfo=UTC)
FLOOR_S = 60.0


def _people(engine: Engine, world: Any) -> dict[str, str]:
    """The world's people as CRM leads, one per person with every address and phone their
    records hold (the identities reconciliation would build); member key -> person."""
    truth: dict[str, str] = {}
    leads = []
    for person in customers(world):
        emails, phones = person.emails, person.phones
        leads.append(
            Lead(
                source="crm",
                remote_id=person.identity,
                email=emails[0] if emails else None,
                other_emails=emails[1:],
                phone=phones[0] if phones else None,
                mobile=phones[1] if len(phones) > 1 else None,
                last_name=person.identity,
                remote_created_at=person.first_created,
                remote_updated_at=person.first_created,
            )
        )
        truth[f"crm:leads:{person.identity}"] = person.identity
    with engine.begin() as conn:
        for start in range(0, len(leads), 5000):
            page = Page("leads", list(leads[start : start + 5000]), {})
            write_page(conn, "crm", page, "lead", None, NOW)
    return truth


def _edit_people(engine: Engine, every: int = 100) -> int:
    """Every ``every``-th lead with a company (not free-mail) address gets it with its
    first letter doubled, as a CRM user's edit; how many were edited."""
    leads = LeadRow.__table__.c  # type: ignore[attr-defined]
    names = ("remote_id", "email", "other_emails", "phone", "mobile", "remote_created_at")
    with engine.connect() as conn:
        rows = conn.execute(select(*(leads[n] for n in names)).order_by(leads.remote_id)).all()
    picked = [r for r in rows if r.email and not is_free_mail(email_domain(email_key(r.email)))]
    edited = [
        Lead(
            source="crm",
            remote_id=r.remote_id,
            email=r.email[0] + r.email,
            other_emails=list(r.other_emails or ()),
            phone=r.phone,
            mobile=r.mobile,
            last_name=r.remote_id,
            remote_created_at=r.remote_created_at,
            remote_updated_at=NOW,
        )
        for r in picked[::every]
    ]
    with engine.begin() as conn:
        write_page(conn, "crm", Page("leads", edited, {}), "lead", None, NOW)
    return len(edited)


def _timed(results: dict[str, Any], label: str, fn: Any) -> Any:
    cpu, wall = time.process_time(), time.perf_counter()
    value = fn()
    results[label] = {
        "wall_s": round(time.perf_counter() - wall, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
    }
    return value


def _digest(engine: Engine) -> str:
    digest = hashlib.blake2b(digest_size=16)
    with engine.connect() as conn:
        for query in (
            "SELECT remote_id, content_hash FROM events ORDER BY source, remote_id",
            "SELECT anonymous_id, identity_id, status, evidence, message_id, events "
            "FROM event_links ORDER BY anonymous_id, identity_id",
        ):
            for row in conn.execute(text(query)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


class _Rss:
    """The process's resident memory, sampled every 10 ms on Linux (``/proc/self/statm``):
    its peak during each phase, in MB (``ru_maxrss`` only gives the peak of the whole run)."""

    def __init__(self) -> None:
        self.peaks: dict[str, int] = {}
        self.phase = "setup"
        self._page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
        self._running = Path("/proc/self/statm").exists()
        if self._running:
            threading.Thread(target=self._sample, daemon=True).start()

    def now_mb(self) -> int:
        if not self._running:
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * self._page // (1 << 20)

    def _sample(self) -> None:
        while self._running:
            self._note(self.phase)
            time.sleep(0.01)

    def _note(self, phase: str) -> None:
        self.peaks[phase] = max(self.peaks.get(phase, 0), self.now_mb())

    @contextmanager
    def during(self, phase: str) -> Iterator[None]:
        outer = self.phase
        self.phase = phase
        self._note(phase)
        try:
            yield
        finally:
            self._note(phase)
            self.phase = outer

    def stop(self) -> None:
        self._running = False


def _prepare(workspace: Path, scale: str, seed: int, sessions: int) -> dict[str, Any]:
    """In a child process (the world and a million messages never enter the timed one): the
    exports, the 1% later events, the truth of every device and the people as leads."""
    world = generate(seed, scale, DEFAULT_ANCHOR)
    stream = generate_events(world, sessions)
    exports = workspace / "exports"
    lines = write_events(stream, exports, workspace / "truth")
    # 1% more events on the same devices, for an incremental stitching after the rest
    with (workspace / "later.jsonl").open("wb") as later:
        for message in stream.messages[::100]:
            later.write(orjson.dumps({**message, "messageId": f"{message['messageId']}-later"}))
            later.write(b"\n")
    engine = open_store(f"sqlite:///{workspace / 'store.sqlite'}")
    members = _people(engine, world)
    engine.dispose()
    return {"lines": lines, "messages": len(stream.messages), "members": members}


def _truth(path: Path, known: set[str]) -> set[tuple[str, str]]:
    """(anonymous id, person) for every person who identified on a device and has a record."""
    pairs: set[tuple[str, str]] = set()
    with path.open("rb") as rows:
        for line in rows:
            device = orjson.loads(line)
            pairs.update((device["anonymous_id"], p) for p in device["identified"] if p in known)
    return pairs


def _score(engine: Engine, members: dict[str, str], truth: set[tuple[str, str]]) -> dict:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT anonymous_id, member FROM event_links"))
        stitched = {(anon, members[member]) for anon, member in rows if member in members}
    right = len(stitched & truth)
    return {
        "pairs_stitched": len(stitched),
        "pairs_true": len(truth),
        "precision": round(right / len(stitched), 4) if stitched else 0.0,
        "recall": round(right / len(truth), 4) if truth else 0.0,
    }


def bench(workspace: Path, scale: str, seed: int, sessions: int) -> dict[str, Any]:
    rss = _Rss()
    started = rss.now_mb()
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        prepared = pool.submit(_prepare, workspace, scale, seed, sessions).result()
    members: dict[str, str] = prepared["members"]
    truth = _truth(workspace / "truth" / "event_devices.jsonl", set(members.values()))
    exports = workspace / "exports"
    engine = open_store(f"sqlite:///{workspace / 'store.sqlite'}")
    config_path = workspace / "crmsync.yaml"
    source = {"name": "web", "kind": "events", "directory": str(exports), "page_size": 20000}
    store = {"url": f"sqlite:///{workspace / 'store.sqlite'}"}
    config_path.write_text(yaml.safe_dump({"store": store, "sources": [source]}))
    config = load_config(config_path)
    results: dict[str, Any] = {"lines": prepared["lines"], "messages": prepared["messages"]}
    del prepared
    gc.collect()
    results["rss_mb"] = {"start": started, "before_ingest": rss.now_mb()}

    def ingest(full: bool = False) -> Any:
        connector = build_connector(config.source("web"))
        source = config.source("web")
        return sync_source(engine, source, connector, SyncOptions(full=full), lambda: NOW)

    def phase(name: str, fn: Callable[[], Any]) -> Any:
        with rss.during(name):
            return fn()

    report = _timed(results, "ingest", lambda: phase("ingest", ingest))
    counts = report.streams[0].counts
    results["stored"] = {"inserted": counts.inserted, "quarantined": counts.quarantined}
    stitched = _timed(results, "stitch", lambda: phase("stitch", lambda: stitch(engine, NOW)))
    results["stitching"] = stitched.to_json()
    total = results["ingest"]["wall_s"] + results["stitch"]["wall_s"]
    results["total_wall_s"] = round(total, 2)
    results["total_cpu_s"] = round(results["ingest"]["cpu_s"] + results["stitch"]["cpu_s"], 2)
    results["floor_s"] = FLOOR_S
    with rss.during("score_and_compare"):
        results["quality"] = _score(engine, members, truth)
        before = _digest(engine)
    replay = phase("replay", lambda: ingest(full=True)).streams[0].counts
    results["restitch"] = stitch(engine, NOW).to_json()  # nothing new: an incremental no-op
    phase("stitch_full_again", lambda: stitch(engine, NOW, full=True))
    results["replay"] = {
        "inserted": replay.inserted,
        "updated": replay.updated,
        "unchanged": replay.unchanged,
        "same_store": phase("score_and_compare", lambda: _digest(engine)) == before,
    }
    (workspace / "later.jsonl").rename(exports / "later.jsonl")
    more = phase("ingest_later", ingest).streams[0].counts
    incremental = _timed(
        results,
        "stitch_incremental",
        lambda: phase("stitch_incremental", lambda: stitch(engine, NOW)),
    )
    after = _digest(engine)
    stitch(engine, NOW, full=True)
    results["incremental"] = {
        "events_added": more.inserted,
        "mode": incremental.mode,
        "anonymous_ids": incremental.anonymous_ids,
        "events_read": incremental.events,
        "equals_full": _digest(engine) == after,
    }
    # the people change: one lead in 100 with a company address gets it mistyped (a
    # letter more), then an incremental stitching, against a full one
    edited = _edit_people(engine)
    changed = _timed(
        results,
        "stitch_people_changed",
        lambda: phase("stitch_people_changed", lambda: stitch(engine, NOW)),
    )
    after = _digest(engine)
    stitch(engine, NOW, full=True)
    results["people_changed"] = {
        "leads_edited": edited,
        "mode": changed.mode,
        "keys_changed": changed.people_changed,
        "anonymous_ids": changed.anonymous_ids,
        "events_read": changed.events,
        "equals_full": _digest(engine) == after,
    }
    rss.stop()
    results["rss_mb"].update(rss.peaks)
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    # the child that generated the world and its events (not the product)
    results["generation_peak_rss_mb"] = (
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    )
    engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sessions", type=int, default=14, help="visits per device")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = bench(Path(tmp), args.scale, args.seed, args.sessions)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    q = results["quality"]
    print(
        f"{results['lines']} lines ({results['stored']['inserted']} events stored, "
        f"{results['stored']['quarantined']} quarantined): ingest "
        f"{results['ingest']['wall_s']} s (CPU {results['ingest']['cpu_s']} s), stitch "
        f"{results['stitch']['wall_s']} s (CPU {results['stitch']['cpu_s']} s), total "
        f"{results['total_wall_s']} s (floor {FLOOR_S} s)"
    )
    print(
        f"stitching: precision {q['precision']} recall {q['recall']} "
        f"({q['pairs_stitched']} pairs stitched, {q['pairs_true']} true)"
    )
    print(f"replay: {results['replay']}")
    print(
        f"peak RSS {results['peak_rss_mb']} MB (events generated in a child process: "
        f"{results['generation_peak_rss_mb']} MB); per phase, MB: {results['rss_mb']}"
    )
    print(
        f"incremental stitching after 1% more events: {results['incremental']}, "
        f"CPU {results['stitch_incremental']['cpu_s']} s"
    )
    print(
        f"incremental stitching after people changed: {results['people_changed']}, "
        f"CPU {results['stitch_people_changed']['cpu_s']} s"
    )


if __name__ == "__main__":
    main()
