"""Parts of the peer-client check (bench/peers/): the refused-request log on a running
sandbox, record counting in Singer and Airbyte output, and Singer stream selection."""

from __future__ import annotations

import json

import requests
from bench_scripts import load

from sandbox import Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR

sandbox_errors = load("peers/sandbox_errors.py", "peers_sandbox_errors")
messages = load("peers/messages.py", "peers_messages")
singer_catalog = load("peers/singer_catalog.py", "peers_singer_catalog")


def test_recorder_keeps_refused_requests_and_not_the_served_ones(tmp_path):
    recorder = sandbox_errors.ErrorRecorder()
    with Sandbox(
        SandboxOptions(seed=1, scale="tiny", state_dir=tmp_path, anchor=DEFAULT_ANCHOR)
    ) as sandbox:
        recorder.attach("hubspot", sandbox.apps["hubspot"])
        info = sandbox.info
        session = requests.Session()
        session.trust_env = False
        session.verify = str(info.ca_bundle)
        session.headers["Authorization"] = f"Bearer {info.hubspot.access_token}"
        base = info.hubspot.base_url
        assert session.get(f"{base}/crm/v3/objects/contacts", params={"limit": 1}).ok
        assert session.get(f"{base}/crm/v3/objects/widgets").status_code == 400
        assert session.get(f"{base}/no/such/path", params={"a": "1"}).status_code == 404
        assert session.delete(f"{base}/crm/v3/owners/").status_code == 405
        refused = recorder.take()
        assert recorder.take() == []
    assert [(r.crm, r.status, r.method, r.path, r.query) for r in refused] == [
        ("hubspot", 400, "GET", "/crm/v3/objects/widgets", ""),
        ("hubspot", 404, "GET", "/no/such/path", "a=1"),
        ("hubspot", 405, "DELETE", "/crm/v3/owners/", ""),
    ]
    assert json.loads(refused[0].body)["message"] == "Unable to infer object type from: widgets"
    assert refused[1].line().startswith("404 GET /no/such/path?a=1  {")


def test_count_messages_singer_and_airbyte(tmp_path):
    singer = tmp_path / "singer.jsonl"
    singer.write_text(
        "\n".join(
            [
                '{"type": "SCHEMA", "stream": "Lead"}',
                '{"type": "RECORD", "stream": "Lead", "record": {}}',
                '{"type": "RECORD", "stream": "Lead", "record": {}}',
                "INFO not a message",
                '{"type": "RECORD", "stream": "Case", "record": {}}',
                '{"type": "STATE", "value": {}}',
                "{broken json",
            ]
        )
    )
    assert messages.count_messages(singer, "singer") == {"Lead": 2, "Case": 1}
    airbyte = tmp_path / "airbyte.jsonl"
    airbyte.write_text(
        '{"type": "LOG", "log": {"level": "INFO"}}\n'
        '{"type": "RECORD", "record": {"stream": "contacts", "data": {}}}\n'
    )
    assert messages.count_messages(airbyte, "airbyte") == {"contacts": 1}


def test_select_streams_marks_streams_and_their_fields():
    def entry(breadcrumb, inclusion=None):
        meta = {"inclusion": inclusion} if inclusion else {}
        return {"breadcrumb": breadcrumb, "metadata": meta}

    catalog = {
        "streams": [
            {
                "tap_stream_id": name,
                "schema": {},
                "metadata": [
                    entry([]),
                    entry(["properties", "Id"], "automatic"),
                    entry(["properties", "Name"], "available"),
                    entry(["properties", "Blob"], "unsupported"),
                ],
            }
            for name in ("Lead", "Case")
        ]
    }
    assert singer_catalog.select_streams(catalog, ["Lead", "Nope"]) == ["Lead"]
    lead, case = catalog["streams"]
    assert [e["metadata"].get("selected") for e in lead["metadata"]] == [True, True, True, None]
    assert [e["metadata"].get("selected") for e in case["metadata"]] == [False, None, None, None]
    assert (lead["selected"], case["selected"]) == (True, False)
