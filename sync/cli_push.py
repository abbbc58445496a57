"""``crmsync push``: write computed values back into the CRMs as fields."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import typer

from sync.cli_common import ConfigOption, JsonOption, err, load, out, utc_now
from sync.errors import OperationFailed, UsageError
from sync.terminal_text import Table, plain, safe, text

if TYPE_CHECKING:
    from sync.push.results import PushReport

__all__ = ["push"]

_SHOWN_CONFLICTS = 20


def push(
    config: Path | None = ConfigOption,
    source: list[str] = typer.Option([], "--source", "-s", help="Only this source (repeat)."),
    dry_run: bool = typer.Option(
        False,
        "--dry-run",
        help="Show the creates, updates, unchanged values, conflicts and the API calls with "
        "sample payloads; write nothing (fields are only looked up).",
    ),
    create_fields: bool = typer.Option(
        False,
        "--create-fields",
        help="Create missing custom fields through the CRM's API (else print how to).",
    ),
    json_output: bool = JsonOption,
) -> None:
    """Write published incentives and scores into CRM fields: only changed values, in the
    API's largest batches, with conflicts settled per target policy."""
    from sync.push.write_back import push as run_push
    from sync.store import open_store

    cfg = load(config)
    if not cfg.push.targets:
        raise UsageError("no push targets: add a push: section (see `crmsync config example`)")
    engine = open_store(cfg.store.url)
    try:
        with err.status("pushing…") as status:
            report = run_push(
                engine,
                cfg,
                utc_now,
                sources=source or None,
                dry_run=dry_run,
                create_fields=create_fields or None,
                progress=lambda message: status.update(safe(message)),
            )
    finally:
        engine.dispose()
    if json_output:
        typer.echo(orjson.dumps(report.as_dict()).decode())
    else:
        _print(report)
    missing = [m for s in report.sources for m in s.missing_fields]
    if not report.ok:
        problems = ", ".join(
            f"{s.source} ({s.status}{': ' + s.error if s.error else ''})"
            for s in report.sources
            if s.status != "succeeded"
        )
        hint = "; create the missing fields (see above) or pass --create-fields" if missing else ""
        raise OperationFailed(f"push did not fully succeed for {problems}{hint}")


def _print(report: PushReport) -> None:
    title = "Push plan (dry run: nothing written)" if report.dry_run else "Push"
    table = Table(
        "source",
        "object",
        "create",
        "update",
        "clear",
        "unchanged",
        "skipped",
        "records",
        "batch",
        "write calls",
        title=title,
    )
    for plan in report.plan.objects:
        c = plan.counts
        table.add_row(
            plan.source,
            plan.object,
            f"{c['create']:,}",
            f"{c['update']:,}",
            f"{c['clear']:,}",
            f"{c['unchanged']:,}",
            f"{c['skip']:,}",
            f"{len(plan.records):,}",
            str(plan.batch_size),
            f"{plan.calls:,}",
        )
    out.print(table)
    for plan in report.plan.objects:
        for why, ids in sorted(plan.unwritable.items()):
            out.print(text(f"{plan.source} {plan.object}: {len(ids):,} record(s) left out: {why}"))
    conflicts = report.plan.conflicts
    if conflicts:
        shown = Table(
            "source",
            "object",
            "record",
            "field",
            "CRM value",
            "last written",
            "new",
            "policy",
            "result",
            title=f"Conflicts ({len(conflicts):,})",
        )
        for conflict in conflicts[:_SHOWN_CONFLICTS]:
            shown.add_row(
                conflict.source,
                conflict.object,
                conflict.remote_id,
                conflict.field,
                str(conflict.crm_value),
                str(conflict.last_written),
                str(conflict.new_value),
                conflict.policy,
                conflict.resolution,
            )
        out.print(shown)
        if len(conflicts) > _SHOWN_CONFLICTS:
            out.print(f"… and {len(conflicts) - _SHOWN_CONFLICTS:,} more (use --json for all)")
    if report.dry_run:
        for sample in report.samples:
            out.print(
                text(
                    f"{sample['source']} {sample['object']}: {sample['calls']} call(s) of "
                    f"{sample['method']} {sample['path']}; sample payload:"
                )
            )
            out.print_json(orjson.dumps(sample["body"]).decode())
    else:
        results = Table(
            "source",
            "status",
            "written",
            "failed",
            "not attempted",
            "write calls",
            "API calls",
            title="Results",
        )
        for s in report.sources:
            results.add_row(
                s.source,
                s.status,
                f"{s.written:,}",
                f"{s.failed:,}",
                f"{s.not_attempted:,}",
                f"{s.write_calls:,}",
                f"{s.api_calls:,}",
            )
        out.print(results)
        for f in report.failures[:_SHOWN_CONFLICTS]:
            typer.echo(plain(f"{f.source} {f.object} {f.remote_id}: {f.error}"), err=True)
    for s in report.sources:
        for line in s.created_fields:
            out.print(text(f"{s.source}: created field {line}"))
        for line in s.missing_fields:
            # exactly what to create, unwrapped and without markup
            typer.echo(plain(f"{s.source}: missing field: {line}"), err=True)
        if s.error:
            typer.echo(plain(f"{s.source}: {s.error}"), err=True)
