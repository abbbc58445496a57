"""Oracle CX Sales connector settings (the ``sources[]`` keys of a ``kind: oracle`` source)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

__all__ = ["OracleAuthSettings", "OracleSettings"]


class OracleAuthSettings(BaseModel):
    """How crmsync signs in: HTTP basic auth of an integration user (``flow: basic``), or
    an OAuth bearer token from the identity domain (Oracle Identity Cloud Service / IAM)
    for a confidential application, by the client credentials grant
    (``flow: client_credentials``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    flow: Literal["basic", "client_credentials"] = "basic"
    username: str | None = Field(None, description="basic: the integration user's name.")
    password: SecretStr | None = Field(None, description="basic: its password.")
    token_url: str | None = Field(
        None,
        description="client_credentials: the identity domain's token URL, "
        "https://idcs-<id>.identity.oraclecloud.com/oauth2/v1/token.",
    )
    client_id: str | None = Field(None, description="client_credentials: the application's id.")
    client_secret: SecretStr | None = Field(None, description="client_credentials: its secret.")
    scope: str | None = Field(
        None,
        description="client_credentials: the scope; by default the site URL followed by "
        "urn:opc:resource:consumer::all.",
    )

    @model_validator(mode="after")
    def _complete(self) -> OracleAuthSettings:
        if self.flow == "basic":
            missing = [n for n in ("username", "password") if getattr(self, n) is None]
        else:
            needed = ("token_url", "client_id", "client_secret")
            missing = [n for n in needed if getattr(self, n) is None]
        if missing:
            raise ValueError(f"flow {self.flow} needs {', '.join(missing)}")
        return self


class OracleSettings(BaseModel):
    """Where the Fusion instance lives and how hard to read it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    site_url: str = Field(description="The instance URL, https://<pod>.fa.<dc>.oraclecloud.com.")
    auth: OracleAuthSettings
    ca_bundle: Path | None = Field(None, description="CA bundle to verify TLS against.")
    page_size: int = Field(
        500, ge=1, le=500, description="Records per collection call (limit, at most 500)."
    )
    write_batch_size: int = Field(
        100, ge=1, le=500, description="Record updates per batch request (parts)."
    )
    quota_stop_after_s: float = Field(
        300, gt=0, description="A 429 asking to wait longer than this stops the source."
    )
    timeout_s: float = Field(60, gt=0, description="Per-request timeout.")
