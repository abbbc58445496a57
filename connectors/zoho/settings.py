"""Zoho CRM connector settings (the ``sources[]`` keys of a ``kind: zoho`` source)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["ZohoAuthSettings", "ZohoSettings"]


class ZohoAuthSettings(BaseModel):
    """OAuth refresh-token grant: a self-client or server-based client's long-lived token."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    flow: Literal["refresh_token"] = "refresh_token"
    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    refresh_token: SecretStr


class ZohoSettings(BaseModel):
    """Where the Zoho org lives and how hard to read it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    api_domain: str = Field(
        "https://www.zohoapis.com",
        description="API domain; replaced by the api_domain the token endpoint returns.",
    )
    accounts_url: str = Field(
        "https://accounts.zoho.com", description="Accounts server of the org's data centre."
    )
    auth: ZohoAuthSettings
    ca_bundle: Path | None = Field(None, description="CA bundle to verify TLS against.")
    api_version: str = Field("v8", pattern=r"^v[2-8](\.1)?$")
    page_size: int = Field(200, ge=1, le=200, description="Records per list call (max 200).")
    page_token_records: int = Field(
        100_000, ge=10, description="Zoho's cap on rows one page-token walk can return."
    )
    write_batch_size: int = Field(100, ge=1, le=100, description="Records per write (max 100).")
    token_refresh_margin_s: float = Field(
        300, ge=0, description="Refresh the access token this long before it expires."
    )
    fields_ttl_s: float = Field(
        86_400, ge=0, description="Re-read a module's field metadata after this long."
    )
    quota_stop_after_s: float = Field(
        300,
        gt=0,
        description="A 429 asking to wait longer than this is the daily credit limit: stop.",
    )
    timeout_s: float = Field(60, gt=0, description="Per-request timeout.")
    history_days: int = Field(
        0,
        ge=0,
        description="The history stream reads a deal's timeline with one call per deal. 0 "
        "(the default): a full read fetches every deal's; N: only those of deals modified in "
        "the last N days, for orgs with many deals (a store synced from scratch then holds "
        "less old history than one kept up incrementally). Later runs read the timelines of "
        "deals modified since the last.",
    )
    per_record_workers: int = Field(
        4,
        ge=1,
        le=10,
        description="Calls made once per record (a deal's timeline for the history stream, "
        "a won deal's products for deal_products) made this many at once when a call takes "
        "10 ms or more (a CRM across a network). Zoho allows an org 5 (Free) to 25 "
        "(Ultimate) calls in flight, shared with every other client of the org; 1 makes "
        "them one after another.",
    )
