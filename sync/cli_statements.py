"""``crmsync statements``: preview, queue, approve and send plan statements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import typer

from sync.cli_common import ConfigOption, JsonOption, load, out, utc_now
from sync.cli_progress import ProgressOption, count_progress, step_progress
from sync.errors import OperationFailed, UsageError
from sync.terminal_text import Table

__all__ = ["statements_app"]

statements_app = typer.Typer(
    help="Plan statements by e-mail: preview, queue, approve, send.", no_args_is_help=True
)

PeriodOption = typer.Option(..., "--period", "-p", help="Pay period, e.g. 2026-10.")
OnlyOption = typer.Option([], "--only", help="Only this employee id (repeat).")


def _print(data: dict[str, Any], title: str, json_output: bool) -> None:
    if json_output:
        typer.echo(orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode())
        return
    table = Table("", "", title=title, show_header=False)
    for key, value in data.items():
        if isinstance(value, list):
            value = "\n".join(map(str, value)) or "-"
        table.add_row(key.replace("_", " "), str(value))
    out.print(table)


@statements_app.command("render")
def render(
    period: str = PeriodOption,
    out_dir: Path = typer.Option(..., "--out", "-o", help="Folder for the preview files."),
    only: list[str] = OnlyOption,
    config: Path | None = ConfigOption,
    json_output: bool = JsonOption,
    progress: bool = ProgressOption,
) -> None:
    """Write each statement as HTML (with its chart) and text to a folder, to preview."""
    from sync.compute.statements import statements_for_period
    from sync.mail.service import write_previews
    from sync.store import open_store

    cfg = load(config)
    with step_progress(f"statements {period}", json_output, progress) as say:
        say("reading the period's results")
        statements = statements_for_period(open_store(cfg.store.url), cfg, period)
        chosen = [s for s in statements if not only or s.recipient.employee_id in only]
        say(f"writing {len(chosen)} previews")
        files = write_previews(chosen, cfg, out_dir)
    _print(
        {"statements": len(chosen), "folder": str(out_dir), "files": len(files)},
        "Statement previews",
        json_output,
    )


@statements_app.command("send")
def send(
    period: str = PeriodOption,
    only: list[str] = OnlyOption,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Render and check recipients; queue and send nothing."
    ),
    queued_only: bool = typer.Option(
        False, "--queued-only", help="Only deliver what is already in the outbox."
    ),
    limit: int | None = typer.Option(None, "--limit", help="Send at most this many now."),
    resend_unconfirmed: bool = typer.Option(
        False,
        "--resend-unconfirmed",
        help="Send again, with the same Message-ID, statements whose delivery a crash left "
        "unconfirmed (see `statements outbox`).",
    ),
    config: Path | None = ConfigOption,
    json_output: bool = JsonOption,
    progress: bool = ProgressOption,
) -> None:
    """Queue the period's statements (each version once) and send the approved ones."""
    from sync.compute.statements import statements_for_period
    from sync.mail.sender import deliver
    from sync.mail.service import prepare, queue_statements
    from sync.mail.smtp import SmtpTransport
    from sync.store import open_store

    if dry_run and queued_only:
        raise UsageError(
            "--dry-run renders the period's statements; it cannot be combined with --queued-only"
        )
    cfg = load(config)
    engine = open_store(cfg.store.url)
    result: dict[str, Any] = {"period": period}
    if not queued_only:
        statements = [
            s
            for s in statements_for_period(engine, cfg, period)
            if not only or s.recipient.employee_id in only
        ]
        with count_progress("rendering", len(statements), json_output, progress) as tick:
            if dry_run:
                report = prepare(statements, cfg, utc_now(), tick, outbox=engine)
            else:
                report = queue_statements(engine, statements, cfg, utc_now(), tick)
        result |= {
            "rendered": report.rendered,
            "queued": report.queued,
            "already_queued": report.unchanged,
            "refused": report.refused,
            "conflicts": report.conflicts,
        }
    if dry_run:
        result["would_send_to"] = [m.recipient for m in report.messages]
        _print(result, "Statements (dry run: nothing queued or sent)", json_output)
        return
    if resend_unconfirmed:
        from sync.mail.outbox import resend_unconfirmed as requeue

        result["requeued_unconfirmed"] = requeue(engine, period, only)
    transport = SmtpTransport(cfg.email)
    with count_progress("sending", None, json_output, progress) as sent:
        delivery = deliver(
            engine,
            transport,
            cfg.email,
            utc_now,
            period,
            only,
            limit,
            lambda r: sent(r.sent + r.unconfirmed),
        )
    result |= {
        "sent": delivery.sent,
        "unconfirmed": delivery.unconfirmed,
        "failed": delivery.failed,
        "bounced": delivery.bounced,
        "recovered_resend": delivery.recovered_resend,
        "recovered_assumed_sent": delivery.recovered_assumed_sent,
        "errors": delivery.errors,
    }
    _print(result, "Statements sent", json_output)
    problems = [*result.get("refused", []), *result.get("conflicts", [])]
    if delivery.stopped:
        raise OperationFailed(f"sending stopped: {delivery.stopped}; run the command again later")
    if problems or delivery.failed or delivery.bounced:
        raise OperationFailed(
            f"{len(problems)} statements refused, {delivery.failed} failed, "
            f"{delivery.bounced} bounced: see `crmsync statements outbox --period {period}`"
        )


@statements_app.command("approve")
def approve(
    period: str = PeriodOption,
    only: list[str] = OnlyOption,
    by: str = typer.Option("admin", "--by", help="Who approves (recorded with each row)."),
    shared_address: bool = typer.Option(
        False,
        "--shared-address",
        help="Also approve statements held because another employee's statement of the "
        "period has the same address (that mailbox will see both).",
    ),
    config: Path | None = ConfigOption,
    json_output: bool = JsonOption,
) -> None:
    """Approve the period's queued statements so `send` delivers them."""
    from sync.mail import outbox
    from sync.store import open_store

    if shared_address and not only:
        raise UsageError(
            "--shared-address approves sending pay statements to a mailbox other employees "
            "read: name each employee with --only"
        )
    cfg = load(config)
    engine = open_store(cfg.store.url)
    count = outbox.approve(engine, period, only, by, utc_now(), shared_address=shared_address)
    _print({"period": period, "approved": count, "by": by}, "Statements approved", json_output)


@statements_app.command("outbox")
def outbox_status(
    period: str | None = typer.Option(None, "--period", "-p", help="Only this period."),
    config: Path | None = ConfigOption,
    json_output: bool = JsonOption,
) -> None:
    """Show the outbox: statements per period and state, and what went wrong."""
    from sqlalchemy import select

    from sync.mail.outbox import T, status_counts
    from sync.store import open_store

    cfg = load(config)
    engine = open_store(cfg.store.url)
    counts = status_counts(engine, period)
    query = (
        select(
            T.c.period,
            T.c.employee_id,
            T.c.recipient,
            T.c.state,
            T.c.attempts,
            T.c.last_error,
            T.c.smtp_response,
        )
        .where((T.c.state.in_(("held", "failed", "bounced"))) | (T.c.confirmed.is_(False)))
        .order_by(T.c.period, T.c.employee_id)
    )
    if period is not None:
        query = query.where(T.c.period == period)
    with engine.connect() as conn:
        problems = [dict(r._mapping) for r in conn.execute(query)]
    if json_output:
        rows = [{"period": p, "state": s, "count": n} for (p, s), n in sorted(counts.items())]
        typer.echo(orjson.dumps({"counts": rows, "problems": problems}).decode())
        return
    table = Table("period", "state", "statements", title="Statement outbox")
    for (p, s), n in sorted(counts.items()):
        table.add_row(p, s, f"{n:,}")
    out.print(table)
    if problems:
        detail = Table("period", "employee", "state", "attempts", "detail", title="Needs a look")
        for r in problems:
            detail.add_row(
                r["period"],
                r["employee_id"],
                r["state"],
                str(r["attempts"]),
                r["last_error"] or r["smtp_response"] or "",
            )
        out.print(detail)
