"""The Dynamics connector keeps the choice labels between runs and revalidates them with
``RetrieveMetadataChanges`` (``ClientVersionStamp``), against the sandbox's emulator: a
later run asks only for the option sets changed since, an option added or relabelled
between runs maps its records' channel by the new label, an expired stamp reads every
option set again, and a full run starts without the stamp."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sandbox import Sandbox
from sync.config import load_config
from sync.pull.runs import load_state
from sync.store.records import TABLES
from tests.integration.contract_suite import run_sync, tiny_sandbox
from tests.integration.sync_support import opened, write_config
from tests.integration.test_dynamics_reads import _session, _sync, _url

NEW_VALUE = 100_000_099  # a lead source option the schema does not have


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with tiny_sandbox() as box:
        yield box


def _config(sandbox: Sandbox, tmp_path: Path) -> Path:
    return write_config(sandbox, tmp_path, f"sqlite:///{tmp_path / 'store'}.sqlite", ("dynamics",))


def _state(config: Path, stream: str) -> dict[str, Any]:
    with opened(load_config(config).store.url) as engine:
        state = load_state(engine, "dynamics", stream)
    assert state is not None
    return state


def _channel(config: Path, lead_id: str) -> str | None:
    table = TABLES["lead"].__table__  # type: ignore[attr-defined]
    with opened(load_config(config).store.url) as engine, engine.connect() as conn:
        return conn.execute(
            select(table.c.source_channel).where(
                table.c.source == "dynamics", table.c.remote_id == lead_id
            )
        ).scalar_one()


def test_the_choices_are_kept_and_only_their_changes_are_asked_for(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    app: Any = sandbox.apps["dynamics"]
    log = app.metadata_log
    config = _config(sandbox, tmp_path)
    run_sync(config, "dynamics")
    first = log.stamp()
    assert log.asked == [None]  # no state: every option set, as before
    kept = _state(config, "leads")["metadata"]
    assert kept["stamp"] == first
    assert set(kept["choices"]) == {"lead"}
    assert kept["choices"]["lead"]["statecode"] == {
        "0": "Open",
        "1": "Qualified",
        "2": "Disqualified",
    }
    assert set(_state(config, "activities")["metadata"]["choices"]) == {
        "phonecall",
        "email",
        "appointment",
        "task",
    }
    assert "metadata" not in _state(config, "users")  # no choice column

    report = _sync(config)
    assert report.status == "succeeded"
    assert log.asked == [None, int(first.split("!")[0])]  # the stamp kept: changes only
    assert _state(config, "leads")["metadata"] == kept  # nothing changed


def test_an_option_added_then_relabelled_between_runs_maps_the_channel_by_its_label(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    app: Any = sandbox.apps["dynamics"]
    config = _config(sandbox, tmp_path)
    run_sync(config, "dynamics")
    lead = sorted(r["leadid"] for r in app.world.dynamics["lead"].live())[0]
    session = _session(sandbox)

    app.metadata_log.set_option("lead", "leadsourcecode", NEW_VALUE, "Seminar")
    sandbox.clock.advance(60)  # type: ignore[attr-defined]
    answer = session.patch(_url(sandbox, f"leads({lead})"), json={"leadsourcecode": NEW_VALUE})
    assert answer.status_code == 204, answer.text
    assert _sync(config).status == "succeeded"
    assert _channel(config, lead) == "event"  # Seminar
    choices = _state(config, "leads")["metadata"]["choices"]["lead"]["leadsourcecode"]
    assert choices[str(NEW_VALUE)] == "Seminar"
    assert choices["8"] == "Web"  # the options sent without a label keep theirs

    app.metadata_log.set_option("lead", "leadsourcecode", NEW_VALUE, "Web")
    sandbox.clock.advance(60)  # type: ignore[attr-defined]
    answer = session.patch(_url(sandbox, f"leads({lead})"), json={"firstname": "Again"})
    assert answer.status_code == 204, answer.text
    assert _sync(config).status == "succeeded"
    assert _channel(config, lead) == "web"  # relabelled Web
    assert len(app.metadata_log.asked) == 3 and None not in app.metadata_log.asked[1:]


def test_an_expired_stamp_reads_every_option_set_again(sandbox: Sandbox, tmp_path: Path) -> None:
    app: Any = sandbox.apps["dynamics"]
    log = app.metadata_log
    config = _config(sandbox, tmp_path)
    run_sync(config, "dynamics")
    first = int(log.stamp().split("!")[0])
    log.expire()
    log.set_option("lead", "leadsourcecode", NEW_VALUE, "Trade Show")
    report = _sync(config)
    assert report.status == "succeeded"
    # the kept stamp refused (ExpiredVersionStamp), then every option set without one
    assert log.asked == [None, first, None]
    kept = _state(config, "leads")["metadata"]
    assert kept["stamp"] == log.stamp()
    assert kept["choices"]["lead"]["leadsourcecode"][str(NEW_VALUE)] == "Trade Show"


def test_a_full_run_reads_every_option_set(sandbox: Sandbox, tmp_path: Path) -> None:
    app: Any = sandbox.apps["dynamics"]
    config = _config(sandbox, tmp_path)
    run_sync(config, "dynamics")
    assert _sync(config, full=True).status == "succeeded"
    assert app.metadata_log.asked == [None, None]


def test_a_column_created_moves_the_version_and_custom_columns_can_be_filtered(
    sandbox: Sandbox,
) -> None:
    app: Any = sandbox.apps["dynamics"]
    session = _session(sandbox)
    before = app.metadata_log.version
    created = session.post(
        _url(sandbox, "EntityDefinitions(LogicalName='lead')/Attributes"),
        json={
            "@odata.type": "Microsoft.Dynamics.CRM.DecimalAttributeMetadata",
            "SchemaName": "crmsync_Score",
        },
    )
    assert created.status_code == 204, created.text
    assert app.metadata_log.version == before + 1
    assert app.metadata_log.changed[("lead", "crmsync_score")] == before + 1
    path = "EntityDefinitions(LogicalName='lead')/Attributes?$select=LogicalName"
    custom = session.get(_url(sandbox, f"{path}&$filter=IsCustomAttribute eq true"))
    assert [a["LogicalName"] for a in custom.json()["value"]] == ["crmsync_score"]
    assert set(custom.json()["value"][0]) == {"@odata.type", "MetadataId", "LogicalName"}
    refused = session.get(_url(sandbox, f"{path}&$filter=AttributeType eq 'Picklist'"))
    assert refused.status_code == 400
