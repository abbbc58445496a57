"""``crmsync init``: a commented starting configuration for the CRMs an admin picks.

Secrets are ``${VARIABLE}`` references only; a ``secrets.env.example`` lists the variables
to set. The text is assembled from small per-CRM blocks so every generated file validates.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["CRM_BLOCKS", "render_init", "secret_names"]

_HEAD = """\
# crmsync configuration for {crms}, written by `crmsync init`.
# Every key, with its default: `crmsync config example` and docs/configuration.md.
# Secrets are ${{VARIABLE}} references, resolved from the environment, then from the
# secrets file below (copy secrets.env.example to secrets.env, fill it, chmod 600).
# Check this file with: crmsync config validate --config {path}
# Check the credentials:  crmsync connectors check --config {path}

secrets_file: secrets.env

store:
  # SQLite is fine for one company; use PostgreSQL for several workers or large volumes:
  # url: postgresql://crmsync@db.example.com:5432/crmsync
  url: {store}

sources:
"""

CRM_BLOCKS = {
    "salesforce": """\
  - name: salesforce
    kind: salesforce
    # Your org's My Domain URL.
    instance_url: https://YOUR-DOMAIN.my.salesforce.com
    api_quota_share: 0.5          # crmsync may use half of the org's daily API requests
    auth:
      # A connected app with the client-credentials flow (Setup > App Manager).
      flow: client_credentials
      client_id: ${SALESFORCE_CLIENT_ID}
      client_secret: ${SALESFORCE_CLIENT_SECRET}
""",
    "hubspot": """\
  - name: hubspot
    kind: hubspot
    api_quota_share: 0.5
    auth:
      # A private app (Settings > Integrations > Private Apps) with CRM read scopes, plus
      # write scopes on deals, contacts and companies for write-back.
      flow: private_app
      access_token: ${HUBSPOT_ACCESS_TOKEN}
""",
    "zoho": """\
  - name: zoho
    kind: zoho
    # Your data centre: zohoapis.com / .eu / .in / .com.au / .jp / .ca, and the matching
    # accounts server.
    api_domain: https://www.zohoapis.eu
    accounts_url: https://accounts.zoho.eu
    auth:
      # A self client (api-console.zoho.eu) with ZohoCRM.modules.ALL, ZohoCRM.settings.ALL
      # and ZohoCRM.users.READ scopes, exchanged once for a refresh token.
      flow: refresh_token
      client_id: ${ZOHO_CLIENT_ID}
      client_secret: ${ZOHO_CLIENT_SECRET}
      refresh_token: ${ZOHO_REFRESH_TOKEN}
""",
}

_SECRETS = {
    "salesforce": ("SALESFORCE_CLIENT_ID", "SALESFORCE_CLIENT_SECRET"),
    "hubspot": ("HUBSPOT_ACCESS_TOKEN",),
    "zoho": ("ZOHO_CLIENT_ID", "ZOHO_CLIENT_SECRET", "ZOHO_REFRESH_TOKEN"),
}

_TAIL = """
# When `crmsync daemon` runs each job (UTC).
schedule:
  default: {every: 15m}
  steps:
    reconcile: {every: 1h}
    audit: {cron: "0 2 * * *"}
    compute: {cron: "30 2 * * *"}
    push: {cron: "0 3 * * *"}
    statements: {cron: "0 6 1 * *"}

# Incentive plans: the YAML files of plans/ next to this file (crmsync init made it; the
# folder must exist). `crmsync init --example-plans` copies the example plans and rates
# that ship with crmsync into it, to adapt. `crmsync plan validate` checks them.
compensation:
  plans_dir: plans

# Who hears about jobs that keep failing (needs the SMTP settings of the email: section).
alerts:
  email_to: []
  after_failures: 3
"""


def secret_names(crms: Sequence[str]) -> list[str]:
    return [name for crm in crms for name in _SECRETS[crm]]


def render_init(crms: Sequence[str], store: str, path: str, extra: str = "") -> str:
    """The configuration text for ``crms`` (in the order given); ``extra`` is appended."""
    text = _HEAD.format(crms=", ".join(crms), store=store, path=path)
    text += "".join(CRM_BLOCKS[crm] for crm in crms)
    return text + _TAIL + extra
