"""Helpers for the push tests: a synced small sandbox with push targets, the sandbox's call
counters, the official clients for read-back and admin edits, and publishing shortcuts."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests
import yaml
from hubspot import HubSpot
from simple_salesforce import Salesforce
from sqlalchemy import Engine, select
from sync_support import write_config

from connectors.core.http import pinned_session
from sandbox import Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR
from sync.config import CrmsyncConfig, load_config
from sync.pull import SyncOptions, sync_source
from sync.sources import build_connector
from sync.store import TABLES, open_store
from sync.store.view.published import DesiredValue, publish

__all__ = [
    "SF_BATCH",
    "PushWorld",
    "calls_by_endpoint",
    "ceil_div",
    "faults",
    "live_ids",
    "publish_values",
    "push_config",
    "push_world",
    "reset_stats",
    "sync_all",
    "utc_now",
    "write_calls",
]

SF_BATCH = 50  # Salesforce batches made smaller than 200 so a small sandbox needs several
WRITE_ENDPOINTS = {
    "salesforce": "PATCH /services/data/<version>/composite/sobjects",
    "hubspot": "POST /crm/v3/objects/<type>/batch/update",
    "zoho": "PUT /crm/<version>/<module>",
}


def utc_now() -> datetime:
    return datetime.now(UTC)


def ceil_div(n: int, size: int) -> int:
    return math.ceil(n / size)


def _target(key: str, source: str, obj: str, field: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "source": source, "object": obj, "field": field, **extra}


def push_config(sandbox: Sandbox, directory: Path, store_url: str) -> Path:
    """The sandbox config plus the push targets the tests use."""
    path = write_config(sandbox, directory, store_url)
    raw = yaml.safe_load(path.read_text())
    for source in raw["sources"]:
        if source["name"] == "salesforce":
            source["write_batch_size"] = SF_BATCH
    money = {"type": "currency"}
    raw["push"] = {
        "create_fields": True,
        "targets": [
            _target("incentive_total", "salesforce", "deals", "crmsync_incentive_total", **money),
            _target("incentive_total", "hubspot", "deals", "crmsync_incentive_total", **money),
            _target(
                "incentive_total",
                "zoho",
                "deals",
                "crmsync_incentive_total",
                **money,
                label="Incentive total crmsync",
            ),
            _target("usage_score", "salesforce", "users", "crmsync_usage_score"),
            _target(
                "usage_score", "hubspot", "deals", "crmsync_owner_usage_score", via="owned_records"
            ),
            _target("engagement_score", "hubspot", "contacts", "crmsync_engagement_score"),
            _target("dq_score", "salesforce", "deals", "crmsync_dq_score", conflict="overwrite"),
            _target("dq_score", "hubspot", "deals", "crmsync_dq_score", conflict="skip_and_flag"),
            _target(
                "dq_score",
                "zoho",
                "deals",
                "crmsync_dq_score",
                conflict="only_if_empty",
                label="DQ score crmsync",
            ),
            _target(
                "estimated_commission", "salesforce", "deals", "crmsync_est_commission", **money
            ),
            _target(
                "estimated_commission",
                "zoho",
                "deals",
                "crmsync_est_commission",
                label="Estimated commission crmsync",
                **money,
            ),
            _target("share_close", "salesforce", "deals", "crmsync_share_close", type="percent"),
            _target("touch_score", "salesforce", "contacts", "crmsync_touch_score"),
            _target("lock_score", "salesforce", "accounts", "crmsync_lock_score"),
        ],
    }
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


@dataclass
class PushWorld:
    sandbox: Sandbox
    engine: Engine
    config: CrmsyncConfig
    config_path: Path
    admin: requests.Session

    def stats(self, crm: str) -> dict[str, int]:
        return calls_by_endpoint(self.admin, self.base(crm))

    def base(self, crm: str) -> str:
        info = self.sandbox.info
        return {
            "salesforce": info.salesforce.instance_url,
            "hubspot": info.hubspot.base_url,
            "zoho": info.zoho.api_domain,
        }[crm]

    def reset(self) -> None:
        for crm in ("salesforce", "hubspot", "zoho"):
            reset_stats(self.admin, self.base(crm))

    def salesforce(self) -> Salesforce:
        info = self.sandbox.info
        answer = self.admin.post(
            info.salesforce.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": info.salesforce.client_id,
                "client_secret": info.salesforce.client_secret,
            },
        )
        token = answer.json()["access_token"]
        http = pinned_session(info.ca_bundle)
        return Salesforce(
            instance_url=info.salesforce.instance_url,
            session_id=token,
            session=http,
            version="59.0",
        )

    def hubspot(self) -> HubSpot:
        info = self.sandbox.info
        return HubSpot(
            access_token=info.hubspot.access_token,
            host=info.hubspot.base_url,
            ssl_ca_cert=str(info.ca_bundle),
        )

    def zoho(self) -> requests.Session:
        """Plain requests, as Zoho's own docs use (its SDK is not a dependency)."""
        info = self.sandbox.info
        answer = self.admin.post(
            f"{info.zoho.accounts_url}/oauth/v2/token",
            data={
                "grant_type": "refresh_token",
                "client_id": info.zoho.client_id,
                "client_secret": info.zoho.client_secret,
                "refresh_token": info.zoho.refresh_token,
            },
        )
        session = pinned_session(info.ca_bundle)
        session.headers["Authorization"] = f"Zoho-oauthtoken {answer.json()['access_token']}"
        return session


def calls_by_endpoint(admin: requests.Session, base: str) -> dict[str, int]:
    with admin.get(f"{base}/_sandbox/stats") as response:
        return dict(response.json()["endpoints"])


def reset_stats(admin: requests.Session, base: str) -> None:
    admin.delete(f"{base}/_sandbox/stats").close()


def write_calls(world: PushWorld) -> dict[str, int]:
    return {crm: world.stats(crm).get(endpoint, 0) for crm, endpoint in WRITE_ENDPOINTS.items()}


def sync_all(world: PushWorld, streams: tuple[str, ...] | None = None, full: bool = False) -> None:
    for source in world.config.sources:
        connector = build_connector(source)
        try:
            report = sync_source(
                world.engine, source, connector, SyncOptions(streams=streams, full=full), utc_now
            )
            assert report.status == "succeeded", report.error
        finally:
            connector.close()


def live_ids(engine: Engine, source: str, obj: str) -> list[str]:
    kind = {"deals": "deal", "contacts": "contact", "users": "user", "accounts": "account"}[obj]
    table = TABLES[kind].__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        rows = conn.execute(
            select(table.c.remote_id)
            .where(table.c.source == source, table.c.is_deleted.is_(False))
            .order_by(table.c.remote_id)
        )
        return [r[0] for r in rows]


def publish_values(
    engine: Engine, step: str, rows: Iterable[tuple[str, str, str, str, Decimal | str | None]]
) -> int:
    with engine.begin() as conn:
        return publish(conn, step, [DesiredValue(*row) for row in rows])


@contextmanager
def faults(world: PushWorld, crm: str, profile: str, rate: float) -> Iterator[None]:
    base = world.base(crm)
    world.admin.put(f"{base}/_sandbox/faults", json={"profile": profile, "failure_rate": rate})
    try:
        yield
    finally:
        world.admin.put(f"{base}/_sandbox/faults", json={"profile": "none"})


@contextmanager
def push_world(directory: Path, seed: int, scale: str) -> Iterator[PushWorld]:
    """A running sandbox synced into a store under ``directory``, with an admin session
    for reading the CRMs back."""
    with Sandbox(
        SandboxOptions(
            seed=seed,
            scale=scale,
            state_dir=directory / "sandbox",
            anchor=DEFAULT_ANCHOR,
            # the business company alone, only for exact counts: the write counts the push
            # tests assert are drawn on its records
            b2c=False,
        )
    ) as sb:
        url = f"sqlite:///{directory / 'crmsync.sqlite'}"
        path = push_config(sb, directory, url)
        engine = open_store(url)
        admin: requests.Session = pinned_session(sb.info.ca_bundle)
        world = PushWorld(sb, engine, load_config(path), path, admin)
        sync_all(world)
        try:
            yield world
        finally:
            admin.close()
            engine.dispose()
