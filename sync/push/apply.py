"""Apply the plan for one source: make sure the fields exist, write, retry only failures.

Each batch's acknowledged records are committed to ``push_state`` right after the call, so
a crash loses at most the batch in flight and re-sends nothing that the CRM confirmed.
Records that fail with a retriable error are sent again in this run (alone, up to
``max_attempts``); rate-limit waits happen inside the connector and are not failures. A
record that fails for good keeps its old state and is tried again by the next push.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from connectors.core.contract import Connector, FieldSpec, FieldUpdate, WriteResult
from connectors.core.errors import ConnectorError, QuotaExhausted
from sync.config.push import PushTarget
from sync.push.batching import batches, to_updates
from sync.push.ledger import save_api_names, save_results, save_state
from sync.push.results import ObjectPlan, RecordFailure, SourceOutcome

__all__ = ["SourceWork", "apply_source", "check_fields"]


@dataclass(frozen=True)
class SourceWork:
    """The objects of one source to write, their targets, and how."""

    source: str
    objects: Sequence[ObjectPlan]
    targets: Mapping[tuple[str, str], PushTarget]  # (object, field) -> target
    create_fields: bool
    max_attempts: int
    run_id: int


def check_fields(
    connector: Connector,
    obj: str,
    targets: Sequence[PushTarget],
    create: bool,
) -> tuple[dict[str, str], list[str], list[str]]:
    """(field -> API name of the fields that exist, instructions for missing ones, created)."""
    specs = [FieldSpec(t.field, t.display_label, t.type) for t in targets]
    found: dict[str, str] = {}
    missing: list[str] = []
    created: list[str] = []
    for target, status in zip(targets, connector.ensure_fields(obj, specs, create), strict=True):
        if status.exists:
            found[target.field] = status.field
            if status.created:
                created.append(f"{status.object}.{status.field}")
        else:
            missing.append(status.instructions or f"create {status.object}.{status.field}")
    return found, missing, created


def apply_source(
    engine: Engine,
    work: SourceWork,
    connector: Connector,
    now: Callable[[], datetime],
    outcome: SourceOutcome,
    failures: list[RecordFailure],
) -> None:
    """Write ``work`` through ``connector``; fills ``outcome`` and ``failures``."""
    calls_before = connector.api_usage().calls
    pending: list[ObjectPlan] = [p for p in work.objects if p.records]
    try:
        for plan in pending:
            targets = sorted(
                (t for (obj, _), t in work.targets.items() if obj == plan.object),
                key=lambda t: t.field,
            )
            needed = sorted({f for values in plan.records.values() for f in values})
            wanted = [t for t in targets if t.field in needed]
            found, missing, created = check_fields(
                connector, plan.object, wanted, work.create_fields
            )
            outcome.missing_fields.extend(missing)
            outcome.created_fields.extend(created)
            with engine.begin() as conn:
                save_api_names(conn, work.source, plan.object, found)
            fields = {
                name: (api, work.targets[(plan.object, name)].type) for name, api in found.items()
            }
            _write_object(engine, work, connector, plan, fields, now, outcome, failures)
            if missing:
                outcome.status = "partial"
    except QuotaExhausted as exc:
        outcome.status = "quota"
        outcome.error = exc.user_message
        total = sum(len(p.records) for p in pending)
        outcome.not_attempted = total - outcome.written - outcome.failed
    except ConnectorError as exc:
        outcome.status = "failed"
        outcome.error = exc.user_message
    finally:
        outcome.api_calls = connector.api_usage().calls - calls_before
    if outcome.status == "succeeded" and outcome.failed:
        outcome.status = "partial"


def _write_object(
    engine: Engine,
    work: SourceWork,
    connector: Connector,
    plan: ObjectPlan,
    fields: Mapping[str, tuple[str, str]],
    now: Callable[[], datetime],
    outcome: SourceOutcome,
    failures: list[RecordFailure],
) -> None:
    updates = to_updates(plan, fields)
    api_to_field = {api: name for name, (api, _) in fields.items()}
    todo = updates
    for attempt in range(1, work.max_attempts + 1):
        last = attempt == work.max_attempts
        retry: list[FieldUpdate] = []
        for batch in batches(todo, plan.batch_size):
            results = connector.write(plan.object, batch)  # QuotaExhausted stops the source
            outcome.write_calls += 1
            written, rows = _sort_results(batch, results, attempt, last, api_to_field, plan)
            for update, result in zip(batch, results, strict=True):
                if result.ok:
                    continue
                if result.retriable and not last:
                    retry.append(update)
                    continue
                failures.append(
                    RecordFailure(
                        work.source,
                        plan.object,
                        update.remote_id,
                        result.error or "failed",
                        result.retriable,
                        attempt,
                        result.conflict,
                    )
                )
                outcome.failed += 1
            outcome.written += len(written)
            with engine.begin() as conn:
                save_state(conn, work.source, plan.object, written, now(), work.run_id)
                save_results(conn, work.run_id, rows)
        if not retry:
            break
        todo = retry


def _sort_results(
    batch: Sequence[FieldUpdate],
    results: Sequence[WriteResult],
    attempt: int,
    last: bool,
    api_to_field: Mapping[str, str],
    plan: ObjectPlan,
) -> tuple[dict[str, dict[str, str | None]], list[dict[str, Any]]]:
    written: dict[str, dict[str, str | None]] = {}
    rows = []
    for update, result in zip(batch, results, strict=True):
        names = sorted(api_to_field[a] for a in update.values)
        if result.ok:
            written[update.remote_id] = {n: plan.records[update.remote_id][n] for n in names}
        elif result.retriable and not last:
            continue  # tried again below, or reported as failed on the last attempt
        rows.append(
            {
                "source": plan.source,
                "object": plan.object,
                "remote_id": update.remote_id,
                "outcome": "written" if result.ok else "failed",
                "attempts": attempt,
                "error": (result.error or "")[:2000] or None,
                "detail": {"fields": names},
            }
        )
    return written, rows
