"""``crmsync worker``: scale-out workers on the store's PostgreSQL, and their queue."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import typer
from rich.console import Console
from rich.measure import Measurement

from sync.cli_common import ConfigOption, JsonOption, load, out, utc_now
from sync.errors import UsageError
from sync.terminal_text import Table

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from sync.config import CrmsyncConfig

__all__ = ["worker_app"]

worker_app = typer.Typer(
    help="Scale-out: workers taking sync and step jobs from a queue in the PostgreSQL store.",
    no_args_is_help=False,
)

_OPEN = ("todo", "doing", "failed")
_ALL = ("todo", "doing", "succeeded", "failed", "cancelled", "aborted")


def _engine(cfg: CrmsyncConfig, prepare: bool) -> Engine:
    from sync.store import open_store
    from sync.workers.schema import prepare_store, procrastinate_installed

    engine = open_store(cfg.store.url, migrate_schema=False)
    if engine.dialect.name != "postgresql":
        engine.dispose()
        raise UsageError(
            "crmsync worker needs a PostgreSQL store (store.url: postgresql://...); "
            "with SQLite use crmsync daemon"
        )
    if prepare:
        prepare_store(engine)
    elif not procrastinate_installed(engine):
        engine.dispose()
        raise UsageError("the job queue is not installed: run crmsync worker schema first")
    return engine


def _parent_config(ctx: typer.Context) -> Path | None:
    return (ctx.obj or {}).get("config")


@worker_app.callback(invoke_without_command=True)
def worker(
    ctx: typer.Context,
    config: Path | None = ConfigOption,
    concurrency: int | None = typer.Option(
        None, "--concurrency", "-n", min=1, help="Jobs run at once (default: workers.concurrency)."
    ),
    queues: str | None = typer.Option(
        None, "--queues", "-q", help="Comma-separated queues to take jobs from (default: all)."
    ),
    name: str | None = typer.Option(None, "--name", help="Worker name in logs (default host-pid)."),
    json_logs: bool = typer.Option(False, "--json-logs", help="Log one JSON object per line."),
) -> None:
    """Take jobs until SIGTERM: one sync per source and stream, steps, retries of jobs of
    dead workers. Needs workers.enabled: true and a PostgreSQL store; installs the queue's
    tables on first start. SIGTERM stops running syncs after their current page (at once
    where they wait to retry); they are queued again and resume there."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = {"config": config}  # `crmsync worker --config F status` works too
        return
    import logging  # here: the other commands (and `crmsync --help`) do without it

    from sync.daemon.logs import configure_logging

    # Before importing the store: Alembic logs while it is imported.
    configure_logging(json_logs, debug=logging.getLogger().level == logging.DEBUG)
    for noisy in ("procrastinate", "alembic"):  # Alembic logs its plugins at INFO on import
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from sync.workers.app import periodic_plan
    from sync.workers.process import run_worker

    cfg = load(config or _parent_config(ctx))
    if not cfg.workers.enabled:
        raise UsageError(
            "scale-out is off: set workers.enabled: true in the configuration "
            "(or run crmsync daemon)"
        )
    wanted = [q.strip() for q in queues.split(",") if q.strip()] if queues else None
    known = cfg.workers.queues.model_dump().values()
    unknown = sorted(set(wanted or ()) - set(known))
    if unknown:
        raise UsageError(f"unknown queue {', '.join(unknown)}; queues are {', '.join(known)}")
    try:
        periodic_plan(cfg)  # every schedule must be on clock ticks all workers share
    except ValueError as exc:
        raise UsageError(f"schedule: {exc}") from exc
    engine = _engine(cfg, prepare=True)
    try:
        run_worker(cfg, engine, utc_now, name, concurrency, wanted)
    finally:
        engine.dispose()


@worker_app.command("schema")
def schema(
    ctx: typer.Context, config: Path | None = ConfigOption, json_output: bool = JsonOption
) -> None:
    """Migrate the store and install the job queue's tables (idempotent)."""
    from sync.store import open_store
    from sync.workers.schema import prepare_store

    cfg = load(config or _parent_config(ctx))
    engine = open_store(cfg.store.url, migrate_schema=False)
    try:
        installed = prepare_store(engine)
    finally:
        engine.dispose()
    state = "installed" if installed else "already installed"
    if json_output:
        typer.echo(orjson.dumps({"queue_schema": state}).decode())
    else:
        out.print(f"job queue tables: {state}")


@worker_app.command("defer")
def defer(
    ctx: typer.Context,
    config: Path | None = ConfigOption,
    source: list[str] = typer.Option([], "--source", "-s", help="Sync this source (repeat)."),
    stream: list[str] = typer.Option(
        [], "--stream", help="Only this stream of the sources (repeat)."
    ),
    step: list[str] = typer.Option([], "--step", help="Run this later step (repeat)."),
    all_sources: bool = typer.Option(False, "--all", help="Sync every enabled source."),
    json_output: bool = JsonOption,
) -> None:
    """Queue jobs now (a manual run); a job already waiting for the same stream is kept."""
    from sync.config.steps import STEP_NAMES
    from sync.workers.app import build_app, source_jobs, source_streams, step_plan
    from sync.workers.queue import defer_jobs

    cfg = load(config or _parent_config(ctx))
    if not (source or step or all_sources):
        raise UsageError("say what to run: --source NAME, --all or --step NAME")
    names = {s.name for s in cfg.sources}
    unknown = sorted(set(source) - names)
    if unknown:
        raise UsageError(f"no source named {', '.join(unknown)} in the configuration")
    bad_steps = sorted(set(step) - set(STEP_NAMES))
    if bad_steps:
        raise UsageError(f"unknown step {', '.join(bad_steps)}; steps are {', '.join(STEP_NAMES)}")
    chosen = [s for s in cfg.sources if (s.enabled and all_sources) or s.name in source]
    planned = []
    for src in chosen:
        known = source_streams(src)
        missing = sorted(set(stream) - set(known))
        if missing:
            raise UsageError(
                f"source {src.name!r} has no stream {', '.join(missing)} "
                f"(streams: {', '.join(sorted(known))})"
            )
        planned.extend(source_jobs(cfg, src, list(stream) or None))
    planned.extend(step_plan(cfg, name) for name in step)
    engine = _engine(cfg, prepare=False)
    engine.dispose()
    app = build_app(cfg, periodic=False)
    app.open()
    try:
        deferred = defer_jobs(app, planned)
    finally:
        app.close()
    rows = [
        {"job_id": d.job_id, "task": d.job.task, "target": d.job.periodic_id, "status": d.status}
        for d in deferred
    ]
    if json_output:
        typer.echo(orjson.dumps(rows).decode())
        return
    table = Table("job", "task", "target", "status")
    for row in rows:
        table.add_row(str(row["job_id"] or "-"), row["task"], row["target"], row["status"])
    out.print(table)


@worker_app.command("status")
def status(
    ctx: typer.Context,
    config: Path | None = ConfigOption,
    everything: bool = typer.Option(
        False, "--all", help="Also list finished jobs (default: queued, doing, failed)."
    ),
    json_output: bool = JsonOption,
) -> None:
    """List queued, running and failed jobs, and the workers with their last heartbeat."""
    from sync.workers.queue import list_jobs, list_workers

    cfg = load(config or _parent_config(ctx))
    engine = _engine(cfg, prepare=False)
    try:
        jobs = list_jobs(engine, _ALL if everything else _OPEN)
        workers = list_workers(engine)
    finally:
        engine.dispose()
    stalled = cfg.workers.stalled_timeout.total_seconds()
    if json_output:
        payload: dict[str, Any] = {
            "jobs": [
                {
                    "id": j.id,
                    "task": j.task,
                    "target": j.target,
                    "status": j.status,
                    "queue": j.queue,
                    "attempts": j.attempts,
                    "worker_id": j.worker_id,
                    "worker": j.worker,
                    "scheduled_at": j.scheduled_at.isoformat() if j.scheduled_at else None,
                    "updated_at": j.updated_at.isoformat() if j.updated_at else None,
                }
                for j in jobs
            ],
            "workers": [
                {
                    "id": w.id,
                    "name": w.name,
                    "last_heartbeat": w.last_heartbeat.isoformat(),
                    "seconds_silent": round(w.seconds_silent, 1),
                    "stalled": w.seconds_silent > stalled,
                }
                for w in workers
            ],
        }
        typer.echo(orjson.dumps(payload).decode())
        return
    table = Table("job", "task", "target", "status", "queue", "attempts", "worker", "updated")
    for j in jobs:
        updated = j.updated_at.strftime("%Y-%m-%d %H:%M:%S") if j.updated_at else "-"
        worker = j.worker or (f"#{j.worker_id}" if j.worker_id is not None else "-")
        table.add_row(
            str(j.id), j.task, j.target, j.status, j.queue, str(j.attempts), worker, updated
        )
    if jobs:
        _print_whole(table)
    else:
        out.print("no job queued, running or failed")
    workers_table = Table("worker", "last heartbeat", "silent", "state")
    for w in workers:
        state = "stalled" if w.seconds_silent > stalled else "alive"
        workers_table.add_row(
            w.label, w.last_heartbeat.strftime("%H:%M:%S"), f"{w.seconds_silent:.0f}s", state
        )
    if workers:
        _print_whole(workers_table)
    else:
        out.print("no worker registered")


def _print_whole(table: Table) -> None:
    """Print ``table`` without cutting or wrapping a cell: as wide as the terminal, or
    wider when its rows need it (a piped output would otherwise be cut at 80 columns)."""
    for column in table.columns:
        column.no_wrap = True
    unbounded = out.options.update_width(1_000_000)
    needed = Measurement.get(out, unbounded, table).maximum
    if needed <= out.width:
        out.print(table)
        return
    wide = Console(
        file=out.file,
        width=needed,
        force_terminal=out.is_terminal,
        color_system=out.color_system,  # type: ignore[arg-type]
    )
    wide.print(table)
