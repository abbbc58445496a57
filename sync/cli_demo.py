"""``crmsync demo``: the main job on the embedded default (SQLite + the sandbox)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import typer
from rich.console import Console

from sync.cli_sandbox import AnchorOption, Scale, anchor_and_clock
from sync.errors import OperationFailed, UsageError
from sync.terminal_text import Table, safe

if TYPE_CHECKING:
    from sandbox import SandboxInfo
    from sync.demo import DemoResult
    from sync.store.pages import PageCounts

__all__ = ["demo"]

out = Console()
err = Console(stderr=True)


def demo(
    seed: int = typer.Option(1, help="Seed of the synthetic company."),
    scale: Scale = typer.Option(Scale.small, help="Size of the synthetic company."),
    workspace: Path = typer.Option(
        Path(".crmsync/demo"),
        help="Where the demo keeps the store, the sandbox state, a config and the ground truth.",
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the results as JSON."),
    anchor: str = AnchorOption,
    b2c: bool = typer.Option(
        True,
        "--b2c/--no-b2c",
        help="The consumer line (person accounts in Salesforce, contacts without a company "
        "in HubSpot and Zoho, their orders and store visits); on by default.",
    ),
    dated_rates: bool = typer.Option(
        False,
        "--dated-rates",
        help="Turn on the CRMs' exchange rates (Salesforce DatedConversionRate, HubSpot's) "
        "and pay with them (docs/multi-currency.md).",
    ),
    crm: list[str] = typer.Option(
        [],
        "--crm",
        metavar="NAME",
        help="Sync only this CRM of the sandbox; repeat for several. A CRM its config leaves "
        "off (sugarcrm, keap, oracle) is synced when named. Default: the four it checks.",
    ),
) -> None:
    """The main job on the embedded default: start the CRM sandbox, sync all four CRMs and
    the customers' digital events into SQLite, reconcile and stitch, audit, compute the
    open period, push the results back into the sandbox CRMs, write the statements, and
    check it all against the ground truth."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from sandbox import SandboxError
    from sandbox.runtime import CRMS
    from sync.config.steps import STEP_NAMES
    from sync.demo import run_demo

    unknown = [c for c in crm if c not in CRMS]
    if unknown:
        raise UsageError(f"unknown CRM {unknown[0]!r} for --crm: use one of {', '.join(CRMS)}")

    story_end, clock_start = anchor_and_clock(anchor)
    started = time.perf_counter()
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=json_output,
    ) as progress:
        boot = progress.add_task(f"building the {scale.value} synthetic company (seed {seed})")
        tasks: dict[tuple[str, str], Any] = {}

        def on_started(info: SandboxInfo) -> None:
            progress.update(
                boot,
                description="sandbox started: Salesforce "
                f"{info.salesforce.instance_url}, HubSpot {info.hubspot.base_url}, "
                f"Zoho {info.zoho.api_domain}, Dynamics 365 {info.dynamics.environment_url}",
            )
            progress.stop_task(boot)

        def on_page(source: str, stream: str, counts: PageCounts) -> None:
            if (source, stream) not in tasks:
                tasks[(source, stream)] = progress.add_task("")
            progress.update(
                tasks[(source, stream)],
                description=f"sync {source}/{stream}: {counts.fetched:,} records",
            )

        step_task = progress.add_task("later steps: waiting for the sync")

        def say(message: str) -> None:
            progress.update(step_task, description=safe(message))

        try:
            result = run_demo(
                workspace,
                seed,
                scale.value,
                on_page,
                on_started,
                steps=STEP_NAMES,
                say=say,
                anchor=story_end,
                clock_start=clock_start,
                b2c=b2c,
                dated_rates=dated_rates,
                sources=tuple(crm) or None,
                events=True,
            )
        except SandboxError as exc:
            raise UsageError(str(exc)) from exc
    elapsed = time.perf_counter() - started
    if json_output:
        typer.echo(orjson.dumps(_as_json(result, elapsed)).decode())
    else:
        _print_human(result, elapsed)
    if not result.ok:
        bad = [f"{c.source}/{c.stream}" for c in result.checks if not c.ok]
        bad += [
            f"{r.source} ({r.status}: {r.error})" for r in result.reports if r.status != "succeeded"
        ]
        bad += [
            f"{s.step} ({s.status}: {s.error})" for s in result.steps if s.status != "succeeded"
        ]
        bad += [t.name for t in result.truth if not t.ok]
        raise OperationFailed(f"the demo found problems: {', '.join(bad)}")


def _as_json(result: DemoResult, elapsed: float) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "seconds": round(elapsed, 2),
        "sandbox": result.info,
        "config_path": str(result.config_path),
        "store_url": result.store_url,
        "sync": [
            {
                "source": r.source,
                "status": r.status,
                "error": r.error,
                "records": sum(s.counts.fetched for s in r.streams),
                "api_calls": sum(s.api_calls for s in r.streams),
            }
            for r in result.reports
        ],
        "checks": [
            {
                "source": c.source,
                "stream": c.stream,
                "in_store": c.in_store,
                "ground_truth": c.ground_truth,
                "ok": c.ok,
            }
            for c in result.checks
        ],
        "steps": summary_rows_for(result),
        "truth": [vars(t) for t in result.truth],
        "workspace": str(result.workspace),
    }


def summary_rows_for(result: DemoResult) -> list[dict[str, Any]]:
    from sync.cli_run import summary_rows
    from sync.pipeline.main_job import MainJobResult

    return summary_rows(MainJobResult(steps=result.steps))


def _print_human(result: DemoResult, elapsed: float) -> None:
    for sample in result.samples:
        table = Table(
            *sample.columns,
            title=f"{sample.crm} {sample.object}, read through its official client (first rows)",
        )
        for row in sample.rows:
            table.add_row(*row)
        out.print(table)
    from sync.store.pages import PageCounts

    runs = Table(
        "source",
        "status",
        "records",
        "new",
        "changed",
        "deleted",
        "quarantined",
        "API calls",
        "seconds",
        title="Sync into the store",
    )
    for r in result.reports:
        total = PageCounts()
        for s in r.streams:
            total.add(s.counts)
        runs.add_row(
            r.source,
            r.status,
            f"{total.fetched:,}",
            f"{total.inserted:,}",
            f"{total.updated:,}",
            f"{total.deleted:,}",
            f"{total.quarantined:,}",
            f"{sum(s.api_calls for s in r.streams):,}",
            f"{sum(s.seconds for s in r.streams):.1f}",
        )
    out.print(runs)
    checks = Table(
        "source",
        "stream",
        "live in store",
        "ground truth",
        "",
        title="Store against the sandbox's ground truth",
    )
    for c in result.checks:
        checks.add_row(
            c.source,
            c.stream,
            f"{c.in_store:,}",
            f"{c.ground_truth:,}",
            "ok" if c.ok else "MISMATCH",
        )
    out.print(checks)
    steps = Table("step", "status", "summary", title="Later steps")
    for step in summary_rows_for(result):
        steps.add_row(step["step"], step["status"], step["summary"])
    out.print(steps)
    truth = Table("check", "ground truth", "found", "", title="Results against the ground truth")
    for t in result.truth:
        truth.add_row(t.name, t.expected, t.found, "ok" if t.ok else "MISMATCH")
    out.print(truth)
    workspace = result.workspace
    out.print(
        f"store: {result.store_url}\nconfig: {result.config_path} (try "
        f"`crmsync status --config {result.config_path}`)\n"
        f"report: {workspace / 'report.html' if workspace else '-'}\n"
        f"statements: {workspace / 'statements' if workspace else '-'}\n"
        f"ground truth: {result.info['ground_truth_dir']}\ndone in {elapsed:.1f} s"
    )
