"""Keap, which has no custom objects: its appointments mapped in YAML, store visits among them.

The sandbox's web shop books a visit to a lab store as an appointment at the store. The
demo's mapping reads the appointments in place of the standard activities stream: every
appointment is stored once (``appointments/<id>``, none as ``appt-<id>``), the store
visits on channel ``store`` linked to the visitor and owned by their seller, the others
on channel ``meeting``; ``crmsync journey`` shows the visit; an edit reaches the store and
the id check finds a delete; and the demo with Keap meets its ground truth, the
activities' count leaving the mapped appointments out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from sandbox import DEFAULT_ANCHOR, ManualClock
from sandbox.custom_mappings import CUSTOM_MAPPINGS
from sync.cli import app
from sync.store.records import ActivityRow
from tests.integration.contract_suite import tiny_sandbox
from tests.integration.sync_support import opened, write_config


def _cli(*args: str) -> Any:
    result = CliRunner().invoke(app, [*args, "--json"], prog_name="crmsync")
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout) if args[0] != "reconcile" else None


def test_mapped_appointments_replace_the_standard_ones_and_show_in_the_journey(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with tiny_sandbox() as sandbox:
        config = write_config(sandbox, tmp_path, url, ("keap",))
        data = yaml.safe_load(config.read_text())
        data["sources"][0]["custom_objects"] = CUSTOM_MAPPINGS["keap"]
        config.write_text(yaml.safe_dump(data, sort_keys=False))
        assert sandbox.world is not None
        world = sandbox.world
        appointments = {r["id"]: r for r in world.keap["appointments"].live()}
        visits = [v for v in world.truth.files["store_visits"] if v["crm"] == "keap"]
        report = _cli("sync", "--config", str(config))
        streams = {s["stream"]: s for s in report[0]["streams"]}
        table = ActivityRow.__table__  # type: ignore[attr-defined]
        with opened(url) as engine, engine.connect() as conn:
            rows = conn.execute(select(table).where(table.c.source == "keap")).all()
        _cli("reconcile", "run", "--config", str(config))
        visitor = visits[0]["contact"]
        journey = _cli("journey", f"keap:contacts:{visitor}", "--config", str(config))
    assert streams["appointments"]["status"] == "succeeded"
    assert streams["appointments"]["inserted"] == len(appointments)
    stored = {r.remote_id: r for r in rows}
    assert not [k for k in stored if k.startswith("appt-")]
    assert sorted(k for k in stored if k.startswith("appointments/")) == sorted(
        f"appointments/{rid}" for rid in appointments
    )
    store = {
        k: (r.contact_id, r.owner_id, r.activity_type)
        for k, r in stored.items()
        if r.channel == "store"
    }
    assert store == {
        f"appointments/{v['id']}": (v["contact"], appointments[v["id"]]["user_id"], "meeting")
        for v in visits
    }
    others = {r.channel for k, r in stored.items() if k.startswith("appointments/")}
    assert others == {"store", "meeting"}
    touches = [t for t in journey["touches"] if t["channel"] == "store"]
    mine = [v for v in visits if v["contact"] == visitor]
    assert len(touches) == len(mine) > 0


def test_the_demo_with_keap_meets_its_ground_truth(tmp_path: Path) -> None:
    from sync.config.steps import STEP_NAMES
    from sync.demo import run_demo

    result = run_demo(
        tmp_path,
        seed=1,
        scale="tiny",
        anchor=DEFAULT_ANCHOR,
        steps=STEP_NAMES,
        sources=("salesforce", "keap"),
    )
    keap = {c.stream: (c.in_store, c.ground_truth) for c in result.checks if c.source == "keap"}
    assert result.ok, [c for c in result.checks if c.in_store != c.ground_truth] + [
        t for t in result.truth if not t.ok
    ]
    # the activities are the notes and tasks; the appointments come through the mapping
    assert keap["appointments"][0] == keap["appointments"][1] > 0
    assert keap["activities"][0] == keap["activities"][1] > 0


def test_an_edit_reaches_the_store_and_the_id_check_finds_a_delete(tmp_path: Path) -> None:
    """A visit moved to another store and a demo deleted for good (Keap keeps no deleted
    records): the next run updates the one; ``--check-deletes`` compares the mapped
    stream's own ids and marks the other, leaving notes and tasks alone."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with tiny_sandbox() as sandbox:
        config = write_config(sandbox, tmp_path, url, ("keap",))
        data = yaml.safe_load(config.read_text())
        data["sources"][0]["custom_objects"] = CUSTOM_MAPPINGS["keap"]
        config.write_text(yaml.safe_dump(data, sort_keys=False))
        world, clock = sandbox.world, sandbox.clock
        assert world is not None and isinstance(clock, ManualClock)
        _cli("sync", "--config", str(config))
        table = world.keap["appointments"]
        demo = next(r["id"] for r in table.live() if r["title"] != "Store visit")
        visit = next(r["id"] for r in table.live() if r["title"] == "Store visit")
        clock.advance(60)
        with world.lock:
            table.update(visit, {"location": "Video call"}, clock.now())
            table.purge(demo, clock.now())
        clock.advance(20 * 60)
        report = _cli("sync", "--config", str(config), "--check-deletes")
        streams = {s["stream"]: s for s in report[0]["streams"]}
        activity = ActivityRow.__table__  # type: ignore[attr-defined]
        with opened(url) as engine, engine.connect() as conn:
            rows = conn.execute(select(activity).where(activity.c.source == "keap")).all()
    stored = {r.remote_id: r for r in rows}
    assert (streams["appointments"]["updated"], streams["appointments"]["deleted_missing"]) == (
        1,
        1,
    )
    assert streams["activities"]["deleted_missing"] == 0
    assert stored[f"appointments/{visit}"].channel == "meeting"
    assert stored[f"appointments/{demo}"].is_deleted
    assert [k for k, r in stored.items() if r.is_deleted] == [f"appointments/{demo}"]
