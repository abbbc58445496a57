"""The ``email:`` (SMTP transport) and ``statements:`` sections of the configuration.

SMTP credentials are never in the YAML: ``username_env`` and ``password_env`` name the
environment variables that hold them.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sync.config.durations import parse_duration

__all__ = ["EmailConfig", "StatementsConfig"]

# A sender's domain may be a single host name: the default crmsync@localhost, or a relay
# inside the company network, so unlike recipients no dot is required after the @.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _duration(value: Any) -> timedelta:
    return parse_duration(value)


class EmailConfig(BaseModel):
    """How crmsync sends e-mail: one SMTP server, used by statements and alerts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = Field("localhost", description="SMTP server host name.")
    port: int | None = Field(
        None, ge=1, le=65535, description="SMTP port (default: 587 starttls, 465 tls, 25 none)."
    )
    security: Literal["starttls", "tls", "none"] = Field(
        "starttls", description="starttls (upgrade after connecting), tls (implicit) or none."
    )
    from_address: str = Field("crmsync@localhost", description="Envelope and From address.")
    from_name: str = Field("", description="Display name in the From header.")
    reply_to: str | None = Field(
        None, description="Where employees' replies (questions, disputes) go."
    )
    username_env: str | None = Field(
        None, description="Environment variable holding the SMTP user name (null: no login)."
    )
    password_env: str | None = Field(
        None, description="Environment variable holding the SMTP password."
    )
    ca_bundle: Path | None = Field(None, description="CA bundle to verify the server against.")
    timeout: timedelta = Field(timedelta(seconds=30), description="Per-command timeout.")
    connections: int = Field(
        4, ge=1, le=32, description="Parallel SMTP connections when sending a batch."
    )
    max_attempts: int = Field(5, ge=1, description="Give up a message after this many tries.")
    retry_initial: timedelta = Field(
        timedelta(minutes=1), description="First retry delay; doubles per attempt."
    )
    retry_max: timedelta = Field(timedelta(hours=1), description="Longest retry delay.")
    stale_after: timedelta = Field(
        timedelta(minutes=10),
        description="A message left 'sending' this long by a sender on another host is "
        "recovered (same host: as soon as the sender's process is gone).",
    )

    @field_validator("from_address", "reply_to")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        if value is not None and not _ADDRESS.match(value):
            raise ValueError(f"{value!r} is not an e-mail address (write name@host)")
        return value

    @field_validator("username_env", "password_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.match(value):
            # The value is not echoed: someone who wrote the secret itself here must not
            # see it again in a terminal or a log.
            raise ValueError(
                "not an environment variable name: give the variable's name "
                "(e.g. SMTP_PASSWORD), never the secret itself"
            )
        return value

    @field_validator("timeout", "retry_initial", "retry_max", "stale_after", mode="before")
    @classmethod
    def _durations(cls, value: Any) -> timedelta:
        return _duration(value)

    @property
    def effective_port(self) -> int:
        return self.port or {"starttls": 587, "tls": 465, "none": 25}[self.security]


class StatementsConfig(BaseModel):
    """Plan statements: approval, templates, language, who may receive them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    approval_required: bool = Field(
        False, description="Queue statements for `crmsync statements approve` before sending."
    )
    deliver: bool = Field(
        False,
        description="The statements step of `crmsync run` and the daemon also sends a closed "
        "period's queued statements (false: queue only; send with `crmsync statements send`).",
    )
    template_dir: Path | None = Field(
        None,
        description="Folder of override templates (rendered in a sandbox); null: defaults.",
    )
    locale_default: Literal["en", "fr", "es", "de"] = Field(
        "en", description="Language for employees whose locale is unknown."
    )
    company_name: str = Field("", description="Shown at the top of every statement.")
    payout_day: int | None = Field(
        25,
        ge=1,
        le=31,
        description="Day of the month a period's pay is paid (the month's last day when "
        "shorter); null: statements show no payout date.",
    )
    payout_months_after: int = Field(
        1,
        ge=0,
        le=12,
        description="Months after the period's last month that the payout falls in "
        "(0: the period's own last month).",
    )
    recipient_domains: list[str] = Field(
        default_factory=list,
        description="If set, only send to addresses in these domains (others are refused).",
    )
