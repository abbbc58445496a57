"""The typed configuration (one YAML file; ``config/crmsync.example.yaml`` shows every key).

Connector-specific keys of a source (URLs, auth...) are validated by the connector's own
``settings_model`` and kept in ``SourceConfig.settings``.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from connectors.core.channels import CHANNELS
from connectors.core.custom import CustomObjectMapping
from sync.config.alerts import AlertsConfig
from sync.config.audit import AuditConfig
from sync.config.compensation import CompensationConfig
from sync.config.durations import parse_duration
from sync.config.mail import EmailConfig, StatementsConfig
from sync.config.push import PushConfig
from sync.config.reconcile import ReconcileConfig
from sync.config.schedule import ScheduleConfig
from sync.config.web import WebConfig
from sync.config.workers import WorkersConfig

__all__ = ["ChannelOverrides", "CrmsyncConfig", "SourceConfig", "StoreConfig", "parse_duration"]

_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StoreConfig(_Strict):
    url: str = Field("sqlite:///crmsync.sqlite", description="SQLAlchemy database URL.")

    @field_validator("url")
    @classmethod
    def _known_backend(cls, url: str) -> str:
        if not url.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
            raise ValueError("the store must be sqlite:///FILE or postgresql://...")
        return url


class ChannelOverrides(_Strict):
    """Raw CRM value -> channel, per category, on top of the defaults."""

    lead_source: dict[str, str] = Field(default_factory=dict)
    activity: dict[str, str] = Field(default_factory=dict)
    case_origin: dict[str, str] = Field(default_factory=dict)
    utm: dict[str, str] = Field(
        default_factory=dict,
        description="Digital events: UTM medium or source -> channel (the events connector).",
    )

    @model_validator(mode="after")
    def _known_channels(self) -> ChannelOverrides:
        for category in ("lead_source", "activity", "case_origin", "utm"):
            for raw, channel in getattr(self, category).items():
                if channel not in CHANNELS:
                    raise ValueError(
                        f"{category} value {raw!r} maps to {channel!r}, which is "
                        f"not a channel; use one of {', '.join(CHANNELS)}"
                    )
        return self


class SourceConfig(BaseModel):
    """One CRM to sync. Keys not listed here go to the connector's settings."""

    model_config = ConfigDict(extra="allow", frozen=True, arbitrary_types_allowed=True)

    name: str = Field(description="Short unique name (lower case), used in the store.")
    kind: str = Field(
        description="Connector kind: a built-in connector's or a plugin's "
        "(`crmsync connectors list` shows the installed kinds)."
    )
    enabled: bool = True
    streams: list[str] | None = Field(None, description="Streams to sync (default: all).")
    lookback: timedelta = Field(
        timedelta(minutes=10), description="Re-read this far behind the cursor."
    )
    api_quota_share: float = Field(
        1.0, gt=0, le=1, description="Share of the CRM's API quota crmsync may use."
    )
    delete_guard_share: float = Field(
        0.05,
        gt=0,
        le=1,
        description="Refuse to mark more than this share of a "
        "stream deleted in one run without --force.",
    )
    full_id_check_every: timedelta = Field(
        timedelta(days=1),
        description="Compare every remote id with the store this often, to catch deletes "
        "incremental reads cannot see.",
    )
    channels: ChannelOverrides = Field(default_factory=ChannelOverrides)
    custom_objects: list[CustomObjectMapping] = Field(
        default_factory=list,
        description="Custom objects mapped to a common kind, each read as one more stream "
        "(docs/custom-objects.md; `crmsync connectors discover` lists the objects).",
    )
    exchange_rates: bool = Field(
        False,
        description="Read the CRM's dated exchange rates on every sync into the store "
        "(docs/multi-currency.md); compensation.crm_rates says which sources' rates "
        "convert deals.",
    )
    settings: Any = Field(None, exclude=True)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(
                "use lower-case letters, digits, - or _, starting with a letter "
                "(at most 40 characters)"
            )
        return value

    @model_validator(mode="after")
    def _unique_custom_streams(self) -> SourceConfig:
        names = [m.stream_name for m in self.custom_objects]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(
                f"custom_objects: two mappings are named {', '.join(twice)}; give each a "
                "distinct stream"
            )
        return self

    @field_validator("lookback", "full_id_check_every", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> timedelta:
        return parse_duration(value)


class CrmsyncConfig(_Strict):
    """The whole file. Checks across sections (unique source names, push targets naming
    sources, folders that exist) run in :mod:`sync.config.references`, on the data as
    written, so they name the line and report even when a section is broken."""

    store: StoreConfig = Field(default_factory=StoreConfig)
    secrets_file: Path | None = Field(None, description="KEY=value file for ${KEY} references.")
    sources: list[SourceConfig] = Field(default_factory=list)
    schedule: ScheduleConfig | None = Field(None, description="When crmsync daemon runs jobs.")
    email: EmailConfig = Field(default_factory=EmailConfig, description="SMTP server for e-mail.")
    statements: StatementsConfig = Field(
        default_factory=StatementsConfig, description="Plan statements by e-mail."
    )
    audit: AuditConfig = Field(
        default_factory=AuditConfig, description="CRM usage audit rules and usage score."
    )
    alerts: AlertsConfig = Field(
        default_factory=AlertsConfig, description="E-mail alerts about failing daemon jobs."
    )
    reconcile: ReconcileConfig = Field(
        default_factory=ReconcileConfig,
        description="Identity resolution: thresholds, guards, golden-record survivorship.",
    )
    push: PushConfig = Field(
        default_factory=PushConfig, description="Write-back of computed values as CRM fields."
    )
    compensation: CompensationConfig = Field(
        default_factory=CompensationConfig,
        description="Plans, rates and deal evidence for `crmsync plan` and the compute step.",
    )
    workers: WorkersConfig = Field(
        default_factory=WorkersConfig,
        description="Scale-out: `crmsync worker` processes sharing jobs through PostgreSQL.",
    )
    web: WebConfig = Field(
        default_factory=WebConfig,
        description="The dashboard and portal in the browser (`crmsync serve`).",
    )

    def source_kinds(self) -> dict[str, str]:
        """The connector kind of each configured source, by source name."""
        return {source.name: source.kind for source in self.sources}

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        names = ", ".join(s.name for s in self.sources) or "none"
        raise KeyError(f"no source named {name!r} (configured: {names})")
