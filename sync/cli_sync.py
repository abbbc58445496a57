"""``crmsync sync`` and ``crmsync status``."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import typer

from sync.cli_common import ConfigOption, JsonOption, err, load, out, utc_now
from sync.cli_progress import ProgressOption, show_progress
from sync.errors import OperationFailed, UsageError
from sync.terminal_text import Table, text

if TYPE_CHECKING:
    from sync.config.models import SourceConfig
    from sync.pull import SourceReport
    from sync.store.pages import PageCounts

__all__ = ["status", "sync"]


def sync(
    config: Path | None = ConfigOption,
    source: list[str] = typer.Option([], "--source", "-s", help="Only this source (repeat)."),
    stream: list[str] = typer.Option([], "--stream", help="Only this stream (repeat)."),
    full: bool = typer.Option(
        False,
        "--full",
        help="Ignore saved cursors and read everything; also checks for missed deletes.",
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Read and count, write nothing."),
    check_deletes: bool = typer.Option(
        False,
        "--check-deletes",
        help="Compare all remote ids with the store to catch missed deletes.",
    ),
    force: bool = typer.Option(
        False, "--force", help="Allow marking more than the delete guard share as deleted."
    ),
    wait_lock: float = typer.Option(
        0.0, "--wait-lock", help="Wait up to this many seconds for a source being synced."
    ),
    jobs: int = typer.Option(
        0,
        "--jobs",
        "-j",
        min=0,
        help="Sources synced at once, each in a thread of its own (0: all of them; 1: one "
        "after another).",
    ),
    json_output: bool = JsonOption,
    progress_flag: bool = ProgressOption,
) -> None:
    """Pull records from the configured CRMs into the store, incrementally.

    The sources are read at once (their calls wait on different servers); each commits its
    own pages, so a source that fails leaves the others' work in the store.
    """
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from connectors.core.errors import ConnectorError
    from sync.locks import acquire_run_lock, holder_name, run_lock
    from sync.pull import SyncOptions, sync_source
    from sync.pull.runs import ABORTED_MESSAGE, INTERRUPTED_MESSAGE, close_running_runs
    from sync.sources import build_connector
    from sync.store import open_store

    cfg = load(config)
    chosen = _chosen_sources(cfg.sources, source)
    engine = open_store(cfg.store.url)
    options = SyncOptions(
        streams=tuple(stream) or None,
        full=full,
        dry_run=dry_run,
        check_deletes=check_deletes,
        force_deletes=force,
    )
    busy: list[str] = []
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[counts]}"),
        TimeElapsedColumn(),
        console=err,
        transient=json_output,
        # the bars on a terminal, as the other long commands; through a pipe with --progress
        disable=not show_progress(json_output, progress_flag),
    ) as progress:
        tasks: dict[tuple[str, str], Any] = {}
        shared = threading.Lock()  # the sources' threads share the bars and the busy list
        stop = threading.Event()  # set on Ctrl-C

        def on_page(src: str, strm: str, counts: Any) -> None:
            if stop.is_set():
                raise _Interrupted
            line = f"{counts.fetched:,} read, {counts.inserted:,} new, {counts.updated:,} changed"
            with shared:
                key = (src, strm)
                if key not in tasks:
                    tasks[key] = progress.add_task(f"{src}/{strm}", total=None, counts="")
                progress.update(tasks[key], counts=line)

        def sync_one(src: SourceConfig) -> SourceReport | None:
            lock = run_lock(engine, src.name)  # the daemon takes the same lock
            if not acquire_run_lock(lock, wait_lock):
                with shared:
                    busy.append(f"{src.name} (being synced by {holder_name(lock)})")
                return None
            try:
                # under the lock, a run still marked running is a killed process's
                closed = close_running_runs(
                    engine, src.name, utc_now(), "aborted", "aborted", ABORTED_MESSAGE
                )
                if closed:
                    err.print(text(f"{src.name}: closed {len(closed)} run(s) a killed sync left"))
                try:
                    connector = build_connector(src)
                except ConnectorError as exc:
                    raise UsageError(f"source {src.name}: {exc.user_message}") from exc
                try:
                    return sync_source(engine, src, connector, options, utc_now, on_page)
                except ValueError as exc:
                    raise UsageError(str(exc)) from exc
                except (KeyboardInterrupt, _Interrupted):
                    when = utc_now()
                    close_running_runs(
                        engine, src.name, when, "partial", "stopped", INTERRUPTED_MESSAGE
                    )
                    raise
                finally:
                    connector.close()
            finally:
                lock.release()

        width = min(jobs or len(chosen), len(chosen))
        if width == 1:
            done = [sync_one(src) for src in chosen]
        else:
            with ThreadPoolExecutor(width, thread_name_prefix="crmsync-sync") as pool:
                futures = [pool.submit(sync_one, src) for src in chosen]
                try:  # in the config's order; a failed source waits for the others to end
                    done = [future.result() for future in futures]
                except KeyboardInterrupt:
                    stop.set()  # every source stops after its page: what it read stays
                    raise
    reports = [report for report in done if report is not None]
    _print_reports(reports, json_output)
    failed = [r for r in reports if r.status != "succeeded"]
    if failed or busy:
        names = ", ".join([f"{r.source} ({r.status}: {r.error})" for r in failed] + busy)
        raise OperationFailed(f"sync did not fully succeed for {names}")


def _chosen_sources(sources: list[SourceConfig], names: list[str]) -> list[SourceConfig]:
    """The enabled sources named (all enabled ones without names), or a usage error."""
    chosen = [s for s in sources if s.enabled and (not names or s.name in names)]
    unknown = set(names) - {s.name for s in sources}
    if unknown:
        raise UsageError(f"no source named {', '.join(sorted(unknown))} in the configuration")
    off = sorted(s.name for s in sources if not s.enabled and s.name in names)
    # A run that reads nothing would look like one that found nothing: say why instead.
    if off:
        raise UsageError(
            f"source {', '.join(off)} has enabled: false in the configuration; "
            "set enabled: true to sync it"
        )
    if not chosen:
        raise UsageError(
            "no source is enabled in the configuration; set enabled: true on one to sync it"
        )
    return chosen


def _print_reports(reports: list[SourceReport], json_output: bool) -> None:
    if json_output:
        typer.echo(orjson.dumps([_report_dict(r) for r in reports]).decode())
        return
    table = Table(
        "source",
        "stream",
        "status",
        "fetched",
        "inserted",
        "updated",
        "unchanged",
        "deleted",
        "restored",
        "quarantined",
        "API calls",
        "seconds",
        title="Sync results",
    )
    narrow = Table(
        "source stream", "status", "records", "API calls", "seconds", title="Sync results"
    )
    for report in reports:
        for s in report.streams:
            c = s.counts
            counts = [c.fetched, c.inserted, c.updated, c.unchanged, c.deleted, c.restored]
            counts.append(c.quarantined)
            calls, seconds = f"{s.api_calls:,}", f"{s.seconds:.1f}"
            table.add_row(
                report.source, s.stream, s.status, *[f"{n:,}" for n in counts], calls, seconds
            )
            in_words = ", ".join(
                f"{n:,} {what}"
                for n, what in zip(counts, _COUNTED, strict=True)
                if n or what == "fetched"
            )
            narrow.add_row(f"{report.source}\n{s.stream}", s.status, in_words, calls, seconds)
    if not table.fits(out):  # 80 columns (or piped): source over stream, counts in words
        table = narrow
    out.print(table)
    for report in reports:
        for s in report.streams:
            if s.counts.deleted:
                out.print(
                    f"{report.source}/{s.stream}: {_deleted_why(s.counts)}",
                    markup=False,
                    soft_wrap=True,
                )
    for report in reports:
        for s in report.streams:
            if s.error:
                err.print(text(f"{report.source}/{s.stream}: {s.error}"), soft_wrap=True)


class _Interrupted(BaseException):
    """Raised between pages in a source's thread once the command is interrupted."""


_COUNTED = ("fetched", "inserted", "updated", "unchanged", "deleted", "restored", "quarantined")


def _deleted_why(counts: PageCounts) -> str:
    """Which kind each delete was, e.g. "deleted 3: 2 reported by the CRM, 1 merged"."""
    parts = [
        f"{n:,} {why}"
        for n, why in (
            (counts.deleted_reported, "reported deleted by the CRM"),
            (counts.deleted_merged, "merged into another record"),
            (counts.deleted_missing, "missing from a full read of the CRM"),
        )
        if n
    ]
    return f"deleted {counts.deleted:,}: {', '.join(parts)}"


def _report_dict(report: SourceReport) -> dict[str, Any]:
    return {
        "source": report.source,
        "run_id": report.run_id,
        "status": report.status,
        "error": report.error,
        "streams": [
            {
                "stream": s.stream,
                "status": s.status,
                "error": s.error,
                "api_calls": s.api_calls,
                "seconds": round(s.seconds, 3),
                **{k: v for k, v in vars(s.counts).items() if k != "kept_live"},
            }
            for s in report.streams
        ],
    }


def status(config: Path | None = ConfigOption, json_output: bool = JsonOption) -> None:
    """Last runs (with deletes by kind and restores), cursors and quarantine counts per
    source and stream, and the daemon's jobs with their next run times."""
    from sync.config.schedule import ScheduleConfig
    from sync.status import collect_jobs, collect_status
    from sync.store.readonly import read_store

    cfg = load(config, connectors=False)  # the store only: no connector is loaded
    heartbeat = (cfg.schedule or ScheduleConfig()).heartbeat
    with read_store(cfg.store.url) as store:  # through the driver alone when up to date
        rows = collect_status(store, [s.name for s in cfg.sources])
        jobs = collect_jobs(store, utc_now(), heartbeat)
    if json_output:
        typer.echo(orjson.dumps({"streams": rows, "jobs": jobs}, default=str).decode())
        return
    table = _status_table(rows)
    if not table.fits(out):  # 80 columns (or piped): source over stream, counts in words
        table = _narrow_status_table(rows)
    out.print(table)
    if not jobs:
        out.print("Daemon: no jobs recorded (`crmsync daemon` has not run on this store).")
        return
    schedule = Table(
        "job",
        "schedule",
        "next run",
        "last status",
        "failures in a row",
        "backing off until",
        "daemon",
        title="Daemon jobs",
    )
    for job in jobs:
        schedule.add_row(
            job["job"],
            job["schedule"],
            _when(job["next_run_at"], "-"),
            job["last_status"] or "-",
            str(job["consecutive_failures"]),
            _when(job["backoff_until"], "-"),
            job["daemon"],
        )
    out.print(schedule)


def _status_table(rows: list[dict[str, Any]]) -> Table:
    from sync.status import deleted_summary

    table = Table(
        "source",
        "stream",
        "last run",
        "status",
        "fetched",
        "deleted",
        "restored",
        "cursor",
        "quarantined",
        title="Sync status",
    )
    for row in rows:
        table.add_row(
            row["source"],
            row["stream"] or "-",
            _when(row["last_run_at"], "never"),
            row["status"] or "-",
            str(row["fetched"] or 0),
            deleted_summary(row),
            str(row.get("restored") or 0),
            row["cursor"] or "-",
            str(row["quarantined"]),
        )
    return table


def _narrow_status_table(rows: list[dict[str, Any]]) -> Table:
    """Five columns for 80: source over stream, the counts in words, an ISO cursor split
    at ``T`` (so it wraps between date and time)."""
    table = Table("source stream", "last run", "status", "records", "cursor", title="Sync status")
    for row in rows:
        cursor = row["cursor"] or "-"
        if re.fullmatch(r"\d{4}-\d\d-\d\dT\S+", cursor):
            cursor = cursor.replace("T", " ", 1)
        table.add_row(
            f"{row['source']}\n{row['stream'] or '-'}",
            _when(row["last_run_at"], "never"),
            row["status"] or "-",
            _records(row),
            cursor,
        )
    return table


def _records(row: dict[str, Any]) -> str:
    """The narrow status table's counts, e.g. ``120 fetched, 3 deleted (3 reported)``."""
    from sync.status import deleted_summary

    parts = [f"{row['fetched'] or 0} fetched"]
    if row.get("deleted"):
        total, _, kinds = deleted_summary(row).partition(" ")
        parts.append(f"{total} deleted {kinds}".strip())
    for key in ("restored", "quarantined"):
        if row.get(key):
            parts.append(f"{row[key]} {key}")
    return ", ".join(parts)


def _when(moment: datetime | None, missing: str) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else missing
