"""``push``: plan the write-back, then (unless dry run) apply it source by source."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from connectors.core.contract import Connector
from connectors.core.errors import ConnectorError
from connectors.core.registry import profile_of
from sync.config.push import PushConfig, PushTarget
from sync.errors import OperationFailed, UsageError
from sync.push.apply import SourceWork, apply_source, check_fields
from sync.push.batching import sample_request, to_updates
from sync.push.diff import SourceInfo, build_plan, load_api_names
from sync.push.ledger import finish_run, save_results, save_state, start_run
from sync.push.results import ObjectPlan, PushPlan, PushReport, SourceOutcome
from sync.push.targets import default_api_name

if TYPE_CHECKING:
    from sync.config.models import CrmsyncConfig, SourceConfig

__all__ = ["push", "source_infos"]

_LOCK = "_push"  # run-lock name; not a valid source name, so it never meets a sync's lock
ConnectorFactory = Callable[["SourceConfig"], Connector]


def source_infos(config: CrmsyncConfig, names: Sequence[str] | None) -> dict[str, SourceInfo]:
    """Kind and write batch size of each chosen source that push targets mention."""
    push_cfg: PushConfig = config.push
    wanted = {t.source for t in push_cfg.targets}
    known = {s.name: s for s in config.sources}
    unknown = sorted((set(names or ()) | wanted) - known.keys())
    if unknown:
        raise UsageError(
            f"push names source(s) {', '.join(unknown)} that are not configured under sources"
        )
    infos = {}
    for name in sorted(wanted):
        source = known[name]
        if (names and name not in names) or not source.enabled:
            continue
        size = (
            getattr(source.settings, "write_batch_size", None)
            or profile_of(source.kind).write_batch_size
        )
        custom = tuple(f"{m.object}/" for m in source.custom_objects)
        infos[name] = SourceInfo(source.kind, int(size), custom)
    for target in push_cfg.targets:
        info = infos.get(target.source)
        if info and target.object == "users" and not profile_of(info.kind).user_fields:
            raise UsageError(
                f"push target {target.key}: {info.kind} users have no custom fields; write it "
                "to the records they own instead (object: deals, via: owned_records)"
            )
    return infos


def push(
    engine: Engine,
    config: CrmsyncConfig,
    now: Callable[[], datetime],
    *,
    sources: Sequence[str] | None = None,
    dry_run: bool = False,
    create_fields: bool | None = None,
    connectors: Mapping[str, Connector] | None = None,
    connector_factory: ConnectorFactory | None = None,
    progress: Callable[[str], None] | None = None,
) -> PushReport:
    """Write the published values into the CRMs (or, with ``dry_run``, say what would be).

    ``connectors`` lets a caller that just pulled pass the same connector instances, so
    pulls and pushes share one ``QuotaBudget``; missing ones are built from the config.
    """
    from sync.locks import acquire_run_lock, holder_name, run_lock

    infos = source_infos(config, sources)
    lock = None
    if not dry_run:  # one writing push at a time (CLI, daemon, workers)
        lock = run_lock(engine, _LOCK)
        if not acquire_run_lock(lock, 0.0):
            raise OperationFailed(
                f"another push is running ({holder_name(lock)}); try again when it has finished"
            )
    try:
        return _push(
            engine,
            config,
            now,
            infos,
            dry_run,
            create_fields,
            connectors,
            connector_factory,
            progress,
        )
    finally:
        if lock is not None:
            lock.release()


def _push(
    engine: Engine,
    config: CrmsyncConfig,
    now: Callable[[], datetime],
    infos: Mapping[str, SourceInfo],
    dry_run: bool,
    create_fields: bool | None,
    connectors: Mapping[str, Connector] | None,
    connector_factory: ConnectorFactory | None,
    progress: Callable[[str], None] | None,
) -> PushReport:
    push_cfg: PushConfig = config.push
    create = push_cfg.create_fields if create_fields is None else create_fields
    with engine.connect() as conn:
        names = load_api_names(conn)
        plan = build_plan(conn, push_cfg.targets, infos, names)
    run_id = start_run(engine, now(), dry_run)
    report = PushReport(run_id, dry_run, plan)
    report.samples = _samples(plan, push_cfg.targets, names)
    by_source = {name: [t for t in push_cfg.targets if t.source == name] for name in infos}
    opened: dict[str, Connector] = {}
    try:
        for name in sorted(infos):
            outcome = SourceOutcome(name)
            report.sources.append(outcome)
            objects = [p for p in plan.objects if p.source == name]
            needs_calls = any(p.records for p in objects)
            if not needs_calls and not dry_run:
                continue
            connector = (connectors or {}).get(name) or opened.get(name)
            if connector is None:
                connector = _build(config, name, connector_factory)
                opened[name] = connector
            if progress is not None:
                progress(f"push {name}: {sum(len(p.records) for p in objects):,} records")
            if dry_run:
                _check_only(connector, objects, by_source[name], outcome)
                continue
            work = SourceWork(
                name,
                objects,
                {(t.object, t.field): t for t in by_source[name]},
                create,
                push_cfg.max_attempts,
                run_id,
            )
            apply_source(engine, work, connector, now, outcome, report.failures)
        if not dry_run:
            _record_diff_outcomes(engine, plan, run_id, now())
    finally:
        for connector in opened.values():
            connector.close()
        status = "dry_run" if dry_run else ("succeeded" if report.ok else "failed")
        summary = report.as_dict()
        finish_run(engine, run_id, now(), status, {k: summary[k] for k in ("counts", "sources")})
    return report


def _build(config: CrmsyncConfig, name: str, factory: ConnectorFactory | None) -> Connector:
    from sync.sources import build_connector

    try:
        return (factory or build_connector)(config.source(name))
    except ConnectorError as exc:
        raise UsageError(f"source {name}: {exc.user_message}") from exc


def _check_only(
    connector: Connector,
    objects: Sequence[ObjectPlan],
    targets: Sequence[PushTarget],
    outcome: SourceOutcome,
) -> None:
    """Dry run: look the fields up (read calls only) and report what is missing."""
    calls = connector.api_usage().calls
    try:
        for plan in objects:
            chosen = sorted((t for t in targets if t.object == plan.object), key=lambda t: t.field)
            _, missing, _ = check_fields(connector, plan.object, chosen, create=False)
            outcome.missing_fields.extend(missing)
    except ConnectorError as exc:
        outcome.status = "failed"
        outcome.error = exc.user_message
    outcome.api_calls = connector.api_usage().calls - calls


def _samples(
    plan: PushPlan, targets: Sequence[PushTarget], names: Mapping[tuple[str, str, str], str]
) -> list[dict[str, object]]:
    samples: list[dict[str, object]] = []
    for obj in plan.objects:
        if not obj.records:
            continue
        fields = {
            t.field: (
                names.get((t.source, t.object, t.field), default_api_name(obj.kind, t.field)),
                t.type,
            )
            for t in targets
            if t.source == obj.source and t.object == obj.object
        }
        updates = to_updates(obj, fields)[:2]
        request = sample_request(obj.kind, obj.object, updates)
        samples.append(
            {
                "source": obj.source,
                "object": obj.object,
                "calls": obj.calls,
                "records": len(obj.records),
                **request,
            }
        )
    return samples


def _record_diff_outcomes(engine: Engine, plan: PushPlan, run_id: int, moment: datetime) -> None:
    """Conflicts skipped or kept become results; values the CRM already holds are adopted."""
    adopt: dict[tuple[str, str], dict[str, dict[str, str | None]]] = {}
    for change in plan.adopt:
        spot = (change.source, change.object)
        adopt.setdefault(spot, {}).setdefault(change.remote_id, {})[change.field] = change.new
    rows = [
        {
            "source": c.source,
            "object": c.object,
            "remote_id": c.remote_id,
            "outcome": f"conflict_{c.resolution}",
            "detail": c.as_dict(),
        }
        for c in plan.conflicts
    ]
    with engine.begin() as conn:
        for (source, obj), values in sorted(adopt.items()):
            save_state(conn, source, obj, values, moment, run_id)
        save_results(conn, run_id, rows)
