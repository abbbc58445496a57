"""Helpers for the sync contract suite: configs for a running sandbox, expected ids from
the sandbox's world, and store snapshots to compare two syncs record for record."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest
import requests
import yaml
from alembic.config import Config
from simple_salesforce import Salesforce
from sqlalchemy import Connection, Engine, TableClause, column, create_engine, select, table, text

from connectors.core.contract import STREAM_RECORD_TYPES
from connectors.core.http import pinned_session
from connectors.sugarcrm.mapping import pair_id
from sandbox import Sandbox
from sandbox.expected import STREAM_OBJECTS
from sandbox.info import SandboxInfo
from sandbox.keap.schema import remote_id as keap_remote_id
from sync.store import open_store
from sync.store.db import MIGRATIONS
from sync.store.records import TABLES

__all__ = [
    "STREAM_OBJECTS",
    "expected_deal_contact_pairs",
    "expected_live_ids",
    "opened",
    "postgres_url",
    "snapshot",
    "store_deal_contact_pairs",
    "store_live_ids",
    "store_snapshot",
    "write_config",
]

STREAM_KINDS = STREAM_RECORD_TYPES


def salesforce_client(info: SandboxInfo) -> Salesforce:
    """simple-salesforce on the sandbox's org, signed in by the client-credentials flow."""
    token = requests.post(
        info.salesforce.token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": info.salesforce.client_id,
            "client_secret": info.salesforce.client_secret,
        },
        verify=str(info.ca_bundle),
        timeout=30,
    ).json()["access_token"]
    return Salesforce(
        instance_url=info.salesforce.instance_url,
        session_id=token,
        session=pinned_session(info.ca_bundle),
        version="59.0",
    )


def wait_for(condition: Callable[[], Any], timeout: float, what: str, poll: float = 0.1) -> None:
    """Poll ``condition`` until it is true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def zoho_at(config: dict[str, Any], name: str, port: int) -> dict[str, Any]:
    """The Zoho source of a sandbox ``config`` as source ``name``, every call of it going to
    127.0.0.1:``port`` (where the test decides what answers, if anything)."""
    zoho = next(s for s in config["sources"] if s["name"] == "zoho")
    url = f"https://127.0.0.1:{port}"
    return {**zoho, "name": name, "api_domain": url, "accounts_url": url}


def write_config(
    sandbox: Sandbox,
    directory: Path,
    store_url: str,
    sources: tuple[str, ...] = ("salesforce", "hubspot", "zoho"),
) -> Path:
    """A crmsync config for the running sandbox with the ``sources`` named, enabled, using
    its secrets file."""
    generated = yaml.safe_load(sandbox.info.config_path.read_text())
    config = {
        "store": {"url": store_url},
        "secrets_file": str(sandbox.info.config_path.parent / "secrets.env"),
        # the sources named are synced, also those the sandbox's config leaves off
        "sources": [{**s, "enabled": True} for s in generated["sources"] if s["name"] in sources],
    }
    path = directory / "crmsync.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def expected_live_ids(sandbox: Sandbox, crm: str, stream: str) -> set[str]:
    world = sandbox.world
    assert world is not None
    with world.lock:
        if crm == "sugarcrm" and stream == "deal_contacts":  # a link: no id of its own
            return {pair_id(d, c) for d, c in _sugarcrm_pairs(world)}
        if crm == "keap":  # objects sharing a stream: their remote ids carry a prefix
            return {
                keap_remote_id(name, r["id"])
                for name in STREAM_OBJECTS[crm][stream]
                for r in world.keap[name].live()
            }
        if crm == "hubspot" and stream == "users":
            return {o["id"] for o in world.hubspot_owners if not o.get("archived")}
        if crm == "hubspot" and stream == "deal_products":
            # a line item whose deal was archived is on no deal: no deal product (quarantined)
            deals = world.hubspot["deals"]
            links = world.hubspot_associations.links.get(("line_items", "deals"), {})
            return {
                r["id"]
                for r in world.hubspot["line_items"].live()
                if any(
                    d in deals.rows and d not in deals.deleted_at for d in links.get(r["id"], {})
                )
            }
        tables = getattr(world, crm)
        ids: set[str] = set()
        for name in STREAM_OBJECTS[crm][stream]:
            table = tables[name]
            ids.update(r[table.schema.id_field] for r in table.live())
        return ids


def expected_deal_contact_pairs(sandbox: Sandbox, crm: str) -> set[tuple[str, str]]:
    world = sandbox.world
    assert world is not None
    with world.lock:
        if crm == "salesforce":
            return {
                (r["OpportunityId"], r["ContactId"])
                for r in world.salesforce["OpportunityContactRole"].live()
            }
        if crm == "zoho":
            return {
                (r["id"], r["Contact_Name"])
                for r in world.zoho["Deals"].live()
                if r.get("Contact_Name")
            }
        if crm == "dynamics":
            return {
                (r["record1id"], r["record2id"])
                for r in world.dynamics["connection"].live()
                if r.get("record1id$table") == "opportunity"
                and r.get("record2id$table") == "contact"
            }
        if crm == "sugarcrm":
            return _sugarcrm_pairs(world)
        if crm == "keap":  # an opportunity or order names one contact, on the deal itself
            return set()
        if crm == "oracle":
            return {(r["OptyId"], r["PartyId"]) for r in world.oracle["OpportunityContact"].live()}
        live_contacts = {r["id"] for r in world.hubspot["contacts"].live()}
        pairs = set()
        for deal in world.hubspot["deals"].live():
            for contact_id in world.hubspot_associations.get("deals", deal["id"], "contacts"):
                if contact_id in live_contacts:
                    pairs.add((deal["id"], contact_id))
        return pairs


def _sugarcrm_pairs(world: Any) -> set[tuple[str, str]]:
    """An opportunity's contacts as its ``contacts`` link shows them: live both ends."""
    tables = world.sugarcrm
    return {
        (r["opportunity_id"], r["contact_id"])
        for r in tables["opportunities_contacts"].live()
        if tables["Opportunities"].get(r["opportunity_id"]) is not None
        and tables["Contacts"].get(r["contact_id"]) is not None
    }


def store_live_ids(engine: Engine, source: str, stream: str) -> set[str]:
    table = TABLES[STREAM_KINDS[stream]].__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return {
            row[0]
            for row in conn.execute(
                select(table.c.remote_id).where(
                    table.c.source == source, table.c.is_deleted.is_(False)
                )
            )
        }


def store_deal_contact_pairs(engine: Engine, source: str) -> set[tuple[str, str]]:
    table = TABLES["deal_contact"].__table__  # type: ignore[attr-defined]
    with engine.connect() as conn:
        return {
            (r[0], r[1])
            for r in conn.execute(
                select(table.c.deal_id, table.c.contact_id).where(
                    table.c.source == source, table.c.is_deleted.is_(False)
                )
            )
        }


_BOOKKEEPING = {
    "id",
    "content_hash",
    "raw",
    "first_seen_at",
    "synced_at",
    "last_run_id",
    "change_seq",
    "deleted_detected_at",
    "deleted_by_run_id",
}


def snapshot(engine: Engine, live_only: bool = False) -> dict[str, set[tuple[Any, ...]]]:
    """Every record's mapped values and deleted flag, without our bookkeeping.

    The raw payload is left out: CRMs denormalise looked-up names into it (a Zoho call's
    ``Who_Id.name``), which change without the record's modification time moving, so only a
    full re-read would refresh them. ``live_only`` keeps rows not deleted: a from-scratch
    sync never sees records the CRM purged before it ran.
    """
    result = {}
    with engine.connect() as conn:
        for kind, model in TABLES.items():
            table = model.__table__  # type: ignore[attr-defined]
            columns = [c for c in table.c if c.name not in _BOOKKEEPING]
            query = select(*columns)
            if live_only:
                query = query.where(table.c.is_deleted.is_(False))
            result[kind] = {
                tuple(
                    orjson.dumps(v, option=orjson.OPT_SORT_KEYS, default=str)
                    if isinstance(v, dict | list)
                    else v
                    for v in row
                )
                for row in conn.execute(query)
            }
    return result


def store_differences(
    actual: dict[str, set[tuple[Any, ...]]], expected: dict[str, set[tuple[Any, ...]]]
) -> list[str]:
    """Per table, how many rows are missing or extra, with a few of each: a short message
    where a plain ``==`` would print both stores whole."""
    lines = []
    for kind in sorted(actual.keys() | expected.keys()):
        have, want = actual.get(kind, set()), expected.get(kind, set())
        missing, extra = sorted(want - have, key=repr), sorted(have - want, key=repr)
        if missing or extra:
            lines.append(f"{kind}: {len(missing)} missing, {len(extra)} extra")
            lines += [f"  - {row!r}" for row in missing[:3]]
            lines += [f"  + {row!r}" for row in extra[:3]]
    return lines


@contextmanager
def opened(url: str) -> Iterator[Engine]:
    """The store at ``url``, disposed afterwards (no connection left open)."""
    engine = open_store(url)
    try:
        yield engine
    finally:
        engine.dispose()


def store_snapshot(url: str, live_only: bool = False) -> dict[str, set[tuple[Any, ...]]]:
    with opened(url) as engine:
        return snapshot(engine, live_only)


def postgres_url() -> str | None:
    return os.environ.get("CRMSYNC_TEST_POSTGRES_URL") or None


@contextmanager
def postgres_schema(base_url: str) -> Iterator[str]:
    """A fresh schema on the test PostgreSQL server, dropped afterwards."""
    name = f"crmsync_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        separator = "&" if "?" in base_url else "?"
        yield f"{base_url}{separator}options=-csearch_path%3D{name}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def sqlite_or_postgres(backend: str, sqlite_path: Path) -> Iterator[str]:
    """A store URL for a test run on both databases: the file ``sqlite_path`` for
    ``sqlite``, a fresh schema for ``postgresql`` (skipped with the reason when no test
    server is configured)."""
    if backend == "sqlite":
        yield f"sqlite:///{sqlite_path}"
        return
    base = postgres_url()
    if base is None:
        pytest.skip("CRMSYNC_TEST_POSTGRES_URL is not set (a PostgreSQL URL for tests)")
    with postgres_schema(base) as url:
        yield url


def alembic_config(connection: Connection) -> Config:
    """Alembic's configuration for the store's migrations, run on ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def old_table(name: str, *columns: str) -> TableClause:
    """A table of an older schema, by name and the columns a test writes: a migration test
    inserts the rows an earlier version stored without the models of today's schema."""
    return table(name, *(column(c) for c in columns))
