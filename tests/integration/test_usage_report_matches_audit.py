"""The usage leaderboard (``crmsync report usage``, the audit's HTML report) shows the scores
the audit stored and published: both leave the mapped custom objects (orders, store visits
mapped as deals and activities) out of the records scored; the HTML report of a run takes
its last point from the run's audit. On the tiny sandbox company
(seed 7), whose CRMs hold such objects."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from sandbox.clock import DEFAULT_ANCHOR
from sync.audit.step import audit_step
from sync.config import load_config
from sync.config.links import custom_object_prefixes
from sync.demo import run_demo
from sync.pipeline.main_job import run_steps
from sync.reports.build import build_reports
from sync.step_contract import StepContext
from sync.store import open_store
from sync.store.view.live_rows import store_table
from sync.store.view.usage import latest_usage_scores

NOW = datetime(2026, 10, 31, 12, tzinfo=UTC)


def test_the_leaderboard_shows_the_scores_the_audit_stored(tmp_path: Path) -> None:
    result = run_demo(tmp_path, seed=7, scale="tiny", anchor=DEFAULT_ANCHOR)
    assert result.ok
    config = load_config(tmp_path / "crmsync.yaml")
    engine = open_store(result.store_url)
    reports = run_steps(engine, config, StepContext(now=NOW), ["reconcile", "audit"])
    assert [r.status for r in reports] == ["succeeded", "succeeded"]
    custom = custom_object_prefixes(config)
    deals = store_table("deals")
    with engine.connect() as conn:
        ids = conn.execute(select(deals.c.source, deals.c.remote_id)).all()
    mapped = [rid for source, rid in ids if rid.startswith(custom.get(source, ()))]
    assert mapped, "the company's CRMs hold orders mapped as deals"

    (usage,) = build_reports(config, engine, NOW, kind="usage")
    shown = {row[1]: row[4] for row in usage["rows"]}
    stored = {
        subject: score.score
        for subject, score in latest_usage_scores(engine).items()
        if score.kind == "employee" and score.active and score.score is not None
    }
    assert len(shown) > 10
    assert shown == stored
    # the trend's last point is the score shown
    assert all(row[7].split()[-1] == str(row[4]) for row in usage["rows"])
    # the pipeline's report starts from the audit its step just made: the same leaderboard
    _, audited = audit_step(engine, config, StepContext(now=NOW))
    assert build_reports(config, engine, NOW, kind="usage", audited=audited) == [usage]
