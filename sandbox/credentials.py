"""The sandbox's own credentials.

They protect nothing real (every server listens on loopback only), but the emulators check
them exactly like the CRMs do, so a connector's auth code is exercised for real. They are
derived from the seed so a persisted sandbox keeps accepting the same ones.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

__all__ = ["SandboxCredentials"]


def _token(seed: int, purpose: str, length: int = 32) -> str:
    return hashlib.sha256(f"crmsync-sandbox|{seed}|{purpose}".encode()).hexdigest()[:length]


def _guid(hex32: str) -> str:
    return f"{hex32[:8]}-{hex32[8:12]}-{hex32[12:16]}-{hex32[16:20]}-{hex32[20:32]}"


@dataclass(frozen=True)
class SandboxCredentials:
    """Credentials each emulator accepts.

    Salesforce: OAuth client credentials, refresh token, username-password (password is
    ``salesforce_password + salesforce_security_token``) and JWT bearer (RS256 assertion
    signed with the sandbox's key, ``iss`` = client id, ``sub`` = username).
    HubSpot: a static private-app token, or OAuth refresh. Zoho: OAuth refresh. Dynamics:
    Entra ID client credentials (an app registration that is an application user of the
    environment, and a "guest" one that is not). SugarCRM: the OAuth 2 password grant of an
    API user (client ``sugar``, empty secret). Keap: OAuth refresh, the refresh token
    rotated on every use. Oracle: basic auth of an integration user, or an Oracle Identity
    Cloud Service confidential application (client credentials).
    """

    salesforce_client_id: str
    salesforce_client_secret: str
    salesforce_username: str
    salesforce_password: str
    salesforce_security_token: str
    salesforce_refresh_token: str
    salesforce_org_id: str
    hubspot_private_app_token: str
    hubspot_client_id: str
    hubspot_client_secret: str
    hubspot_refresh_token: str
    hubspot_portal_id: int
    zoho_client_id: str
    zoho_client_secret: str
    zoho_refresh_token: str
    dynamics_tenant_id: str
    dynamics_client_id: str
    dynamics_client_secret: str
    dynamics_guest_client_id: str
    sugarcrm_username: str
    sugarcrm_password: str
    keap_client_id: str
    keap_client_secret: str
    keap_refresh_token: str
    oracle_username: str
    oracle_password: str
    oracle_client_id: str
    oracle_client_secret: str

    @classmethod
    def for_seed(cls, seed: int) -> SandboxCredentials:
        t = lambda purpose, n=32: _token(seed, purpose, n)  # noqa: E731
        return cls(
            salesforce_client_id=f"3MVG9sandbox{t('sf-client', 40)}",
            salesforce_client_secret=t("sf-secret", 64).upper(),
            salesforce_username="integration@sandbox.crmsync.example",
            salesforce_password=f"Pw{t('sf-password', 12)}",
            salesforce_security_token=t("sf-security-token", 24),
            salesforce_refresh_token=f"5Aep861sandbox{t('sf-refresh', 48)}",
            salesforce_org_id="00D5g000004SbXEEA0",
            hubspot_private_app_token=f"pat-na1-{t('hs-pat', 8)}-{t('hs-pat2', 4)}-"
            f"{t('hs-pat3', 4)}-{t('hs-pat4', 4)}-{t('hs-pat5', 12)}",
            hubspot_client_id=f"{t('hs-client', 8)}-{t('hs-client2', 4)}-{t('hs-client3', 4)}",
            hubspot_client_secret=f"{t('hs-secret', 8)}-{t('hs-secret2', 4)}",
            hubspot_refresh_token=f"na1-{t('hs-refresh', 4)}-{t('hs-refresh2', 36)}",
            hubspot_portal_id=24_000_000 + seed % 1_000_000,
            zoho_client_id=f"1000.{t('zoho-client', 30).upper()}",
            zoho_client_secret=t("zoho-secret", 42),
            zoho_refresh_token=f"1000.{t('zoho-refresh', 32)}.{t('zoho-refresh2', 32)}",
            dynamics_tenant_id=_guid(t("d365-tenant")),
            dynamics_client_id=_guid(t("d365-client")),
            dynamics_client_secret=f"Q~{t('d365-secret', 38)}",
            dynamics_guest_client_id=_guid(t("d365-guest")),
            sugarcrm_username="crmsync.integration",
            sugarcrm_password=t("sugar-password", 24),
            keap_client_id=t("keap-client", 32),
            keap_client_secret=t("keap-secret", 16),
            keap_refresh_token=t("keap-refresh", 32),
            oracle_username="crmsync.integration",
            oracle_password=t("oracle-password", 24),
            oracle_client_id=t("oracle-client", 32),
            oracle_client_secret=f"idcscs-{t('oracle-secret', 36)}",
        )
