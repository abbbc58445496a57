"""A connector installed as its own package works without touching crmsync's code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson

from tests import cli_process

PLUGIN = Path(__file__).resolve().parents[1] / "plugins" / "crmsync-jsonl"


def _crmsync(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return cli_process.run(
        [sys.executable, "-m", "sync", *args], capture_output=True, text=True, timeout=120, env=env
    )


def test_a_third_party_connector_is_discovered_configured_and_synced(tmp_path: Path) -> None:
    target = tmp_path / "site"
    install = cli_process.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(PLUGIN),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(target), os.getcwd()])}

    conforms = cli_process.run(
        [
            sys.executable,
            "-c",
            "from connectors.core import profile_of; from connectors.testing import check_profile;"
            " from crmsync_jsonl import JsonlConnector;"
            " print(check_profile(JsonlConnector) is profile_of('jsonl'))",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert (conforms.returncode, conforms.stdout) == (0, "True\n"), conforms.stderr

    listed = orjson.loads(_crmsync("connectors", "list", "--json", env=env).stdout)
    assert {
        "kind": "jsonl",
        "target": "crmsync_jsonl:JsonlConnector",
        "package": "crmsync-jsonl",
    } in listed

    data = tmp_path / "data"
    data.mkdir()
    lines = [
        {
            "id": 1,
            "email": "ana@example.com",
            "first_name": "Ana",
            "last_name": "Ruiz",
            "updated_at": "2026-10-01T10:00:00+00:00",
        },
        {
            "id": 2,
            "email": "bo@example.com",
            "first_name": "Bo",
            "last_name": "Li",
            "updated_at": "2026-10-02T10:00:00+00:00",
        },
        {"email": "no-id@example.com", "updated_at": "2026-10-03T10:00:00+00:00"},
    ]
    (data / "contacts.jsonl").write_text("\n".join(orjson.dumps(x).decode() for x in lines))
    config = tmp_path / "crmsync.yaml"
    config.write_text(
        f"store:\n  url: sqlite:///{tmp_path / 'store.sqlite'}\n"
        f"sources:\n  - name: files\n    kind: jsonl\n    directory: {data}\n"
    )

    validated = _crmsync("config", "validate", "--config", str(config), "--json", env=env)
    assert validated.returncode == 0, validated.stderr
    synced = _crmsync("sync", "--config", str(config), "--json", env=env)
    assert synced.returncode == 0, synced.stderr
    (report,) = orjson.loads(synced.stdout)
    (stream,) = report["streams"]
    assert (stream["stream"], stream["inserted"], stream["quarantined"]) == ("contacts", 2, 1)

    config.write_text(config.read_text().replace("    directory:", "    directry:"))
    typo = _crmsync("config", "validate", "--config", str(config), env=env)
    assert typo.returncode == 2
    assert f"{config}:6: sources[0].directry: unknown key; did you mean 'directory'?" in (
        typo.stderr
    )
