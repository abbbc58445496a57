"""``crmsync plan``: validate plans, run and close periods, explain, simulate, adjust."""

from __future__ import annotations

import getpass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import orjson
import typer

from sync.cli_common import ConfigOption, JsonOption, err, load, out, utc_now
from sync.cli_progress import ProgressOption, step_progress
from sync.errors import UsageError
from sync.terminal_text import Table, text

__all__ = ["plan_app"]

plan_app = typer.Typer(
    help="Incentive plans: validate, run and close periods, explain, simulate, adjust.",
    no_args_is_help=True,
)

PeriodOption = typer.Option(..., "--period", "-p", help="Pay period: 2026-10, 2026-Q4 or 2026.")
EmployeeOption = typer.Option(
    ..., "--employee", "-e", help="Employee id (E-...), e-mail, or source:user_id."
)


def _json(data: Any) -> None:
    typer.echo(orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2).decode())


def _decimal(text: str | None, option: str) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text.strip().rstrip("%"))
    except InvalidOperation as exc:
        raise UsageError(f"{option} {text!r} is not a number") from exc
    return value / 100 if text.strip().endswith("%") else value


def _engine(config: Any) -> Any:
    from sync.store import open_store

    return open_store(config.store.url)


@plan_app.command("validate")
def validate(config: Path | None = ConfigOption, json_output: bool = JsonOption) -> None:
    """Check every plan file, the assignments and the rates file; list plan versions."""
    from sync.compute.prepare import load_book

    settings = load(config).compensation
    book, rates = load_book(settings)
    rows: list[dict[str, Any]] = [
        {
            "plan": v.plan,
            "version": v.version,
            "title": v.title,
            "from": v.effective_from.isoformat(),
            "to": v.effective_to.isoformat() if v.effective_to else None,
            "period": v.period,
            "currency": v.currency,
            "components": [c.name for c in v.components],
            "crediting": [s.name for s in v.crediting.slots] if v.crediting else [],
        }
        for versions in book.versions.values()
        for v in versions
    ]
    from sync.compute.overrides import load_overrides

    data = {
        "plans_dir": str(settings.plans_dir),
        "versions": rows,
        "assignments": len(book.assignments),
        "rates": len(rates.rows()),
        "split_overrides": len(load_overrides(Path(settings.plans_dir))),
    }
    if json_output:
        _json(data)
        return
    table = Table(
        "plan",
        "version",
        "in force",
        "period",
        "currency",
        "components",
        "slots",
        title=f"Plans in {settings.plans_dir}: valid",
    )
    for row in rows:
        table.add_row(
            row["plan"],
            str(row["version"]),
            f"{row['from']} → {row['to'] or '…'}",
            row["period"],
            row["currency"],
            ", ".join(row["components"]),
            ", ".join(row["crediting"]) or "-",
        )
    out.print(table)
    out.print(
        f"{data['assignments']} assignments, {data['rates']} exchange rates, "
        f"{data['split_overrides']} split overrides"
    )


@plan_app.command("run")
def run(
    period: str = PeriodOption,
    dry_run: bool = typer.Option(False, "--dry-run", help="Compute and show; store nothing."),
    wait: float = typer.Option(
        0.0,
        "--wait-lock",
        "--wait",
        min=0.0,
        help="If another run or close holds the period, wait up to this many seconds for "
        "it (default: fail at once, naming the holder).",
    ),
    config: Path | None = ConfigOption,
    json_output: bool = JsonOption,
    progress: bool = ProgressOption,
) -> None:
    """Credit every deal and compute every employee's pay for a period (one run of a
    period at a time)."""
    from sync.compute.periods import parse_period, run_plans

    settings = load(config)
    with step_progress(f"plan run {period}", json_output, progress) as say:
        say("crediting deals and running the plans")
        plan_run = run_plans(
            _engine(settings),
            settings.compensation,
            parse_period(period),
            now=utc_now(),
            dry_run=dry_run,
            wait=wait,
            kinds=settings.source_kinds(),
        )
    run_id = plan_run.run_id
    res = plan_run.result
    rows = [
        {
            "employee": e.employee,
            "name": e.name,
            "plan": f"{e.plan}@{e.plan_version}",
            "currency": e.currency,
            "total": str(e.total),
            "totals": {k: str(v) for k, v in e.totals.items()},
            "withheld": len(e.withheld),
        }
        for e in res.employees
    ]
    data = {
        "period": res.period,
        "run_id": run_id,
        "dry_run": dry_run,
        "input_hash": res.input_hash,
        "deals": len(plan_run.prepared.inputs.deals),
        "credits": len(plan_run.prepared.inputs.credits),
        "employees": rows,
        "unplaced": list(res.unplaced),
        "warnings": list(res.warnings),
    }
    if json_output:
        _json(data)
        return
    headers = ("employee", "name", "plan", "total", "withheld")
    # employee keys whole (a Salesforce one is 29 characters, a Dynamics one 45): when they
    # do not fit beside the other columns, one block per employee
    table = Table(*headers, title=f"Plan run {res.period}", whole=("employee",))
    for row in rows:
        table.add_row(
            row["employee"],
            row["name"],
            row["plan"],
            f"{row['total']} {row['currency']}",
            str(row["withheld"]),
        )
    out.print(table)
    stored = "not stored (dry run)" if dry_run else f"stored as run {run_id}"
    out.print(
        f"{data['deals']} deals, {data['credits']} credit lines; input hash "
        f"{res.input_hash[:16]}…; {stored}"
    )
    for warning in res.warnings:
        err.print(text(f"warning: {warning}"))


@plan_app.command("close")
def close(
    period: str = PeriodOption,
    config: Path | None = ConfigOption,
    json_output: bool = JsonOption,
) -> None:
    """Lock a period on its latest run; later changes post as adjustments."""
    from sync.compute.periods import close as close_period
    from sync.compute.periods import parse_period

    settings = load(config)
    now = utc_now()
    stored = close_period(
        _engine(settings), parse_period(period), closed_on=now.date(), by=getpass.getuser(), now=now
    )
    data = {
        "period": stored.period,
        "run_id": stored.id,
        "input_hash": stored.input_hash,
        "closed_on": now.date().isoformat(),
    }
    if json_output:
        _json(data)
        return
    out.print(
        text(
            f"period {stored.period} closed on run {stored.id} "
            f"(input hash {stored.input_hash[:16]}…)"
        )
    )


@plan_app.command("explain")
def explain(
    employee: str = EmployeeOption,
    period: str = PeriodOption,
    config: Path | None = ConfigOption,
    json_output: bool = JsonOption,
) -> None:
    """Each payable line down to the deal, slot, acts that filled it, rate and rule."""
    from sync.compute.periods import explain as explain_employee
    from sync.compute.periods import parse_period

    settings = load(config)
    with err.status("rebuilding the evidence…"):
        data = explain_employee(
            _engine(settings),
            settings.compensation,
            parse_period(period),
            employee,
            now=utc_now(),
            kinds=settings.source_kinds(),
        )
    if json_output:
        _json(data)
        return
    out.print(
        text(
            (data["name"], "bold"),
            f" ({data['employee']}) — {data['plan']}, {data['period']}: "
            f"total {data['total']} {data['currency']}",
        )
    )
    if not data["current"]:
        err.print("note: the store changed since this run; re-run to refresh")
    for line in data["lines"]:
        out.print(
            text(
                "\n",
                (f"{line['amount']} {line['currency']}", "bold"),
                f" {line['kind']} ({line['component']}): {line['rule']}",
            )
        )
        deal = line.get("deal")
        if deal:
            out.print(
                text(
                    f"  deal {deal['deal']} {deal.get('deal_name', '')}, pool {deal['pool']}, "
                    f"slot {deal['slot']}, share {deal['share']}"
                )
            )
            reason = deal.get("crediting")
            if reason:
                out.print(text(f"  slot weight {reason['weight']}: {reason['reason']}"))
            for act in deal.get("act_details", []):
                out.print(
                    text(
                        f"  act {act['act']}: {act['kind']} by {act['employee_name']} "
                        f"at {act['at'][:16]} {act['channel'] or ''} {act['detail']}"
                    )
                )
        fx = line.get("fx")
        if fx:
            out.print(
                text(
                    f"  {fx['original_amount']} {fx['original_currency']} × {fx['rate']} "
                    f"({fx['rate_date']}, {fx['source']}) = {fx['converted_amount']}"
                )
            )
    for held in data["withheld"]:
        out.print(
            text(
                "\n",
                ("withheld", "bold"),
                f" {held['deal']} {held['slot']} ({held['component']}, credit "
                f"{held['credited']}): "
                f"{held['reason']} — {held['advice']}",
            )
        )
    balance = data["draw_balance"]
    if balance["start"] != "0" or balance["end"] != "0":
        out.print(f"\ndraw balance: {balance['start']} at the start, {balance['end']} at the end")
    for note in data["notes"]:
        out.print(text(f"note: {note}"))
    if data.get("policies"):
        out.print("\n[bold]plan policies[/]")
        for name, policy in data["policies"].items():
            out.print(text(f"  {name}: {policy}"))


@plan_app.command("simulate")
def simulate(
    employee: str = EmployeeOption,
    deal: str | None = typer.Option(None, "--deal", "-d", help="Deal key or CRM id to close."),
    amount: str | None = typer.Option(None, "--amount", "-a", help="Amount of a new deal."),
    currency: str | None = typer.Option(None, "--currency", help="Currency of --amount."),
    attainment: str | None = typer.Option(None, "--attainment", help="Attainment, e.g. 120%."),
    period: str | None = typer.Option(None, "--period", "-p", help="Period (default: now)."),
    config: Path | None = ConfigOption,
    json_output: bool = JsonOption,
) -> None:
    """The what-if: what closing a deal, a deal of an amount, or an attainment would pay."""
    from compensation.plans import Period
    from sync.compute.periods import parse_period, what_if

    settings = load(config)
    now = utc_now()
    chosen = (
        parse_period(period)
        if period
        else Period.containing(
            now.date(),
            settings.compensation.period_kind,  # type: ignore[arg-type]
        )
    )
    with err.status("simulating…"):
        sim = what_if(
            _engine(settings),
            settings.compensation,
            employee,
            period=chosen,
            now=now,
            deal=deal,
            amount=_decimal(amount, "--amount"),
            currency=currency,
            attainment=_decimal(attainment, "--attainment"),
            kinds=settings.source_kinds(),
        )
    data: dict[str, Any] = {
        "employee": sim.employee,
        "period": sim.period,
        "scenario": sim.scenario,
        "currency": sim.currency,
        "before": str(sim.before),
        "after": str(sim.after),
        "delta": str(sim.delta),
        "attainment_before": {k: str(v) for k, v in sim.attainment_before.items()},
        "attainment_after": {k: str(v) for k, v in sim.attainment_after.items()},
        "changed": [{"key": c.key, "amount": str(c.amount), "rule": c.rule} for c in sim.changed],
        "withheld": [{"deal": w.deal, "reason": w.reason} for w in sim.withheld],
        "notes": list(sim.notes),
    }
    if json_output:
        _json(data)
        return
    out.print(
        text(
            f"{sim.scenario}: {sim.before} → {sim.after} {sim.currency} (",
            (f"{sim.delta:+}", "bold"),
            f") in {sim.period}",
        )
    )
    for line in data["changed"]:
        out.print(text(f"  {line['amount']} {line['key']}: {line['rule']}"))
    for held in data["withheld"]:
        out.print(text(f"  withheld {held['deal']}: {held['reason']}"))
    for note in sim.notes:
        out.print(text(f"  note: {note}"))


@plan_app.command("adjust")
def adjust(
    employee: str = EmployeeOption,
    period: str = PeriodOption,
    amount: str = typer.Option(..., "--amount", "-a", help="Amount (negative to deduct)."),
    reason: str = typer.Option(..., "--reason", "-r", help="Why: kept with who and when."),
    currency: str | None = typer.Option(None, "--currency", help="Default: compensation's."),
    config: Path | None = ConfigOption,
    json_output: bool = JsonOption,
) -> None:
    """Record an audited manual adjustment that every later run pays."""
    from sync.compute.periods import adjust as add
    from sync.compute.periods import parse_period

    settings = load(config)
    value = _decimal(amount, "--amount")
    assert value is not None
    made = add(
        _engine(settings),
        settings.compensation,
        employee,
        period=parse_period(period),
        amount=value,
        reason=reason,
        by=getpass.getuser(),
        now=utc_now(),
        currency=currency,
    )
    data = {
        "id": made.id,
        "employee": made.employee,
        "period": made.period,
        "amount": str(made.amount),
        "currency": made.currency,
        "reason": made.reason,
        "by": made.by,
        "at": made.at.isoformat(),
    }
    if json_output:
        _json(data)
        return
    out.print(
        text(
            f"adjustment {made.id}: {made.amount} {made.currency} for {made.employee} in "
            f"{made.period} by {made.by} — {made.reason}; the next `plan run` pays it"
        )
    )
