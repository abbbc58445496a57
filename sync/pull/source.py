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
from itertools import pairwise
from typing import Any

from sqlalchemy import Engine

from connectors.core.contract import Connector, Page, PlansReads, ReadOptions, StreamInfo
from connectors.core.errors import ConnectorError, ConnectorFatalError, QuotaExhausted
from sync.config.models import SourceConfig
from sync.pull.deletes import check_missed_deletes
from sync.pull.guard import DeleteGuard
from sync.pull.rates import STREAM, sync_rates
from sync.pull.runs import (
    RunLedger,
    SavedStream,
    id_check_is_due,
    load_states,
)
from sync.store.linked import StoredLinks
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


@dataclass
class _RunContext:
    """What one source run learns as it goes, shared by its streams.

    A page may carry records of another stream's kind (a deals page with its deal-contact
    roles): they are counted under that stream (``carried``) and their ids collected in
    ``seen``. ``ran`` keeps, per stream already run, whether it was read whole from its
    start and which other kinds its pages carried.
    """

    guard: DeleteGuard
    links: StoredLinks  # the store's link lookup, kept for the run (see sync.store.linked)
    streams: dict[str, str]  # record kind -> the (standard) stream that yields it
    saved: dict[str, SavedStream]  # what the store kept of each stream run
    prefixes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # kind -> id prefixes
    seen: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    carried: dict[str, PageCounts] = field(default_factory=dict)
    ran: list[tuple[StreamInfo, bool, set[str]]] = field(default_factory=list)
    following: dict[str, str] = field(default_factory=dict)  # stream -> the one run next

    def parents_read_whole(self, info: StreamInfo) -> bool:
        """False when a stream this run read before ``info`` and that feeds it (its pages
        carried ``info``'s records, or it reads the same CRM objects) was not read whole:
        then ``info``'s records seen so far are not all there are."""
        for other, whole, kinds in self.ran:
            feeds = info.record_type in kinds or set(other.remote_objects) & set(
                info.remote_objects
            )
            if feeds and not whole:
                return False
        return True


def sync_source(
    engine: Engine,
    source: SourceConfig,
    connector: Connector,
    options: SyncOptions,
    now: Callable[[], datetime],
    progress: Progress | None = None,
    started: Callable[[int], None] | None = None,
) -> SourceReport:
    """Run one sync of ``source``; never raises for CRM-side failures, it reports them.

    ``started`` is given the run's id as soon as its row is written: a caller whose run
    a stop ends (a ``BaseException`` through here) closes that run by it."""
    ledger = RunLedger(engine, source.name, now(), options.full, options.dry_run)
    if started is not None:
        started(ledger.run_id)
    report = SourceReport(source.name, ledger.run_id)
    selected = _selected_streams(connector, source, options)
    saved = load_states(engine, source.name, [s.name for s in selected])
    try:
        if isinstance(connector, PlansReads):  # before the signpost: it may share its call
            states = {name: kept.state for name, kept in saved.items()}
            connector.plan_reads(states, ReadOptions(full=options.full, lookback=source.lookback))
        signpost = connector.server_time()
    except ConnectorError as exc:
        report.status, report.error = "failed", exc.user_message
        ledger.finish("failed", now(), exc.user_message)
        return report
    every = connector.streams()
    prefixed = [(s.record_type, s.id_prefix) for s in every if s.id_prefix is not None]
    guard = DeleteGuard(
        engine,
        source.name,
        source.delete_guard_share,
        options.force_deletes,
        prefixed,
        dry_run=options.dry_run,
    )
    context = _RunContext(
        guard,
        StoredLinks(engine, source.name),
        {s.record_type: s.name for s in every if s.id_prefix is None},
        saved,
        _prefixes(every),
        following={a.name: b.name for a, b in pairwise(selected)},
    )
    for info in selected:
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
            context,
        )
        if stop is not None:
            report.error = stop
            break
    # a dry run, or a run of some streams only, leaves the stored rates be
    wanted = options.streams is None and not options.dry_run
    if source.exchange_rates and report.error is None and wanted:
        rates = sync_rates(engine, connector, source.name, ledger, now)
        report.streams.append(
            StreamReport(
                STREAM, rates.status, rates.counts, rates.api_calls, rates.seconds, rates.error
            )
        )
    _record_carried(report, context, ledger)
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


def _prefixes(streams: list[StreamInfo]) -> dict[str, tuple[str, ...]]:
    """The id prefixes of each record kind's prefixed streams (mapped custom objects)."""
    out: dict[str, tuple[str, ...]] = {}
    for info in streams:
        if info.id_prefix is not None:
            out[info.record_type] = (*out.get(info.record_type, ()), info.id_prefix)
    return out


def _record_carried(report: SourceReport, context: _RunContext, ledger: RunLedger) -> None:
    """Count rows carried by other streams' pages under their own stream, even when that
    stream ran earlier in this run or was not selected."""
    for kind, counts in context.carried.items():
        name = context.streams.get(kind, kind)
        stream_report = next((s for s in report.streams if s.stream == name), None)
        if stream_report is None:
            stream_report = StreamReport(name, status="succeeded")
            report.streams.append(stream_report)
        stream_report.counts.add(counts)
        ledger.record_stream(  # one transaction: this run never shows the stream running
            name,
            stream_report.status,
            stream_report.counts,
            stream_report.api_calls,
            stream_report.seconds,
            stream_report.error,
        )
    context.carried.clear()


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
    context: _RunContext,
) -> str | None:
    """Sync one stream. Returns a message when the whole source must stop.

    Every page is checked against the delete guard before it commits: a page that would
    pass it is rolled back and the stream stops there, so the next run reads it again.
    """
    ledger.start_stream(info.name)
    started = time.perf_counter()
    calls_before = connector.api_usage().calls
    report.counts.add(context.carried.pop(info.record_type, PageCounts()))
    # --full passes the saved state too: the connector reads every record from the start
    # but may keep what a full read does not replace (Zoho's deleted-records cursor)
    kept = context.saved[info.name]
    state = kept.state
    # this run reads the whole stream from its start, and so did every stream feeding it
    full_read = (options.full or state is None) and context.parents_read_whole(info)
    read_options = ReadOptions(
        full=options.full,
        lookback=source.lookback,
        signpost=signpost,
        linked=context.links,
    )
    stop: str | None = None
    id_checked_at: datetime | None = None
    read_to_end = False
    carried_kinds: set[str] = set()
    check_deletes = options.check_deletes
    # A page that only moves the cursor (a delta read that found nothing) is not written on
    # its own: its state is saved by the next page or with the stream's closing row, one
    # transaction fewer each. A run stopped before then reads that empty page again.
    cursor: tuple[str, dict[str, Any], datetime] | None = None
    try:
        for page in connector.read(info.name, state, read_options):
            check_deletes = check_deletes or page.check_deletes
            if _moves_cursor_only(page):
                if not options.dry_run:
                    cursor = (page.stream, page.state, now())
                continue
            cursor = None
            counts, refusal = _write_guarded_page(
                engine, source, info, page, ledger, now(), options.dry_run, context
            )
            if refusal is not None:
                report.status, report.error = "partial", refusal
                break
            _count_page(info, page, counts, report, context, carried_kinds)
            if progress is not None:
                progress(source.name, info.name, report.counts)
        else:
            read_to_end = True
        remote_ids = None
        if read_to_end and not info.append_only:
            at = now()
            remote_ids = _ids_for_delete_check(
                source, connector, info, full_read, check_deletes, context.seen, at, kept
            )
            # saved with the stream's closing row, where its state row surely exists (a
            # stream whose only page moved the cursor has none before then)
            id_checked_at = at if remote_ids is not None and not options.dry_run else None
        if remote_ids is not None:
            checked, refusal = check_missed_deletes(
                engine,
                source.name,
                info,
                remote_ids,
                context.guard,
                ledger.run_id,
                now(),
                dry_run=options.dry_run,
                other_prefixes=context.prefixes.get(info.record_type, ()),
            )
            report.counts.add(checked)
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
    context.ran.append((info, full_read and read_to_end, carried_kinds))
    report.api_calls = connector.api_usage().calls - calls_before
    report.seconds = time.perf_counter() - started
    ledger.finish_stream(
        info.name,
        report.status,
        report.counts,
        report.api_calls,
        report.seconds,
        report.error,
        then=context.following.get(info.name) if stop is None else None,
        cursor=cursor,
        id_checked_at=id_checked_at,
    )
    return stop


def _write_guarded_page(
    engine: Engine,
    source: SourceConfig,
    info: StreamInfo,
    page: Page,
    ledger: RunLedger,
    at: datetime,
    dry_run: bool,
    context: _RunContext,
) -> tuple[dict[str, PageCounts], str | None]:
    """Write one page in its own transaction, rolled back on a dry run or when the delete
    guard refuses it; its counts, and the refusal if any."""
    with engine.connect() as conn, conn.begin() as transaction:
        counts = write_page(
            conn, source.name, page, info.record_type, ledger.run_id, at, save_state=not dry_run
        )
        own = None
        if info.id_prefix is not None:
            own = (info.record_type, info.name, info.id_prefix)
        refusal = context.guard.page_refusal(counts, context.streams, own)
        if dry_run or refusal is not None:
            transaction.rollback()
    return counts, refusal


def _moves_cursor_only(page: Page) -> bool:
    return not (page.records or page.deleted_ids or page.quarantined)


def _count_page(
    info: StreamInfo,
    page: Page,
    counts: dict[str, PageCounts],
    report: StreamReport,
    context: _RunContext,
    carried_kinds: set[str],
) -> None:
    """Add a committed page to the stream's counts, the guard and the ids seen."""
    for kind, kind_counts in counts.items():
        prefix = info.id_prefix if kind == info.record_type else None
        context.guard.note(kind, kind_counts, prefix)
        if kind == info.record_type:
            report.counts.add(kind_counts)
        else:
            carried_kinds.add(kind)
            context.carried.setdefault(kind, PageCounts()).add(kind_counts)
    if info.append_only:
        return  # no missed-delete check compares these ids
    for record in page.records:
        if not record.deleted:
            context.seen[record.kind].add(record.remote_id)


def _ids_for_delete_check(
    source: SourceConfig,
    connector: Connector,
    info: StreamInfo,
    full_read: bool,
    check_deletes: bool,
    seen: dict[str, set[str]],
    now: datetime,
    kept: SavedStream,
) -> set[str] | None:
    """The CRM's live ids to compare with the store, or None when no check is due.

    A full read already saw every live id. Otherwise the connector lists them when asked
    (``--check-deletes``, or a page of this read asking for it) or when
    ``full_id_check_every`` has passed since the last check.
    """
    if full_read:
        ids = set(seen[info.record_type])
    elif check_deletes or id_check_is_due(kept.last_id_check, now, source.full_id_check_every):
        ids = set(connector.list_ids(info.name))
    else:
        return None
    return ids
