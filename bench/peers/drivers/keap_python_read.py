"""Read every Keap REST v1 list of the sandbox with keap-python (TheAPIGuys' Keap SDK).

Runs inside the keap-python venv: ``python keap_python_read.py CONFIG.json``; prints one
JSON object of records read per list. The SDK keeps Keap's hosts in two class attributes
(``Keap.access_token_url``, ``REST.BaseService.base_api_url``) and has no other setting for
them: the driver points those at the sandbox before any call; the CA bundle comes from
``REQUESTS_CA_BUNDLE``. Tokens go through the SDK's own JSON token storage and its
``refresh_access_token`` (Basic client credentials, refresh-token grant); the SDK then sends
the access token as the ``access_token`` query parameter, as it does against Keap. Lists are
paged by ``limit``/``offset`` until a short page, and the total is checked against the
``count`` Keap answers with every page.
"""

import json
import os
import sys
from pathlib import Path

from keap import Keap
from keap.REST import BaseService

PAGE_SIZE = 200  # below the larger lists, so that paging is exercised
SERVICES = {
    "users": "UserService",
    "companies": "CompanyService",
    "contacts": "ContactService",
    "opportunities": "OpportunityService",
    "notes": "NoteService",
    "tasks": "TaskService",
    "appointments": "AppointmentService",
    "orders": "OrderService",
}


def main():
    config = json.loads(Path(sys.argv[1]).read_text())
    base = os.environ["PEER_BASE_URL"].rstrip("/")
    Keap.access_token_url = f"{base}/token"
    BaseService.base_api_url = f"{base}/crm/rest/v1"
    keap = Keap(
        config={
            "CLIENT_ID": config["client_id"],
            "CLIENT_SECRET": config["client_secret"],
            "JSON_STORAGE_PATH": config["token_file"],
        }
    )
    # the SDK's token storage as an earlier session left it: an expired access token
    Path(config["token_file"]).write_text(
        json.dumps({keap.app_name: {"refresh_token": config["refresh_token"], "end_of_life": 0}})
    )
    token = keap.refresh_access_token()
    if not token.access_token:
        raise SystemExit("the token endpoint answered no access token")
    counts, mismatched = {}, []
    for name, service in SERVICES.items():
        read, total = read_all(getattr(keap.REST_V1, service), name)
        counts[name] = read
        if read != total:
            mismatched.append(f"{name}: read {read}, count {total}")
    if mismatched:
        print("count differs from the records read: " + "; ".join(mismatched), file=sys.stderr)
    print(json.dumps(counts))


def read_all(service, key):
    read, total, offset = 0, None, 0
    while True:
        page = service.list(limit=PAGE_SIZE, offset=offset)
        records = page[key]
        read += len(records)
        total = page.get("count", total)
        if len(records) < PAGE_SIZE:
            return read, total
        offset += PAGE_SIZE


if __name__ == "__main__":
    main()
