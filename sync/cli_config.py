"""``crmsync config validate|schema`` and ``crmsync connectors list|check``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import typer

from connectors.core.errors import ConnectorError
from connectors.core.registry import available_connectors
from sync.cli_common import ConfigOption, JsonOption, load, out
from sync.cli_text import Table, text
from sync.config.models import CrmsyncConfig, SourceConfig
from sync.errors import OperationFailed
from sync.sources import build_connector

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


@connectors_app.command("check")
def check(config: Path | None = ConfigOption, json_output: bool = JsonOption) -> None:
    """Check credentials and reachability of every configured source."""
    cfg = load(config)
    results = []
    for source in cfg.sources:
        try:
            connector = build_connector(source)
            try:
                result = connector.check()
                results.append({"source": source.name, "ok": result.ok, "message": result.message})
            finally:
                connector.close()
        except ConnectorError as exc:
            results.append({"source": source.name, "ok": False, "message": exc.user_message})
    if json_output:
        typer.echo(orjson.dumps(results).decode())
    else:
        table = Table("source", "ok", "message", title="Connector check")
        for r in results:
            table.add_row(r["source"], "yes" if r["ok"] else "NO", r["message"])
        out.print(table)
    if not all(r["ok"] for r in results):
        raise OperationFailed("some sources failed their check")
