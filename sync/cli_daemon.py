"""``crmsync daemon``: run every source on its schedule until SIGTERM."""

from __future__ import annotations

import faulthandler
import os
from pathlib import Path
from typing import Any

import typer

from sync.cli_common import ConfigOption, config_path, load

__all__ = ["daemon"]

EXIT_WATCHDOG_S = 15.0  # after a clean stop, how long the interpreter may take to exit


def _ingest_server(cfg: Any, host: str, port: int | None) -> Any:
    """The started ingestion server of the enabled sources that have an endpoint."""
    if port is None:
        return None
    import logging

    from connectors.core.registry import load_connector
    from sync.daemon.ingest import IngestServer, ingesting
    from sync.errors import UsageError
    from sync.sources import build_connector

    takers = [s for s in cfg.sources if s.enabled and hasattr(load_connector(s.kind), "accepts")]
    connectors = ingesting([build_connector(s) for s in takers])
    if not connectors:
        raise UsageError("--ingest-port: no enabled source has an ingestion endpoint")
    server = IngestServer(connectors, host, port)
    server.start()
    logging.getLogger(__name__).info("ingestion endpoint on http://%s:%d/v1/batch", host, port)
    return server


def daemon(
    config: Path | None = ConfigOption,
    health_port: int | None = typer.Option(
        None, "--health-port", help="Serve /healthz and Prometheus /metrics on 127.0.0.1:PORT."
    ),
    json_logs: bool = typer.Option(False, "--json-logs", help="Log one JSON object per line."),
    serve: bool = typer.Option(
        False, "--serve", help="Also serve the dashboard and portal (as crmsync serve)."
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="With --serve: address to listen on."),
    port: int = typer.Option(8080, "--port", help="With --serve: port to listen on."),
    ingest_port: int | None = typer.Option(
        None,
        "--ingest-port",
        help="Serve the ingestion endpoints of the sources that take pushed data (events: "
        "POST /v1/batch, routed by write key) on this port.",
    ),
    ingest_host: str = typer.Option("127.0.0.1", "--ingest-host", help="Address for it."),
) -> None:
    """Keep the store in step: sync each source on its schedule (config key schedule).

    SIGTERM or SIGINT stops after the current page is committed; a second one exits at once.
    SIGHUP reloads the configuration file, applying it only if it is valid.
    """
    import logging  # here: the other commands (and `crmsync --help`) do without it

    from sync.daemon.logs import configure_logging

    # Before importing the store: Alembic logs while it is imported.
    configure_logging(json_logs, debug=logging.getLogger().level == logging.DEBUG)
    from sync.daemon.alert_mail import smtp_alert_sender
    from sync.daemon.app import Daemon, config_file_loader
    from sync.store import open_store

    cfg = load(config)
    if serve:
        from sync.cli_serve import start_web_thread

        start_web_thread(config, host, port)
    engine = open_store(cfg.store.url)
    try:
        daemon = Daemon(
            cfg,
            engine,
            health_port=health_port,
            reload_config=config_file_loader(config_path(config)),
            send_alert=smtp_alert_sender(cfg.email) if cfg.alerts.email_to else None,
        )
        server = _ingest_server(cfg, ingest_host, ingest_port)
        try:
            code = daemon.run()
        finally:
            if server is not None:
                server.stop()
    finally:
        engine.dispose()
    if code != 0:
        logging.shutdown()
        # A job thread still inside a page would keep the interpreter alive at exit;
        # leaving now is safe because every page commits with its cursor.
        os._exit(code)
    # A clean stop: the interpreter now waits for its threads; one that does not end
    # (it never should) is shown with the others' stacks and the process ends anyway.
    faulthandler.dump_traceback_later(EXIT_WATCHDOG_S, exit=True)
