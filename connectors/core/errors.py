"""Connector errors, grouped by what the caller (the pull) does next.

::

    ConnectorError                  root: source, stream, record_id, status, user_message
    ├── ConnectorConfigError        fix the configuration (bad URL, missing credential)
    ├── ConnectorFatalError         stop this source now (credentials refused, no access)
    │   └── QuotaExhausted          the CRM's daily API limit or our share of it is used up:
    │                               stop this source cleanly with its state saved
    ├── RetriableError              back off and retry (429, 5xx, timeouts); ``retry_after``
    │   ├── SessionExpired          refresh the token, then retry (restart a query)
    │   └── RetriesExhausted        the retry policy gave up on one call (its attempts or
    │                               its time budget are used up). Also a
    │                               ``ConnectorFatalError``: a sync stops this source for
    │                               this run; a push reports the batch for a later run
    └── SkippableRecordError        quarantine this record and go on

Foreign exceptions (requests, simple-salesforce, hubspot-api-client) are translated into
these at one boundary per connector, with ``raise ... from exc``. Messages never contain
secrets: tokens and passwords are not echoed back.
"""

from __future__ import annotations

__all__ = [
    "ConnectorConfigError",
    "ConnectorError",
    "ConnectorFatalError",
    "QuotaExhausted",
    "RetriableError",
    "RetriesExhausted",
    "SessionExpired",
    "SkippableRecordError",
]


class ConnectorError(Exception):
    """Root of every error a connector raises."""

    def __init__(
        self,
        user_message: str,
        *,
        source: str | None = None,
        stream: str | None = None,
        record_id: str | None = None,
        status: int | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.source = source
        self.stream = stream
        self.record_id = record_id
        self.status = status
        self.detail = detail  # internal detail (response excerpt), never shown by default


class ConnectorConfigError(ConnectorError):
    """The connector's settings are wrong: the admin must fix the YAML or environment."""


class ConnectorFatalError(ConnectorError):
    """This source cannot go on in this run."""


class QuotaExhausted(ConnectorFatalError):
    """The API quota (the CRM's, or the share crmsync may use) is used up for now."""


class RetriableError(ConnectorError):
    """A transient failure; ``retry_after`` seconds is the server's hint when it gave one."""

    def __init__(
        self, user_message: str, *, retry_after: float | None = None, **context: object
    ) -> None:
        super().__init__(user_message, **context)  # type: ignore[arg-type]
        self.retry_after = retry_after


class SessionExpired(RetriableError):
    """The access token expired or was revoked: refresh it and retry."""


class RetriesExhausted(RetriableError, ConnectorFatalError):
    """The retry policy gave up on a call; the message says after how many attempts.

    Retriable later (a write batch is reported for the next push), fatal now: a CRM that
    did not answer one call within the policy's budget would make every later call of the
    run wait as long, so the sync stops the source and the next run resumes.
    """


class SkippableRecordError(ConnectorError):
    """One record cannot be mapped or written; the rest of the batch goes on."""
