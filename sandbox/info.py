"""What a client needs to reach a running sandbox, and the config file written for it."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.credentials import SandboxCredentials
    from sandbox.http import EmulatorApp

__all__ = [
    "SUGARCRM_PLATFORM",
    "DynamicsEndpoint",
    "HubSpotEndpoint",
    "KeapEndpoint",
    "OracleEndpoint",
    "SalesforceEndpoint",
    "SandboxInfo",
    "SugarCRMEndpoint",
    "ZohoEndpoint",
    "write_client_config",
]

# the API platform registered for crmsync on the sandbox's Sugar instance (the connector's
# default ``auth.platform``)
SUGARCRM_PLATFORM = "crmsync"


@dataclass(frozen=True)
class SalesforceEndpoint:
    instance_url: str
    access_token: str
    client_id: str
    client_secret: str
    token_url: str


@dataclass(frozen=True)
class HubSpotEndpoint:
    base_url: str
    access_token: str


@dataclass(frozen=True)
class ZohoEndpoint:
    api_domain: str
    accounts_url: str
    client_id: str
    client_secret: str
    refresh_token: str


@dataclass(frozen=True)
class DynamicsEndpoint:
    """The environment URL (also the token resource), and the Entra ID tenant served on
    the same host (``{authority_host}/{tenant_id}``)."""

    environment_url: str
    authority_host: str
    tenant_id: str
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class SugarCRMEndpoint:
    """The instance URL (the REST API is under ``/rest/v11``), its API user and the API
    platform an administrator registered for crmsync (Sugar refuses one not registered)."""

    site_url: str
    username: str
    password: str
    platform: str = SUGARCRM_PLATFORM


@dataclass(frozen=True)
class KeapEndpoint:
    """The API host (REST v1 under ``/crm/rest/v1``, tokens at ``/token``) and the app's
    OAuth client with its first refresh token (Keap rotates it on every use)."""

    base_url: str
    client_id: str
    client_secret: str
    refresh_token: str


@dataclass(frozen=True)
class OracleEndpoint:
    """The Fusion instance URL (the REST API is under ``/crmRestApi/resources/
    11.13.18.05``), its integration user (basic auth) and the identity domain's token URL
    with a confidential application's client id and secret (OAuth bearer)."""

    site_url: str
    username: str
    password: str
    token_url: str
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class SandboxInfo:
    """Endpoints and credentials of a running sandbox (the ``--json`` line)."""

    salesforce: SalesforceEndpoint
    hubspot: HubSpotEndpoint
    zoho: ZohoEndpoint
    dynamics: DynamicsEndpoint
    sugarcrm: SugarCRMEndpoint
    keap: KeapEndpoint
    oracle: OracleEndpoint
    ca_bundle: Path
    config_path: Path
    ground_truth_dir: Path

    @classmethod
    def build(
        cls,
        urls: dict[str, str],
        apps: dict[str, EmulatorApp],
        creds: SandboxCredentials,
        ca_bundle: Path,
        config_path: Path,
        ground_truth_dir: Path,
    ) -> SandboxInfo:
        sf = urls["salesforce"]
        return cls(
            salesforce=SalesforceEndpoint(
                instance_url=sf,
                access_token=apps["salesforce"].issue_token(),  # type: ignore[attr-defined]
                client_id=creds.salesforce_client_id,
                client_secret=creds.salesforce_client_secret,
                token_url=f"{sf}/services/oauth2/token",
            ),
            hubspot=HubSpotEndpoint(
                base_url=urls["hubspot"], access_token=creds.hubspot_private_app_token
            ),
            zoho=ZohoEndpoint(
                api_domain=urls["zoho"],
                accounts_url=urls["zoho"],
                client_id=creds.zoho_client_id,
                client_secret=creds.zoho_client_secret,
                refresh_token=creds.zoho_refresh_token,
            ),
            dynamics=DynamicsEndpoint(
                environment_url=urls["dynamics"],
                authority_host=urls["dynamics"],
                tenant_id=creds.dynamics_tenant_id,
                client_id=creds.dynamics_client_id,
                client_secret=creds.dynamics_client_secret,
            ),
            sugarcrm=SugarCRMEndpoint(
                site_url=urls["sugarcrm"],
                username=creds.sugarcrm_username,
                password=creds.sugarcrm_password,
            ),
            keap=KeapEndpoint(
                base_url=urls["keap"],
                client_id=creds.keap_client_id,
                client_secret=creds.keap_client_secret,
                refresh_token=creds.keap_refresh_token,
            ),
            oracle=OracleEndpoint(
                site_url=urls["oracle"],
                username=creds.oracle_username,
                password=creds.oracle_password,
                token_url=f"{urls['oracle']}/oauth2/v1/token",
                client_id=creds.oracle_client_id,
                client_secret=creds.oracle_client_secret,
            ),
            ca_bundle=ca_bundle,
            config_path=config_path,
            ground_truth_dir=ground_truth_dir,
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("ca_bundle", "config_path", "ground_truth_dir"):
            data[key] = str(data[key])
        return data


_CONFIG = """\
# crmsync connector configuration for the local CRM sandbox, written by
# `crmsync sandbox serve`. Secrets are not in this file: they are ${{VARIABLE}}
# references, resolved from the environment or from secrets.env next to it.
# Try it: crmsync sync --config {config_path}
secrets_file: secrets.env
store:
  url: sqlite:///{store_path}
sources:
  - name: salesforce
    kind: salesforce
    instance_url: {sf_url}
    token_url: {sf_url}/services/oauth2/token
    auth:
      flow: client_credentials
      client_id: ${{SANDBOX_SALESFORCE_CLIENT_ID}}
      client_secret: ${{SANDBOX_SALESFORCE_CLIENT_SECRET}}
    ca_bundle: {ca}
  - name: hubspot
    kind: hubspot
    base_url: {hs_url}
    auth:
      flow: private_app
      access_token: ${{SANDBOX_HUBSPOT_ACCESS_TOKEN}}
    ca_bundle: {ca}
  - name: zoho
    kind: zoho
    api_domain: {zoho_url}
    accounts_url: {zoho_url}
    auth:
      flow: refresh_token
      client_id: ${{SANDBOX_ZOHO_CLIENT_ID}}
      client_secret: ${{SANDBOX_ZOHO_CLIENT_SECRET}}
      refresh_token: ${{SANDBOX_ZOHO_REFRESH_TOKEN}}
    ca_bundle: {ca}
  - name: dynamics
    kind: dynamics
    environment_url: {d365_url}
    authority_host: {d365_url}
    auth:
      flow: client_credentials
      tenant_id: {d365_tenant}
      client_id: ${{SANDBOX_DYNAMICS_CLIENT_ID}}
      client_secret: ${{SANDBOX_DYNAMICS_CLIENT_SECRET}}
      token_cache_file: {d365_tokens}
    ca_bundle: {ca}
  # The Benelux distributor in SugarCRM: not part of the demo's checks, so off here.
  - name: sugarcrm
    kind: sugarcrm
    enabled: false
    site_url: {sugar_url}
    auth:
      username: {sugar_user}
      password: ${{SANDBOX_SUGARCRM_PASSWORD}}
    ca_bundle: {ca}
  # The web shop in Keap, off here too. Keap reports no deletes: the daily id comparison
  # (full_id_check_every, 1 day by default) finds them, or `crmsync sync --check-deletes`.
  - name: keap
    kind: keap
    enabled: false
    base_url: {keap_url}
    auth:
      client_id: ${{SANDBOX_KEAP_CLIENT_ID}}
      client_secret: ${{SANDBOX_KEAP_CLIENT_SECRET}}
      refresh_token: ${{SANDBOX_KEAP_REFRESH_TOKEN}}
      token_file: {keap_tokens}
    ca_bundle: {ca}
  # The strategic accounts division in Oracle CX Sales: not part of the demo's checks, so
  # off here. Oracle has no deleted-records feed: every run compares ids to find deletes.
  - name: oracle
    kind: oracle
    enabled: false
    site_url: {oracle_url}
    auth:
      username: {oracle_user}
      password: ${{SANDBOX_ORACLE_PASSWORD}}
    full_id_check_every: 0s
    ca_bundle: {ca}
"""


def write_client_config(info: SandboxInfo, creds: SandboxCredentials, directory: Path) -> None:
    """Write ``crmsync.sandbox.yaml`` (no secrets) and ``secrets.env`` (mode 0600)."""
    info.config_path.write_text(
        _CONFIG.format(
            sf_url=info.salesforce.instance_url,
            hs_url=info.hubspot.base_url,
            zoho_url=info.zoho.api_domain,
            d365_url=info.dynamics.environment_url,
            d365_tenant=info.dynamics.tenant_id,
            sugar_url=info.sugarcrm.site_url,
            sugar_user=info.sugarcrm.username,
            keap_url=info.keap.base_url,
            keap_tokens=directory / "keap-tokens.json",
            d365_tokens=directory / "dynamics-msal.json",
            oracle_url=info.oracle.site_url,
            oracle_user=info.oracle.username,
            ca=info.ca_bundle,
            config_path=info.config_path,
            store_path=directory / "crmsync.sqlite",
        )
    )
    secrets = directory / "secrets.env"
    values = {
        "SANDBOX_SALESFORCE_CLIENT_ID": creds.salesforce_client_id,
        "SANDBOX_SALESFORCE_CLIENT_SECRET": creds.salesforce_client_secret,
        "SANDBOX_HUBSPOT_ACCESS_TOKEN": creds.hubspot_private_app_token,
        "SANDBOX_ZOHO_CLIENT_ID": creds.zoho_client_id,
        "SANDBOX_ZOHO_CLIENT_SECRET": creds.zoho_client_secret,
        "SANDBOX_ZOHO_REFRESH_TOKEN": creds.zoho_refresh_token,
        "SANDBOX_DYNAMICS_CLIENT_ID": creds.dynamics_client_id,
        "SANDBOX_DYNAMICS_CLIENT_SECRET": creds.dynamics_client_secret,
        "SANDBOX_SUGARCRM_PASSWORD": creds.sugarcrm_password,
        "SANDBOX_KEAP_CLIENT_ID": creds.keap_client_id,
        "SANDBOX_KEAP_CLIENT_SECRET": creds.keap_client_secret,
        "SANDBOX_KEAP_REFRESH_TOKEN": creds.keap_refresh_token,
        "SANDBOX_ORACLE_PASSWORD": creds.oracle_password,
    }
    fd = os.open(secrets, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("# Sandbox-only credentials (they open nothing but the local emulators).\n")
        handle.writelines(f"{key}={value}\n" for key, value in values.items())
