"""The ``crmsync`` command line.

Errors become one line on stderr and an exit code here, and only here: 2 for usage or
configuration errors, 1 for failures. ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import logging
import sys
from importlib.metadata import version

import typer

from sync.cli_config import config_app, connectors_app
from sync.cli_demo import demo
from sync.cli_sandbox import sandbox_app
from sync.cli_sync import status, sync
from sync.errors import CrmsyncError

__all__ = ["app", "main"]

app = typer.Typer(
    name="crmsync",
    help="Keep a company's CRMs and its variable pay honest with each other.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(config_app, name="config")
app.add_typer(connectors_app, name="connectors")
app.command("demo")(demo)
app.command("sync")(sync)
app.command("status")(status)

_state = {"debug": False}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"crmsync {version('crmsync')}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks and debug logs."),
    show_version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    _state["debug"] = debug
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def main() -> None:
    """Console-script entry point."""
    try:
        app(standalone_mode=False)
    except CrmsyncError as exc:
        if _state["debug"]:
            raise
        typer.echo(f"error: {exc.user_message}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # click's own usage errors carry their exit code
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if _state["debug"]:
            raise
        typer.echo(f"error: {exc} (run with --debug for the traceback)", err=True)
        sys.exit(1)
