"""Keap connector settings (the ``sources[]`` keys of a ``kind: keap`` source)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["KeapAuthSettings", "KeapSettings"]


class KeapAuthSettings(BaseModel):
    """The app's OAuth 2 client and a refresh token from its authorisation.

    Keap rotates refresh tokens: each refresh answers a new one and the one used stops
    working. crmsync keeps the newest pair in ``token_file`` and starts from it; the
    ``refresh_token`` here is used only when the file has none Keap accepts.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    client_id: str = Field(
        min_length=1, description="The app's client id (keys.developer.keap.com)."
    )
    client_secret: SecretStr = Field(description="The app's client secret.")
    refresh_token: SecretStr = Field(
        description="A refresh token from the app's authorisation (the first one; crmsync "
        "keeps the rotated ones in token_file)."
    )
    token_file: Path = Field(
        description="Where crmsync keeps the newest access and refresh tokens (mode 0600); "
        "every process syncing this Keap account must use the same file."
    )


class KeapSettings(BaseModel):
    """Where the Keap API lives and how hard to read it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str = Field(
        "https://api.infusionsoft.com",
        description="The API host: REST v1 under /crm/rest/v1, tokens at /token.",
    )
    auth: KeapAuthSettings
    currency: str = Field(
        "USD", min_length=3, max_length=3, description="The account's currency (Keap has one)."
    )
    ca_bundle: Path | None = Field(None, description="CA bundle to verify TLS against.")
    page_size: int = Field(1000, ge=1, le=1000, description="Records per list call (at most 1000).")
    quota_stop_after_s: float = Field(
        300, gt=0, description="A spent quota that refills later than this stops the source."
    )
    timeout_s: float = Field(60, gt=0, description="Per-request timeout.")
