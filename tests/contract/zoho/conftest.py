"""Fixtures: the deterministic Zoho world (``zoho_world``) served over HTTPS."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from zoho_world import SEED, Sandbox, build_world, new_session

from sandbox.clock import DEFAULT_ANCHOR, ManualClock
from sandbox.credentials import SandboxCredentials
from sandbox.faults import FaultPlan
from sandbox.http import EmulatorServer
from sandbox.tls import TlsFiles, ensure_tls_files
from sandbox.world import World
from sandbox.zoho import ZohoEmulator


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return ensure_tls_files(Path(tmp_path_factory.mktemp("tls")))


@pytest.fixture(scope="session")
def start_sandbox(tls_files: TlsFiles) -> Iterator[Callable[..., Sandbox]]:
    """Factory: a fresh world and emulator (tests that write or move the clock use one)."""
    servers: list[EmulatorServer] = []
    sessions: list[requests.Session] = []

    def start(world: World | None = None, profile: str = "none") -> Sandbox:
        world = world or build_world()
        clock = ManualClock(DEFAULT_ANCHOR)
        creds = SandboxCredentials.for_seed(SEED)
        app = ZohoEmulator(world, clock, FaultPlan(profile, seed=SEED), creds)
        server = EmulatorServer(app, tls_files)
        base = server.start()
        servers.append(server)
        token = app.issue_token()
        http = new_session(str(tls_files.ca_bundle), token)
        sessions.append(http)
        return Sandbox(base, str(tls_files.ca_bundle), creds, app, clock, world, http, token)

    yield start
    for http in sessions:
        http.close()
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def zoho(start_sandbox: Callable[..., Sandbox]) -> Sandbox:
    """A shared read-only sandbox: tests using it must not write or move its clock."""
    return start_sandbox()


@pytest.fixture
def fresh_zoho(start_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return start_sandbox()
