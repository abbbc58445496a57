"""``crmsync connectors discover``: the objects a source's credentials can read."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import typer

from sync.cli_common import ConfigOption, JsonOption, config_path, load, out
from sync.errors import OperationFailed, UsageError
from sync.terminal_text import Table

if TYPE_CHECKING:
    from connectors.core.discovery import ObjectInfo
    from sync.config.models import SourceConfig

__all__ = ["discover", "mapping_check"]


def discover(
    source: str = typer.Option(..., "--source", "-s", help="The source to look into."),
    object_name: str | None = typer.Option(
        None, "--object", help="List this object's fields (default: every object, no fields)."
    ),
    config: Path | None = ConfigOption,
    json_output: bool = JsonOption,
) -> None:
    """Every object the source's credentials can read, with fields, types and whether it
    can be read incrementally (its modified-time field); map custom ones in the YAML."""
    from connectors.core.discovery import Discovers
    from connectors.core.errors import ConnectorError
    from sync.sources import build_connector

    cfg = load(config)
    try:
        chosen = cfg.source(source)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from exc
    connector = build_connector(chosen)
    try:
        if not isinstance(connector, Discovers):
            raise UsageError(f"connector kind {chosen.kind!r} cannot list its objects")
        objects = connector.discover()
    except ConnectorError as exc:
        raise OperationFailed(f"{source}: {exc.user_message}") from exc
    finally:
        connector.close()
    if object_name is not None:
        objects = [o for o in objects if object_name in (o.name, *o.aliases)]
        if not objects:
            raise UsageError(f"{source} has no object {object_name!r}")
    if json_output:
        typer.echo(orjson.dumps({"source": source, "objects": [o.to_json() for o in objects]}))
        return
    if object_name is not None:
        _print_fields(objects[0])
        return
    table = Table("object", "label", "custom", "incremental on", "fields", title=source)
    for o in objects:
        table.add_row(
            o.name, o.label, "yes" if o.custom else "", o.cursor_field or "-", str(len(o.fields))
        )
    out.print(table)


def _print_fields(info: ObjectInfo) -> None:
    title = f"{info.name}: incremental on {info.cursor_field or '- (full reads only)'}"
    table = Table("field", "type", "label", "custom", "references", title=title)
    for f in info.fields:
        table.add_row(f.name, f.type, f.label, "yes" if f.custom else "", ", ".join(f.references))
    out.print(table)


def mapping_check(connector: Any, source: SourceConfig, config: Path | None) -> list[str]:
    """The source's custom-object mappings checked against its discovered objects."""
    from connectors.core.discovery import Discovers
    from sync.config.discovered import check_mappings

    if not source.custom_objects or not isinstance(connector, Discovers):
        return []
    objects = connector.discover(only=[m.object for m in source.custom_objects])
    return check_mappings(config_path(config), source.name, source.custom_objects, objects)
