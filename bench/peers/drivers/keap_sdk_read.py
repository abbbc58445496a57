"""Read the sandbox's Keap companies and opportunities with Keap's official Python SDK for
REST v2 (keap-core-v2-sdk).

Runs inside the SDK's venv: ``python keap_sdk_read.py CONFIG.json``; prints one JSON object
of records read per list. The SDK is pointed at the sandbox through its own
``Configuration(host=...)``; the access token comes from the account's OAuth token endpoint
with the refresh token, as Keap's documentation describes; the rotated refresh token is
left in the config's ``token_file``. The SDK validates every record
against its models, so a record in another shape than REST v2's fails the read.
"""

import base64
import json
import os
import ssl
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import keap_core_v2_client as keap

PAGE_SIZE = 1000
# every optional property, so that the SDK's models check them too
COMPANY_FIELDS = [
    "address",
    "custom_fields",
    "email_address",
    "fax_number",
    "phone_number",
    "notes",
    "update_time",
    "create_time",
]
OPPORTUNITY_FIELDS = ["custom_fields", "created_by", "last_updated_by"]


def main():
    config = json.loads(Path(sys.argv[1]).read_text())
    base = os.environ["PEER_BASE_URL"].rstrip("/")
    ca = os.environ["PEER_CA_BUNDLE"]
    settings = keap.Configuration(host=f"{base}/crm", access_token=access_token(base, ca, config))
    settings.ssl_ca_cert = ca
    client = keap.ApiClient(settings)
    counts = {
        "companies": read(keap.CompanyApi(client).list_companies, "companies", COMPANY_FIELDS),
        "opportunities": read(
            keap.OpportunityApi(client).list_opportunities, "opportunities", OPPORTUNITY_FIELDS
        ),
    }
    print(json.dumps(counts))


def access_token(base, ca, config):
    pair = f"{config['client_id']}:{config['client_secret']}".encode()
    body = urllib.parse.urlencode(
        {"grant_type": "refresh_token", "refresh_token": config["refresh_token"]}
    ).encode()
    request = urllib.request.Request(
        f"{base}/token",
        data=body,
        headers={"Authorization": "Basic " + base64.b64encode(pair).decode()},
    )
    with urllib.request.urlopen(request, context=ssl.create_default_context(cafile=ca)) as answer:
        token = json.loads(answer.read())
    # Keap rotates the refresh token: keep the new one for the next client
    Path(config["token_file"]).write_text(
        json.dumps({"keap-sdk": {"refresh_token": token["refresh_token"]}})
    )
    return token["access_token"]


def read(list_page, key, fields):
    seen, token = 0, None
    while True:
        page = list_page(fields=fields, page_size=PAGE_SIZE, page_token=token)
        seen += len(getattr(page, key) or [])
        token = page.next_page_token
        if not token:
            return seen


if __name__ == "__main__":
    main()
