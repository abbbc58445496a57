"""``crmsync run`` twice against the sandbox with churn in between (issue 10).

The second run syncs only the changes, pushes only changed values and re-sends no
statement; a third run with nothing new writes nothing; and the store then equals the
store of a from-scratch ``crmsync run`` against the same (churned) sandbox.

The timeline, in one sandbox:

1. the write-back fields are created in the CRMs, as ``crmsync init`` tells an admin to;
2. run 1 on store A: full sync, every step;
3. ``plan run`` + ``plan close`` of the sandbox's last month, so later runs have final
   statements to queue;
4. churn; run 2 on A: incremental sync, pushes the changed values, queues the statements;
5. run 3 on A with no churn: pushes nothing, queues nothing again;
6. run on a fresh store B: the same synced records and the same plan results as A.

Step 1 is done up front on purpose: when run 1 creates the fields itself, A's later
incremental syncs keep the field lists described before they existed (cached for a day),
so A never holds those fields' values while B does (see the session's report).
"""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from sqlalchemy import func, select

from connectors.core.contract import STREAM_RECORD_TYPES
from sandbox import Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sandbox.expected import expected_stream_counts
from sync.compute.history import closed_periods, latest_run
from sync.config import load_config
from sync.demo_setup import demo_sections
from sync.push.apply import check_fields
from sync.sources import build_connector
from sync.store.bookkeeping import RunRow, RunStreamRow
from sync.store.outbox import OutboxRow
from sync.store.records import TABLES
from tests import cli_process
from tests.integration.sync_support import _BOOKKEEPING, opened, store_snapshot

CLI = [sys.executable, "-m", "sync"]
CLOSED = "2026-10"  # the sandbox's story ends on 2026-10-31: its last full month
SOURCES = ("salesforce", "hubspot", "zoho", "dynamics")
STEPS = ("reconcile", "audit", "compute", "push", "statements")
CHANGES = 50
# The steps run as of a fixed time after the story's end, not today: the audit window and
# the open period must not move with the calendar (they did, 400 days on: nothing to push).
AS_OF = "2026-11-15T12:00:00Z"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return cli_process.run([*CLI, *args], capture_output=True, text=True, timeout=300)


def _write_config(sandbox: Sandbox, directory: Path) -> tuple[Path, str]:
    """The demo's configuration (sandbox sources + every later step) on its own store."""
    directory.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{(directory / 'crmsync.sqlite').resolve()}"
    generated = yaml.safe_load(sandbox.info.config_path.read_text())
    config = {
        "store": {"url": url},
        "secrets_file": str(sandbox.info.config_path.parent / "secrets.env"),
        "sources": generated["sources"],
        **demo_sections([s["name"] for s in generated["sources"]]),
    }
    path = directory / "crmsync.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path, url


def _create_fields(config_path: Path) -> list[str]:
    """Create every push target's field in its CRM (what the admin does after init)."""
    config = load_config(config_path)
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for target in config.push.targets:
        groups[(target.source, target.object)].append(target)
    created: list[str] = []
    for (source, obj), targets in sorted(groups.items()):
        connector = build_connector(config.source(source))
        try:
            found, missing, made = check_fields(connector, obj, targets, create=True)
        finally:
            connector.close()
        assert not missing and len(found) == len(targets), (source, obj, missing)
        created += made
    return created


@dataclass
class Run:
    """One ``crmsync run --json``: its rows by step, and the sync counts it stored."""

    rows: dict[str, dict[str, Any]]
    streams: dict[str, dict[str, int]] = field(default_factory=dict)  # source -> counts

    def figures(self, step: str) -> dict[str, Any]:
        return self.rows[step]["figures"]


def _run(config: Path, url: str, out: Path) -> Run:
    result = _cli("run", "--config", str(config), "--json", "--out", str(out), "--as-of", AS_OF)
    assert result.returncode == 0, result.stdout + result.stderr
    document = orjson.loads(result.stdout)
    assert document["ok"] is True
    rows = {row["step"]: row for row in document["steps"]}
    assert list(rows) == [*(f"sync {s}" for s in SOURCES), *STEPS]
    assert {step: row["status"] for step, row in rows.items()} == dict.fromkeys(rows, "succeeded")
    return Run(rows, _latest_sync_counts(url))


def _latest_sync_counts(url: str) -> dict[str, dict[str, int]]:
    """Per source, the summed stream counts of its latest sync run (sync_run_streams)."""
    runs = RunRow.__table__  # type: ignore[attr-defined]
    streams = RunStreamRow.__table__  # type: ignore[attr-defined]
    columns = ("fetched", "inserted", "updated", "deleted", "quarantined", "api_calls")
    counts: dict[str, dict[str, int]] = {}
    with opened(url) as engine, engine.connect() as conn:
        for source in SOURCES:
            run_id = conn.execute(
                select(runs.c.id).where(runs.c.source == source).order_by(runs.c.id.desc()).limit(1)
            ).scalar_one()
            totals = conn.execute(
                select(*(func.sum(streams.c[c]) for c in columns)).where(streams.c.run_id == run_id)
            ).one()
            counts[source] = dict(zip(columns, map(int, totals), strict=True))
            # Which streams inserted or deleted anything, for a failure to name them.
            moved = conn.execute(
                select(streams.c.stream, streams.c.inserted, streams.c.deleted).where(
                    streams.c.run_id == run_id,
                    (streams.c.inserted > 0) | (streams.c.deleted > 0),
                )
            ).all()
            counts[source]["streams"] = {s: (i, d) for s, i, d in moved}  # type: ignore[assignment]
    return counts


def _outbox(url: str) -> list[tuple[Any, ...]]:
    table = OutboxRow.__table__  # type: ignore[attr-defined]
    with opened(url) as engine, engine.connect() as conn:
        query = select(
            table.c.statement_id,
            table.c.version,
            table.c.recipient,
            table.c.period,
            table.c.state,
            table.c.attempts,
            table.c.content_hash,
        ).order_by(table.c.id)
        return [tuple(row) for row in conn.execute(query)]


def _without_dangling_contacts(url: str) -> dict[str, set[tuple[Any, ...]]]:
    """The live records of ``url`` (``store_snapshot``), with links to contacts that are
    not live in that store left out: ``contact_id`` set to None, such roles dropped.

    HubSpot hides an archived contact's associations, but archiving it does not touch the
    activities, cases and deal roles linked to it, so an incremental sync keeps those
    links (to a contact it has marked deleted) while a from-scratch read may or may not
    show them depending on the endpoint (the sandbox's v3 list shows them, its v4
    association reads do not). Links to a deleted contact carry no information either
    way; everything else must be equal, value for value.
    """
    snapshot = store_snapshot(url, live_only=True)
    columns = {
        kind: [c.name for c in model.__table__.c if c.name not in _BOOKKEEPING]  # type: ignore[attr-defined]
        for kind, model in TABLES.items()
    }
    contact = columns["contact"]
    live = {
        (row[contact.index("source")], row[contact.index("remote_id")])
        for row in snapshot["contact"]
    }
    result: dict[str, set[tuple[Any, ...]]] = {}
    for kind, rows in snapshot.items():
        names = columns[kind]
        if "contact_id" not in names:
            result[kind] = rows
            continue
        source, link = names.index("source"), names.index("contact_id")
        kept = set()
        for row in rows:
            if row[link] is not None and (row[source], row[link]) not in live:
                if kind == "deal_contact":
                    continue
                row = (*row[:link], None, *row[link + 1 :])
            kept.add(row)
        result[kind] = kept
    return result


def _live_counts(url: str, truth: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
    """Live records per (CRM, stream) of ``truth`` in the store at ``url``."""
    counts = {}
    with opened(url) as engine, engine.connect() as conn:
        for crm, stream in truth:
            table = TABLES[STREAM_RECORD_TYPES[stream]].__table__  # type: ignore[attr-defined]
            counts[(crm, stream)] = conn.execute(
                select(func.count()).where(table.c.source == crm, table.c.is_deleted.is_(False))
            ).scalar_one()
    return counts


@dataclass
class Story:
    created_fields: list[str]
    first: Run
    closed: dict[str, Any]
    second: Run
    outbox_after_second: list[tuple[Any, ...]]
    third: Run
    outbox_after_third: list[tuple[Any, ...]]
    fresh: Run
    url: str
    fresh_url: str
    out: Path
    truth: dict[tuple[str, str], int]  # the churned sandbox's live records per stream


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    base = tmp_path_factory.mktemp("run-twice")
    options = SandboxOptions(
        seed=7, scale="small", state_dir=base / "sandbox", anchor=DEFAULT_ANCHOR
    )
    with Sandbox(options) as sandbox:
        config, url = _write_config(sandbox, base / "a")
        created = _create_fields(config)
        out = base / "a" / "out"
        first = _run(config, url, out)
        for command in ("run", "close"):
            result = _cli("plan", command, "--period", CLOSED, "--config", str(config), "--json")
            assert result.returncode == 0, result.stdout + result.stderr
        closed = orjson.loads(result.stdout)
        assert _outbox(url) == []  # nothing final yet: the open month only had previews
        churn = sandbox.churn(changes=CHANGES, seed=11).to_dict()
        assert sum(row["count"] for row in churn["counts"]) == CHANGES
        truth = {  # of the CRMs the runs sync (the sandbox serves more, left off)
            key: n
            for key, n in expected_stream_counts(sandbox.info.ground_truth_dir).items()
            if key[0] in SOURCES
        }
        # A sync reads up to the CRM's clock as its Date header gives it, to the second:
        # what changed in the second the sync starts in is read by the next sync. A run
        # started within a second of the churn (an idle machine starts the command line
        # that fast) would leave part of it to run 3. People pause longer between edits
        # and syncs; the sandbox's clock is moved on by two seconds to say so.
        sandbox.clock.advance(2)
        second = _run(config, url, out)
        after_second = _outbox(url)
        sandbox.clock.advance(2)  # likewise between run 2's writes and run 3's read
        third = _run(config, url, out)
        after_third = _outbox(url)
        fresh_config, fresh_url = _write_config(sandbox, base / "fresh")
        # A rebuilt store keeps the installation's matcher model as it keeps its
        # configuration: one trained anew on the churned records would weigh some pairs
        # otherwise, and the two stores' identities could not be compared.
        model_file = base / "person-model.json"
        for args in (("--save", model_file, config), ("--load", model_file, fresh_config)):
            flag, path, where = args
            result = _cli("reconcile", "model", flag, str(path), "--config", str(where), "--json")
            assert result.returncode == 0, result.stdout + result.stderr
        fresh = _run(fresh_config, fresh_url, base / "fresh" / "out")
    return Story(
        created,
        first,
        closed,
        second,
        after_second,
        third,
        after_third,
        fresh,
        url,
        fresh_url,
        out,
        truth,
    )


def test_later_runs_sync_push_and_queue_only_what_changed(story: Story) -> None:
    first, second, third = story.first, story.second, story.third
    assert story.created_fields  # the fields did not exist before: run 1 had to fill them

    # Sync: run 1 is a full read; run 2 reads the changes (plus the records run 1's push
    # touched), a small part of run 1's reads, and quarantines nothing.
    for source in SOURCES:
        full, incremental = first.streams[source], second.streams[source]
        assert full["inserted"] == full["fetched"] > 0, source
        assert incremental["fetched"] < full["fetched"] // 3, (source, full, incremental)
        assert full["quarantined"] == incremental["quarantined"] == 0, source
        assert incremental["inserted"] + incremental["updated"] + incremental["deleted"] > 0
    total_second = sum(second.streams[s]["fetched"] for s in SOURCES)
    total_first = sum(first.streams[s]["fetched"] for s in SOURCES)
    assert total_second < total_first // 3
    # Run 3 (no churn) only sees the echo of run 2's writes: nothing new, nothing deleted.
    for source in SOURCES:
        assert third.streams[source]["inserted"] == third.streams[source]["deleted"] == 0, (
            source,
            third.streams[source].get("streams"),
        )

    # Push: run 1 fills every field; run 2 writes only the values that changed; run 3,
    # with nothing changed, writes nothing and spends no API call on it.
    push = [run.figures("push") for run in (first, second, third)]
    for figures in push:
        assert figures["failed"] == figures["conflicts"] == 0
        assert figures["written"] == figures["records_to_write"]
    assert push[0]["written"] > 0 and push[0]["write_calls"] > 0
    assert 0 < push[1]["written"] < push[0]["written"]
    assert push[1]["write_calls"] <= push[0]["write_calls"]
    assert (push[2]["records_to_write"], push[2]["written"], push[2]["write_calls"]) == (0, 0, 0)

    # Statements: run 1 had only the open month, so previews and no outbox row; once
    # CLOSED is closed, run 2 queues each of its statements once, and run 3 none again.
    opened_month = first.figures("compute")["period"]
    assert first.figures("statements") == {
        "period": opened_month,
        "final": False,
        "statements": first.figures("compute")["employees"],
        "previews": str(story.out / "statements"),
    }
    assert (story.out / "statements" / "index.html").is_file()
    assert story.closed["period"] == CLOSED
    with opened(story.url) as engine:
        (closed,) = closed_periods(engine)
    assert closed.result.period == CLOSED
    queued = second.figures("statements")
    assert queued["period"] == CLOSED and queued["final"] is True
    assert queued["queued"] == queued["statements"] > 0
    assert (queued["unchanged"], queued["refused"]) == (0, 0)
    assert queued["statements"] == len(closed.result.employees)  # one per employee
    again = third.figures("statements")
    assert (again["period"], again["final"], again["queued"]) == (CLOSED, True, 0)
    assert again["unchanged"] == queued["statements"]
    assert "sent" not in again  # delivery is not configured: nothing is mailed
    assert len(story.outbox_after_second) == queued["statements"]
    assert story.outbox_after_third == story.outbox_after_second  # not one row more
    # approval is not required by default: queued rows are approved, none claimed or sent
    assert {row[3:6] for row in story.outbox_after_third} == {(CLOSED, "approved", 0)}
    keys = [row[:3] for row in story.outbox_after_third]
    assert len(keys) == len(set(keys))


def test_the_store_equals_a_from_scratch_runs(story: Story) -> None:
    # Run 2's push changed CRM records after run 2's sync; run 3 synced those echoes
    # (and pushed nothing), so A after run 3 is what a from-scratch store must match.
    fresh = story.fresh
    for source in SOURCES:
        counts = fresh.streams[source]
        assert counts["inserted"] == counts["fetched"] > 0 and counts["quarantined"] == 0
    incremental = _without_dangling_contacts(story.url)
    scratch_records = _without_dangling_contacts(story.fresh_url)
    assert incremental.keys() == scratch_records.keys()
    for kind in incremental:
        assert incremental[kind] == scratch_records[kind], kind
    # ... and both hold exactly the sandbox's live records after the churn, per stream.
    assert sum(story.truth.values()) > 0
    for url in (story.url, story.fresh_url):
        assert _live_counts(url, story.truth) == story.truth, url

    # The same synced records give the same deals, credits and pay for the open month.
    # Only A closed CLOSED, so only A carries its recoverable-draw balances into the
    # month (its input hash differs for that reason alone): each of A's opening balances
    # is CLOSED's closing one, B's are 0, and every pay line and movement is the same.
    third, scratch = story.third.figures("compute"), fresh.figures("compute")
    for key in ("period", "employees", "deals", "credits", "credited_revenue", "warnings"):
        assert third[key] == scratch[key], key
    assert scratch["credited_revenue"] and scratch["deals"] > 0
    period = third["period"]
    with opened(story.url) as engine:
        mine = latest_run(engine, period)
        carried = {
            e.employee: e.draw_balance_end
            for closed in closed_periods(engine)
            if closed.result.period == CLOSED
            for e in closed.result.employees
        }
    with opened(story.fresh_url) as engine:
        theirs = latest_run(engine, period)
        assert closed_periods(engine) == []
    assert mine is not None and theirs is not None
    assert carried and any(carried.values())
    ours = {e.employee: e for e in mine.result.employees}
    fresh_pay = {e.employee: e for e in theirs.result.employees}
    assert ours.keys() == fresh_pay.keys()
    for employee, result in ours.items():
        other = fresh_pay[employee]
        # Records the churn changed can move CLOSED's figures (a usage score from a field
        # filled in since): A, which closed CLOSED, pays the difference as prior-period
        # lines, B never closed it. The open month's draw top-up makes up what those lines
        # pay, so every other line is the same and so is the total.
        prior = sum(line.amount for line in result.lines if line.kind == "prior_period")
        moved = ("prior_period", "draw_top_up")
        assert _pay(result, moved) == _pay(other, moved), employee
        assert all(line.kind != "prior_period" for line in other.lines), employee
        # A draw tops up what the month pays: on A the prior-period lines are part of it.
        theirs = _amount(other, "draw_top_up")
        expected = max(theirs - prior, 0) if theirs > 0 else 0
        assert _amount(result, "draw_top_up") == expected, employee
        assert other.draw_balance_start == 0
        assert result.draw_balance_start == carried.get(employee, 0), employee
        assert (
            result.draw_balance_end - result.draw_balance_start
            == other.draw_balance_end - other.draw_balance_start
        ), employee


def _pay(result: Any, leave_out: tuple[str, ...] = ()) -> list[tuple[Any, ...]]:
    """An employee's pay lines without their rule text (which quotes the draw balance)."""
    return sorted(
        (line.key, line.kind, line.amount, line.currency, line.deal, line.slot, line.share)
        for line in result.lines
        if line.kind not in leave_out
    )


def _amount(result: Any, kind: str) -> Any:
    return sum(line.amount for line in result.lines if line.kind == kind)
