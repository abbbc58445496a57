"""``crmsync demo``: the main job on the embedded default.

For now it starts the sandbox, shows its endpoints, reads sample records and record counts
through the official clients, and checks the counts against the sandbox's ground truth.
Later capabilities (sync, reconcile, audit, compensation, write-back, statements) extend it.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from connectors.sandbox import Sandbox, SandboxError, SandboxOptions
from connectors.sandbox.peek import count_records, expected_counts, sample_records
from sync.cli_sandbox import Scale
from sync.errors import OperationFailed, UsageError

__all__ = ["demo"]

out = Console()
err = Console(stderr=True)


def demo(
    seed: int = typer.Option(1, help="Seed of the synthetic company."),
    scale: Scale = typer.Option(Scale.small, help="Size of the synthetic company."),
    workspace: Path = typer.Option(
        Path(".crmsync/demo"),
        help="Where the demo keeps its sandbox state, config and ground truth.",
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Start the CRM sandbox and read it through the official clients."""
    options = SandboxOptions(seed=seed, scale=scale.value, state_dir=workspace / "sandbox")
    started = time.perf_counter()
    try:
        sandbox = Sandbox(options)
        with err.status(f"building the {scale.value} synthetic company (seed {seed})"):
            info = sandbox.start()
    except SandboxError as exc:
        raise UsageError(str(exc)) from exc
    try:
        with err.status(
            "reading the sandbox through simple-salesforce, hubspot-api-client and requests"
        ):
            samples = sample_records(info)
            counts = count_records(info)
        expected = expected_counts(info.ground_truth_dir)
    finally:
        sandbox.stop()
    mismatches = [c for c in counts if expected.get((c.crm, c.object)) != c.count]
    elapsed = time.perf_counter() - started
    if json_output:
        typer.echo(
            orjson.dumps(
                {
                    "sandbox": info.to_json(),
                    "counts": [
                        {
                            "crm": c.crm,
                            "object": c.object,
                            "read": c.count,
                            "ground_truth": expected.get((c.crm, c.object)),
                        }
                        for c in counts
                    ],
                    "ok": not mismatches,
                    "seconds": round(elapsed, 2),
                }
            ).decode()
        )
    else:
        _print_human(info.to_json(), samples, counts, expected, elapsed)
    if mismatches:
        names = ", ".join(f"{c.crm}.{c.object}" for c in mismatches)
        raise OperationFailed(f"record counts differ from the ground truth for {names}")


def _print_human(
    info: dict[str, Any],
    samples: list[Any],
    counts: list[Any],
    expected: dict[tuple[str, str], int],
    elapsed: float,
) -> None:
    endpoints = Table("CRM", "base URL", title="Sandbox endpoints (HTTPS, local CA)")
    endpoints.add_row("Salesforce", info["salesforce"]["instance_url"])
    endpoints.add_row("HubSpot", info["hubspot"]["base_url"])
    endpoints.add_row("Zoho CRM", info["zoho"]["api_domain"])
    out.print(endpoints)
    out.print(
        f"CA bundle: {info['ca_bundle']}\nconnector config: {info['config_path']}\n"
        f"ground truth: {info['ground_truth_dir']}\n"
    )
    for sample in samples:
        table = Table(*sample.columns, title=f"{sample.crm} {sample.object} (first rows)")
        for row in sample.rows:
            table.add_row(*row)
        out.print(table)
    summary = Table("CRM", "object", "read via client", "ground truth", "", title="Record counts")
    for c in counts:
        want = expected.get((c.crm, c.object))
        summary.add_row(
            c.crm, c.object, str(c.count), str(want), "ok" if want == c.count else "MISMATCH"
        )
    out.print(summary)
    out.print(f"done in {elapsed:.1f} s")
