"""A reconciled tiny demo store with a config for the `crmsync plan` commands."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import yaml

from sandbox.clock import DEFAULT_ANCHOR
from sync.config.reconcile import ReconcileConfig
from sync.demo import run_demo
from sync.reconcile.reconciling import reconcile
from sync.store import open_store

REPO = Path(__file__).resolve().parents[2]


def plan_workspace(workspace: Path) -> tuple[Path, str]:
    """The config file and store URL of a synced, reconciled tiny company (seed 7)."""
    demo = run_demo(workspace, seed=7, scale="tiny", anchor=DEFAULT_ANCHOR)
    engine = open_store(demo.store_url)
    reconcile(engine, ReconcileConfig(), datetime(2026, 10, 31, tzinfo=UTC), "full")
    engine.dispose()
    path = workspace / "plan.yaml"
    settings = {
        "store": {"url": demo.store_url},
        "compensation": {
            "plans_dir": str(REPO / "config" / "plans"),
            "directory": {"source_defaults": {"zoho": {"team": "iberia_sales"}}},
        },
    }
    path.write_text(yaml.safe_dump(settings))
    return path, demo.store_url
