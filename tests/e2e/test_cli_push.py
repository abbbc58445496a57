"""``crmsync push`` as a user runs it: dry run, missing fields, --create-fields, re-run."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import orjson
import yaml
from sqlalchemy import select

from sandbox import Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sync.config import load_config
from sync.pull import SyncOptions, sync_source
from sync.sources import build_connector
from sync.store import TABLES, open_store
from sync.store.view.published import DesiredValue, publish
from tests import cli_process

CLI = [sys.executable, "-m", "sync"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return cli_process.run([*CLI, *args], capture_output=True, text=True, timeout=180)


def test_push_from_the_command_line(tmp_path: Path) -> None:
    with Sandbox(
        SandboxOptions(seed=4, scale="tiny", state_dir=tmp_path / "sandbox", anchor=DEFAULT_ANCHOR)
    ) as sb:
        generated = yaml.safe_load(sb.info.config_path.read_text())
        url = f"sqlite:///{tmp_path / 'crmsync.sqlite'}"
        config = {
            "store": {"url": url},
            "secrets_file": str(sb.info.config_path.parent / "secrets.env"),
            "sources": [s for s in generated["sources"] if s["name"] == "salesforce"],
            "push": {
                "targets": [
                    {
                        "key": "incentive_total",
                        "source": "salesforce",
                        "object": "deals",
                        "field": "crmsync_incentive_total",
                        "type": "currency",
                    }
                ]
            },
        }
        path = tmp_path / "crmsync.yaml"
        path.write_text(yaml.safe_dump(config))
        cfg = load_config(path)
        engine = open_store(url)
        connector = build_connector(cfg.sources[0])
        from datetime import UTC, datetime

        sync_source(engine, cfg.sources[0], connector, SyncOptions(), lambda: datetime.now(UTC))
        connector.close()
        deal = TABLES["deal"].__table__  # type: ignore[attr-defined]
        with engine.begin() as conn:
            ids = sorted(r[0] for r in conn.execute(select(deal.c.remote_id)))
            publish(
                conn,
                "compute",
                [
                    DesiredValue("salesforce", "deals", r, "incentive_total", Decimal(100))
                    for r in ids
                ],
            )
        engine.dispose()

        dry = _run("push", "--config", str(path), "--dry-run", "--json")
        assert dry.returncode == 0, dry.stderr
        plan = orjson.loads(dry.stdout)
        assert plan["dry_run"] is True
        assert plan["counts"]["create"] == len(ids)
        assert plan["samples"][0]["body"]["records"][0]["crmsync_incentive_total__c"] == 100
        assert (
            "Create custom field Opportunity.crmsync_incentive_total__c"
            in (plan["sources"][0]["missing_fields"][0])
        )

        refused = _run("push", "--config", str(path))
        assert refused.returncode == 1
        assert "Create custom field Opportunity.crmsync_incentive_total__c" in refused.stderr
        assert "--create-fields" in refused.stderr.splitlines()[-1]

        created = _run("push", "--config", str(path), "--create-fields")
        assert created.returncode == 0, created.stderr
        assert "created field Opportunity.crmsync_incentive_total__c" in created.stdout

        again = _run("push", "--config", str(path), "--json")
        assert again.returncode == 0, again.stderr
        report = orjson.loads(again.stdout)
        assert report["counts"]["unchanged"] == len(ids)
        assert report["sources"][0]["api_calls"] == 0
