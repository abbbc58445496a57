#!/usr/bin/env python3
"""Set up crmsync from a fresh clone and run it or its tests.

    python3 dev.py demo    # create .venv from the pinned lock files, then run the main job
    python3 dev.py test    # create .venv, then lint (ruff), type-check (mypy, every package),
                           # run the whole test suite, then its time-sensitive tests again
                           # with the clock 400 days on

Only Python 3.11+ is needed. Dependencies are installed from ``requirements/dev.txt``
(exact versions with hashes): the versions of ``requirements/lock.txt`` (crmsync with all
its extras, the lock to deploy from) plus the development tools. The install is redone only
when a lock file, ``pyproject.toml`` or ``setup.py`` change. Set
``CRMSYNC_VENV`` to use another virtual-env folder. Maintainers regenerate the locks with
``python3 dev.py lock`` (needs uv on PATH).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("CRMSYNC_VENV", ROOT / ".venv"))
LOCK = ROOT / "requirements" / "lock.txt"
DEV_LOCK = ROOT / "requirements" / "dev.txt"
BUILD_LOCK = ROOT / "requirements" / "build.txt"
STAMP = VENV / ".crmsync-installed"
# The extras of requirements/lock.txt: everything crmsync runs with (bench stays out).
RUNTIME_EXTRAS = ("sandbox", "postgres", "workers", "linkage", "web", "dynamics")
# The clock pass: the tests marked ``clock`` (declared in tests/conftest.py) run again with
# the clock this far ahead, so none of them depends on where today falls against a date.
CLOCK_SHIFT = "+400d"
# How the main pass shares its tests between its workers: a file at a time (one CRM at a
# time in the sync contract's long files, tests/conftest.py), in collection order, which
# starts the longest files first.
DISTRIBUTION = ("--dist", "loadfile", "--no-loadscope-reorder")


def _cores() -> int:
    """The cores this process may use: its CPU affinity, and a cgroup v2 quota when one is
    set (a container's ``--cpus``), not the host's count."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota != "max":
            cores = min(cores or 1, max(1, int(quota) // int(period)))
    except (OSError, ValueError):
        pass
    return cores or 2


# Two workers more than the cores, at most eight: the tests wait on sandboxes, subprocesses
# and sockets for part of their time, and with one worker more the 2-core machine still sat
# idle in the waits (the main pass: 586 s on two workers, 468 s on three, 444 s on four;
# on 2026-12-07, 814 s on three, 767 s on four, the cores then busy but for the last files).
WORKERS = str(min(_cores() + 2, 8))
# What `dev.py test` type-checks: every package.
TYPED_PACKAGES = ("compensation", "connectors", "sandbox", "sync")


def _bin(name: str) -> Path:
    return VENV / ("Scripts" if os.name == "nt" else "bin") / name


def _bytecode_env() -> dict[str, str]:
    """This environment, writing bytecode: for the demo, the tests and the type check.

    With PYTHONDONTWRITEBYTECODE set (some CI images set it) no process keeps what it
    compiled: each pytest worker rewrote and compiled all the test modules again (11 s of
    CPU to collect the suite instead of 5.5 s) and each crmsync subprocess compiled
    crmsync's modules, and the libraries' (installed uncompiled, see ensure_venv). The
    caches go to __pycache__ folders, which git ignores.
    """
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _run(*args: str | Path, env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)) -> None:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)
    if result.returncode not in ok:
        sys.exit(result.returncode)


def _clock_pass(rest: list[str]) -> None:
    """Run the ``clock`` tests with the whole process tree's clock CLOCK_SHIFT ahead.

    libfaketime (a pinned dev dependency that ships the compiled library) is preloaded, so
    Python, OpenSSL's certificate checks and every subprocess see the same shifted clock.
    On SQLite only: a PostgreSQL server's clock cannot be shifted from here.
    """
    if not sys.platform.startswith("linux"):
        print(f"clock pass skipped: libfaketime's bundled library is for Linux ({sys.platform})")
        return
    code = "import json, libfaketime; print(json.dumps(libfaketime.get_reload_information()[1]))"
    found = subprocess.run([str(_bin("python")), "-c", code], capture_output=True, text=True)
    if found.returncode != 0:
        sys.exit(
            "the clock pass needs libfaketime in the virtual env (a dev dependency): "
            f"{(found.stderr.strip().splitlines() or ['?'])[-1]}; regenerate the lock "
            "(dev.py lock)"
        )
    env = {**_bytecode_env(), **json.loads(found.stdout)}
    if os.environ.get("LD_LIBRARY_PATH"):
        env["LD_LIBRARY_PATH"] += os.pathsep + os.environ["LD_LIBRARY_PATH"]
    env.update(FAKETIME=CLOCK_SHIFT, CRMSYNC_TEST_CLOCK_SHIFT=CLOCK_SHIFT)
    env.pop("CRMSYNC_TEST_POSTGRES_URL", None)
    print(f"clock pass: the time-sensitive tests with the clock {CLOCK_SHIFT} on", flush=True)
    pytest = (_bin("python"), "-m", "pytest", "-n", WORKERS, *DISTRIBUTION, "-q", "-m", "clock")
    # Collecting only the clock files saves each worker collecting the whole suite; a
    # selection given on the command line is filtered instead (exit code 5: it holds none).
    chosen = any(Path(ROOT, arg.split("::")[0]).exists() for arg in rest)
    _run(*pytest, *rest, *([] if chosen else _clock_files()), env=env, ok=(0, 5))


def _clock_files() -> list[str]:
    lines = (ROOT / "tests" / "clock_files.txt").read_text().splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for path in (LOCK, DEV_LOCK, BUILD_LOCK, ROOT / "pyproject.toml", ROOT / "setup.py"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_venv() -> None:
    """The virtual env with crmsync (editable), all its extras and the development tools."""
    if sys.version_info < (3, 11):  # noqa: UP036 (this script may run on an old python3)
        sys.exit(
            f"crmsync needs Python 3.11 or newer; this is {sys.version.split()[0]}. "
            "Run dev.py with a newer python3."
        )
    if not _bin("python").exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if STAMP.exists() and STAMP.read_text() == _fingerprint():
        return
    print("installing pinned dependencies (requirements/dev.txt)", flush=True)
    # --no-compile: pip compiles every module of every package it installs (21 of 48 s of
    # this install on the 2-core machine, thousands of generated API modules among them);
    # a module is compiled instead the first time crmsync or a test imports it.
    pip = (_bin("python"), "-m", "pip", "--disable-pip-version-check", "-q", "install")
    pip = (*pip, "--no-compile")
    _run(*pip, "--require-hashes", "-r", BUILD_LOCK)
    # dev.txt pins every package of lock.txt to the same version (dev.py lock) and adds the
    # development tools, so one install serves both the demo and the tests.
    _run(*pip, "--require-hashes", "-r", DEV_LOCK)
    _run(*pip, "--no-deps", "--no-build-isolation", "-e", ROOT)
    STAMP.write_text(_fingerprint())


def main(argv: list[str]) -> None:
    command, rest = (argv[0], argv[1:]) if argv else ("help", [])
    if command == "demo":
        ensure_venv()
        _run(_bin("crmsync"), "demo", *rest, env=_bytecode_env())
    elif command == "test":
        ensure_venv()
        _run(_bin("ruff"), "check", ".")
        _run(_bin("ruff"), "format", "--check", ".")
        # mypy on every package ([tool.mypy] in pyproject.toml), beside the main pass: about
        # 40 s of CPU from a cold cache, which the tests' waits on sockets partly absorb.
        typecheck = subprocess.Popen(
            [str(_bin("mypy")), *TYPED_PACKAGES],
            cwd=ROOT,
            env=_bytecode_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        pytest = (_bin("python"), "-m", "pytest", "-n", WORKERS, *DISTRIBUTION, "-q", *rest)
        tests = subprocess.run([str(a) for a in pytest], cwd=ROOT, env=_bytecode_env()).returncode
        print(typecheck.communicate()[0], end="", flush=True)
        if tests or typecheck.returncode:
            sys.exit(tests or typecheck.returncode)
        _clock_pass(rest)
    elif command == "setup":
        ensure_venv()
    elif command == "lock":
        ensure_venv()
        common = ("--generate-hashes", "--universal", "--python-version", "3.11", "-q")
        uv = shutil.which("uv") or sys.exit("`dev.py lock` needs uv on PATH (pip install uv)")
        extras = [arg for name in RUNTIME_EXTRAS for arg in ("--extra", name)]
        lock, dev_lock = (path.relative_to(ROOT) for path in (LOCK, DEV_LOCK))
        _run(uv, "pip", "compile", "pyproject.toml", *extras, *common, "-o", lock)
        # The development lock: the runtime lock's versions (a constraint) plus the tools.
        dev = ("--extra", "dev", "-c", lock)
        _run(uv, "pip", "compile", "pyproject.toml", *extras, *dev, *common, "-o", dev_lock)
    else:
        print(__doc__)
        sys.exit(0 if command in ("help", "-h", "--help") else 2)


if __name__ == "__main__":
    main(sys.argv[1:])
