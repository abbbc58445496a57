"""One run's steps read the store once (``sync.store.view.reads``): the audit, its report,
the plan run and the statements share each table's live rows and reconcile's identity map
(the statements the plan run's inputs too), give the same results as steps that read on
their own, and read afresh once a sync or a reconcile run has changed the store. On the
tiny sandbox company (seed 7), synced."""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from sandbox.clock import DEFAULT_ANCHOR
from sync.config import load_config
from sync.config.reconcile import ReconcileConfig
from sync.demo import run_demo
from sync.pipeline.main_job import run_steps
from sync.reconcile.reconciling import reconcile
from sync.step_contract import StepContext, StepReport
from sync.store import open_store
from sync.store.changes import next_change
from sync.store.view.live_rows import column_names, live_rows
from sync.store.view.reads import StoreReads
from tests.integration.sync_support import opened, postgres_schema, postgres_url

NOW = datetime(2026, 10, 31, 12, tzinfo=UTC)
STEPS = ("reconcile", "audit", "compute", "statements")


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workspace = tmp_path_factory.mktemp("reads")
    result = run_demo(workspace, seed=7, scale="tiny", anchor=DEFAULT_ANCHOR)
    assert result.ok
    return workspace


def _copy(synced: Path, into: Path) -> tuple[Engine, Path]:
    """A copy of the synced store, and its configuration pointing at the copy."""
    into.mkdir()
    shutil.copy(synced / "crmsync.sqlite", into / "crmsync.sqlite")
    text = (synced / "crmsync.yaml").read_text(encoding="utf-8")
    config = into / "crmsync.yaml"
    config.write_text(text.replace(str(synced / "crmsync.sqlite"), str(into / "crmsync.sqlite")))
    return open_store(f"sqlite:///{into / 'crmsync.sqlite'}"), config


def _comparable(report: StepReport) -> tuple[str, str, dict[str, object]]:
    """A step's report without what differs between two runs of the same work."""
    summary = {k: v for k, v in report.summary.items() if k not in ("run_id", "report", "previews")}
    return report.step, report.status, summary


def test_one_runs_steps_read_each_table_once_and_agree_with_steps_reading_alone(
    synced: Path, tmp_path: Path
) -> None:
    shared_engine, shared_config = _copy(synced, tmp_path / "shared")
    alone_engine, alone_config = _copy(synced, tmp_path / "alone")
    context = StepContext(now=NOW, out_dir=tmp_path / "out")
    shared = run_steps(shared_engine, load_config(shared_config), context, STEPS)
    alone = [
        run_steps(
            alone_engine,
            load_config(alone_config),
            StepContext(now=NOW, out_dir=tmp_path / "alone-out"),
            [step],
        )[0]
        for step in STEPS
    ]
    assert [r.status for r in shared] == ["succeeded"] * len(STEPS), shared
    assert shared[2].summary["deals"] > 0 and shared[3].summary["statements"] > 0
    # the same findings, scores, plan inputs (their hash), HTML report and statements as
    # steps that read on their own
    assert [_comparable(r) for r in shared] == [_comparable(r) for r in alone]
    written = sorted(p.relative_to(tmp_path / "out") for p in (tmp_path / "out").rglob("*.*"))
    assert Path("report.html") in written and len(written) > 20
    for name in written:
        mine, theirs = tmp_path / "out" / name, tmp_path / "alone-out" / name
        assert mine.read_bytes() == theirs.read_bytes(), name
    # each table read once; twice where compute wants columns the audit does not read
    # (an activity's subject, a contact role's payload), and the identity map once
    assert context.reads.table_reads == Counter(
        {
            "leads": 1,
            "contacts": 1,
            "accounts": 1,
            "deals": 1,
            "deal_contacts": 2,
            "activities": 2,
            "cases": 1,
            "users": 1,
            "field_changes": 1,
            "deal_products": 1,
            "deal_splits": 1,
            "campaign_members": 1,
        }
    )
    assert context.reads.identity_reads == 1
    # the statements take the plan run's inputs (the same period, as of the same day)
    assert context.reads.made == Counter({"plan inputs": 1})


def test_a_change_to_the_store_is_read_afresh(synced: Path, tmp_path: Path) -> None:
    engine, _ = _copy(synced, tmp_path / "store")
    reads = StoreReads()
    columns = column_names("users", {"raw", "custom_fields"})
    with engine.connect() as conn:
        first = reads.live_rows(conn, "users", columns)
        # answered from what was read: the same rows, new dicts, a subset of the columns too
        assert reads.live_rows(conn, "users", columns) == live_rows(conn, "users", columns)
        assert reads.live_rows(conn, "users", ["source", "remote_id", "email"]) == live_rows(
            conn, "users", ["source", "remote_id", "email"]
        )
        first[0]["email"] = "changed@example.com"
        assert reads.live_rows(conn, "users", columns)[0]["email"] != "changed@example.com"
        assert reads.table_reads["users"] == 1
    assert len(reads.identity_map(engine)) == 0  # reconcile has not run on this store
    reads.identity_map(engine)
    assert reads.identity_reads == 1
    with engine.begin() as conn:  # a sync's page takes a change number
        next_change(conn)
    with engine.connect() as conn:
        reads.live_rows(conn, "users", columns)
    assert reads.table_reads["users"] == 2
    assert reads.identity_reads == 1  # read on the next question, not before
    reconcile(engine, ReconcileConfig(), NOW, "full")  # a reconcile run lands
    assert len(reads.identity_map(engine)) > 0
    assert reads.identity_reads == 2
    with engine.connect() as conn:
        reads.live_rows(conn, "users", columns)
    assert reads.table_reads["users"] == 2  # the records did not change


def test_the_same_on_postgresql() -> None:
    """The stamp's query and the kept values on a PostgreSQL store (empty: reconcile has
    not run, the pull has not written)."""
    base = postgres_url()
    if base is None:
        pytest.skip("CRMSYNC_TEST_POSTGRES_URL is not set (a PostgreSQL URL for tests)")
    with postgres_schema(base) as url, opened(url) as engine:
        reads = StoreReads()
        with engine.connect() as conn:
            assert reads.live_rows(conn, "users", ["source", "remote_id", "email"]) == []
            assert reads.live_rows(conn, "users", ["source", "remote_id"]) == []
        assert reads.table_reads == Counter({"users": 1})
        assert len(reads.identity_map(engine)) == 0
        assert reads.kept(engine, "value", 1, lambda: "made") == "made"
        assert reads.kept(engine, "value", 1, lambda: "again") == "made"
        with engine.begin() as conn:
            next_change(conn)
        with engine.connect() as conn:
            reads.live_rows(conn, "users", ["source"])
        assert reads.table_reads == Counter({"users": 2})
        assert reads.kept(engine, "value", 1, lambda: "again") == "again"
        assert reads.identity_reads == 1
