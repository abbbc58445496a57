"""Write-back to Dynamics 365 sends each row's ETag as last synced in ``If-Match``: a row an
admin changed since the sync answers 412 and is reported for that record as a conflict
(not overwritten, not retried); the next sync reads the new ETag and the push goes
through. crmsync's own write moves a row's ETag too, so a second push before any sync
writes against ``*`` rather than reporting itself as a conflict."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import requests
import yaml
from push_support import publish_values, utc_now
from sync_support import write_config

from sandbox import Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sync.config import CrmsyncConfig, load_config
from sync.pull import SyncOptions, sync_source
from sync.push.write_back import push
from sync.sources import build_connector
from sync.store import open_store

_CONFLICT = (
    "conflict: the record changed in Dynamics since the last sync (HTTP 412, its ETag "
    "moved); run a sync, then push again"
)


def _sync(engine: object, config: CrmsyncConfig) -> None:
    (source,) = config.sources
    connector = build_connector(source)
    try:
        report = sync_source(engine, source, connector, SyncOptions(streams=("deals",)), utc_now)  # type: ignore[arg-type]
    finally:
        connector.close()
    assert report.status == "succeeded"


def _admin_rename(sandbox: Sandbox, opportunity_id: str) -> None:
    """An admin edits the opportunity in Dynamics (a plain Web API PATCH)."""
    endpoint = sandbox.info.dynamics
    session = requests.Session()
    session.trust_env = False
    session.verify = str(sandbox.info.ca_bundle)
    token = session.post(
        f"{endpoint.authority_host}/{endpoint.tenant_id}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": endpoint.client_id,
            "client_secret": endpoint.client_secret,
            "scope": f"{endpoint.environment_url}/.default",
        },
    ).json()["access_token"]
    answer = session.patch(
        f"{endpoint.environment_url}/api/data/v9.2/opportunities({opportunity_id})",
        json={"name": "Renamed by an admin"},
        headers={"Authorization": f"Bearer {token}", "If-Match": "*"},
    )
    assert answer.status_code == 204


def test_a_row_changed_since_the_sync_is_a_conflict_until_synced(tmp_path: Path) -> None:
    with Sandbox(SandboxOptions(seed=8, scale="tiny", anchor=DEFAULT_ANCHOR)) as sandbox:
        path = write_config(sandbox, tmp_path, f"sqlite:///{tmp_path / 's.sqlite'}", ("dynamics",))
        raw = yaml.safe_load(path.read_text())
        raw["push"] = {
            "create_fields": True,
            "targets": [
                {"key": "dq_score", "source": "dynamics", "object": "deals", "field": "dq_score"}
            ],
        }
        path.write_text(yaml.safe_dump(raw, sort_keys=False))
        config = load_config(path)
        engine = open_store(config.store.url)
        _sync(engine, config)
        world = sandbox.world
        assert world is not None
        edited, kept = sorted(r["opportunityid"] for r in world.dynamics["opportunity"].live())[:2]

        def publish(value: int) -> None:
            rows = [
                ("dynamics", "deals", rid, "dq_score", Decimal(value)) for rid in (edited, kept)
            ]
            publish_values(engine, "audit", rows)

        publish(10)
        _admin_rename(sandbox, edited)
        first = push(engine, config, utc_now)
        assert [(f.remote_id, f.error, f.conflict, f.retriable) for f in first.failures] == [
            (edited, _CONFLICT, True, False)
        ]
        (outcome,) = first.sources
        assert (outcome.written, outcome.failed) == (1, 1)
        column = "crmsync_dq_score"
        with world.lock:
            rows = world.dynamics["opportunity"]
            assert (rows.get(edited).get(column), rows.get(kept)[column]) == (None, Decimal(10))

        publish(20)  # crmsync's own write moved the kept row's ETag: no conflict with itself
        second = push(engine, config, utc_now)
        assert [(f.remote_id, f.conflict) for f in second.failures] == [(edited, True)]
        assert second.sources[0].written == 1

        _sync(engine, config)  # reads the admin's edit and the new ETags
        third = push(engine, config, utc_now)
        assert (third.failures, third.sources[0].written) == ([], 1)
        with world.lock:
            rows = world.dynamics["opportunity"]
            assert rows.get(edited)["name"] == "Renamed by an admin"
            assert (rows.get(edited)[column], rows.get(kept)[column]) == (
                Decimal(20),
                Decimal(20),
            )
