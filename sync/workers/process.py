"""Running one worker process: prepare the store, build the app, take jobs until SIGTERM."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import Engine

from sync.config.models import CrmsyncConfig
from sync.workers.app import build_app
from sync.workers.tasks import WorkerRuntime

__all__ = ["default_worker_name", "run_worker"]

log = logging.getLogger("sync.workers")


def default_worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


def run_worker(
    config: CrmsyncConfig,
    engine: Engine,
    now: Callable[[], datetime],
    name: str | None = None,
    concurrency: int | None = None,
    queues: Sequence[str] | None = None,
) -> None:
    """Take jobs from ``queues`` (None: all) until SIGTERM/SIGINT.

    On a stop signal the worker takes no new job; running sync jobs go on for
    ``workers.stop_grace``, then stop after their current page (at once where their
    connector waits to retry) and are queued again.
    """
    settings = config.workers
    worker = name or default_worker_name()
    app = build_app(config, worker_name=worker)
    runtime = WorkerRuntime(config, engine, worker, now, settings.stalled_timeout)
    log.info(
        "worker %s: taking jobs from %s", worker, ", ".join(queues) if queues else "every queue"
    )
    app.run_worker(
        name=worker,
        queues=list(queues) if queues else None,
        concurrency=concurrency or settings.concurrency,
        fetch_job_polling_interval=settings.poll_interval.total_seconds(),
        abort_job_polling_interval=settings.poll_interval.total_seconds(),
        update_heartbeat_interval=settings.heartbeat.total_seconds(),
        stalled_worker_timeout=settings.stalled_timeout.total_seconds(),
        shutdown_graceful_timeout=settings.stop_grace.total_seconds(),
        additional_context={"crmsync": runtime},
    )
    log.info("worker %s: stopped", worker)
