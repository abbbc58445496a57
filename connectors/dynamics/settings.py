"""Dynamics 365 connector settings (the ``sources[]`` keys of a ``kind: dynamics`` source)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["DynamicsAuthSettings", "DynamicsSettings"]


class DynamicsAuthSettings(BaseModel):
    """Entra ID client credentials of an app registration that is an application user of
    the environment."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    flow: Literal["client_credentials"] = "client_credentials"
    tenant_id: str = Field(min_length=1, description="Entra ID tenant (GUID or domain).")
    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    token_cache_file: Path | None = Field(
        None,
        description="Where crmsync keeps MSAL's token cache (mode 0600, beside the other "
        "secrets), so a new process reuses an access token still valid instead of asking "
        "Entra ID; unset, every process gets its own token.",
    )


class DynamicsSettings(BaseModel):
    """Where the Dataverse environment lives and how hard to read it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    environment_url: str = Field(
        description="The environment URL, https://<org>.crm<N>.dynamics.com (also the token "
        "scope's resource)."
    )
    authority_host: str = Field(
        "https://login.microsoftonline.com", description="Entra ID host the tenant lives on."
    )
    auth: DynamicsAuthSettings
    ca_bundle: Path | None = Field(None, description="CA bundle to verify TLS against.")
    api_version: str = Field("v9.2", pattern=r"^v9\.[0-2]$")
    page_size: int = Field(
        5000, ge=1, le=5000, description="Rows per page (Prefer: odata.maxpagesize, max 5000)."
    )
    write_batch_size: int = Field(
        1000, ge=1, le=1000, description="Updates per $batch request (max 1000)."
    )
    publisher_prefix: str = Field(
        "crmsync",
        pattern=r"^[a-z][a-z0-9]{1,7}$",
        description="Customization prefix of the publisher custom columns are created under.",
    )
    token_refresh_margin_s: float = Field(
        300, ge=0, description="Get a new access token this long before it expires."
    )
    quota_stop_after_s: float = Field(
        300,
        gt=0,
        description="A 429 asking to wait longer than this stops the source for this run.",
    )
    timeout_s: float = Field(60, gt=0, description="Per-request timeout.")
