"""``crmsync connectors serve``: a source's ingestion endpoint, for connectors that take
data pushed to them (the events connector's ``POST /v1/batch``)."""

from __future__ import annotations

from pathlib import Path

import typer

from sync.cli_common import ConfigOption, err, load
from sync.errors import UsageError

__all__ = ["serve_ingest"]


def serve_ingest(
    source: str = typer.Option(..., "--source", "-s", help="The source whose endpoint to serve."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8088, help="Port to listen on."),
    config: Path | None = ConfigOption,
) -> None:
    """Serve the source's ingestion endpoint until interrupted; what it accepts is read by
    the source's next sync (the daemon's schedule, or `crmsync sync --source S`)."""
    from sync.sources import build_connector

    cfg = load(config)
    try:
        chosen = cfg.source(source)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from exc
    connector = build_connector(chosen)
    make_app = getattr(connector, "ingest_app", None)
    if make_app is None:
        raise UsageError(f"source {source!r} ({chosen.kind}) has no ingestion endpoint")
    import uvicorn  # the web extra: a missing one is reported as such by the command line

    app = make_app()
    err.print(f"serving {source}'s POST /v1/batch on http://{host}:{port} (Ctrl-C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
