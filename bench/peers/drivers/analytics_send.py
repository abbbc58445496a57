"""Send a fixed set of events to crmsync's events endpoint with a vendor's own library.

Runs inside the library's venv: ``python analytics_send.py MODULE HOST WRITE_KEY PREFIX N``,
MODULE being ``segment.analytics`` (segment-analytics-python) or ``rudderstack.analytics``
(rudder-sdk-python); both have the same ``Client``. For each of N visitors: a page view and
a campaign click (``track`` with the UTM fields in ``context.campaign``) as an anonymous
visitor, then ``identify`` with the e-mail and ``alias`` from the anonymous id to the user
id; every message with its own ``messageId``. The whole set is sent twice (a client's
retry after a lost answer), with the library's default settings but for the host and the
key. Prints one JSON object: messages sent, and the errors the library reported.
"""

import importlib
import json
import sys
from datetime import UTC, datetime, timedelta

START = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
CAMPAIGN = {"source": "newsletter", "medium": "email", "name": "autumn-offer"}


def main():
    module, host, key, prefix, count = sys.argv[1:6]
    library = importlib.import_module(module)
    errors = []
    client = library.Client(
        write_key=key,
        host=host,
        on_error=lambda error, batch: errors.append(f"{type(error).__name__}: {error}"),
        max_retries=2,
    )
    sent = 0
    for _ in range(2):
        for n in range(int(count)):
            sent += send_visitor(client, prefix, n)
        client.flush()
    client.join()
    print(json.dumps({"sent": sent, "errors": errors[:5], "error_count": len(errors)}))


def send_visitor(client, prefix, n):
    anonymous, user = f"{prefix}-anon-{n}", f"{prefix}-user-{n}"
    at = START + timedelta(minutes=7 * n)
    client.page(
        anonymous_id=anonymous,
        name="Pricing",
        properties={"url": "https://altamira.example/pricing"},
        timestamp=at,
        message_id=f"{prefix}-page-{n}",
    )
    client.track(
        anonymous_id=anonymous,
        event="Newsletter Link Clicked",
        properties={"link": "autumn-offer"},
        context={"campaign": CAMPAIGN},
        timestamp=at + timedelta(minutes=1),
        message_id=f"{prefix}-track-{n}",
    )
    client.identify(
        user_id=user,
        anonymous_id=anonymous,
        traits={"email": f"visitor{n}@{prefix}.example", "firstName": "Visitor"},
        timestamp=at + timedelta(minutes=2),
        message_id=f"{prefix}-identify-{n}",
    )
    client.alias(
        previous_id=anonymous,
        user_id=user,
        timestamp=at + timedelta(minutes=3),
        message_id=f"{prefix}-alias-{n}",
    )
    return 4


if __name__ == "__main__":
    main()
