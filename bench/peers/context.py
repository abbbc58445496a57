"""What a peer-client recipe gets: its venv, a work folder, the sandbox and how to run."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from envs import ClientEnv

from sandbox.credentials import SandboxCredentials
from sandbox.info import SandboxInfo

__all__ = ["ClientRun"]


@dataclass
class ClientRun:
    """One client's run: where it works and what it may call."""

    env: ClientEnv
    workdir: Path
    info: SandboxInfo
    credentials: SandboxCredentials
    base_url: str
    timeout_s: float
    options: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    failed: bool = False

    def environ(self) -> dict[str, str]:
        ca = str(self.info.ca_bundle)
        return {
            **os.environ,
            "PEER_BASE_URL": self.base_url,
            "PEER_CA_BUNDLE": ca,
            "REQUESTS_CA_BUNDLE": ca,
            "SSL_CERT_FILE": ca,
            "CURL_CA_BUNDLE": ca,
            "PATH": f"{self.env.bin}{os.pathsep}{os.environ.get('PATH', '')}",
            "VIRTUAL_ENV": str(self.env.root),
            "HOME": str(self.workdir),
        }

    def write_json(self, name: str, data: Any) -> Path:
        path = self.workdir / name
        path.write_text(json.dumps(data, indent=1))
        return path

    def run(
        self, command: list[str], stdout_name: str, extra_env: dict[str, str] | None = None
    ) -> Path:
        """Run ``command`` in the client's venv; stdout to ``stdout_name``, stderr beside it."""
        out = self.workdir / stdout_name
        err = self.workdir / f"{stdout_name}.stderr"
        with out.open("wb") as o, err.open("wb") as e:
            done = subprocess.run(
                command,
                cwd=self.workdir,
                env={**self.environ(), **(extra_env or {})},
                stdout=o,
                stderr=e,
                timeout=self.timeout_s,
            )
        if done.returncode:
            self.failed = True
            tail = err.read_text(errors="replace").strip().splitlines()[-3:]
            self.notes.append(f"{stdout_name}: exit {done.returncode}: {' | '.join(tail)[-300:]}")
        return out
