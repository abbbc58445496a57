"""E-mail alerts to admins when a job keeps failing, and when it recovers.

One alert per failure streak: when a job reaches ``after_failures`` failures in a row, and
one "recovered" notice after its next success. The ``alerted`` flag lives in the job table,
so a restarted daemon does not alert twice for the same streak. Sending goes through a
callable (the SMTP mailer in production, any transport in tests); a failed send is logged
and never stops the daemon.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sync.config.alerts import AlertsConfig

__all__ = ["AlertSender", "Alerter"]

log = logging.getLogger("sync.daemon")

AlertSender = Callable[[str, str, Sequence[str]], None]  # subject, body, recipients


class Alerter:
    """Decides when to alert; ``send`` does the delivery."""

    def __init__(self, config: AlertsConfig, send: AlertSender | None) -> None:
        self.config = config
        self.send = send if config.email_to else None

    def failed(
        self, job: str, failures: int, error: str, retry_at: datetime, alerted: bool
    ) -> bool:
        """Alert if this failure reaches the threshold; returns the new ``alerted`` flag."""
        if alerted or failures < self.config.after_failures:
            return alerted
        times = "time" if failures == 1 else "times"
        subject = f"{self.config.subject_prefix} {job} failed {failures} {times} in a row"
        body = (
            f"The crmsync job {job!r} has failed {failures} {times} in a row.\n\n"
            f"Last error: {error}\n\n"
            f"It backs off and tries again not before "
            f"{retry_at.strftime('%Y-%m-%d %H:%M:%S UTC')}.\n"
            "Check the source's credentials and the CRM's status; `crmsync status` shows "
            "every job, and the daemon log has the details.\n"
        )
        return self._deliver(subject, body) or alerted

    def recovered(self, job: str, alerted: bool) -> None:
        if not alerted or not self.config.recovery:
            return
        subject = f"{self.config.subject_prefix} {job} recovered"
        self._deliver(subject, f"The crmsync job {job!r} succeeded again.\n")

    def _deliver(self, subject: str, body: str) -> bool:
        if self.send is None:
            return False
        try:
            self.send(subject, body, self.config.email_to)
        except Exception as exc:  # an unreachable mail server must not stop the daemon
            log.warning("could not send the alert %r: %s", subject, exc)
            return False
        log.info("alert sent to %s: %s", ", ".join(self.config.email_to), subject)
        return True
