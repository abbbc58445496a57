"""Throwaway virtual environments for the peer clients, with the repository's patches applied.

Each client gets its own venv (``python -m venv``), its pinned packages from the package
registry, then the patch files under ``bench/peers/patches/`` applied inside site-packages.
The patches change only where the client connects (the sandbox's base URL, read from the
``PEER_BASE_URL`` variable at run time); the CA bundle is given through the environment
(``REQUESTS_CA_BUNDLE``, ``SSL_CERT_FILE``), so certificate checks stay on.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ClientEnv", "prepare_env"]

PATCH_DIR = Path(__file__).resolve().parent / "patches"
_DONE = "crmsync-peer-ready"


@dataclass(frozen=True)
class ClientEnv:
    root: Path

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    def site_packages(self) -> Path:
        found = sorted(self.root.glob("lib/python3*/site-packages"))
        if not found:
            raise RuntimeError(f"no site-packages under {self.root}")
        return found[0]


def prepare_env(
    root: Path, requirements: tuple[str, ...], patches: tuple[str, ...], log: Path
) -> ClientEnv:
    """A venv at ``root`` with ``requirements`` installed and ``patches`` applied (once).

    A venv made for other requirements or other patch contents is made anew: a patch is
    applied to pristine packages only."""
    env = ClientEnv(root)
    marker = root / _DONE
    digests = [hashlib.sha256((PATCH_DIR / n).read_bytes()).hexdigest()[:16] for n in patches]
    wanted = "\n".join((*requirements, *patches, *digests))
    if marker.exists() and marker.read_text() == wanted:
        return env
    if root.exists():
        shutil.rmtree(root)
    with log.open("a") as out:
        _run([sys.executable, "-m", "venv", str(root)], out)
        _run([str(env.python), "-m", "pip", "install", "-q", *requirements], out)
        for name in patches:
            _apply_patch(env.site_packages(), PATCH_DIR / name, out)
    marker.write_text(wanted)
    return env


def _apply_patch(site: Path, patch: Path, out: object) -> None:
    reverse = subprocess.run(
        ["patch", "-p1", "-R", "--dry-run", "-s", "-f", "-i", str(patch)],
        cwd=site,
        capture_output=True,
    )
    if reverse.returncode == 0:
        return  # already applied
    _run(["patch", "-p1", "-s", "-f", "-i", str(patch)], out, cwd=site)


def _run(command: list[str], out: object, cwd: Path | None = None) -> None:
    done = subprocess.run(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)  # type: ignore[arg-type]
    if done.returncode:
        raise RuntimeError(f"{' '.join(command[:4])}… failed (exit {done.returncode})")
