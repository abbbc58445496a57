"""A small deterministic HubSpot world served over HTTPS for the contract tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from hubspot import HubSpot
from hubspot_world import SEED, build_world

from sandbox.clock import DEFAULT_ANCHOR, ManualClock
from sandbox.credentials import SandboxCredentials
from sandbox.faults import FaultPlan
from sandbox.http import EmulatorServer
from sandbox.hubspot import HubSpotEmulator
from sandbox.tls import TlsFiles, ensure_tls_files
from sandbox.world import World


@dataclass
class Served:
    """A running emulator and what a client needs to reach it."""

    app: HubSpotEmulator
    world: World
    clock: ManualClock
    base_url: str
    ca_bundle: Path
    credentials: SandboxCredentials

    @property
    def token(self) -> str:
        return self.credentials.hubspot_private_app_token

    def client(self, token: str | None = None) -> HubSpot:
        return HubSpot(
            access_token=token or self.token, host=self.base_url, ssl_ca_cert=str(self.ca_bundle)
        )

    def session(self, token: str | None = None) -> requests.Session:
        session = requests.Session()
        # REQUESTS_CA_BUNDLE in the environment would override session.verify otherwise.
        session.trust_env = False
        session.verify = str(self.ca_bundle)
        if token != "":
            session.headers["Authorization"] = f"Bearer {token or self.token}"
        return session


class Switch:
    """A WSGI app that forwards to the current test's emulator.

    One HTTPS server serves the whole session (stopping a server costs ~0.5 s); each test
    points it at a fresh emulator over a fresh world.
    """

    name = "hubspot"

    def __init__(self) -> None:
        self.app: HubSpotEmulator | None = None

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        assert self.app is not None
        return self.app(environ, start_response)


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    return ensure_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def server(tls: TlsFiles) -> Iterator[tuple[Switch, str]]:
    switch = Switch()
    server = EmulatorServer(switch, tls)  # type: ignore[arg-type]
    base = server.start()
    yield switch, base
    server.stop()


@pytest.fixture
def serve(server: tuple[Switch, str], tls: TlsFiles) -> Callable[..., Served]:
    """Serve a fresh emulator for a given world (default: ``build_world()``) and profile."""
    switch, base = server

    def start(world: World | None = None, profile: str = "none") -> Served:
        world = world or build_world()
        clock = ManualClock(DEFAULT_ANCHOR)
        credentials = SandboxCredentials.for_seed(SEED)
        app = HubSpotEmulator(world, clock, FaultPlan(profile, seed=SEED), credentials)
        switch.app = app
        return Served(app, world, clock, base, tls.ca_bundle, credentials)

    return start


@pytest.fixture
def hs(serve: Callable[..., Served]) -> Served:
    return serve()
