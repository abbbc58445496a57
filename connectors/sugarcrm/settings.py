"""SugarCRM connector settings (the ``sources[]`` keys of a ``kind: sugarcrm`` source)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["SugarCRMAuthSettings", "SugarCRMSettings"]


class SugarCRMAuthSettings(BaseModel):
    """The OAuth 2 password grant of an API user (Sugar's own ``sugar`` client)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    username: str = Field(min_length=1)
    password: SecretStr
    client_id: str = Field("sugar", description="OAuth key (Admin > OAuth Keys); sugar by default.")
    client_secret: SecretStr = Field(SecretStr(""), description="The OAuth key's secret.")
    platform: str = Field(
        "crmsync",
        min_length=1,
        description="API platform (Admin > Configure API Platforms): its own, so a user "
        "signed in to the web app is not logged out.",
    )


class SugarCRMSettings(BaseModel):
    """Where the Sugar instance lives and how hard to read it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    site_url: str = Field(description="The instance URL, https://<name>.sugarondemand.com.")
    auth: SugarCRMAuthSettings
    ca_bundle: Path | None = Field(None, description="CA bundle to verify TLS against.")
    page_size: int = Field(
        1000, ge=1, le=1000, description="Records per filter call (max_num, at most 1000)."
    )
    write_batch_size: int = Field(
        100, ge=1, le=500, description="Record updates per bulk API call."
    )
    quota_stop_after_s: float = Field(
        300, gt=0, description="A 429 asking to wait longer than this stops the source."
    )
    timeout_s: float = Field(60, gt=0, description="Per-request timeout.")
