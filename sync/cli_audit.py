"""``crmsync audit`` (run, findings, explain) and ``crmsync report`` (usage, channels,
pipeline, service)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import typer

from sync.cli_common import ConfigOption, JsonOption, err, load, out, utc_now
from sync.cli_progress import ProgressOption, step_progress
from sync.errors import OperationFailed, UsageError
from sync.terminal_text import Table, safe
from sync.terminal_text import text as literal

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from sync.audit.audits import AuditResult
    from sync.config import CrmsyncConfig

__all__ = ["audit_app", "report_app"]

audit_app = typer.Typer(
    help="Audit CRM usage: findings per rule, usage scores, explanations.",
    no_args_is_help=True,
)
report_app = typer.Typer(
    help="Manager reports: usage, channels, pipeline, service.", no_args_is_help=True
)

AsOfOption = typer.Option(
    None,
    "--as-of",
    help="Audit date (ISO, UTC; default: the data's time, the newest sync cursor or change "
    "on the CRMs' clock). Scores are reproducible for a given date.",
    show_default=False,
)


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    html = "html"


def _as_of(value: str | None, engine: Engine) -> datetime:
    if value is None:
        from sync.audit.clock import data_time

        found = data_time(engine)
        if found is None:
            found = utc_now()
            err.print(f"as of {found.isoformat()} (now: the store holds no synced records)")
        else:
            err.print(
                f"as of {found.isoformat()} (the data's time on the CRMs' clock; "
                "pass --as-of to choose another date)"
            )
        return found
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UsageError(f"--as-of {value!r} is not an ISO date or date-time") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _engine(cfg: CrmsyncConfig) -> Engine:
    from sync.store import open_store

    return open_store(cfg.store.url)


def _audit(
    cfg: CrmsyncConfig, engine: Engine, as_of: datetime, persist: bool, shown: tuple[bool, bool]
) -> AuditResult:
    """The audit as of ``as_of``; ``shown`` is (--json, --progress), for the progress."""
    from sync.audit.audits import run_audit
    from sync.config.links import custom_object_prefixes, source_links

    kinds, bases = source_links(cfg)
    custom = custom_object_prefixes(cfg)
    with step_progress("auditing the store", *shown) as say:
        say(f"every rule and score as of {as_of.isoformat()}")
        return run_audit(
            engine, cfg.audit, as_of, kinds=kinds, bases=bases, persist=persist, custom=custom
        )


@audit_app.command("run")
def run(
    as_of: str | None = AsOfOption,
    config: Path | None = ConfigOption,
    json_output: bool = JsonOption,
    progress: bool = ProgressOption,
) -> None:
    """Run every audit rule and compute the scores, storing the results."""
    cfg = load(config)
    engine = _engine(cfg)
    result = _audit(cfg, engine, _as_of(as_of, engine), True, (json_output, progress))
    by_rule: dict[str, int] = {}
    for finding in result.findings:
        by_rule[finding.rule] = by_rule.get(finding.rule, 0) + 1
    summary: dict[str, Any] = {
        "run_id": result.run_id,
        "as_of": result.as_of.isoformat(),
        "findings": len(result.findings),
        "findings_by_rule": dict(sorted(by_rule.items())),
        "employees_scored": sum(1 for s in result.scores if s.score is not None),
        "teams": {t.name: t.score for t in result.teams},
        "identities_used": result.identities_used,
    }
    if json_output:
        from sync.reports.render import json_value

        typer.echo(orjson.dumps(summary, default=json_value).decode())
        return
    table = Table("rule", "findings", title=f"Audit as of {summary['as_of']}")
    for rule, count in summary["findings_by_rule"].items():
        table.add_row(rule, str(count))
    out.print(table)
    teams = Table("team", "usage score", title="Teams")
    for team, score in summary["teams"].items():
        teams.add_row(team, f"{score}")
    out.print(teams)
    if not result.identities_used:
        err.print(
            "note: no reconciled identities; employees are per-CRM users and the "
            "duplicates rule did not run (run `crmsync reconcile run` first)"
        )


@audit_app.command("findings")
def findings(
    rule: str | None = typer.Option(None, "--rule", help="Only this rule."),
    employee: str | None = typer.Option(None, "--employee", help="Only this employee key."),
    limit: int = typer.Option(200, "--limit", help="Show at most this many (table output)."),
    wide: bool = typer.Option(
        False, "--wide", help="Show every record link whole, even one wider than the screen."
    ),
    config: Path | None = ConfigOption,
    json_output: bool = JsonOption,
) -> None:
    """List the findings of the latest audit run."""
    from sync.audit.audits import latest_findings
    from sync.audit.rules import RULES

    if rule is not None and rule not in RULES:
        raise UsageError(f"unknown rule {rule!r}; rules: {', '.join(RULES)}")
    cfg = load(config)
    found = latest_findings(_engine(cfg), rule=rule, employee=employee)
    if json_output:
        typer.echo(orjson.dumps([f.as_dict() for f in found]).decode())
        return
    shown = found[:limit]
    names, people = _finding_names(cfg, shown)
    table = Table("rule", "record", "employee", "why", "link", title=f"{len(found)} findings")
    for f in shown:
        table.add_row(
            _words(f.rule),
            f"{names[f]} ({f.source} {f.object} {f.remote_id})"
            if f in names
            else f"{f.source} {f.object} {f.remote_id}",
            people.get(f.employee or "", f.employee or "-"),
            f.message,
            f.link,
        )
    if table.fits(out):
        out.print(table)
        return
    from rich.padding import Padding

    # 80 columns (or piped): one block per finding, the link on a line of its own so that it
    # stays whole (and clickable); one longer than the line (Dynamics' are over 100
    # characters) is named instead, and shown whole with --wide or --json
    out.print(literal(f"{len(found)} findings"), style="bold")
    for f in shown:
        head, record = _words(f.rule), f"{f.source} {f.object} {f.remote_id}"
        if len(head) + 2 + len(record) <= out.width:
            out.print(literal(f"{head}  {record}"))
        else:  # a long id (a GUID) goes under the rule, whole
            out.print(literal(head))
            out.print(literal(f"  {record}"))
        if f in names:
            out.print(Padding(literal(names[f]), (0, 0, 0, 2)))
        who = people.get(f.employee or "", f.employee or "-")
        out.print(Padding(literal(f"{who}: {f.message}"), (0, 0, 0, 2)))
        if wide or len(f.link) + 2 <= out.width:
            out.print(literal(f"  {f.link}"), soft_wrap=True)
        elif f.link:
            out.print(literal(f"  link: {len(f.link)} characters, shown with --wide or --json"))


def _words(rule: str) -> str:
    """``won_deal_no_activity`` -> "won deal no activity"."""
    return rule.replace("_", " ")


def _finding_names(cfg: Any, found: list[Any]) -> tuple[dict[Any, str], dict[str, str]]:
    """The names of the findings' records (those that have one) and of the employees by
    key: what people know them by (one query per table)."""
    from sync.audit.audits import latest_usage_scores
    from sync.audit.findings import table_of
    from sync.store.names import display_names

    engine = _engine(cfg)
    kinds = cfg.source_kinds()
    keys = {
        f: (f.source, table_of(kinds.get(f.source, f.source), f.object), f.remote_id) for f in found
    }
    with engine.connect() as connection:
        known = display_names(connection, keys.values())
    names = {f: known[key] for f, key in keys.items() if key in known}
    people = {key: s.name for key, s in latest_usage_scores(engine).items() if s.name}
    return names, people


@audit_app.command("explain")
def explain(
    employee: str = typer.Argument(..., help="Employee key (E-... or source:user_id)."),
    config: Path | None = ConfigOption,
    json_output: bool = JsonOption,
) -> None:
    """Show an employee's usage score line by line: own k/n, team ratio, value, weight."""
    from sync.audit.audits import latest_findings, latest_usage_scores
    from sync.audit.explain import explain_score

    cfg = load(config)
    engine = _engine(cfg)
    scores = latest_usage_scores(engine)
    if not scores:
        raise OperationFailed("no audit results yet: run `crmsync audit run` first")
    if employee not in scores or scores[employee].kind != "employee":
        raise UsageError(f"no usage score for {employee!r} in the latest audit run")
    data = explain_score(
        scores,
        employee,
        cfg.audit.shrink_m,
        cfg.audit.dup_rate_cap,
        latest_findings(engine, employee=employee),
    )
    if json_output:
        from sync.reports.render import json_value

        typer.echo(orjson.dumps(data, default=json_value).decode())
        return
    # One short block per component rather than a wide table: it must read in 80 columns.
    lines = [
        f"{data['name']} ({data['employee']}, team {data['team']}, profile "
        f"{data['profile']}): {data['score']}",
        "",
    ]
    for c in data["components"]:
        lines.append(
            f"{c['component']}: {c['numerator']}/{c['denominator']} = {_num(c['raw'])}; "
            f"team Σk / Σn {c['team_numerator']}/{c['team_denominator']} = "
            f"{_num(c['team_ratio'])}"
        )
        if c["points"] is None:
            lines.append(f"  {c['how']}")
        else:
            lines.append(
                f"  value {_num(c['value'])} ({c['how']}); weight {c['weight']:g} -> "
                f"{c['points']:.2f} points"
            )
        if c["rules"]:
            lines.append(f"  lowered by: {', '.join(c['rules'])}")
        # What each of the rep's findings rests on, a few per component.
        for f in c["findings"][:_SHOWN]:
            lines.append(f"    {f['rule']} {f['object']} {f['remote_id']}: {f['message']}")
        if len(c["findings"]) > _SHOWN:
            lines.append(
                f"    … and {len(c['findings']) - _SHOWN} more "
                f"(crmsync audit findings --employee {employee})"
            )
    lines += [
        "",
        f"score = {data['formula']} = {data['score']}",
        "A component with n = 0 does not count (the other weights are renormalised). With",
        f"fewer than m = {data['shrink_m']:g} records a ratio below the team's is lifted by",
        "(m − n)/m of the gap; otherwise a ratio is kept.",
    ]
    typer.echo("\n".join(lines))


_SHOWN = 5


def _num(value: Any) -> str:
    return "-" if value is None else f"{value:.4f}"


def _report(
    kind: str, fmt: Format, out_file: Path | None, as_of: str | None, config: Path | None
) -> None:
    from sync.reports import render
    from sync.reports.build import build_reports

    cfg = load(config)
    engine = _engine(cfg)
    when = _as_of(as_of, engine)
    with step_progress("building the reports", fmt is Format.json):
        reports = build_reports(cfg, engine, when, kind)
    if fmt is Format.html:
        text = render.render_html(reports, f"as of {when.isoformat()}")
    elif fmt is Format.json:
        text = (
            render.render_json(reports[0])
            if len(reports) == 1
            else "[" + ",".join(render.render_json(r) for r in reports) + "]"
        )
    elif fmt is Format.csv:
        text = "\n".join(render.render_csv(r) for r in reports)
    else:
        from sync.reports.build import REPORT_KINDS
        from sync.reports.terminal import report_tables

        for name, r in zip(REPORT_KINDS if kind == "all" else (kind,), reports, strict=True):
            for shown in report_tables(name, r):
                out.print(literal(shown) if isinstance(shown, str) else shown)
        return
    if out_file is None:
        typer.echo(text, nl=False)
    else:
        out_file.write_text(text, encoding="utf-8")
        err.print(f"wrote {safe(out_file)}")


def _report_command(kind: str, doc: str) -> None:
    def command(
        fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
        out_file: Path | None = typer.Option(None, "--out", "-o", help="Write to this file."),
        as_of: str | None = AsOfOption,
        config: Path | None = ConfigOption,
        json_output: bool = typer.Option(False, "--json", help="Same as --format json."),
    ) -> None:
        _report(kind, Format.json if json_output else fmt, out_file, as_of, config)

    command.__doc__ = doc
    report_app.command(kind)(command)


_report_command("usage", "Usage score leaderboard with team scores and a 4-week trend.")
_report_command(
    "channels",
    "Touches, leads, conversion, won revenue (per currency) and cycle per channel and CRM.",
)
_report_command(
    "pipeline", "Weighted pipeline per customer, totals and age, deal size, time to close, churn."
)
_report_command("service", "Case resolution times per CRM and origin channel; call durations.")
_report_command("pay", "Warnings of each period's latest plan run: money nobody is paid on.")
_report_command("all", "Every report in one output (one HTML page with --format html).")
