"""The delivery loop: recover, then claim → send → record, one message at a time.

Exactly once, and the trade-off left
------------------------------------
SMTP cannot make "the server accepted it" and "we recorded it" one atomic step, so a
crash can land between them. We shrink that window to almost nothing and resolve the rest
towards *at most once*:

1. A row is committed ``sending`` before any SMTP command.
2. Just before the final ``.`` of DATA the row is committed ``handed_over_at``. A server
   delivers only messages whose final dot it received, so a dead sender's row without
   ``handed_over_at`` was certainly not delivered: on restart it is sent again.
3. A dead sender's row *with* ``handed_over_at`` is recorded ``sent`` with
   ``confirmed = false`` and not resent. It was almost surely delivered (the only way it
   was not is a crash in the microseconds between that commit and writing ``.\\r\\n``,
   against the milliseconds the server takes to answer), and a pay statement sent twice
   is the failure the invariant forbids. ``crmsync statements outbox`` lists unconfirmed
   rows; a resend, if an admin wants one, carries the same Message-ID so mail stores can
   drop the duplicate.

The same rule applies to a connection lost after the dot while the process is alive.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.parser import BytesHeaderParser
from email.utils import getaddresses

from sqlalchemy import Engine

from sync.config.mail import EmailConfig
from sync.mail import outbox
from sync.mail.smtp import (
    MailConfigError,
    PermanentMailError,
    SmtpTransport,
    TransientMailError,
    UnconfirmedDelivery,
)

__all__ = ["DeliveryReport", "deliver", "retry_delay"]

log = logging.getLogger("sync.mail")


@dataclass
class DeliveryReport:
    sent: int = 0
    unconfirmed: int = 0
    failed: int = 0
    bounced: int = 0
    recovered_resend: int = 0
    recovered_assumed_sent: int = 0
    stopped: str | None = None  # why the batch stopped early (server unreachable...)
    errors: list[str] = field(default_factory=list)


def retry_delay(config: EmailConfig, attempts: int) -> timedelta:
    """Back-off before attempt ``attempts + 1``: doubling from retry_initial to retry_max."""
    return min(config.retry_initial * (2 ** max(attempts - 1, 0)), config.retry_max)


def _only_recipient(data: bytes, recipient: str) -> bool:
    headers = BytesHeaderParser().parsebytes(data)
    to = [a for _, a in getaddresses(headers.get_all("To", []))]
    copies = headers.get_all("Cc", []) + headers.get_all("Bcc", [])
    return to == [recipient] and not copies


def deliver(
    engine: Engine,
    transport: SmtpTransport,
    config: EmailConfig,
    now: Callable[[], datetime],
    period: str | None = None,
    only: Iterable[str] = (),
    limit: int | None = None,
    on_message: Callable[[DeliveryReport], None] | None = None,
) -> DeliveryReport:
    """Send every due message in scope (or ``limit`` of them) and record each outcome.

    ``config.connections`` senders work in parallel, each on its own SMTP connection (a
    copy of ``transport``), claiming rows one at a time; the claim is atomic, so no row is
    sent twice. Parallel connections hide the round trips of the SMTP dialogue.
    """
    only = tuple(only)
    report = DeliveryReport()
    report.recovered_resend, report.recovered_assumed_sent = outbox.recover(
        engine, now(), config.stale_after
    )
    lock, stop = threading.Lock(), threading.Event()
    budget = [limit]
    failures: list[BaseException] = []

    def take() -> bool:
        with lock:
            if stop.is_set() or budget[0] == 0:
                return False
            if budget[0] is not None:
                budget[0] -= 1
            return True

    def work(worker: SmtpTransport) -> None:
        try:
            _work(engine, worker, config, now, period, only, report, lock, stop, take, on_message)
        except BaseException as exc:  # re-raised in the caller's thread
            stop.set()
            failures.append(exc)
        finally:
            worker.close()

    workers = [transport] + [transport.copy() for _ in range(config.connections - 1)]
    threads = [threading.Thread(target=work, args=(w,), daemon=True) for w in workers[1:]]
    for thread in threads:
        thread.start()
    work(workers[0])
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return report


def _work(
    engine: Engine,
    transport: SmtpTransport,
    config: EmailConfig,
    now: Callable[[], datetime],
    period: str | None,
    only: tuple[str, ...],
    report: DeliveryReport,
    lock: threading.Lock,
    stop: threading.Event,
    take: Callable[[], bool],
    on_message: Callable[[DeliveryReport], None] | None,
) -> None:
    owner = f"{outbox.owner_id()}:{threading.get_ident()}"
    while take():
        row = outbox.claim(engine, now(), owner, period, only)
        if row is None:
            return
        outcome, error, unreachable = _send_one(engine, transport, config, now, row)
        with lock:
            setattr(report, outcome, getattr(report, outcome) + 1)
            if error:
                report.errors.append(f"{row.statement_id}: {error}")
            if unreachable:  # the server is down or gone: stop, retry later
                report.stopped = error
                stop.set()
            if on_message is not None:
                on_message(report)


def _send_one(
    engine: Engine,
    transport: SmtpTransport,
    config: EmailConfig,
    now: Callable[[], datetime],
    row: outbox.Claimed,
) -> tuple[str, str | None, bool]:
    """Send one claimed row and record the outcome.

    Returns the report field to count it in, the error if any, and whether the server
    could not be reached (no SMTP reply code), which stops the batch.
    """
    if not _only_recipient(row.message, row.recipient):
        error = f"the message is not addressed to {row.recipient} alone"
        outbox.mark_failed(engine, row.id, error, None)
        return "failed", error, False
    try:
        response = transport.send(
            config.from_address,
            row.recipient,
            row.message,
            lambda: outbox.mark_handed_over(engine, row.id, now()),
        )
    except UnconfirmedDelivery as exc:
        outbox.mark_sent(engine, row.id, now(), f"unconfirmed: {exc}", confirmed=False)
        return "unconfirmed", None, False
    except PermanentMailError as exc:
        outbox.mark_bounced(engine, row.id, exc.user_message, now())
        return "bounced", exc.user_message, False
    except TransientMailError as exc:
        retry = None
        if row.attempts < config.max_attempts:
            retry = now() + retry_delay(config, row.attempts)
        outbox.mark_failed(engine, row.id, exc.user_message, retry)
        return "failed", exc.user_message, exc.code is None
    except MailConfigError:
        outbox.mark_failed(engine, row.id, "not sent: e-mail settings", now())
        raise
    outbox.mark_sent(engine, row.id, now(), response, confirmed=True)
    return "sent", None, False
