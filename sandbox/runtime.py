"""Run the three emulators together: ``Sandbox``.

``Sandbox`` generates (or loads) the synthetic company, starts the Salesforce, HubSpot and
Zoho emulators on loopback over HTTPS, and writes next to them what a client needs: the
CA bundle, a ready-to-use crmsync connector config (secrets in a separate env file), and
the ground truth. It is a context manager, so tests and the CLI use it the same way::

    with Sandbox(SandboxOptions(seed=7, scale="tiny")) as sandbox:
        info = sandbox.info          # URLs, tokens, CA bundle, config path
        sandbox.churn(changes=100)   # change the CRMs like users would

With ``state_dir`` the world is saved on stop and loaded on the next start, and the
sandbox clock carries on from where it stopped, so modification times keep increasing.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from sandbox.clock import AnchoredClock, Clock, host_anchor
from sandbox.credentials import SandboxCredentials
from sandbox.faults import FaultPlan, FaultProfile
from sandbox.http import EmulatorApp, EmulatorServer
from sandbox.info import SandboxInfo, write_client_config
from sandbox.tls import ensure_tls_files
from sandbox.world import SCALES, World

__all__ = ["Sandbox", "SandboxError", "SandboxOptions"]

CRMS = ("salesforce", "hubspot", "zoho", "dynamics", "sugarcrm", "keap", "oracle")


class SandboxError(Exception):
    """The sandbox cannot start as asked (bad option, port in use, state mismatch)."""


@dataclass(frozen=True)
class SandboxOptions:
    """How to build and serve the sandbox. ``port_base`` 0 picks free ports."""

    seed: int = 1
    scale: str = "tiny"
    faults: str = "none"
    state_dir: Path | None = None
    port_base: int = 0
    host: str = "127.0.0.1"
    # Where the synthetic company's story ends. None (the default): the start of the host's
    # UTC day, the clock then starting at the host's time, so a client that bookmarks its
    # own clock misses no change and reports agree with the host on "now". Tests and
    # benchmarks pass a fixed day (``DEFAULT_ANCHOR``): their data never depends on today.
    anchor: datetime | None = None
    # Where the running clock starts (default: the anchor, or the host's time, above).
    clock_start: datetime | None = None
    # The consumer line (generator/b2c.py): person accounts in Salesforce, contacts
    # without a company in HubSpot and Zoho, and their orders. On by default; off, the
    # world is the business-to-business company alone, record for record.
    b2c: bool = True
    # Salesforce's advanced currency management: CurrencyType and DatedConversionRate.
    dated_rates: bool = False

    def story(self, now: datetime) -> tuple[datetime, datetime]:
        """(where the story ends, where the clock starts), given the host's ``now``."""
        if self.anchor is None:
            return host_anchor(now), self.clock_start or now
        return self.anchor, self.clock_start or self.anchor

    def validate(self) -> None:
        if self.scale not in SCALES:
            raise SandboxError(f"unknown scale {self.scale!r}: use one of {', '.join(SCALES)}")
        if self.faults not in {p.value for p in FaultProfile}:
            names = ", ".join(p.value for p in FaultProfile)
            raise SandboxError(f"unknown fault profile {self.faults!r}: use one of {names}")
        if self.port_base and not 1024 <= self.port_base <= 65536 - len(CRMS):
            raise SandboxError(
                f"--port-base must be between 1024 and {65536 - len(CRMS)} "
                f"({len(CRMS)} ports are used)"
            )
        if self.host not in ("127.0.0.1", "localhost", "::1"):
            raise SandboxError("the sandbox listens on loopback only (127.0.0.1, localhost, ::1)")


class Sandbox:
    """The three emulators over one generated world."""

    def __init__(
        self,
        options: SandboxOptions | None = None,
        clock: Clock | None = None,
        world: World | None = None,
    ) -> None:
        self.options = options or SandboxOptions()
        self.options.validate()
        self.anchor, self.clock_start = self.options.story(datetime.now(UTC))
        if self.clock_start < self.anchor:
            raise SandboxError("the sandbox clock cannot start before its story's anchor")
        self._clock = clock
        self.world = world
        self.credentials = SandboxCredentials.for_seed(self.options.seed)
        self.apps: dict[str, EmulatorApp] = {}
        self._servers: list[EmulatorServer] = []
        self._tempdir: Path | None = None
        self._info: SandboxInfo | None = None

    # -- lifecycle --------------------------------------------------------------------

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def workdir(self) -> Path:
        if self.options.state_dir is not None:
            return self.options.state_dir
        if self._tempdir is None:
            self._tempdir = Path(tempfile.mkdtemp(prefix="crmsync-sandbox-"))
        return self._tempdir

    @property
    def clock(self) -> Clock:
        if self._clock is None:
            self._clock = AnchoredClock(self._resume_instant())
        return self._clock

    @property
    def info(self) -> SandboxInfo:
        if self._info is None:
            raise SandboxError("the sandbox is not running: call start() first")
        return self._info

    def start(self) -> SandboxInfo:
        from sandbox.emulators import build_emulators
        from sandbox.generator import write_ground_truth

        workdir = self.workdir
        workdir.mkdir(parents=True, exist_ok=True)
        if self.world is None:
            self.world = self._load_or_generate()
        tls = ensure_tls_files(workdir / "tls")
        faults = FaultPlan(self.options.faults, seed=self.options.seed)
        self.apps = build_emulators(self.world, self.clock, faults, self.credentials)
        urls: dict[str, str] = {}
        try:
            for offset, crm in enumerate(CRMS):
                port = self.options.port_base + offset if self.options.port_base else 0
                app = self.apps[crm]
                app.admin_hooks["churn"] = self._churn_hook
                server = EmulatorServer(app, tls, host=self.options.host, port=port)
                urls[crm] = server.start()
                self._servers.append(server)
        except OSError as exc:
            self.stop()
            raise SandboxError(
                f"cannot listen on {self.options.host}: {exc.strerror}; "
                "choose another --port-base or stop what uses it"
            ) from exc
        truth_dir = workdir / "ground_truth"
        write_ground_truth(self.world, truth_dir)
        self._write_events(workdir / "events", truth_dir)
        self._info = SandboxInfo.build(
            urls,
            self.apps,
            self.credentials,
            tls.ca_bundle,
            workdir / "crmsync.sandbox.yaml",
            truth_dir,
        )
        write_client_config(self._info, self.credentials, workdir)
        (workdir / "sandbox.json").write_bytes(orjson.dumps(self._runtime_record()))
        return self._info

    def _write_events(self, directory: Path, truth_dir: Path) -> None:
        """The customers' digital events as JSON-lines exports (``events/``, read by an
        ``events`` source), with ``event_devices`` in the ground truth; written at the
        first start only, so a reader's offsets in the exports stay valid across restarts."""
        from sandbox.generator.events import SESSIONS, generate_events, write_events

        if self.world is None or (truth_dir / "event_devices.jsonl").exists():
            return
        with self.world.lock:
            stream = generate_events(self.world, SESSIONS[self.world.scale])
        write_events(stream, directory, truth_dir)

    def stop(self) -> None:
        for server in self._servers:
            server.stop()
        self._servers.clear()
        if self.options.state_dir is not None and self.world is not None:
            self.save()
            (self.options.state_dir / "sandbox.json").unlink(missing_ok=True)
        if self._tempdir is not None:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None
        self._info = None

    def save(self) -> None:
        """Persist the world and the clock under ``state_dir``."""
        from sandbox.persist import save_world

        if self.options.state_dir is None or self.world is None:
            raise SandboxError("save() needs a state_dir")
        with self.world.lock:
            save_world(self.world, self.options.state_dir / "world")
        clock_file = self.options.state_dir / "clock.json"
        clock_file.write_bytes(orjson.dumps({"now": self.clock.now().isoformat()}))

    # -- changes ----------------------------------------------------------------------

    def churn(
        self,
        changes: int,
        seed: int | None = None,
        burst: int = 0,
        late_commits: int = 0,
        crms: tuple[str, ...] | None = None,
        store_visits: int = 0,
    ) -> Any:
        """Apply ``changes`` creates/updates/deletes/merges (see ``generator.apply_churn``)."""
        from sandbox.generator import apply_churn, write_ground_truth

        if self.world is None:
            raise SandboxError("the sandbox has no world yet: call start() first")
        churn_seed = self.options.seed + 1 if seed is None else seed
        with self.world.lock:
            report = apply_churn(
                self.world,
                self.clock,
                changes,
                churn_seed,
                burst=burst,
                late_commits=late_commits,
                crms=crms,
                store_visits=store_visits,
            )
            if self._info is not None:
                write_ground_truth(self.world, self._info.ground_truth_dir)
        return report

    def _churn_hook(self, payload: dict[str, Any]) -> dict[str, Any]:
        report = self.churn(
            int(payload.get("changes", 100)),
            payload.get("seed"),
            burst=int(payload.get("burst", 0)),
            late_commits=int(payload.get("late_commits", 0)),
            crms=tuple(payload["crms"]) if payload.get("crms") else None,
            store_visits=int(payload.get("store_visits", 0)),
        )
        return report.to_dict()

    # -- state ------------------------------------------------------------------------

    def _load_or_generate(self) -> World:
        from sandbox.generator import generate
        from sandbox.persist import load_world

        state = self.options.state_dir
        if state is not None and (state / "world").exists():
            world = load_world(state / "world")
            if (world.seed, world.scale) != (self.options.seed, self.options.scale):
                raise SandboxError(
                    f"{state} holds a sandbox with seed {world.seed} and scale {world.scale}; "
                    "pass the same --seed/--scale, or use another --state-dir"
                )
            return world
        options = self.options
        return generate(
            options.seed,
            options.scale,
            self.anchor,
            b2c=options.b2c,
            dated_rates=options.dated_rates,
        )

    def _resume_instant(self) -> datetime:
        state = self.options.state_dir
        if state is not None and (state / "clock.json").exists():
            saved = datetime.fromisoformat(orjson.loads((state / "clock.json").read_bytes())["now"])
            return max(saved, self.clock_start)
        return self.clock_start

    def _runtime_record(self) -> dict[str, Any]:
        import os

        return {
            "pid": os.getpid(),
            "seed": self.options.seed,
            "scale": self.options.scale,
            "admin_url": self.info.salesforce.instance_url,
            "ca_bundle": str(self.info.ca_bundle),
        }
