"""``crmsync sandbox``: run the local CRM emulators and change their data."""

from __future__ import annotations

import os
import signal
import threading
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import orjson
import typer
from rich.console import Console

from sync.errors import OperationFailed, UsageError
from sync.terminal_text import Table

__all__ = ["sandbox_app"]

sandbox_app = typer.Typer(
    help="Local Salesforce, HubSpot and Zoho APIs over a synthetic "
    "company, for trying configurations and for tests.",
    no_args_is_help=True,
)
err = Console(stderr=True)


class Scale(StrEnum):
    tiny = "tiny"
    small = "small"
    medium = "medium"
    large = "large"


class Faults(StrEnum):
    none = "none"
    flaky = "flaky"
    strict = "strict"


AnchorOption = typer.Option(
    "today",
    "--anchor",
    help="Day the synthetic company's story ends: today (the default: the start of the host's "
    "UTC day, the sandbox clock then running from the host's time, so a client that "
    "bookmarks its own clock misses no change and reports agree with the host on now), or "
    "YYYY-MM-DD (the clock starts at that day's start; the same data on any day, as tests "
    "and benchmarks use: the demo's floors are measured on 2026-10-31).",
)


def anchor_and_clock(text: str) -> tuple[datetime | None, datetime | None]:
    """The story's anchor and where the sandbox clock starts, from ``--anchor``: None for
    today (the sandbox then takes the host's day and time)."""
    from sandbox.clock import parse_anchor

    if text.strip().lower() == "today":
        return None, None
    try:
        return parse_anchor(text), None
    except ValueError as exc:
        raise UsageError(f"--anchor: {exc}") from exc


@sandbox_app.command("serve")
def serve(
    seed: int = typer.Option(1, help="Seed of the synthetic company (same seed, same data)."),
    scale: Scale = typer.Option(
        Scale.tiny,
        help="tiny (hundreds of records), small (~5k), medium (~100k), large (~1M activities).",
    ),
    faults: Faults = typer.Option(
        Faults.none,
        help="none; flaky (1 request in 4 fails once: 5xx, 429, timeout, token expiry, dropped "
        "connection, in turn); strict (real rate limits).",
    ),
    state_dir: Path | None = typer.Option(
        None, help="Keep the data here across restarts (default: in memory only)."
    ),
    port_base: int = typer.Option(
        0, help="Salesforce on P, HubSpot on P+1, Zoho on P+2 (default: free ports)."
    ),
    json_output: bool = typer.Option(
        False, "--json", help="Print one JSON line for scripts once ready, then serve."
    ),
    anchor: str = AnchorOption,
    b2c: bool = typer.Option(
        True,
        "--b2c/--no-b2c",
        help="The consumer line: person accounts in Salesforce, contacts without a company "
        "in HubSpot and Zoho, their orders and store visits (docs/sandbox.md); on by default.",
    ),
    dated_rates: bool = typer.Option(
        False,
        "--dated-rates",
        help="Turn on Salesforce's dated exchange rates (CurrencyType, DatedConversionRate; "
        "docs/multi-currency.md).",
    ),
) -> None:
    """Start the three CRM emulators on 127.0.0.1 and serve until interrupted."""
    from sandbox import Sandbox, SandboxError, SandboxOptions

    story_end, clock_start = anchor_and_clock(anchor)
    options = SandboxOptions(
        seed=seed,
        scale=scale.value,
        faults=faults.value,
        state_dir=state_dir,
        port_base=port_base,
        anchor=story_end,
        clock_start=clock_start,
        b2c=b2c,
        dated_rates=dated_rates,
    )
    try:
        sandbox = Sandbox(options)
        with err.status(f"building the {scale.value} synthetic company (seed {seed})"):
            info = sandbox.start()
    except SandboxError as exc:
        raise UsageError(str(exc)) from exc
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        if json_output:
            os.write(1, orjson.dumps(info.to_json()) + b"\n")
        else:
            _print_info(info.to_json())
            err.print("serving; press Ctrl+C to stop")
        stop.wait()
    finally:
        sandbox.stop()


@sandbox_app.command("churn")
def churn(
    state_dir: Path = typer.Option(..., help="The sandbox's --state-dir."),
    changes: int = typer.Option(100, min=0, help="Creates, updates, deletes and merges."),
    seed: int | None = typer.Option(None, help="Seed of the changes (default: sandbox seed+1)."),
    burst: int = typer.Option(0, min=0, help="HubSpot contacts sharing one lastmodifieddate."),
    late_commits: int = typer.Option(
        0,
        min=0,
        help="Salesforce updates committed with a SystemModstamp a few minutes in the past.",
    ),
    store_visits: int = typer.Option(
        0, min=0, help="Store visits created, edited or deleted in the custom objects."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Change the sandbox's CRMs like their users would (running or stopped sandbox)."""
    payload = {
        "changes": changes,
        "seed": seed,
        "burst": burst,
        "late_commits": late_commits,
        "store_visits": store_visits,
    }
    running = _running_sandbox(state_dir)
    if running is not None:
        report = _remote_churn(running, payload)
    else:
        report = _offline_churn(state_dir, payload)
    if json_output:
        typer.echo(orjson.dumps(report).decode())
        return
    table = Table("CRM", "object", "operation", "records", title="Churn applied")
    for row in report.get("counts", []):
        table.add_row(row["crm"], row["object"], row["op"], str(row["count"]))
    Console().print(table)


def _running_sandbox(state_dir: Path) -> dict[str, Any] | None:
    record_path = state_dir / "sandbox.json"
    if not record_path.exists():
        return None
    record = orjson.loads(record_path.read_bytes())
    try:
        os.kill(int(record["pid"]), 0)
    except (OSError, ValueError):
        return None  # left behind by a sandbox that did not stop cleanly
    return record


def _remote_churn(record: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    import requests

    try:
        response = requests.post(
            f"{record['admin_url']}/_sandbox/churn",
            json=payload,
            verify=record["ca_bundle"],
            timeout=600,
        )
    except requests.RequestException as exc:
        raise OperationFailed(f"cannot reach the running sandbox: {exc}") from exc
    if response.status_code != 200:
        raise OperationFailed(f"the sandbox refused the churn: {response.text}")
    result: dict[str, Any] = response.json()
    return result


def _offline_churn(state_dir: Path, payload: dict[str, Any]) -> dict[str, Any]:
    from sandbox.persist import load_world

    if not (state_dir / "world").exists():
        raise UsageError(
            f"no sandbox state in {state_dir}: start one with "
            f"`crmsync sandbox serve --state-dir {state_dir}` first"
        )
    world = load_world(state_dir / "world")
    from sandbox import Sandbox, SandboxOptions

    # the saved story's own anchor: the clock carries on from where that sandbox stopped
    options = SandboxOptions(
        seed=world.seed, scale=world.scale, state_dir=state_dir, anchor=world.anchor
    )
    sandbox = Sandbox(options, world=world)
    report = sandbox.churn(
        payload["changes"],
        payload["seed"],
        burst=payload["burst"],
        late_commits=payload["late_commits"],
        store_visits=payload["store_visits"],
    )
    sandbox.save()
    result: dict[str, Any] = report.to_dict()
    return result


def _print_info(info: dict[str, Any]) -> None:
    table = Table("CRM", "setting", "value", title="crmsync sandbox")
    for crm in ("salesforce", "hubspot", "zoho"):
        for key, value in info[crm].items():
            table.add_row(crm, key, str(value))
            crm = ""
    for key in ("ca_bundle", "config_path", "ground_truth_dir"):
        table.add_row("", key, info[key])
    Console().print(table)
