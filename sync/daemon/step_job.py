"""A later step (reconcile, audit, compute, push, statements) as a scheduled job."""

from __future__ import annotations

import logging

from sync.config.models import CrmsyncConfig
from sync.daemon.job_base import JobContext, JobOutcome, ScheduledJob
from sync.pipeline.steps import StepContext, load_step

__all__ = ["StepJob"]

log = logging.getLogger("sync.daemon")


class StepJob(ScheduledJob):
    """Runs step ``name`` of the pipeline under the lock ``step:<name>``."""

    def __init__(self, context: JobContext, name: str, config: CrmsyncConfig) -> None:
        super().__init__(context)
        self.step = name
        self.config = config
        self.function = load_step(name)  # fails at start-up, not at the first due time
        self.job_id = f"step:{name}"
        self.lock_name = f"step-{name}"

    def run_once(self) -> JobOutcome:
        log.info("%s: started", self.job_id)
        report = self.function(self.ctx.engine, self.config, StepContext(now=self.ctx.now()))
        detail = ", ".join(f"{key} {value}" for key, value in report.summary.items())
        if report.status == "failed":
            return JobOutcome("failed", report.error or "failed", detail=detail)
        return JobOutcome("succeeded", detail=detail or report.status)
