"""HubSpot connector settings (the ``sources[]`` keys of a ``kind: hubspot`` source)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["HubSpotOAuth", "HubSpotPrivateApp", "HubSpotSettings"]

ENGAGEMENT_TYPES = ("calls", "emails", "meetings", "notes", "tasks")


class HubSpotPrivateApp(BaseModel):
    """A private app's static access token (``pat-...``); it does not expire."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    flow: Literal["private_app"] = "private_app"
    access_token: SecretStr


class HubSpotOAuth(BaseModel):
    """A public app's OAuth refresh token; access tokens live 30 minutes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    flow: Literal["oauth"] = "oauth"
    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    refresh_token: SecretStr
    redirect_uri: str | None = None


class HubSpotSettings(BaseModel):
    """Where the HubSpot portal's API lives and how hard to read it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str = Field("https://api.hubapi.com", description="API host (no trailing /).")
    auth: Annotated[HubSpotPrivateApp | HubSpotOAuth, Field(discriminator="flow")]
    ca_bundle: Path | None = Field(None, description="CA bundle to verify TLS against.")
    list_page_size: int = Field(100, ge=1, le=100, description="Records per list call.")
    search_page_size: int = Field(200, ge=1, le=200, description="Records per search call.")
    search_result_cap: int = Field(
        10_000, ge=200, description="HubSpot's cap on results one search query can page to."
    )
    write_batch_size: int = Field(100, ge=1, le=100, description="Inputs per batch write.")
    engagement_types: tuple[str, ...] = Field(
        ENGAGEMENT_TYPES, description="Engagement objects read by the activities stream."
    )
    token_refresh_margin_s: float = Field(
        300, ge=0, description="Refresh an OAuth access token this long before it expires."
    )
    timeout_s: float = Field(60, gt=0, description="Per-request timeout.")
    link_workers: int = Field(
        4,
        ge=1,
        le=10,
        description="Association reads of a search page made at once when the portal answers "
        "slowly (one per linked object type; 1: one after another).",
    )
    marketing_events: bool = Field(
        False,
        description="Also read form submissions and marketing e-mail events as digital "
        "events (streams form_submissions and email_events; scopes forms and content).",
    )
