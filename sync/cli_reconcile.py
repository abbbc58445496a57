"""``crmsync reconcile run|link|unlink|explain|review|duplicates`` and ``crmsync journey``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import typer

from sync.cli_common import ConfigOption, JsonOption, load, out, utc_now
from sync.cli_progress import ProgressOption, step_progress
from sync.errors import UsageError
from sync.terminal_text import Table, text

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from sync.config import CrmsyncConfig

__all__ = ["journey", "reconcile_app"]

reconcile_app = typer.Typer(
    help="One identity per real customer and employee across CRMs: run, explain, correct.",
    no_args_is_help=True,
)


def _print_json(data: Any) -> None:
    typer.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2, default=str).decode())


def _store(config: Path | None) -> tuple[CrmsyncConfig, Engine]:
    from sync.store import open_store

    cfg = load(config)
    return cfg, open_store(cfg.store.url)


def _record(engine: Engine, ref: str) -> str:
    from sync.reconcile.reports import UnknownRecord, resolve_record

    with engine.connect() as connection:
        try:
            return resolve_record(connection, ref)
        except UnknownRecord as exc:
            raise UsageError(str(exc)) from exc


@reconcile_app.command("run")
def run(
    config: Path | None = ConfigOption,
    full: bool = typer.Option(False, "--full", help="Recompute every identity from scratch."),
    incremental: bool = typer.Option(
        False,
        "--incremental",
        help="Only records synced since the last run (the default once a full run exists).",
    ),
    json_output: bool = JsonOption,
    progress: bool = ProgressOption,
) -> None:
    """Resolve identities for employees, organisations and people, and their golden records;
    then link digital events' anonymous ids to people (identity stitching)."""
    from sync.reconcile.reconciling import reconcile
    from sync.reconcile.stitching import stitch

    if full and incremental:
        raise UsageError("choose one of --full and --incremental")
    cfg, engine = _store(config)
    mode = "full" if full else "incremental" if incremental else "auto"
    with step_progress("reconciling", json_output, progress) as say:
        report = reconcile(engine, cfg.reconcile, utc_now(), mode, progress=say)
        say("stitching digital events")
        stitched = stitch(engine, utc_now(), report.run_id, full=mode == "full")
    if json_output:
        _print_json({**report.to_json(), "stitching": stitched.to_json()})
        return
    table = Table(title=f"reconcile run {report.run_id} ({report.mode}, {report.seconds:.1f} s)")
    for column in ("kind", "records", "candidate pairs", "matches", "review", "identities"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    for kind, stats in report.kinds.items():
        table.add_row(
            kind,
            str(stats.get("records", 0)),
            str(stats.get("candidate_pairs", 0)),
            str(stats.get("matches", 0)),
            str(stats.get("review", 0)),
            str(stats.get("identities", 0)),
        )
    out.print(table)
    for kind, stats in report.kinds.items():
        known = int(stats.get("known_pairs", 0))
        if known:
            blocked, matched = int(stats["known_pairs_blocked"]), int(stats["known_pairs_matched"])
            out.print(
                f"{kind}: of {known} pairs known to be one (conversions, merges, admin links), "
                f"blocking compared {blocked} ({blocked / known:.1%}) and scoring matched "
                f"{matched} ({matched / known:.1%})"
            )
    for kind, stats in report.kinds.items():
        if stats.get("learned"):  # it tried to train and learned nothing
            out.print(f"{kind}: trained on {stats.get('records', 0)} records: {stats['learned']}")
    if stitched.events:
        out.print(
            f"digital events stitched ({stitched.mode}): {stitched.events}; of "
            f"{stitched.anonymous_ids} anonymous ids {stitched.linked} linked to one person, "
            f"{stitched.shared} shared by several (never joined)"
        )
    capped = sum(int(stats.get("capped_keys", 0)) for stats in report.kinds.values())
    if capped:
        limit = cfg.reconcile.max_key_records
        out.print(
            f"{capped} blocking keys were shared by more than {limit} records and paired no "
            "one (reconcile.max_key_records)"
        )


def _decide(
    action: str, config: Path | None, a: str, b: str, note: str | None, as_json: bool
) -> None:
    from sync.reconcile.decide import DecisionRefused, decide

    cfg, engine = _store(config)
    a_key, b_key = _record(engine, a), _record(engine, b)
    try:
        result = decide(engine, cfg.reconcile, action, a_key, b_key, note, utc_now())
    except DecisionRefused as exc:
        raise UsageError(str(exc)) from exc
    if as_json:
        _print_json(result)
    else:
        out.print(
            text(
                f"{action}ed {a_key} ({result['a_identity']}) and {b_key} "
                f"({result['b_identity']}); the decision is kept for every later run"
            )
        )


@reconcile_app.command("link")
def link(
    a: str = typer.Argument(..., help="Record (source:table:id, remote id) or identity id."),
    b: str = typer.Argument(..., help="The other record."),
    note: str | None = typer.Option(None, "--note", help="Why (kept with the decision)."),
    config: Path | None = ConfigOption,
    json_output: bool = JsonOption,
) -> None:
    """Declare two records the same identity; survives every re-run."""
    _decide("link", config, a, b, note, json_output)


@reconcile_app.command("unlink")
def unlink(
    a: str = typer.Argument(..., help="Record (source:table:id, remote id) or identity id."),
    b: str = typer.Argument(..., help="The other record."),
    note: str | None = typer.Option(None, "--note", help="Why (kept with the decision)."),
    config: Path | None = ConfigOption,
    json_output: bool = JsonOption,
) -> None:
    """Keep two records apart (unmerge); their identities are recomputed."""
    _decide("unlink", config, a, b, note, json_output)


@reconcile_app.command("explain")
def explain(
    record: str = typer.Argument(..., help="Record (source:table:id, remote id) or identity id."),
    config: Path | None = ConfigOption,
    html: Path | None = typer.Option(
        None, "--html", help="Also write a page with each pair's waterfall of weights here."
    ),
    json_output: bool = JsonOption,
) -> None:
    """Why a record is in its identity: each compared field, its level, weight and the score;
    for a digital event's anonymous id, which people it is linked to and by what evidence."""
    from sync.reconcile.reports import UnknownRecord, explain_record
    from sync.reconcile.stitching import explain_anonymous

    cfg, engine = _store(config)
    with engine.connect() as connection:
        device = explain_anonymous(connection, record)
    if device is not None:
        _explain_device(device, json_output)
        return
    key = _record(engine, record)
    with engine.connect() as connection:
        try:
            data = explain_record(connection, key)
        except UnknownRecord as exc:
            raise UsageError(str(exc)) from exc
        if html is not None:
            _write_page(connection, cfg, data, html)
    if json_output:
        _print_json(data)
        return
    out.print(
        text((key, "bold"), f" -> identity {data['identity']} (joined by {data['joined_by']})")
    )
    out.print(text("members: " + ", ".join(data["members"])))
    for pair in data["pairs"]:
        mark = "linked" if pair["linked"] else "not linked"
        odds = (
            f", probability {pair['probability']:.4f} under model {pair['model']}"
            if "model" in pair
            else ""
        )
        # On a line of its own: as the table's title it wrapped to the table's width
        out.print(
            text(f"vs {pair['other']}: score {pair['score']} ({pair['status']}, {mark}{odds})")
        )
        table = Table()
        for column in ("field", "level", "weight", "this", "other"):
            table.add_column(column, justify="right" if column == "weight" else "left")
        for c in pair["comparisons"]:
            table.add_row(c["field"], c["level"], f"{c['weight']:+.1f}", c["this"], c["other"])
        out.print(table)
    if not data["pairs"]:
        out.print("no stored comparison: the record matched nothing above the review band")


def _explain_device(data: dict[str, Any], json_output: bool) -> None:
    if json_output:
        _print_json(data)
        return
    shared = " (shared: never joins these people)" if data["status"] == "shared" else ""
    out.print(text((data["anonymous_id"], "bold"), f" -> {len(data['links'])} person(s){shared}"))
    table = Table(title="identity stitching evidence")
    for column in ("identity", "evidence", "event", "matched record", "first", "events"):
        table.add_column(column)
    for link in data["links"]:
        first = link["first_at"] or "-"
        table.add_row(
            link["identity"],
            link["evidence"],
            link["event"],
            link["record"],
            first,
            str(link["events"]),
        )
    out.print(table)
    for link in data["links"][:1]:
        out.print(f"{link['evidence']}: {link['why']}")


def _write_page(connection: Any, cfg: CrmsyncConfig, data: dict[str, Any], path: Path) -> None:
    from sync.reconcile.model_store import latest_model
    from sync.reconcile.resolve import thresholds_for
    from sync.reconcile.waterfall import render_page

    kind = data.get("kind") or "person"
    model = latest_model(connection, kind)
    thresholds: dict[str, float | None] = {}
    for pair in data["pairs"]:
        if "model" not in pair:  # scored with the hand-set weights
            thresholds[pair["other"]] = thresholds_for(kind, cfg.reconcile).match
        elif model is not None and pair["model"] == model.version:
            thresholds[pair["other"]] = thresholds_for(kind, cfg.reconcile, model).match
        else:
            thresholds[pair["other"]] = None  # an older model's threshold is not kept
    path.write_text(render_page(data, thresholds), encoding="utf-8")


@reconcile_app.command("review")
def review(
    kind: str | None = typer.Option(None, "--kind", help="person, organisation or employee."),
    limit: int = typer.Option(50, "--limit", help="At most this many pairs."),
    config: Path | None = ConfigOption,
    json_output: bool = JsonOption,
) -> None:
    """Pairs in the review band (close to the threshold): decide with link or unlink."""
    from sync.reconcile.reports import review_pairs

    if kind not in (None, "person", "organisation", "employee"):
        raise UsageError("--kind must be person, organisation or employee")
    _, engine = _store(config)
    from sync.store.names import display_names
    from sync.store.record_key import RecordKey

    with engine.connect() as connection:
        pairs = review_pairs(connection, kind, limit)
        keys = {p[side]: RecordKey.parse(p[side]) for p in pairs for side in ("a", "b")}
        names = display_names(connection, keys.values())
    if json_output:
        _print_json(pairs)
        return
    table = Table(title=f"{len(pairs)} pairs to review")
    for column in ("score", "kind", "a", "b", "agreeing fields"):
        table.add_column(column)

    def shown(key: str) -> str:
        name = names.get(keys[key])
        return f"{name}\n{key}" if name else key

    for pair in pairs:
        agree = ", ".join(
            f"{c['field'].replace('_', ' ')} {c['level']}"
            for c in pair["comparisons"]
            if c["weight"] > 0
        )
        table.add_row(
            f"{pair['score']:.1f}", pair["kind"], shown(pair["a"]), shown(pair["b"]), agree
        )
    out.print(table)


@reconcile_app.command("duplicates")
def duplicates(
    scope: str = typer.Option("all", "--scope", help="within (one CRM), across, or all."),
    config: Path | None = ConfigOption,
    json_output: bool = JsonOption,
) -> None:
    """Duplicates within each CRM (and who created the later record) and across CRMs."""
    from sync.reconcile.reports import duplicates as find
    from sync.store.view.identity_map import load_identity_map

    if scope not in ("within", "across", "all"):
        raise UsageError("--scope must be within, across or all")
    cfg, engine = _store(config)
    found = [
        d
        for d in find(engine, load_identity_map(engine), source_kinds=cfg.source_kinds())
        if scope in ("all", d.scope)
    ]
    if json_output:
        _print_json([d.to_json() for d in found])
        return
    within = [d for d in found if d.scope == "within"]
    table = Table(title=f"{len(within)} duplicates within a CRM")
    for column in ("kind", "identity", "crm", "records", "later record created by"):
        table.add_column(column)
    for d in within:
        who = d.created_by_name or d.created_by or "?"
        table.add_row(d.kind, d.identity_id, d.source, "\n".join(d.records), who)
    if scope != "across":
        out.print(table)
    if scope != "within":
        counts: dict[tuple[str, str], int] = {}
        for d in found:
            if d.scope == "across":
                counts[(d.kind, d.source)] = counts.get((d.kind, d.source), 0) + 1
        across = Table(title="identities present in several CRMs")
        for column in ("kind", "crms", "identities"):
            across.add_column(column)
        for (kind, sources), count in sorted(counts.items()):
            across.add_row(kind, sources, str(count))
        out.print(across)


def journey(
    identity: str = typer.Argument(..., help="Identity id (P-..., O-...) or one of its records."),
    config: Path | None = ConfigOption,
    json_output: bool = JsonOption,
) -> None:
    """One timeline of every touch on a customer across CRMs and channels, with employees."""
    from sync.reconcile.journey import journey as timeline
    from sync.store.record_key import RecordKey
    from sync.store.view.identity_map import load_identity_map

    _, engine = _store(config)
    identities = load_identity_map(engine)
    ident = identity if identities.members(identity) else None
    if ident is None:
        ident = identities.identity_of(*RecordKey.parse(_record(engine, identity)))
    if ident is None or ident.startswith("E-"):
        raise UsageError(f"{identity!r} is no person or organisation identity")
    touches = timeline(engine, identities, ident)
    if json_output:
        _print_json({"identity": ident, "touches": [t.to_json() for t in touches]})
        return
    table = Table(title=f"journey of {ident}: {len(touches)} touches")
    for column in ("when", "crm", "touch", "channel", "what", "employee"):
        table.add_column(column)
    for t in touches:
        when = t.at.strftime("%Y-%m-%d %H:%M") if t.at else "-"
        table.add_row(when, t.source, t.kind, t.channel or "-", t.summary, t.employee or "-")
    out.print(table)
