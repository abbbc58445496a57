"""What a push planned and what it did: plain dataclasses the CLI and the step print."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ConflictInfo",
    "FieldChange",
    "ObjectPlan",
    "PushPlan",
    "PushReport",
    "RecordFailure",
    "SourceOutcome",
]


@dataclass(frozen=True)
class FieldChange:
    """One field of one record: the new value and what the diff decided."""

    source: str
    object: str
    remote_id: str
    key: str
    field: str
    new: str | None
    last: str | None
    remote: str | None
    action: str
    conflict: bool = False
    resolution: str | None = None
    remote_known: bool = False


@dataclass(frozen=True)
class ConflictInfo:
    source: str
    object: str
    remote_id: str
    field: str
    crm_value: str | None
    last_written: str | None
    new_value: str | None
    policy: str
    resolution: str

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass
class ObjectPlan:
    """The writes for one CRM object of one source: record id -> {field: value}."""

    source: str
    kind: str
    object: str
    batch_size: int
    records: dict[str, dict[str, str | None]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    # record id -> its version as last synced, where the CRM checks one on write
    versions: dict[str, str] = field(default_factory=dict)
    # why -> the records left out because the CRM cannot write them (the profile says)
    unwritable: dict[str, set[str]] = field(default_factory=dict)

    @property
    def calls(self) -> int:
        """Write calls the records cost at the API's batch maximum."""
        return -(-len(self.records) // self.batch_size)


@dataclass
class PushPlan:
    """Everything a push would do, before any call (the dry run prints it)."""

    objects: list[ObjectPlan] = field(default_factory=list)
    changes: list[FieldChange] = field(default_factory=list)
    conflicts: list[ConflictInfo] = field(default_factory=list)
    adopt: list[FieldChange] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for plan in self.objects:
            total.update(plan.counts)
        total["conflicts"] = len(self.conflicts)
        total["records_to_write"] = sum(len(p.records) for p in self.objects)
        total["write_calls"] = sum(p.calls for p in self.objects)
        return dict(sorted(total.items()))


@dataclass(frozen=True)
class RecordFailure:
    source: str
    object: str
    remote_id: str
    error: str
    retriable: bool
    attempts: int
    conflict: bool = False  # the CRM refused: the record changed there since the last sync


@dataclass
class SourceOutcome:
    """What happened for one source: ``status`` succeeded, partial, quota or failed."""

    source: str
    status: str = "succeeded"
    written: int = 0
    failed: int = 0
    not_attempted: int = 0
    write_calls: int = 0
    api_calls: int = 0
    error: str | None = None
    missing_fields: list[str] = field(default_factory=list)
    created_fields: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(vars(self))


@dataclass
class PushReport:
    """A push run: its plan, the outcome per source, and per-record failures."""

    run_id: int | None
    dry_run: bool
    plan: PushPlan
    sources: list[SourceOutcome] = field(default_factory=list)
    failures: list[RecordFailure] = field(default_factory=list)
    samples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.status == "succeeded" for s in self.sources)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "dry_run": self.dry_run,
            "counts": self.plan.counts(),
            "objects": [
                {
                    "source": p.source,
                    "object": p.object,
                    "records": len(p.records),
                    "batch_size": p.batch_size,
                    "write_calls": p.calls,
                    **dict(sorted(p.counts.items())),
                    **(
                        {"unwritable_reasons": {k: len(v) for k, v in sorted(p.unwritable.items())}}
                        if p.unwritable
                        else {}
                    ),
                }
                for p in self.plan.objects
            ],
            "conflicts": [c.as_dict() for c in self.plan.conflicts],
            "sources": [s.as_dict() for s in self.sources],
            "failures": [dict(vars(f)) for f in self.failures],
            "samples": self.samples,
        }
