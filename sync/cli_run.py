"""``crmsync run``: the main job — sync, reconcile, audit, compute, push, statements."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import typer

from sync.cli_common import ConfigOption, JsonOption, err, load, out, utc_now
from sync.config.steps import STEP_NAMES
from sync.errors import OperationFailed, UsageError
from sync.terminal_text import Table, styled

if TYPE_CHECKING:
    from sync.pipeline.main_job import MainJobResult

__all__ = ["run", "summary_rows"]


def run(
    config: Path | None = ConfigOption,
    period: str | None = typer.Option(
        None, "--period", help="Plan period to compute, e.g. 2026-10 (default: the open one)."
    ),
    skip: list[str] = typer.Option(
        [], "--skip", help=f"Leave out a step (repeat): {', '.join(STEP_NAMES)}."
    ),
    out_dir: Path | None = typer.Option(
        None, "--out", help="Folder for files the steps write (reports, statement previews)."
    ),
    wait_lock: float = typer.Option(
        0.0, "--wait-lock", help="Wait up to this many seconds for a source being synced."
    ),
    as_of: str | None = typer.Option(
        None,
        "--as-of",
        help="Run the steps as of this time (ISO, UTC; default: now): the audit date and "
        "the open period. Syncs always read the CRMs as they are now.",
        show_default=False,
    ),
    json_output: bool = JsonOption,
) -> None:
    """Sync every source, then reconcile, audit, compute, push back and send statements.

    Every step runs even if an earlier one failed (on what the store holds); the summary
    says what failed or was skipped, and the exit code is 1 if anything failed.
    """
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from sync.pipeline.main_job import run_main_job
    from sync.pipeline.steps import StepContext
    from sync.store import open_store

    unknown = sorted(set(skip) - set(STEP_NAMES))
    if unknown:
        raise UsageError(f"--skip {', '.join(unknown)}: steps are {', '.join(STEP_NAMES)}")
    when_given = _as_of(as_of)
    cfg = load(config)
    engine = open_store(cfg.store.url)
    steps = [name for name in STEP_NAMES if name not in skip]
    try:
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            console=err,
            transient=json_output,
        ) as progress:
            tasks: dict[str, Any] = {}

            def on_page(source: str, stream: str, counts: Any) -> None:
                key = f"sync {source}/{stream}"
                if key not in tasks:
                    tasks[key] = progress.add_task(key, counts="")
                progress.update(tasks[key], counts=f"{counts.fetched:,} read")

            step_task = progress.add_task("steps", counts="waiting for sync")

            def say(message: str) -> None:
                progress.update(step_task, counts=message)

            when = utc_now() if when_given is None else when_given
            context = StepContext(now=when, period=period, out_dir=out_dir, progress=say)
            result = run_main_job(engine, cfg, context, utc_now, on_page, steps, wait_lock)
    finally:
        engine.dispose()
    rows = summary_rows(result)
    if json_output:
        typer.echo(orjson.dumps({"ok": result.ok, "steps": rows}, default=str).decode())
    else:
        table = Table("step", "status", "summary", title="crmsync run")
        for row in rows:
            style = {"failed": "red", "skipped": "yellow"}.get(row["status"], "")
            table.add_row(
                row["step"],
                styled(row["status"], style) if style else row["status"],
                row["summary"],
            )
        out.print(table)
    if not result.ok:
        failed = [r["step"] for r in rows if r["status"] not in ("succeeded", "skipped")]
        raise OperationFailed(f"the run did not fully succeed: {', '.join(failed)} failed")


def summary_rows(result: MainJobResult) -> list[dict[str, Any]]:
    """One row per source sync and per step: name, status, a one-line summary."""
    rows: list[dict[str, Any]] = []
    for report in result.sync:
        counts = [s.counts for s in report.streams]
        text = (
            f"{sum(c.fetched for c in counts):,} read, {sum(c.inserted for c in counts):,} new, "
            f"{sum(c.updated for c in counts):,} changed, {sum(c.deleted for c in counts):,} "
            f"deleted, {sum(c.quarantined for c in counts):,} quarantined"
        )
        if report.error:
            text += f"; {report.error}"
        rows.append({"step": f"sync {report.source}", "status": report.status, "summary": text})
    for step in [*result.sync_problems, *result.steps]:
        text = ", ".join(f"{key} {_shown(value)}" for key, value in step.summary.items())
        if step.error:
            text = f"{text}; {step.error}" if text else step.error
        rows.append(
            {"step": step.step, "status": step.status, "summary": text, "figures": step.summary}
        )
    return rows


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "(" + ", ".join(f"{k} {v}" for k, v in value.items()) + ")"
    if isinstance(value, str) and len(value) == 64 and value.isalnum():
        return value[:12] + "…"  # a hash: its start identifies it
    return str(value)


def _as_of(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UsageError(f"--as-of {value!r} is not an ISO date or date-time") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
