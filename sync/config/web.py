"""The ``web:`` section of the configuration: who may sign in to ``crmsync serve`` as an
admin, the address its sign-in links point to, and where its signing key comes from.

The key is never in the YAML: ``secret_env`` names the environment variable holding it
(at least 32 characters); sessions, sign-in links and CSRF tokens are signed with it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["WebConfig"]


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
