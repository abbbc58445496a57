"""The Dynamics 365 emulator's own behaviour, over real HTTPS, as Dataverse documents it:
a change set in ``$batch`` rolls back as a whole, a stale ``If-Match`` ETag is 412
(0x80060882), the requests limit is 429 with ``Retry-After`` (0x80072322), an expired
change-tracking token is 400 (0x80044352, "perform a full sync"), and an app registration
that is no application user of the environment is 403 (0x80072560)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sandbox import ManualClock, Sandbox, SandboxOptions
from sandbox.clock import DEFAULT_ANCHOR

API = "/api/data/v9.2/"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(
        SandboxOptions(seed=7, scale="tiny", anchor=DEFAULT_ANCHOR),
        clock=ManualClock(DEFAULT_ANCHOR),
    ) as box:
        yield box


def _clock(sandbox: Sandbox) -> ManualClock:
    clock = sandbox.clock
    assert isinstance(clock, ManualClock)
    return clock


def _session(sandbox: Sandbox, guest: bool = False) -> requests.Session:
    info = sandbox.info
    endpoint = info.dynamics
    session = requests.Session()
    session.trust_env = False
    session.verify = str(info.config_path.parent / "tls" / "ca.pem")
    client_id = sandbox.credentials.dynamics_guest_client_id if guest else endpoint.client_id
    token = session.post(
        f"{endpoint.authority_host}/{endpoint.tenant_id}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": endpoint.client_secret,
            "scope": f"{endpoint.environment_url}/.default",
        },
    )
    assert token.status_code == 200, token.text
    session.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    session.headers["Accept"] = "application/json"
    return session


def _url(sandbox: Sandbox, path: str) -> str:
    return f"{sandbox.info.dynamics.environment_url}{API}{path}"


def _accounts(sandbox: Sandbox, session: requests.Session, top: int = 2) -> list[dict[str, Any]]:
    answer = session.get(_url(sandbox, "accounts"), params={"$select": "name", "$top": top})
    assert answer.status_code == 200, answer.text
    rows: list[dict[str, Any]] = answer.json()["value"]
    return rows


def _patch_part(sandbox: Sandbox, n: int, account_id: str, body: str, if_match: str) -> str:
    return (
        "Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n"
        f"Content-ID: {n}\r\n\r\n"
        f"PATCH {_url(sandbox, f'accounts({account_id})')} HTTP/1.1\r\n"
        f"Content-Type: application/json\r\nIf-Match: {if_match}\r\n\r\n{body}\r\n"
    )


def test_a_change_set_that_fails_in_part_leaves_no_change(sandbox: Sandbox) -> None:
    session = _session(sandbox)
    first, _ = _accounts(sandbox, session)
    missing = "00000000-0000-0000-0000-00000000beef"
    changes = "changeset_c1"
    body = (
        "--batch_b1\r\n"
        f"Content-Type: multipart/mixed; boundary={changes}\r\n\r\n"
        f"--{changes}\r\n"
        + _patch_part(sandbox, 1, first["accountid"], '{"name": "Renamed in a change set"}', "*")
        + f"--{changes}\r\n"
        + _patch_part(sandbox, 2, missing, '{"name": "Nobody"}', "*")
        + f"--{changes}--\r\n--batch_b1--\r\n"
    )
    answer = session.post(
        _url(sandbox, "$batch"),
        data=body.encode(),
        headers={"Content-Type": "multipart/mixed; boundary=batch_b1"},
    )
    assert answer.status_code == 200
    assert answer.content.count(b"HTTP/1.1 ") == 1  # the change set's one answer: its error
    assert b"HTTP/1.1 404 Not Found" in answer.content
    assert b"0x80040217" in answer.content
    after = session.get(
        _url(sandbox, f"accounts({first['accountid']})"), params={"$select": "name"}
    )
    assert after.json()["name"] == first["name"]  # the first PATCH was rolled back


def test_a_stale_etag_is_412_with_dataverse_code(sandbox: Sandbox) -> None:
    session = _session(sandbox)
    _, row = _accounts(sandbox, session)
    url = _url(sandbox, f"accounts({row['accountid']})")
    etag = row["@odata.etag"]
    assert (
        session.patch(url, json={"name": "First edit"}, headers={"If-Match": etag}).status_code
        == 204
    )
    stale = session.patch(url, json={"name": "Second edit"}, headers={"If-Match": etag})
    assert stale.status_code == 412
    assert stale.json() == {
        "error": {
            "code": "0x80060882",
            "message": "The version of the existing record doesn't match the RowVersion "
            "property provided.",
        }
    }
    assert session.get(url, params={"$select": "name"}).json()["name"] == "First edit"
    fresh = session.get(url, params={"$select": "name"}).json()["@odata.etag"]
    assert fresh != etag
    answer = session.patch(url, json={"name": "Second edit"}, headers={"If-Match": fresh})
    assert answer.status_code == 204


def test_the_requests_limit_is_429_with_retry_after(sandbox: Sandbox) -> None:
    app = sandbox.apps["dynamics"]
    clock = _clock(sandbox)
    clock.advance(301)  # a fresh 5-minute window for this test
    session = _session(sandbox)
    app.limits.requests = 3  # type: ignore[attr-defined]
    try:
        assert [_status(sandbox, session) for _ in range(3)] == [200, 200, 200]
        refused = session.get(_url(sandbox, "accounts"), params={"$top": 1})
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "301"
        assert refused.json()["error"]["code"] == "0x80072322"
        clock.advance(301)
        assert _status(sandbox, session) == 200  # the window has passed
    finally:
        app.limits.requests = 6_000  # type: ignore[attr-defined]


def _status(sandbox: Sandbox, session: requests.Session) -> int:
    return session.get(_url(sandbox, "accounts"), params={"$top": 1}).status_code


def test_an_expired_delta_token_asks_for_a_full_sync(sandbox: Sandbox) -> None:
    session = _session(sandbox)
    first = session.get(
        _url(sandbox, "accounts"),
        params={"$select": "name"},
        headers={"Prefer": "odata.track-changes"},
    )
    delta = first.json()["@odata.deltaLink"]
    assert session.get(delta).status_code == 200  # fresh: the changes since
    _clock(sandbox).advance(90 * 86_400 + 1)
    late = _session(sandbox).get(delta)  # (the old access token expired long ago)
    assert late.status_code == 400
    assert late.json() == {
        "error": {
            "code": "0x80044352",
            "message": "Version stamp associated with the client has expired. "
            "Please perform a full sync.",
        }
    }


def test_an_app_that_is_no_application_user_is_403(sandbox: Sandbox) -> None:
    answer = _session(sandbox, guest=True).get(_url(sandbox, "accounts"), params={"$top": 1})
    assert answer.status_code == 403
    assert answer.json() == {
        "error": {"code": "0x80072560", "message": "The user is not a member of the organization."}
    }


def test_entity_definitions_filter_by_logical_name(sandbox: Sandbox) -> None:
    # How clients (Microsoft's Dataverse SDK among them) find a table's entity set.
    answer = _session(sandbox).get(
        _url(sandbox, "EntityDefinitions"),
        params={
            "$select": "LogicalName,EntitySetName,PrimaryIdAttribute",
            "$filter": "LogicalName eq 'account' or LogicalName eq 'incident'",
        },
    )
    assert answer.status_code == 200
    assert [
        (d["LogicalName"], d["EntitySetName"], d["PrimaryIdAttribute"], sorted(d))
        for d in answer.json()["value"]
    ] == [
        ("account", "accounts", "accountid", _KEYS),
        ("incident", "incidents", "incidentid", _KEYS),
    ]
    bad = _session(sandbox).get(
        _url(sandbox, "EntityDefinitions"), params={"$filter": "startswith(LogicalName,'a')"}
    )
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "0x80060888")


_KEYS = ["EntitySetName", "LogicalName", "MetadataId", "PrimaryIdAttribute"]


def test_a_table_without_change_tracking_ignores_the_preference(sandbox: Sandbox) -> None:
    # Microsoft documents no error for it; OData 4.0 has a service ignore a preference it
    # cannot apply: the rows, with no delta link and no Preference-Applied for it.
    app: Any = sandbox.apps["dynamics"]
    app.limits.untracked.add("incident")
    try:
        session = _session(sandbox)
        answer = session.get(
            _url(sandbox, "incidents"),
            params={"$select": "title"},
            headers={"Prefer": "odata.track-changes,odata.maxpagesize=2"},
        )
        assert answer.status_code == 200
        assert "@odata.deltaLink" not in answer.json()
        assert answer.headers["Preference-Applied"] == "odata.maxpagesize=2"
        flags = session.get(
            _url(sandbox, "EntityDefinitions"),
            params={
                "$select": "LogicalName,ChangeTrackingEnabled",
                "$filter": "LogicalName eq 'incident' or LogicalName eq 'account'",
            },
        ).json()["value"]
        assert [(d["LogicalName"], d["ChangeTrackingEnabled"]) for d in flags] == [
            ("account", True),
            ("incident", False),
        ]
    finally:
        app.limits.untracked.discard("incident")


def _changes(session: requests.Session, link: str) -> tuple[list[tuple[str, bool]], str]:
    """(id, deleted) of a delta page's rows in order, and its next delta link."""
    body = session.get(link, headers={"Prefer": "odata.track-changes"}).json()
    rows = [
        (str(r["id"]), True)
        if "$deletedEntity" in r.get("@odata.context", "")
        else (str(r["accountid"]), False)
        for r in body["value"]
    ]
    return rows, body["@odata.deltaLink"]


def test_a_delta_lists_each_change_once_in_version_order(sandbox: Sandbox) -> None:
    """Updates, a delete and a create since the token, each row once at its last change;
    a change set rolled back lists nothing; the next token lists only what came after."""
    session = _session(sandbox)
    start = session.get(
        _url(sandbox, "accounts"),
        params={"$select": "name"},
        headers={"Prefer": "odata.track-changes"},
    ).json()
    assert "@odata.nextLink" not in start  # the tiny world's accounts fit one page
    a, b, d = (row["accountid"] for row in start["value"][:3])
    url = _url(sandbox, "accounts")

    def patch(rid: str, name: str) -> None:
        answer = session.patch(f"{url}({rid})", json={"name": name})
        assert answer.status_code == 204, answer.text

    patch(a, "First change")
    assert session.delete(f"{url}({b})").status_code == 204
    created = session.post(url, json={"name": "Created since"})
    c = created.headers["OData-EntityId"].rsplit("(", 1)[1].rstrip(")")
    body = (
        "--batch_b2\r\nContent-Type: multipart/mixed; boundary=changeset_c2\r\n\r\n"
        "--changeset_c2\r\n"
        + _patch_part(sandbox, 1, d, '{"name": "Rolled back"}', "*")
        + "--changeset_c2\r\n"
        + _patch_part(sandbox, 2, "00000000-0000-0000-0000-00000000beef", "{}", "*")
        + "--changeset_c2--\r\n--batch_b2--\r\n"
    )
    session.post(
        _url(sandbox, "$batch"),
        data=body.encode(),
        headers={"Content-Type": "multipart/mixed; boundary=batch_b2"},
    )
    patch(a, "Second change")

    rows, following = _changes(session, start["@odata.deltaLink"])
    assert rows == [(b, True), (c, False), (a, False)]
    assert _changes(session, following)[0] == []
    patch(d, "Later change")
    assert _changes(session, following)[0] == [(d, False)]
    assert _changes(session, start["@odata.deltaLink"])[0] == [
        (b, True),
        (c, False),
        (a, False),
        (d, False),
    ]
