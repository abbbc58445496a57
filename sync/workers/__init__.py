"""Scale-out: ``crmsync worker`` processes sharing jobs through the store's PostgreSQL
(procrastinate). The settings load without procrastinate; the rest loads lazily."""

from __future__ import annotations

from typing import Any

from sync.config.workers import WorkerQueues, WorkersConfig

__all__ = [
    "WorkerQueues",
    "WorkersConfig",
    "build_app",
    "defer_jobs",
    "list_jobs",
    "periodic_plan",
    "prepare_store",
    "run_worker",
    "source_jobs",
]

_LAZY = {
    "build_app": "sync.workers.app",
    "periodic_plan": "sync.workers.app",
    "source_jobs": "sync.workers.app",
    "defer_jobs": "sync.workers.queue",
    "list_jobs": "sync.workers.queue",
    "prepare_store": "sync.workers.schema",
    "run_worker": "sync.workers.process",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
