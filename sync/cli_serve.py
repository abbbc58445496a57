"""``crmsync serve``: the managers' dashboard and the employees' portal in the browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from sync.cli_common import ConfigOption, load, out, utc_now

__all__ = ["serve", "start_web_thread"]

HostOption = typer.Option("127.0.0.1", "--host", help="Address to listen on.")
PortOption = typer.Option(8080, "--port", help="Port to listen on.")


def _app(config: Path | None) -> Any:
    from sync.store import open_store
    from sync.web.app import create_app

    cfg = load(config, connectors=False)
    return create_app(cfg, open_store(cfg.store.url), now=utc_now)


def serve(
    config: Path | None = ConfigOption,
    host: str = HostOption,
    port: int = PortOption,
) -> None:
    """Serve the dashboard and portal: sign-in by e-mailed link, My pay, Channels, Pipeline &
    KPIs, Usage, Customer journey and Identity review (config key web; needs the web extra).

    The signing key comes from $CRMSYNC_WEB_SECRET (web.secret_env). Put it behind an
    https proxy and set web.base_url to the address people open.
    """
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ModuleNotFoundError as exc:
        from sync.extras import missing_extra

        raise (missing_extra(exc) or exc) from exc
    from sync.web.app import serve as run

    app = _app(config)
    out.print(f"crmsync serve on http://{host}:{port} (Ctrl-C stops)")
    run(app, host, port)


def start_web_thread(config: Path | None, host: str, port: int) -> object:
    """Run the web application in a daemon thread beside ``crmsync daemon``; the server."""
    import threading

    import uvicorn

    server = uvicorn.Server(
        uvicorn.Config(_app(config), host=host, port=port, access_log=False, log_level="warning")
    )
    # Off the main thread uvicorn leaves the signals to the daemon, which owns them.
    threading.Thread(target=server.run, name="crmsync-web", daemon=True).start()
    return server
