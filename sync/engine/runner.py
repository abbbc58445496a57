"""Sync one source: every stream, page by page, each page committed with its cursor.

The signpost (the CRM's own time, taken before reading) caps every cursor, so a record
changed while the run reads is picked up by the next run. A quota hit stops the source
cleanly with everything read so far committed; a stream that fails does not stop the
other streams; nothing here retries: the connector's HTTP layer already did.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from connectors.core.contract import Connector, ReadOptions, StreamInfo
from connectors.core.errors import ConnectorError, ConnectorFatalError, QuotaExhausted
from sync.config.models import SourceConfig
from sync.engine.deletes import check_missed_deletes
from sync.engine.runs import RunLedger, id_check_due, load_state, mark_id_check
from sync.store.pages import PageCounts, write_page

__all__ = ["SourceReport", "StreamReport", "SyncOptions", "sync_source"]

log = logging.getLogger(__name__)

Progress = Callable[[str, str, PageCounts], None]


@dataclass(frozen=True)
class SyncOptions:
    streams: tuple[str, ...] | None = None
    full: bool = False
    dry_run: bool = False
    check_deletes: bool = False
    force_deletes: bool = False


@dataclass
class StreamReport:
    stream: str
    status: str = "running"
    counts: PageCounts = field(default_factory=PageCounts)
    api_calls: int = 0
    seconds: float = 0.0
    error: str | None = None


@dataclass
class SourceReport:
    source: str
    run_id: int | None
    status: str = "running"
    streams: list[StreamReport] = field(default_factory=list)
    error: str | None = None


def sync_source(
    engine: Engine,
    source: SourceConfig,
    connector: Connector,
    options: SyncOptions,
    now: Callable[[], datetime],
    progress: Progress | None = None,
) -> SourceReport:
    """Run one sync of ``source``; never raises for CRM-side failures, it reports them."""
    ledger = RunLedger(engine, source.name, now(), options.full, options.dry_run)
    report = SourceReport(source.name, ledger.run_id)
    try:
        signpost = connector.server_time()
    except ConnectorError as exc:
        report.status, report.error = "failed", exc.user_message
        ledger.finish("failed", now(), exc.user_message)
        return report
    seen: dict[str, set[str]] = defaultdict(set)
    for info in _selected_streams(connector, source, options):
        stream_report = StreamReport(info.name)
        report.streams.append(stream_report)
        stop = _sync_stream(
            engine,
            source,
            connector,
            info,
            options,
            signpost,
            ledger,
            stream_report,
            now,
            progress,
            seen,
        )
        if stop is not None:
            report.error = stop
            break
    statuses = {s.status for s in report.streams}
    if report.error is not None and "stopped" in statuses:
        report.status = "partial"
    elif statuses <= {"succeeded"}:
        report.status = "succeeded"
    elif "succeeded" in statuses or "partial" in statuses:
        report.status = "partial"
    else:
        report.status = "failed"
    first_error = report.error or next((s.error for s in report.streams if s.error), None)
    report.error = first_error
    ledger.finish(report.status, now(), first_error)
    return report


def _selected_streams(
    connector: Connector, source: SourceConfig, options: SyncOptions
) -> list[StreamInfo]:
    wanted = options.streams or (tuple(source.streams) if source.streams else None)
    streams = connector.streams()
    if wanted is None:
        return streams
    known = {s.name for s in streams}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        raise ValueError(
            f"source {source.name!r} has no stream {', '.join(unknown)} "
            f"(streams: {', '.join(sorted(known))})"
        )
    return [s for s in streams if s.name in wanted]


def _sync_stream(
    engine: Engine,
    source: SourceConfig,
    connector: Connector,
    info: StreamInfo,
    options: SyncOptions,
    signpost: datetime,
    ledger: RunLedger,
    report: StreamReport,
    now: Callable[[], datetime],
    progress: Progress | None,
    seen: dict[str, set[str]],
) -> str | None:
    """Sync one stream. Returns a message when the whole source must stop.

    ``seen`` collects the live ids of every kind read in this run (a deals page may carry
    deal-contact roles), so a full read checks for missed deletes without extra calls.
    """
    ledger.start_stream(info.name)
    started = time.perf_counter()
    calls_before = connector.api_usage().calls
    state = None if options.full else load_state(engine, source.name, info.name)
    full_read = state is None  # this run reads the whole stream, from its start
    read_options = ReadOptions(full=options.full, lookback=source.lookback, signpost=signpost)
    stop: str | None = None
    try:
        for page in connector.read(info.name, state, read_options):
            with engine.connect() as conn, conn.begin() as transaction:
                counts = write_page(
                    conn,
                    source.name,
                    page,
                    info.record_type,
                    ledger.run_id,
                    now(),
                    save_state=not options.dry_run,
                )
                if options.dry_run:
                    transaction.rollback()
            for record in page.records:
                if not record.deleted:
                    seen[record.kind].add(record.remote_id)
            report.counts.add(counts)
            if progress is not None:
                progress(source.name, info.name, report.counts)
        remote_ids = _ids_for_delete_check(
            engine, source, connector, info, options, full_read, seen, now()
        )
        if remote_ids is not None:
            deleted, refusal = check_missed_deletes(
                engine,
                source.name,
                info,
                remote_ids,
                source.delete_guard_share,
                options.force_deletes,
                ledger.run_id,
                now(),
                dry_run=options.dry_run,
            )
            report.counts.deleted += deleted
            if refusal is not None:
                report.status, report.error = "partial", refusal
        if report.status == "running":
            report.status = "succeeded"
    except QuotaExhausted as exc:
        report.status, report.error = "stopped", exc.user_message
        stop = f"stopped: {exc.user_message}; the next run resumes where this one stopped"
    except ConnectorFatalError as exc:
        report.status, report.error = "failed", exc.user_message
        stop = exc.user_message
    except ConnectorError as exc:
        report.status, report.error = "failed", exc.user_message
    except Exception as exc:  # a bug must not stop the other streams or sources
        log.exception("stream %s of %s failed", info.name, source.name)
        report.status, report.error = "failed", f"internal error: {exc!r}"
    report.api_calls = connector.api_usage().calls - calls_before
    report.seconds = time.perf_counter() - started
    ledger.finish_stream(
        info.name, report.status, report.counts, report.api_calls, report.seconds, report.error
    )
    return stop


def _ids_for_delete_check(
    engine: Engine,
    source: SourceConfig,
    connector: Connector,
    info: StreamInfo,
    options: SyncOptions,
    full_read: bool,
    seen: dict[str, set[str]],
    now: datetime,
) -> set[str] | None:
    """The CRM's live ids to compare with the store, or None when no check is due.

    A full read already saw every live id. Otherwise the connector lists them when asked
    (``--check-deletes``) or when ``full_id_check_every`` has passed since the last check.
    """
    if full_read:
        ids = set(seen[info.record_type])
    elif options.check_deletes or id_check_due(
        engine, source.name, info.name, now, source.full_id_check_every
    ):
        ids = set(connector.list_ids(info.name))
    else:
        return None
    if not options.dry_run:
        mark_id_check(engine, source.name, info.name, now)
    return ids
