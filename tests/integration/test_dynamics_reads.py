"""How the Dynamics connector reads, against the sandbox's Dataverse emulator over HTTPS:
a table without change tracking in a ``modifiedon`` window (keyset pages, deletes by the id
check under the delete guard), an expired delta token (a full read, then the id check under
the guard), and the call count of an incremental run (the activity tables' first delta
pages in one ``$batch``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from sqlalchemy import select, update

from sandbox import Sandbox
from sync.config import load_config
from sync.pull import SyncOptions, sync_source
from sync.pull.runs import load_state
from sync.sources import build_connector
from sync.store.core_tables import SYNC_STATE
from sync.store.records import TABLES
from tests.integration.contract_suite import (
    assert_store_matches_world,
    run_sync,
    tiny_sandbox,
    utc_now,
)
from tests.integration.sync_support import opened, store_live_ids, write_config

API = "/api/data/v9.2/"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with tiny_sandbox() as box:
        yield box


def _config(sandbox: Sandbox, tmp_path: Path, **settings: Any) -> Path:
    path = write_config(sandbox, tmp_path, f"sqlite:///{tmp_path / 'store'}.sqlite", ("dynamics",))
    config = yaml.safe_load(path.read_text())
    config["sources"][0].update(settings)
    path.write_text(yaml.safe_dump(config))
    return path


def _session(sandbox: Sandbox) -> requests.Session:
    endpoint = sandbox.info.dynamics
    session = requests.Session()
    session.trust_env = False
    session.verify = str(sandbox.info.config_path.parent / "tls" / "ca.pem")
    token = session.post(
        f"{endpoint.authority_host}/{endpoint.tenant_id}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": endpoint.client_id,
            "client_secret": endpoint.client_secret,
            "scope": f"{endpoint.environment_url}/.default",
        },
    )
    session.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    return session


def _url(sandbox: Sandbox, path: str) -> str:
    return f"{sandbox.info.dynamics.environment_url}{API}{path}"


def _sync(config: Path, **options: Any) -> Any:
    loaded = load_config(config)
    source = loaded.source("dynamics")
    connector = build_connector(source)
    try:
        with opened(loaded.store.url) as engine:
            return sync_source(engine, source, connector, SyncOptions(**options), now=utc_now)
    finally:
        connector.close()


def _stream(report: Any, name: str) -> Any:
    return next(s for s in report.streams if s.stream == name)


def test_a_table_without_change_tracking_is_read_in_a_modifiedon_window(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    app: Any = sandbox.apps["dynamics"]
    app.limits.untracked.add("incident")
    config = _config(sandbox, tmp_path, page_size=2)  # keyset pages of two rows
    run_sync(config, "dynamics")
    assert_store_matches_world(sandbox, config, "dynamics")
    with opened(load_config(config).store.url) as engine:
        state = load_state(engine, "dynamics", "cases")
    assert state is not None
    window = state["tables"]["incidents"]["window"]
    assert window["after"] is None and window["cursor"].endswith("Z")

    session = _session(sandbox)
    incidents = sorted(r["incidentid"] for r in app.world.dynamics["incident"].live())
    changed, gone = incidents[0], incidents[1]
    sandbox.clock.advance(60)  # type: ignore[attr-defined]
    answer = session.patch(_url(sandbox, f"incidents({changed})"), json={"title": "Renamed"})
    assert answer.status_code == 204, answer.text
    assert session.delete(_url(sandbox, f"incidents({gone})")).status_code == 204
    sandbox.clock.advance(60)  # type: ignore[attr-defined]

    report = _sync(config)
    cases = _stream(report, "cases")
    assert report.status == "succeeded"
    assert (cases.counts.updated, cases.counts.deleted) == (1, 0)  # a window sees no delete
    with opened(load_config(config).store.url) as engine:
        assert gone in store_live_ids(engine, "dynamics", "cases")

    report = _sync(config, check_deletes=True)  # the id check finds it, under the guard
    assert (_stream(report, "cases").counts.deleted_missing, report.status) == (1, "succeeded")
    assert_store_matches_world(sandbox, config, "dynamics")


def test_an_expired_delta_token_reads_again_and_checks_deletes_under_the_guard(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = _config(sandbox, tmp_path)
    run_sync(config, "dynamics")
    session = _session(sandbox)
    app: Any = sandbox.apps["dynamics"]
    accounts = sorted(r["accountid"] for r in app.world.dynamics["account"].live())
    assert session.delete(_url(sandbox, f"accounts({accounts[0]})")).status_code == 204
    sandbox.clock.advance(90 * 86_400 + 60)  # past the change-tracking retention
    # (the id check is not due by the application clock: the expired token asks for it)
    report = _sync(config, streams=("accounts",))
    accounts_report = _stream(report, "accounts")
    assert report.status == "succeeded", accounts_report.error
    assert accounts_report.counts.fetched == len(accounts) - 1  # read again, in full
    assert accounts_report.counts.deleted_missing == 1
    # the refused delta link and the full read: the id check used the ids that read saw
    assert accounts_report.api_calls == 2
    assert_store_matches_world(sandbox, config, "dynamics")

    # a mass delete meanwhile is held by the delete guard, not applied
    session = _session(sandbox)  # (the clock moved past the old token's life)
    for rid in accounts[1:]:
        assert session.delete(_url(sandbox, f"accounts({rid})")).status_code == 204
    sandbox.clock.advance(90 * 86_400 + 60)  # type: ignore[attr-defined]
    report = _sync(config, streams=("accounts",))
    held = _stream(report, "accounts")
    assert (report.status, held.counts.deleted) == ("partial", 0)
    assert "delete" in (held.error or "")
    with opened(load_config(config).store.url) as engine:
        assert len(store_live_ids(engine, "dynamics", "accounts")) == len(accounts) - 1


def test_an_incremental_run_costs_one_call_in_all(sandbox: Sandbox, tmp_path: Path) -> None:
    """The first delta page of every table rides in the metadata ``$batch`` that gives the
    signpost: with a page of changes or fewer per table, that is the run's only call."""
    config = _config(sandbox, tmp_path)
    run_sync(config, "dynamics")
    sandbox.clock.advance(60)  # type: ignore[attr-defined]
    sandbox.churn(changes=20, seed=5, crms=("dynamics",))
    sandbox.clock.advance(60)  # type: ignore[attr-defined]
    loaded = load_config(config)
    source = loaded.source("dynamics")
    connector = build_connector(source)
    try:
        with opened(loaded.store.url) as engine:
            report = sync_source(engine, source, connector, SyncOptions(), now=utc_now)
        calls = connector.api_usage().calls
    finally:
        connector.close()
    assert report.status == "succeeded"
    assert {s.stream: s.api_calls for s in report.streams} == {s.stream: 0 for s in report.streams}
    assert len(report.streams) == 10
    assert calls == 1
    assert sum(s.counts.fetched for s in report.streams) > 0
    assert_store_matches_world(sandbox, config, "dynamics")


def test_a_changed_select_reads_again_without_the_answer_fetched_ahead(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A saved delta link whose columns no longer match (a custom column added since) is
    fetched ahead all the same, but its answer is left unused: the table is read again
    in full with the new columns."""
    config = _config(sandbox, tmp_path)
    run_sync(config, "dynamics")
    with opened(load_config(config).store.url) as engine, engine.begin() as conn:
        state = conn.execute(
            select(SYNC_STATE.c.state).where(
                SYNC_STATE.c.source == "dynamics", SYNC_STATE.c.stream == "leads"
            )
        ).scalar_one()
        state["tables"]["leads"]["select"] += ",emailaddress2"
        conn.execute(
            update(SYNC_STATE)
            .where(SYNC_STATE.c.source == "dynamics", SYNC_STATE.c.stream == "leads")
            .values(state=state)
        )
    live = len(list(sandbox.world.dynamics["lead"].live()))  # type: ignore[union-attr]
    report = _sync(config, streams=("leads",))
    leads = _stream(report, "leads")
    assert (report.status, leads.counts.fetched, leads.api_calls) == ("succeeded", live, 1)


def _user_payloads(config: Path) -> dict[str, dict[str, Any]]:
    """Each stored Dynamics user's payload, by user id."""
    table = TABLES["user"].__table__  # type: ignore[attr-defined]
    with opened(load_config(config).store.url) as engine, engine.connect() as conn:
        rows = conn.execute(
            select(table.c.remote_id, table.c.raw).where(table.c.source == "dynamics")
        ).all()
    return {rid: raw for rid, raw in rows}


def _primary_teams(config: Path) -> dict[str, str | None]:
    return {
        rid: next((t["name"] for t in raw.get("teams", []) if t["primary"]), None)
        for rid, raw in _user_payloads(config).items()
    }


def test_users_carry_their_teams_and_a_membership_change_updates_them(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = _config(sandbox, tmp_path)
    run_sync(config, "dynamics")
    truth = {
        e["user_id"]: e["team"]
        for e in sandbox.world.truth.files["dynamics_employees"]  # type: ignore[union-attr]
    }
    primary = _primary_teams(config)
    expected = {"dach_sales": "DACH Sales", "dach_service": "DACH Service"}
    for user, team in truth.items():  # the group managers: only the business unit's team
        assert primary[user] == expected.get(team, "Altamira DACH"), user

    # a seller moves to the service team (as an admin does in Dynamics): the next run
    # updates that user, whose own row did not change
    world = sandbox.world
    assert world is not None
    seller = sorted(u for u, t in truth.items() if t == "dach_sales")[0]
    teams = {t["name"]: t["teamid"] for t in world.dynamics["team"].live()}
    members = world.dynamics["teammembership"]
    with world.lock:
        for row in list(members.live()):
            if row["systemuserid"] == seller and row["teamid"] == teams["DACH Sales"]:
                members.soft_delete(row["teammembershipid"], sandbox.clock.now())
        members.insert(
            {
                "teammembershipid": world.mint("dynamics", "teammembership"),
                "versionnumber": 0,
                "teamid": teams["DACH Service"],
                "systemuserid": seller,
            }
        )
    report = _sync(config)
    users = _stream(report, "users")
    # the teams and the users' delta page came with the run's metadata: one call of its
    # own, for the user whose teams changed
    assert (report.status, users.counts.updated, users.api_calls) == ("succeeded", 1, 1)
    assert _primary_teams(config)[seller] == "DACH Service"
    again = _stream(_sync(config), "users")  # nothing changed since: no call, no writes
    assert (again.counts.updated, again.api_calls) == (0, 0)


def test_a_table_the_application_user_may_not_read_fails_its_stream_alone(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Without Read on Team the users come without their teams, the users stream says why
    in one line, and every other stream syncs; once the privilege is granted, the next run
    gives each user their teams again. Without Read on Case only the cases stream fails."""
    app: Any = sandbox.apps["dynamics"]
    config = _config(sandbox, tmp_path)
    app.limits.unreadable.update({"team", "incident"})
    try:
        report = _sync(config)
    finally:
        app.limits.unreadable.clear()
    users, cases = _stream(report, "users"), _stream(report, "cases")
    assert report.status == "partial"
    assert (users.status, cases.status) == ("failed", "failed")
    assert users.error.startswith(
        "users were read without their teams: the application user may not read this "
        "table: Dataverse refused GET teams (HTTP 403 0x80040220: Principal user (Id="
    )
    assert "is missing prvReadTeam privilege on OTC=9 for entity 'team'" in users.error
    assert users.error.endswith("give its security role the Read privilege on the table")
    assert "prvReadIncident" in cases.error
    others = [s for s in report.streams if s.stream not in ("users", "cases")]
    assert others and {s.status for s in others} == {"succeeded"}
    assert users.counts.inserted == len(list(app.world.dynamics["systemuser"].live()))
    assert set(_primary_teams(config).values()) == {None}

    report = _sync(config)
    assert report.status == "succeeded"
    teams = _primary_teams(config)
    assert None not in {teams[u["systemuserid"]] for u in _people(app)}
    assert_store_matches_world(sandbox, config, "dynamics")


def _people(app: Any) -> list[dict[str, Any]]:
    """The users who are in a team of their own (every user but the application user)."""
    members = {m["systemuserid"] for m in app.world.dynamics["teammembership"].live()}
    return [u for u in app.world.dynamics["systemuser"].live() if u["systemuserid"] in members]


def _languages(config: Path) -> dict[str, str | None]:
    return {rid: raw.get("language") for rid, raw in _user_payloads(config).items()}


def test_users_carry_the_language_of_their_settings_and_a_change_rereads_the_user(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Dataverse keeps a user's UI language in ``usersettings`` (a Windows locale id), not
    on the user: each user comes with it as a locale name, and a user whose language
    changed is read again though the user's own row did not change."""
    config = _config(sandbox, tmp_path)
    run_sync(config, "dynamics")
    world = sandbox.world
    assert world is not None
    names = {1031: "de_DE", 2055: "de_CH", 3079: "de_AT", 1033: "en_US"}
    settings = {s["systemuserid"]: s["uilanguageid"] for s in world.dynamics["usersettings"].live()}
    assert _languages(config) == {user: names[lcid] for user, lcid in settings.items()}
    employees = {e["user_id"] for e in world.truth.files["dynamics_employees"]}
    staff = employees - {u for u, lcid in settings.items() if lcid == 1033}
    assert staff and {settings[u] for u in staff} <= {1031, 2055}  # the subsidiary's own

    moved = sorted(staff)[0]
    with world.lock:
        world.dynamics["usersettings"].rows[moved]["uilanguageid"] = 3079
    users = _stream(_sync(config), "users")
    assert (users.status, users.counts.updated, users.api_calls) == ("succeeded", 1, 1)
    assert _languages(config)[moved] == "de_AT"
    again = _stream(_sync(config), "users")
    assert (again.counts.updated, again.api_calls) == (0, 0)


def test_without_read_on_user_settings_the_users_come_without_a_language(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A security role without Read on User Settings: the users stream still succeeds (the
    statements then use the default language); once granted, the next run reads each
    user again with their language."""
    app: Any = sandbox.apps["dynamics"]
    config = _config(sandbox, tmp_path)
    app.limits.unreadable.add("usersettings")
    try:
        users = _stream(_sync(config), "users")
    finally:
        app.limits.unreadable.clear()
    assert users.status == "succeeded"
    assert set(_languages(config).values()) == {None}
    users = _stream(_sync(config), "users")
    count = len(list(app.world.dynamics["systemuser"].live()))
    assert (users.status, users.counts.updated) == ("succeeded", count)
    assert None not in set(_languages(config).values())
