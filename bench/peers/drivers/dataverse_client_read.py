"""Read every row of the sandbox's Dynamics tables with Microsoft's Dataverse SDK for Python.

Runs inside the PowerPlatform-Dataverse-Client venv: ``python dataverse_client_read.py
CONFIG.json``; prints one JSON object of rows read per table. The client is given the
environment URL and an azure-identity ``ClientSecretCredential`` on the tenant's authority
host, as for any environment; the CA bundle comes from ``REQUESTS_CA_BUNDLE``. Pages are the
client's own (``records.list_pages`` with ``Prefer: odata.maxpagesize`` and ``@odata.nextLink``).
"""

import json
import sys

from azure.identity import ClientSecretCredential
from PowerPlatform.Dataverse.client import DataverseClient

PAGE_SIZE = 5000


def main():
    with open(sys.argv[1]) as file:
        config = json.load(file)
    credential = ClientSecretCredential(
        config["tenant_id"],
        config["client_id"],
        config["client_secret"],
        authority=config["authority_host"],
        disable_instance_discovery=True,
    )
    client = DataverseClient(config["environment_url"], credential)
    counts = {}
    for table, key in config["tables"].items():
        read = 0
        for page in client.records.list_pages(table, select=[key], page_size=PAGE_SIZE):
            read += len(page)
        counts[table] = read
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
