"""The ``crmsync`` command line.

Errors become one line on stderr and an exit code here, and only here: 2 for usage or
configuration errors, 1 for failures. ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import sys
from typing import Any

import typer

from sync.cli_audit import audit_app, report_app
from sync.cli_common import freeze_startup, pause_collector
from sync.cli_config import config_app, connectors_app
from sync.cli_daemon import daemon
from sync.cli_demo import demo
from sync.cli_init import init
from sync.cli_plan import plan_app
from sync.cli_push import push
from sync.cli_reconcile import journey, reconcile_app
from sync.cli_reconcile_model import model as _model  # noqa: F401 - registers the commands
from sync.cli_run import run
from sync.cli_sandbox import sandbox_app
from sync.cli_serve import serve
from sync.cli_statements import statements_app
from sync.cli_sync import status, sync
from sync.cli_worker import worker_app
from sync.errors import CrmsyncError
from sync.extras import missing_extra
from sync.terminal_text import plain

__all__ = ["app", "main"]

_SETTINGS: dict[str, Any] = {
    "name": "crmsync",
    "help": "Keep a company's CRMs and its variable pay honest with each other.",
    "no_args_is_help": True,
    "pretty_exceptions_enable": False,
    "add_completion": False,
    # Help and usage errors in the command-line library's plain format: the boxed one loads
    # a Markdown parser, a syntax highlighter and a traceback renderer on every `--help`
    # (about 0.1 s of CPU on the 2-core machine), and plain text reads the same on a
    # terminal, in a pipe and in a log.
    "rich_markup_mode": None,
}
app = typer.Typer(**_SETTINGS)
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(config_app, name="config")
app.add_typer(audit_app, name="audit")
app.add_typer(report_app, name="report")
app.add_typer(connectors_app, name="connectors")
app.add_typer(worker_app, name="worker")
app.add_typer(statements_app, name="statements")
app.add_typer(plan_app, name="plan")
app.command("demo")(demo)
app.command("init")(init)
app.command("run")(run)
app.command("sync")(sync)
app.command("status")(status)
app.command("daemon")(daemon)
app.command("push")(push)
app.command("serve")(serve)
app.add_typer(reconcile_app, name="reconcile")
app.command("journey")(journey)

_state = {"debug": False}
# The command-line library's error class (typer's own copy of click since typer 0.29,
# click's before): found through the public ``BadParameter``, not a private module.
_LIBRARY_ERROR: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"crmsync {version('crmsync')}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks and debug logs."),
    show_version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
) -> None:
    import logging  # here, not at the top: `crmsync --help` does without it

    _state["debug"] = debug
    freeze_startup()  # the modules and the command tree: see sync.cli_common
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def main() -> None:
    """Console-script entry point.

    Errors become one line and their exit code here: crmsync's own, and the command-line
    library's usage errors (an unknown option, a bad value: exit code 2), which it would
    print as usage, a hint and the error on four lines.
    """
    pause_collector()  # until the command runs (see sync.cli_common)
    try:
        try:
            code = _app_for(sys.argv[1:])(prog_name="crmsync", standalone_mode=False)
        except ModuleNotFoundError as exc:
            extra = missing_extra(exc)
            if extra is None:
                raise
            raise extra from exc
    except _LIBRARY_ERROR as exc:  # the library's usage errors
        if type(exc).__name__ == "NoArgsIsHelpError":  # a command group alone: its help
            exc.show()  # type: ignore[attr-defined]
        else:
            typer.echo(f"error: {plain(_usage_message(exc))}", err=True)
        sys.exit(exc.exit_code)  # type: ignore[attr-defined]
    except typer.Abort:  # Ctrl-D at a prompt
        typer.echo("error: aborted", err=True)
        sys.exit(1)
    except CrmsyncError as exc:
        if _json_logs():
            _log_error(exc.user_message, exc)
            sys.exit(exc.exit_code)
        if _state["debug"]:
            raise
        typer.echo(f"error: {plain(exc.user_message)}", err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:
        if _json_logs():
            _log_error(f"{exc} (run with --debug for the traceback)", exc)
            sys.exit(1)
        if _state["debug"]:
            raise
        typer.echo(f"error: {plain(exc)} (run with --debug for the traceback)", err=True)
        sys.exit(1)
    # an explicit exit's code (``--help``, ``--version``, ``typer.Exit``); a command's own
    # return value is no exit code
    sys.exit(code if type(code) is int else 0)


def _app_for(args: list[str]) -> typer.Typer:
    """The app, or for a run of one top-level command (``crmsync sync ...``) an app of the
    root options and that command alone: typer builds its command tree on every run,
    reading each command's signature and type hints, about 40 ms of CPU for the ~50
    commands, where one command needs one. What the command parses, prints for ``--help``
    and reports as a usage error is the same either way."""
    name = args[0] if args else None
    command = next((c for c in app.registered_commands if c.name == name), None)
    if command is None:  # no argument, an option first (``--debug``), or a command group
        return app
    one = typer.Typer(**_SETTINGS)
    one.registered_callback = app.registered_callback
    one.registered_commands = [command]
    return one


def _usage_message(exc: Exception) -> str:
    """A usage error as one sentence, with where to read the command's options."""
    message = str(getattr(exc, "format_message", exc.__str__)()).rstrip(".")
    context = getattr(exc, "ctx", None)
    if context is None:
        return message
    return f"{message}; see '{context.command_path} --help'"


def _json_logs() -> bool:
    """True if the command chose JSON log lines (the logging module is loaded only then:
    importing it here would cost every command its start-up time)."""
    logs = sys.modules.get("sync.daemon.logs")
    return logs is not None and bool(logs.json_logs_enabled())


def _log_error(message: str, exc: BaseException) -> None:
    """Under ``--json-logs`` the final error is one more JSON line (traceback with --debug)."""
    import logging

    trace = exc if _state["debug"] else None
    logging.getLogger("crmsync").error("error: %s", message, exc_info=trace)
