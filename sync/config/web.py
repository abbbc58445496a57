"""The ``web:`` section of the configuration: who may sign in to ``crmsync serve`` as an
admin, the address its sign-in links point to, and where its signing key comes from.

The key is never in the YAML: ``secret_env`` names the environment variable holding it
(at least 32 characters); sessions, sign-in links and CSRF tokens are signed with it.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["OidcConfig", "SigninLimitConfig", "WebConfig"]

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SigninLimitConfig(BaseModel):
    """How many sign-in e-mails may be asked for within a window. Past the limit the page
    answers as always ("if the address is known, a link is on its way") and sends nothing,
    so the limit tells nobody who works here either."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    per_address: int = Field(
        3, ge=1, le=1000, description="Sign-in e-mails one address may get per window."
    )
    per_client: int = Field(
        20,
        ge=1,
        le=100000,
        description="Sign-in e-mails one client IP address may ask for "
        "per window (whatever the addresses).",
    )
    window_minutes: int = Field(
        15, ge=1, le=1440, description="The window the limits count in, in minutes."
    )


class OidcConfig(BaseModel):
    """Sign-in through an OpenID Connect provider (authorization code flow with PKCE). The
    provider's ``email`` claim is matched to an employee like the e-mailed link's address."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    issuer: str = Field(
        description="The provider's issuer URL; its /.well-known/openid-configuration is read."
    )
    client_id: str = Field(description="The client id crmsync is registered under.")
    client_secret_env: str = Field(
        "CRMSYNC_OIDC_CLIENT_SECRET",
        description="Environment variable (or secrets_file key) holding the client secret.",
    )
    label: str = Field("Sign in with single sign-on", description="The sign-in button's text.")

    @field_validator("client_secret_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if not _ENV_NAME.match(value):
            raise ValueError(
                "not an environment variable name: give the variable's name "
                "(e.g. CRMSYNC_OIDC_CLIENT_SECRET), never the secret itself"
            )
        return value

    @field_validator("issuer")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("the issuer is a URL (https://...)")
        return value.rstrip("/")


class WebConfig(BaseModel):
    """The managers' dashboard and employees' portal (``crmsync serve``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str = Field(
        "http://127.0.0.1:8080",
        description="Address people open; sign-in links e-mailed point here.",
    )
    admins: list[str] = Field(
        default_factory=list,
        description="E-mail addresses (or employee ids) of admins: every page and the "
        "identity decisions.",
    )
    secret_env: str = Field(
        "CRMSYNC_WEB_SECRET",
        description="Environment variable holding the signing key (32+ characters).",
    )
    link_minutes: int = Field(
        15, ge=1, le=1440, description="A sign-in link works once, for this many minutes."
    )
    session_hours: int = Field(12, ge=1, le=720, description="A session lasts this long.")
    preload_seconds: int = Field(
        10,
        ge=0,
        le=3600,
        description="How often the server checks the store for a new run (one query) and then "
        "loads the pages' data in the background, so the first viewer after a run does not "
        "wait; 0: only when a page is opened.",
    )
    signin_limit: SigninLimitConfig = Field(
        default_factory=SigninLimitConfig,
        description="Rate limit on sign-in e-mails, per address and per client.",
    )
    oidc: OidcConfig | None = Field(
        None, description="OpenID Connect sign-in (null: the e-mailed link only)."
    )
