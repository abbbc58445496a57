"""The command line starts fast: heavy libraries load only with the command needing them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from connectors.core.registry import available_connectors
from sync.store import open_store

HEAVY = ("sqlalchemy", "alembic", "hubspot", "simple_salesforce", "cheroot", "werkzeug")
# Nor the configuration: its models (pydantic, every section's) and YAML load with the first
# command that reads a file; `--help` does without (the package's light submodules, such as
# the step names, do not load it either).
CONFIGURATION = (
    "pydantic",
    "yaml",
    "sync.config.models",
    "sync.config.loader",
    "importlib.metadata",
)
# The import budget of `crmsync status` on a migrated store: none of the database toolkit,
# the data-frame, linkage, template, locale and phone-number libraries, the CRM clients.
LIBRARIES_STATUS_DOES_WITHOUT = {
    "sqlalchemy",
    "sqlmodel",
    "alembic",
    "psycopg",
    "pandas",
    "numpy",
    "splink",
    "duckdb",
    "jinja2",
    "babel",
    "phonenumbers",
    "requests",
    "urllib3",
    "hubspot",
    "simple_salesforce",
    "msal",
    "jwt",
    "cryptography",
    "prometheus_client",
}


def test_importing_the_cli_loads_no_client_or_database_library() -> None:
    modules = (*HEAVY, *CONFIGURATION)
    code = f"import sys, sync.cli; print(','.join(m for m in {modules!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def _imported(stderr: str) -> set[str]:
    """The modules a ``python -X importtime`` run imported, from its report on stderr."""
    return {
        line.rsplit("|", 1)[1].strip()
        for line in stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    } - {"imported package"}


def test_status_imports_no_connector_http_client_nor_orm(tmp_path: Path) -> None:
    # One source of each installed kind, and an empty audit section whose profile-derived
    # defaults (required fields, lead and response objects) must not load the connectors.
    kinds = sorted(available_connectors())
    sources = "".join(f"  - name: s{i}\n    kind: {kind}\n" for i, kind in enumerate(kinds))
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    open_store(url)  # migrated already, as after the first sync (migrating loads Alembic)
    config = tmp_path / "crmsync.yaml"
    config.write_text(f"store:\n  url: {url}\nsources:\n{sources}audit: {{}}\n")
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "sync", "status", "--config", str(config)],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = _imported(result.stderr)
    assert "sync.status" in imported  # the report was read, so the command really ran
    packages = {entry.module for entry in available_connectors().values()}
    assert sorted(m for m in imported if m.split(".")[0] == "requests") == []
    assert (
        sorted(m for m in imported if any(m == p or m.startswith(f"{p}.") for p in packages)) == []
    )
    # an up-to-date store is read through the database driver (sync/store/readonly.py)
    assert sorted(m for m in imported if m.split(".")[0] in LIBRARIES_STATUS_DOES_WITHOUT) == []
    # connectors.core loads its names on first use: reading a configuration needs the
    # errors and the profiles, not the contract with every common record type
    assert {"connectors.core.contract", "connectors.core.records"} & imported == set()


def test_help_loads_no_markdown_parser_highlighter_or_traceback_renderer() -> None:
    # Help is the library's plain text: its boxed format imports a Markdown parser, a
    # syntax highlighter and a traceback renderer on every `--help`.
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "sync", "sandbox", "serve", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Usage: crmsync sandbox serve [OPTIONS]" in result.stdout
    assert "--scale" in result.stdout
    imported = _imported(result.stderr)
    heavy = ("typer.rich_utils", "markdown_it", "pygments", "rich.markdown", "rich.traceback")
    assert sorted(m for m in imported if m.split(".")[0] in heavy or m in heavy) == []


def test_pyjwt_and_cryptography_run_only_when_a_jwt_is_signed() -> None:
    # simple-salesforce imports PyJWT (and so cryptography) at its top level; the Salesforce
    # connector defers it until the JWT flow signs an assertion.
    code = (
        "import sys, connectors.salesforce, simple_salesforce, jwt\n"
        "print('cryptography' in sys.modules)\n"
        "token = jwt.encode({'sub': 'a'}, 'k' * 32, algorithm='HS256')\n"
        "print('cryptography' in sys.modules, jwt.decode(token, 'k' * 32, algorithms=['HS256']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == ["False", "True {'sub': 'a'}"]


def test_zeep_runs_only_when_the_metadata_api_is_used() -> None:
    # simple-salesforce imports its Metadata API module (zeep, lxml) at its top level; the
    # Salesforce connector defers it until a client's ``mdapi`` is built.
    code = (
        "import sys, connectors.salesforce, simple_salesforce\n"
        "from simple_salesforce import Salesforce\n"
        "print('zeep' in sys.modules, 'lxml.etree' in sys.modules)\n"
        "client = Salesforce(instance='example.my.salesforce.com', session_id='x')\n"
        "api = client.mdapi\n"
        "from simple_salesforce.metadata import SfdcMetadataApi\n"
        "print('zeep' in sys.modules, type(api) is SfdcMetadataApi, client.mdapi is api)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == ["False False", "True True True"]


# The collector's state when the process exits, whether start-up froze anything, and the
# size of its young generation.
_COLLECTOR_AT_EXIT = (
    "import atexit, gc, sys\n"
    "atexit.register(\n"
    "    lambda: print(gc.isenabled(), gc.get_freeze_count() > 0, gc.get_threshold()[0])\n"
    ")\n"
)


def test_the_entry_point_resumes_the_collector_once_the_command_runs(tmp_path: Path) -> None:
    # The console entry point pauses the cyclic garbage collector during start-up; a
    # command (a daemon runs for weeks) must run with it on, start-up's objects frozen.
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    open_store(url)
    config = tmp_path / "crmsync.yaml"
    config.write_text(f"store:\n  url: {url}\nsources: []\n")
    code = _COLLECTOR_AT_EXIT + (
        f"sys.argv = ['crmsync', 'status', '--config', {str(config)!r}, '--json']\n"
        "from sync.cli import main\n"
        "main()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == "True True 7000"


def test_the_app_inside_another_program_leaves_the_collector_alone(tmp_path: Path) -> None:
    # Run by a test runner (or any program embedding it), the app touches no collector.
    code = _COLLECTOR_AT_EXIT + (
        "from typer.testing import CliRunner\n"
        "from sync.cli import app\n"
        "assert CliRunner().invoke(app, ['config', 'example']).exit_code == 0\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == "True False 700"
