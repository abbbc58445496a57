"""``crmsync`` commands in processes of their own, without paying the libraries' imports.

``run`` takes what ``subprocess.run`` takes. A ``python -m sync ...`` command runs in a
process forked from a server (multiprocessing's ``forkserver``, one per test worker) that
has imported crmsync's libraries once: SQLAlchemy, pydantic, typer, rich, requests and the
CRM clients cost about 0.5 s of CPU per command, and the suite runs hundreds of commands.
The child then does what ``python -m sync`` does: its own environment, working directory
and standard streams (files, not a terminal), crmsync's modules imported afresh, ``sync``
run as ``__main__``, the exit code from ``sys.exit``.

Any other command, and a command whose environment changes how Python itself starts (its
``PYTHON*`` variables, the locale, the time zone), runs through ``subprocess.run``:
interpreter start-up is what those tests are about. So do the tests of start-up itself,
which call ``subprocess`` directly.
"""

from __future__ import annotations

import locale
import multiprocessing
import os
import runpy
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["forked", "run", "start"]

# Libraries only: crmsync's own modules are imported in each child, under its environment
# (its consoles read the terminal width and colours from it when they are made). The server
# is multiprocessing's one per process: every test that forks commands goes through here.
_PRELOAD = [
    "sqlalchemy",
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.postgresql.psycopg",
    "sqlalchemy.orm",
    "alembic.command",
    "pydantic",
    "typer",
    "rich.console",
    "rich.progress",
    "rich.table",
    "requests",
    "yaml",
    "orjson",
    "jinja2",
    "simple_salesforce",
    "hubspot",
    "cryptography.x509",
    "werkzeug",
]
# Environment variables read as the interpreter starts: a command given other values than
# the test process has runs as a real interpreter.
_STARTUP_PREFIXES = ("PYTHON", "LC_", "LANG", "TZ")
_OURS = frozenset({"sync", "connectors", "compensation", "sandbox"})
_CONTEXT: list[Any] = []


def _forks() -> Any:
    if not _CONTEXT:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        _CONTEXT.append(context)
    return _CONTEXT[0]


def _startup_differs(env: Mapping[str, str] | None) -> bool:
    if env is None:
        return False

    def startup(environ: Mapping[str, str]) -> dict[str, str]:
        return {k: v for k, v in environ.items() if k.startswith(_STARTUP_PREFIXES)}

    return startup(env) != startup(os.environ)


def _is_crmsync(command: Sequence[Any]) -> bool:
    return [str(part) for part in command[:3]] == [sys.executable, "-m", "sync"]


def run(
    command: Sequence[Any],
    *,
    capture_output: bool = False,
    text: bool = False,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    input: str | bytes | None = None,
    check: bool = False,
    **others: Any,
) -> subprocess.CompletedProcess[Any]:
    """``subprocess.run(command, ...)``, a ``python -m sync`` command from the fork server."""
    if others or not forked(command, capture_output, env):
        return subprocess.run(
            command,
            capture_output=capture_output,
            text=text,
            timeout=timeout,
            env=env,
            cwd=cwd,
            input=input,
            check=check,
            **others,
        )
    with tempfile.TemporaryDirectory(prefix="crmsync-cli-") as tmp:
        paths = {name: Path(tmp) / name for name in ("in", "out", "err")}
        data = input.encode() if isinstance(input, str) else input
        if data is not None:
            paths["in"].write_bytes(data)
        paths["out"].touch()
        paths["err"].touch()
        process = _fork(
            command,
            dict(os.environ if env is None else env),
            str(cwd) if cwd is not None else os.getcwd(),
            (
                str(paths["in"]) if data is not None else os.devnull,
                str(paths["out"]),
                str(paths["err"]),
            ),
        )
        process.join(timeout)
        if process.exitcode is None:
            process.kill()
            process.join()
            raise subprocess.TimeoutExpired(list(command), timeout or 0)
        out, err = paths["out"].read_bytes(), paths["err"].read_bytes()
    result: subprocess.CompletedProcess[Any] = subprocess.CompletedProcess(
        list(command),
        process.exitcode,
        _decoded(out) if text else out,
        _decoded(err) if text else err,
    )
    if check:
        result.check_returncode()
    return result


def start(command: Sequence[Any]) -> Any:
    """A ``python -m sync ...`` command started from the fork server, its output dropped:
    the started ``multiprocessing`` process, for a test to kill (``.kill()``) and join."""
    if not _is_crmsync(command):
        raise ValueError(f"not a crmsync command: {command!r}")
    return _fork(command, dict(os.environ), os.getcwd(), (os.devnull,) * 3)


def forked(
    command: Sequence[Any], capture_output: bool = True, env: Mapping[str, str] | None = None
) -> bool:
    """Whether ``run`` takes ``command`` to the fork server rather than a new interpreter."""
    return capture_output and _is_crmsync(command) and not _startup_differs(env)


def _fork(command: Sequence[Any], env: dict[str, str], cwd: str, streams: Sequence[str]) -> Any:
    """``python -m sync ARGS`` started in a child of the fork server; streams: in, out, err."""
    process = _forks().Process(
        target=_command, args=([str(part) for part in command[3:]], env, cwd, *streams)
    )
    process.start()
    return process


def _decoded(data: bytes) -> str:
    """As ``subprocess.run(text=True)`` decodes: the locale's encoding, universal newlines."""
    encoding = locale.getpreferredencoding(False)
    return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")


def _command(
    args: list[str], env: dict[str, str], cwd: str, stdin: str, out: str, err: str
) -> None:
    """In the forked child: ``python -m sync ARGS`` with this environment and directory."""
    stale = sorted(name for name in sys.modules if name.split(".")[0] in _OURS)
    if stale:  # imported by the server under another environment: the child would reuse them
        raise RuntimeError(f"the fork server has crmsync's modules imported: {stale[:3]}")
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    for fd, path, flags in (
        (0, stdin, os.O_RDONLY),
        (1, out, os.O_WRONLY | os.O_TRUNC),
        (2, err, os.O_WRONLY | os.O_TRUNC),
    ):
        opened = os.open(path, flags, 0o600)
        os.dup2(opened, fd)
        os.close(opened)
    # multiprocessing gives its children a stdin of their own (os.devnull): read fd 0 again
    sys.stdin = open(0, encoding=sys.stdout.encoding, closefd=False)  # noqa: SIM115
    sys.argv = [str(Path(sys.prefix)), *args]  # replaced by run_module, as -m does
    sys.path.insert(0, cwd)  # -m puts the working directory first
    try:
        runpy.run_module("sync", run_name="__main__", alter_sys=True)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
