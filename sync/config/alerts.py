"""The ``alerts:`` section (the daemon's :class:`~sync.daemon.alerts.Alerter` reads it)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AlertsConfig"]


class AlertsConfig(BaseModel):
    """The ``alerts:`` section: who hears about failing jobs (SMTP from ``email:``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    email_to: list[str] = Field(
        default_factory=list, description="Admins' addresses; empty: no e-mail alerts."
    )
    after_failures: int = Field(3, ge=1, description="Alert after this many failures in a row.")
    recovery: bool = Field(True, description="Also say when a job succeeds again.")
    subject_prefix: str = Field("[crmsync]", description="Start of every alert's subject.")
