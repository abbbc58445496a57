"""A wheel built from the repository works on its own: installed into a fresh virtual
environment (no source tree, no editable install), ``crmsync demo`` runs end to end and
writes statements, so templates, example plans and rates ship inside the wheel.

The fresh environment gets the already-installed dependencies by a path entry to the test
environment's site-packages (no index needed, nothing downloaded); the wheel's own
site-packages comes first, so its copy of crmsync is the one imported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import orjson
import pytest

ROOT = Path(__file__).resolve().parents[2]

# What the build reads (pyproject.toml's readme included).
SOURCES = (
    "pyproject.toml",
    "setup.py",
    "README.md",
    "sync",
    "connectors",
    "sandbox",
    "compensation",
    "crmsync_data",
    "templates",
    "config",
)

pytestmark = pytest.mark.slow


def _bin(env: Path, name: str) -> Path:
    return env / ("Scripts" if os.name == "nt" else "bin") / name


@pytest.fixture(scope="session")
def wheel_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment with the wheel built once for the session."""
    dist = tmp_path_factory.mktemp("dist")
    # Build from a copy: setuptools writes build/ and *.egg-info next to setup.py.
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    made = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["--disable-pip-version-check", "-w", str(dist), str(source)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    (wheel,) = dist.glob("crmsync-*.whl")
    env = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(env)
    python = _bin(env, "python")
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # The dependencies: a plain path entry (its .pth files, such as the editable install of
    # this checkout, are not run), after the venv's own site-packages. The crmsync metadata
    # seen there is shadowed by the wheel's (--ignore-installed: pip would take it as
    # installed already).
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "test-dependencies.pth").write_text("\n".join(sorted(deps)) + "\n")
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check"]
        + ["-q", "install", "--no-deps", "--no-compile", "--ignore-installed", str(wheel)],
        capture_output=True,
        text=True,
        timeout=120,
        env=_clean_env(),
    )
    assert installed.returncode == 0, installed.stderr
    return env


def _clean_env() -> dict[str, str]:
    """The environment without anything that points Python at this checkout."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CRMSYNC_CONFIG")}


def test_the_wheel_carries_its_data_and_is_the_copy_imported(wheel_env: Path) -> None:
    code = (
        "import json, sync, crmsync_data as d; print(json.dumps([sync.__file__, "
        "str(d.templates('statements')), sorted(p.name for p in d.example_plans().iterdir()), "
        "d.example_config().is_file()]))"
    )
    shown = subprocess.run(
        [_bin(wheel_env, "python"), "-c", code],
        capture_output=True,
        text=True,
        env=_clean_env(),
        cwd=wheel_env,
        check=True,
    )
    module, statements, plans, example = orjson.loads(shown.stdout)
    site = Path(module).parents[1]
    assert site.is_relative_to(wheel_env)
    assert Path(statements) == site / "crmsync_data" / "templates" / "statements"
    assert plans == [
        "assignments.yaml",
        "call_centre.yaml",
        "dach_sales.yaml",
        "field_sales.v1.yaml",
        "field_sales.v2.yaml",
        "iberia_sales.yaml",
        "leadership.yaml",
        "marketing.yaml",
        "rates.yaml",
        "service.yaml",
        "split_overrides.yaml",
    ]
    assert example is True


def test_demo_runs_from_the_installed_wheel(wheel_env: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "demo"
    result = subprocess.run(
        [_bin(wheel_env, "crmsync"), "demo", "--scale", "tiny", "--workspace", str(workspace)]
        + ["--json", "--anchor", "2026-10-31"],
        capture_output=True,
        text=True,
        timeout=300,
        env=_clean_env(),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    summary = orjson.loads(result.stdout)
    assert summary["ok"] is True
    written = sorted(p.suffix for p in (workspace / "statements").iterdir())
    assert {".html", ".txt"} <= set(written)
    assert (workspace / "report.html").stat().st_size > 1000


def test_init_copies_the_shipped_example_plans_and_they_validate(
    wheel_env: Path, tmp_path: Path
) -> None:
    crmsync = _bin(wheel_env, "crmsync")
    env = _clean_env()

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [crmsync, *args], capture_output=True, text=True, env={**env, **extra}, cwd=tmp_path
        )

    made = run("init", "--crm", "hubspot", "--example-plans")
    assert made.returncode == 0, made.stderr
    assert sorted(p.name for p in (tmp_path / "plans").iterdir())[:2] == [
        "assignments.yaml",
        "call_centre.yaml",
    ]
    checked = run("plan", "validate", "--json", HUBSPOT_ACCESS_TOKEN="x")
    assert checked.returncode == 0, checked.stderr
    example = run("config", "example")
    assert example.returncode == 0, example.stderr
    assert example.stdout == (ROOT / "config" / "crmsync.example.yaml").read_text()
