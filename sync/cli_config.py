"""``crmsync config validate|schema|example|reference`` and ``crmsync connectors list|check``."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import typer

from sync.cli_common import ConfigOption, JsonOption, load, out
from sync.cli_discover import discover, mapping_check
from sync.cli_ingest import serve_ingest
from sync.errors import OperationFailed
from sync.terminal_text import Table, text

if TYPE_CHECKING:
    from sync.config.models import SourceConfig

# The configuration models, the connectors and their registry are imported by the commands
# that use them: every CLI call imports this module (start-up time).

__all__ = ["config_app", "connectors_app"]

config_app = typer.Typer(
    help="Check the configuration, or print its JSON Schema.", no_args_is_help=True
)
connectors_app = typer.Typer(
    help="Installed connectors, and a live check of each source.", no_args_is_help=True
)


@config_app.command("validate")
def validate(config: Path | None = ConfigOption, json_output: bool = JsonOption) -> None:
    """Validate the configuration; every problem is reported with file, line and key."""
    cfg = load(config)
    summary = {
        "ok": True,
        "store": cfg.store.url.split("@")[-1],
        "sources": [{"name": s.name, "kind": s.kind, "enabled": s.enabled} for s in cfg.sources],
    }
    if json_output:
        typer.echo(orjson.dumps(summary).decode())
    else:
        out.print(
            text(
                f"configuration is valid: {len(cfg.sources)} source(s): "
                + ", ".join(f"{s.name} ({s.kind})" for s in cfg.sources)
            )
        )


@config_app.command("schema")
def schema() -> None:
    """Print the configuration's JSON Schema (for editors), with every connector's keys."""
    typer.echo(orjson.dumps(config_json_schema(), option=orjson.OPT_INDENT_2).decode())


@config_app.command("example")
def example() -> None:
    """Print the example configuration: every key, commented (it ships with crmsync)."""
    from crmsync_data import example_config

    typer.echo(example_config().read_text(), nl=False)


@config_app.command("reference")
def reference() -> None:
    """Print the configuration reference as Markdown (docs/configuration.md)."""
    from sync.config.reference import render_reference

    typer.echo(render_reference(config_json_schema()), nl=False)


def config_json_schema() -> dict[str, Any]:
    """The whole file's schema: each source is one of the installed connectors' shapes.

    Connector definitions are merged into the root ``$defs`` under ``<kind>.<Name>``, so
    every ``$ref`` resolves against the document root as JSON Schema requires.
    """
    from connectors.core.registry import available_connectors
    from sync.config.models import CrmsyncConfig, SourceConfig

    root = CrmsyncConfig.model_json_schema()
    defs = root.setdefault("$defs", {})
    common = SourceConfig.model_json_schema()
    common["properties"].pop("settings", None)
    variants = []
    for kind, entry in sorted(available_connectors().items()):
        try:
            settings = entry.load().settings_model.model_json_schema()
        except (ImportError, AttributeError):
            continue
        text = orjson.dumps(settings).decode().replace('"#/$defs/', f'"#/$defs/{kind}.')
        settings = orjson.loads(text)
        for name, definition in settings.pop("$defs", {}).items():
            defs[f"{kind}.{name}"] = definition
        properties = {**common["properties"], **settings.get("properties", {})}
        properties["kind"] = {"const": kind}
        variants.append(
            {
                "title": f"{kind} source",
                "type": "object",
                "properties": properties,
                "required": sorted({"name", "kind", *settings.get("required", [])}),
                "additionalProperties": False,
            }
        )
    if variants:
        root["properties"]["sources"] = {"type": "array", "items": {"oneOf": variants}}
    return root


@connectors_app.command("list")
def list_connectors(json_output: bool = JsonOption) -> None:
    """Connector kinds installed (built-in and plugins), from the entry-point group."""
    from connectors.core.registry import available_connectors

    rows = [
        {"kind": name, "target": ep.value, "package": ep.dist.name if ep.dist else None}
        for name, ep in sorted(available_connectors().items())
    ]
    if json_output:
        typer.echo(orjson.dumps(rows).decode())
        return
    table = Table("kind", "class", "package", title="Installed connectors")
    for row in rows:
        table.add_row(row["kind"], row["target"], row["package"] or "-")
    out.print(table)


# Every source's check runs at once with one attempt and short timeouts; whatever has not
# answered by then is reported as silent, so the command answers within ten seconds.
CHECK_DEADLINE_S = 7.0


connectors_app.command("discover")(discover)
connectors_app.command("serve")(serve_ingest)


@connectors_app.command("check")
def check(config: Path | None = ConfigOption, json_output: bool = JsonOption) -> None:
    """Check credentials and reachability of every configured source (one line each).

    Sources are checked at once, each with one attempt and short timeouts; a source that
    has not answered within CHECK_DEADLINE_S is reported as not answering.
    """
    cfg = load(config)
    results = check_sources(cfg.sources, CHECK_DEADLINE_S, config)
    if json_output:
        typer.echo(orjson.dumps(results).decode())
    else:
        width = max((len(r["source"]) for r in results), default=0)
        for r in results:
            mark = "ok  " if r["ok"] else "FAIL"
            typer.echo(f"{r['source']:<{width}}  {mark}  {_one_line(r['message'])}")
            for problem in r.get("mappings", ()):
                typer.echo(f"  {problem}")
    if not all(r["ok"] for r in results):
        raise OperationFailed("some sources failed their check")


def check_sources(
    sources: list[SourceConfig], deadline_s: float, config: Path | None = None
) -> list[dict[str, Any]]:
    """Each source's check result, in configuration order, within ``deadline_s`` seconds;
    a reachable source's custom-object mappings are checked against discovery
    (``mappings``: one ``FILE:LINE`` line per problem)."""
    from connectors.core.errors import ConnectorError
    from sync.sources import build_connector

    results: dict[str, dict[str, Any]] = {}

    def run(source: SourceConfig) -> None:
        try:
            connector = build_connector(source)
            try:
                result = connector.check()
                outcome = {"ok": result.ok, "message": result.message}
                problems = mapping_check(connector, source, config) if result.ok else []
                if problems:
                    outcome = {
                        "ok": False,
                        "message": f"{result.message}; {len(problems)} custom-object "
                        "mapping problem(s)",
                        "mappings": problems,
                    }
            finally:
                connector.close()
        except ConnectorError as exc:
            outcome = {"ok": False, "message": exc.user_message}
        except Exception as exc:  # a bug in one connector must not hide the other lines
            outcome = {"ok": False, "message": f"internal error: {exc!r}"}
        results[source.name] = {"source": source.name, **outcome}

    # Daemon threads: a check stuck past the deadline (a DNS lookup that hangs) must not
    # keep the command from answering and exiting.
    threads = [threading.Thread(target=run, args=(s,), daemon=True) for s in sources]
    for thread in threads:
        thread.start()
    end = time.monotonic() + deadline_s
    for thread in threads:
        thread.join(max(0.0, end - time.monotonic()))
    silent = {"ok": False, "message": f"no answer within {deadline_s:.0f} s"}
    return [results.get(s.name) or {"source": s.name, **silent} for s in sources]


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
