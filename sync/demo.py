"""The main job on the embedded default: sandbox -> sync into SQLite -> the later steps
(reconcile, audit, compute, push back into the sandbox CRMs, statements) -> checks of the
results against the sandbox's ground truth.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, func, select

from connectors.core.contract import STREAM_RECORD_TYPES
from connectors.core.custom import KIND_RECORD_TYPES
from sandbox import Sandbox, SandboxInfo, SandboxOptions
from sandbox.custom_mappings import CONSUMER_RULES, CUSTOM_MAPPINGS
from sandbox.expected import STREAM_OBJECTS, expected_object_counts, expected_stream_counts
from sandbox.peek import Sample, sample_records
from sync.config import load_config
from sync.demo_checks import EVENTS_SOURCE, TruthCheck, truth_checks
from sync.demo_setup import RATE_SOURCES, demo_sections
from sync.pipeline.main_job import run_steps
from sync.pipeline.steps import StepContext, StepReport
from sync.pull import SourceReport, SyncOptions, sync_source
from sync.sources import build_connector
from sync.store import TABLES, open_store
from sync.store.pages import PageCounts
from sync.store.table_model import table_of

__all__ = ["DemoResult", "StreamCheck", "run_demo"]

Progress = Callable[[str, str, PageCounts], None]


@dataclass(frozen=True)
class StreamCheck:
    source: str
    stream: str
    in_store: int
    ground_truth: int

    @property
    def ok(self) -> bool:
        return self.in_store == self.ground_truth


@dataclass
class DemoResult:
    info: dict[str, Any]
    config_path: Path
    store_url: str
    samples: list[Sample] = field(default_factory=list)
    reports: list[SourceReport] = field(default_factory=list)
    checks: list[StreamCheck] = field(default_factory=list)
    steps: list[StepReport] = field(default_factory=list)
    truth: list[TruthCheck] = field(default_factory=list)
    workspace: Path | None = None

    @property
    def ok(self) -> bool:
        return (
            all(r.status == "succeeded" for r in self.reports)
            and all(c.ok for c in self.checks)
            and all(s.status == "succeeded" for s in self.steps)
            and all(t.ok for t in self.truth)
        )


def run_demo(
    workspace: Path,
    seed: int,
    scale: str,
    progress: Progress | None = None,
    on_started: Callable[[SandboxInfo], None] | None = None,
    steps: Sequence[str] = (),
    say: Callable[[str], None] | None = None,
    anchor: datetime | None = None,
    clock_start: datetime | None = None,
    b2c: bool = True,
    dated_rates: bool = False,
    sources: Collection[str] | None = None,
    events: bool = False,
) -> DemoResult:
    """Sync the sandbox into ``workspace``; with ``steps``, run them too (in the sandbox's
    time, so periods and windows match its story) and check them against the ground truth.
    Tests call it without steps for a freshly synced store. ``anchor`` is where the
    company's story ends and ``clock_start`` where the sandbox clock starts (the anchor by
    default); with no anchor, the story ends at the start of the host's UTC day and the
    clock runs from the host's time, as for `crmsync demo`. Tests pass a fixed anchor.
    ``b2c`` keeps the sandbox's consumer line (person accounts, orders); ``dated_rates`` turns on
    the CRMs' exchange rates and pays with them (``compensation.crm_rates``); ``sources``
    keeps only those of the sandbox's sources, and syncs them even when the sandbox's config
    leaves them off (the four it checks by default); ``events`` adds the customers' digital
    events as the source ``web`` (`crmsync demo` does)."""
    workspace.mkdir(parents=True, exist_ok=True)
    options = SandboxOptions(
        seed=seed,
        scale=scale,
        state_dir=workspace / "sandbox",
        anchor=anchor,
        clock_start=clock_start,
        b2c=b2c,
        dated_rates=dated_rates,
    )
    store_url = f"sqlite:///{(workspace / 'crmsync.sqlite').resolve()}"
    with Sandbox(options) as sandbox:
        info = sandbox.info
        if on_started is not None:
            on_started(info)
        rates = RATE_SOURCES if dated_rates else ()
        # the consumer line's orders and the store visits, mapped as custom objects; the
        # business company alone (--no-b2c) is synced as it always was, without them
        mapped = CUSTOM_MAPPINGS if b2c else {}
        config_path = _write_config(info, workspace, store_url, sources, rates, mapped, events)
        result = DemoResult(info.to_json(), config_path, store_url, workspace=workspace)
        result.samples = sample_records(info, limit=3)
        config = load_config(config_path)
        engine = open_store(store_url)
        try:
            for source in (s for s in config.sources if s.enabled):
                connector = build_connector(source)
                try:
                    result.reports.append(
                        sync_source(engine, source, connector, SyncOptions(), _utc_now, progress)
                    )
                finally:
                    connector.close()
            synced = {s.name for s in config.sources if s.enabled}
            result.checks = _check(engine, info.ground_truth_dir, synced, mapped)
            if steps:
                now = sandbox.clock.now()
                context = StepContext(now=now, out_dir=workspace, progress=say)
                result.steps = run_steps(engine, config, context, steps)
                result.truth = truth_checks(engine, info.ground_truth_dir, result.steps, synced)
        finally:
            engine.dispose()
    return result


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _write_config(
    info: SandboxInfo,
    workspace: Path,
    store_url: str,
    sources: Collection[str] | None,
    crm_rates: tuple[str, ...] = (),
    mapped: Mapping[str, list[dict[str, Any]]] = CUSTOM_MAPPINGS,
    events: bool = False,
) -> Path:
    generated = yaml.safe_load(info.config_path.read_text())
    if sources is not None:
        generated["sources"] = [
            {**s, "enabled": True} for s in generated["sources"] if s["name"] in sources
        ]
    exports = info.ground_truth_dir.parent / "events"  # the customers' digital events
    if events and exports.is_dir():
        web = {"name": EVENTS_SOURCE, "kind": "events", "directory": str(exports.resolve())}
        generated["sources"].append(web)
    config = {
        "store": {"url": store_url},
        "secrets_file": str((info.config_path.parent / "secrets.env").resolve()),
        "sources": generated["sources"],
        **demo_sections([s["name"] for s in generated["sources"]]),
    }
    for source in config["sources"]:  # the store visits and orders, mapped in YAML
        if source["name"] in mapped:
            source["custom_objects"] = mapped[source["name"]]
    names = [s["name"] for s in config["sources"]]
    consumers = {name: rule for name, rule in CONSUMER_RULES.items() if name in names}
    if consumers:  # the consumers' contacts need no company or job title
        config["audit"] = {"consumer_contacts": consumers}
    if crm_rates:  # the CRMs' own rates, read on every sync, convert before the file's
        for source in config["sources"]:
            source["exchange_rates"] = source["name"] in crm_rates
        config["compensation"]["crm_rates"] = list(crm_rates)
    path = workspace / "crmsync.yaml"
    header = (
        "# crmsync configuration written by `crmsync demo` for the local sandbox.\n"
        "# Copy it as a starting point; `crmsync config example` shows every key.\n"
    )
    path.write_text(header + yaml.dump(config, Dumper=_NoAliases, sort_keys=False))
    return path


class _NoAliases(yaml.SafeDumper):
    """Writes a value used twice (the custom objects' links) out twice: a file to copy
    from, with no ``&id001`` / ``*id001`` anchors a reader has to follow."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _check(
    engine: Engine,
    truth_dir: Path,
    synced: set[str],
    mapped: Mapping[str, list[dict[str, Any]]] = CUSTOM_MAPPINGS,
) -> list[StreamCheck]:
    """Live records per synced source and stream against the ground truth's counts. A
    mapped custom object shares its kind's table: its rows are told apart by the object's
    name in front of their remote ids."""
    custom: dict[tuple[str, str], list[tuple[str, str]]] = {}  # (crm, type) -> (stream, prefix)
    for crm, mappings in mapped.items():
        for m in mappings:
            key = (crm, KIND_RECORD_TYPES[m["kind"]])
            custom.setdefault(key, []).append((m["stream"], f"{m['object']}/"))
    by_object = expected_object_counts(truth_dir)
    checks = []
    with engine.connect() as conn:

        def live(record_type: str, crm: str, prefix: str | None, own: bool) -> int:
            table = table_of(TABLES[record_type])
            query = select(func.count()).where(table.c.source == crm, table.c.is_deleted.is_(False))
            if prefix is not None:
                starts = table.c.remote_id.startswith(prefix, autoescape=True)
                query = query.where(starts if own else ~starts)
            for _, other in [] if own else custom.get((crm, record_type), []):
                query = query.where(~table.c.remote_id.startswith(other, autoescape=True))
            return int(conn.execute(query).scalar_one())

        for (crm, stream), expected in sorted(expected_stream_counts(truth_dir).items()):
            if crm in synced:
                # a CRM list that a mapping reads in place of its standard stream left it
                taken = {m["object"] for m in mapped.get(crm, [])}
                taken &= set(STREAM_OBJECTS[crm].get(stream, ()))
                expected -= sum(by_object.get((crm, obj), 0) for obj in taken)
                stored = live(STREAM_RECORD_TYPES[stream], crm, None, own=False)
                checks.append(StreamCheck(crm, stream, stored, expected))
        for (crm, record_type), streams in sorted(custom.items()):
            for stream, prefix in streams if crm in synced else []:
                stored = live(record_type, crm, prefix, own=True)
                checks.append(StreamCheck(crm, stream, stored, by_object[(crm, prefix[:-1])]))
    return checks
