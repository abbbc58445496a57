"""Salesforce connector settings (the ``sources[]`` keys of a ``kind: salesforce`` source)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

__all__ = ["SalesforceAuthSettings", "SalesforceSettings"]

Flow = Literal["client_credentials", "refresh_token", "password", "jwt", "access_token"]

# what each flow needs besides ``flow`` itself
_REQUIRED: dict[str, tuple[str, ...]] = {
    "client_credentials": ("client_id", "client_secret"),
    "refresh_token": ("client_id", "client_secret", "refresh_token"),
    "password": ("client_id", "client_secret", "username", "password"),
    "jwt": ("client_id", "username"),
    "access_token": ("access_token",),
}


class SalesforceAuthSettings(BaseModel):
    """One OAuth flow of a connected app (client credentials unless told otherwise)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    flow: Flow = "client_credentials"
    client_id: str | None = None
    client_secret: SecretStr | None = None
    refresh_token: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    security_token: SecretStr | None = Field(
        None, description="Appended to the password in the password flow."
    )
    private_key: SecretStr | None = Field(None, description="PEM key signing JWT assertions.")
    private_key_file: Path | None = Field(None, description="File holding that PEM key.")
    audience: str = Field(
        "https://login.salesforce.com",
        description="JWT 'aud': login.salesforce.com, test.salesforce.com or the token URL.",
    )
    access_token: SecretStr | None = Field(None, description="A static session id (no refresh).")

    @model_validator(mode="after")
    def _flow_fields(self) -> SalesforceAuthSettings:
        missing = [name for name in _REQUIRED[self.flow] if getattr(self, name) is None]
        if self.flow == "jwt" and self.private_key is None and self.private_key_file is None:
            missing.append("private_key or private_key_file")
        if missing:
            raise ValueError(f"auth flow {self.flow!r} needs {', '.join(missing)}")
        return self


class SalesforceSettings(BaseModel):
    """Where the org lives, how to log in, and how hard to read it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instance_url: str = Field(description="https://<my-domain>.my.salesforce.com")
    token_url: str | None = Field(
        None, description="OAuth token endpoint; default <instance_url>/services/oauth2/token."
    )
    auth: SalesforceAuthSettings
    ca_bundle: Path | None = Field(None, description="CA bundle to verify TLS against.")
    api_version: str = Field("59.0", pattern=r"^\d{2}\.0$")
    page_size: int = Field(2000, ge=200, le=2000, description="REST query batchSize hint.")
    bulk_threshold: int = Field(
        50_000, ge=0, description="Read with Bulk API 2.0 when a window holds more rows."
    )
    bulk_page_size: int = Field(50_000, ge=1, description="Rows per Bulk 2.0 result page.")
    bulk_poll_max_s: float = Field(600, gt=0, description="Give up a Bulk job after this long.")
    write_batch_size: int = Field(200, ge=1, le=200, description="Records per Collections call.")
    session_lifetime_s: float = Field(
        7200, gt=0, description="The org's session timeout (tokens carry no expiry)."
    )
    token_refresh_margin_s: float = Field(300, ge=0, description="Refresh this long before.")
    detect_hard_deletes: bool = Field(
        True, description="Ask /sobjects/X/deleted for purged ids on incremental reads."
    )
    hard_delete_check_every_s: float = Field(
        6 * 3600,
        ge=0,
        description="Ask the delete log at most this often (server clock); soft deletes "
        "arrive with every incremental read anyway.",
    )
    describe_ttl_s: float = Field(
        24 * 3600,
        ge=0,
        description="Describe an object again after this long (server clock); a full sync "
        "always does.",
    )
    max_query_restarts: int = Field(5, ge=0, description="Restarts of a query per window.")
    timeout_s: float = Field(120, gt=0, description="Per-request timeout.")

    @property
    def describe_ttl(self) -> timedelta:
        return timedelta(seconds=self.describe_ttl_s)

    @property
    def hard_delete_check_every(self) -> timedelta:
        return timedelta(seconds=self.hard_delete_check_every_s)

    @property
    def resolved_token_url(self) -> str:
        return self.token_url or f"{self.instance_url.rstrip('/')}/services/oauth2/token"
