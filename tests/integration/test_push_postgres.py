"""The push bookkeeping on PostgreSQL: publish, write, and a free re-run."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from push_support import PushWorld, live_ids, publish_values, push_config, sync_all, utc_now
from sync_support import postgres_schema, postgres_url

from connectors.core.http import pinned_session
from sandbox import Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sync.config import load_config
from sync.push.write_back import push
from sync.store import open_store

BASE = postgres_url()


@pytest.mark.skipif(BASE is None, reason="set CRMSYNC_TEST_POSTGRES_URL to run against PostgreSQL")
def test_push_on_postgresql(tmp_path: Path) -> None:
    assert BASE is not None
    with (
        postgres_schema(BASE) as url,
        Sandbox(
            SandboxOptions(
                seed=2, scale="tiny", state_dir=tmp_path / "sandbox", anchor=DEFAULT_ANCHOR
            )
        ) as sb,
    ):
        path = push_config(sb, tmp_path, url)
        engine = open_store(url)
        world = PushWorld(sb, engine, load_config(path), path, pinned_session(sb.info.ca_bundle))
        try:
            sync_all(world, streams=("deals", "users"))
            deals = live_ids(engine, "salesforce", "deals")
            publish_values(
                engine,
                "compute",
                [("salesforce", "deals", r, "incentive_total", Decimal("12.5")) for r in deals],
            )
            first = push(engine, world.config, utc_now, sources=["salesforce"])
            assert first.ok and first.sources[0].written == len(deals)
            again = push(engine, world.config, utc_now, sources=["salesforce"])
            assert again.plan.counts() == {
                "conflicts": 0,
                "records_to_write": 0,
                "unchanged": len(deals),
                "write_calls": 0,
            }
        finally:
            world.admin.close()
            engine.dispose()
