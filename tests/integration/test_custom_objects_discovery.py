"""``crmsync connectors discover`` on each sandbox CRM, and ``connectors check`` comparing a
mapping with what discovery found: one ``FILE:LINE`` line per problem, with a suggestion."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from typer.testing import CliRunner

from sandbox.hubspot.schema_custom import ORDERS, STORE_VISITS, STORE_VISITS_TYPE_ID
from sync.cli import app
from sync.config import load_config
from sync.sources import build_connector
from tests.integration.contract_suite import tiny_sandbox
from tests.integration.sync_support import write_config

# (object, its modified-time field, a field of it, a misspelling of that field)
CUSTOM = {
    "salesforce": ("Store_Visit__c", "SystemModstamp", "Visit_Date__c", "Visit_Dte__c"),
    "hubspot": (STORE_VISITS, "hs_lastmodifieddate", "visit_date", "visit_dat"),
    "zoho": ("Store_Visits", "Modified_Time", "Visited_At", "Visited_on"),
    "dynamics": ("new_storevisit", "modifiedon", "new_visitedon", "new_visitedin"),
    # a Module Builder module's own fields are no Studio fields: the one added in Studio
    "sugarcrm": ("cstm_StoreVisits", "date_modified", "contact_id_c", "contact_idc"),
    "oracle": ("StoreVisit_c", "LastUpdateDate", "VisitDate_c", "VisitDte_c"),
    "keap": ("appointments", "last_updated", "location", "locaton"),  # no custom objects
}
STANDARD = {
    "salesforce": "Contact",
    "hubspot": "contacts",
    "zoho": "Contacts",
    "dynamics": "contact",
    "sugarcrm": "Contacts",
    "oracle": "contacts",
}
CRMS = [c for c in CUSTOM if c != "keap"]  # Keap has no custom objects: its lists


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), prog_name="crmsync")


@pytest.mark.parametrize("crm", CRMS)
def test_discover_lists_standard_and_custom_objects(tmp_path: Path, crm: str) -> None:
    obj, cursor, field, _ = CUSTOM[crm]
    with tiny_sandbox() as sandbox:
        config = write_config(sandbox, tmp_path, f"sqlite:///{tmp_path / 's.sqlite'}", (crm,))
        result = _invoke("connectors", "discover", "-s", crm, "--json", "--config", str(config))
        assert result.exit_code == 0, result.output
        objects = {o["name"]: o for o in orjson.loads(result.stdout)["objects"]}
        text = _invoke("connectors", "discover", "-s", crm, "--object", obj, "-c", str(config))
    custom = objects[obj]
    assert custom["custom"] is True
    assert (custom["incremental"], custom["cursor_field"]) == (True, cursor)
    fields = {f["name"]: f for f in custom["fields"]}
    assert fields[field]["custom"] is True
    # each CRM's own type names: Dataverse's AttributeType, Sugar's vardef type
    assert fields[field]["type"] in ("datetime", "string", "DateTime", "id")
    assert objects[STANDARD[crm]]["custom"] is False
    assert objects[STANDARD[crm]]["incremental"] is True
    assert text.exit_code == 0 and field in text.stdout
    if crm == "hubspot":
        assert custom["aliases"][0] == STORE_VISITS_TYPE_ID
        assert {"associations.contacts", "associations.companies"} <= set(fields)


@pytest.mark.parametrize("crm", [*CRMS, "keap"])
def test_check_names_a_missing_field_with_its_line_and_a_suggestion(
    tmp_path: Path, crm: str
) -> None:
    obj, _, field, typo = CUSTOM[crm]
    with tiny_sandbox() as sandbox:
        config = write_config(sandbox, tmp_path, f"sqlite:///{tmp_path / 's.sqlite'}", (crm,))
        data = yaml.safe_load(config.read_text())
        data["sources"][0]["custom_objects"] = [
            {"object": obj, "kind": "event", "fields": {"occurred_at": typo}},
            {"object": f"{obj}x", "kind": "event"},
        ]
        config.write_text(yaml.safe_dump(data, sort_keys=False))
        lines = config.read_text().splitlines()
        result = _invoke("connectors", "check", "--config", str(config))
    assert result.exit_code == 1
    typo_line = next(i for i, line in enumerate(lines, 1) if typo in line)
    object_line = next(i for i, line in enumerate(lines, 1) if f"{obj}x" in line)
    assert (
        f"{config}:{typo_line}: sources[0].custom_objects[0].fields.occurred_at: "
        f"object {obj} has no field {typo}; did you mean {field}?"
    ) in result.stdout
    assert (
        f"{config}:{object_line}: sources[0].custom_objects[1].object: "
        f"the CRM has no object {obj}x; did you mean {obj}?"
    ) in result.stdout


# Oracle's catalogue (``/describe``) answers every resource with its attributes in one call,
# named or not: there is nothing to save
@pytest.mark.parametrize("crm", [c for c in CRMS if c != "oracle"])
def test_discovering_named_objects_costs_fewer_calls(tmp_path: Path, crm: str) -> None:
    """What ``connectors check`` asks: the mapped objects described, the rest named only."""
    obj = CUSTOM[crm][0]
    with tiny_sandbox() as sandbox:
        config = load_config(
            write_config(sandbox, tmp_path, f"sqlite:///{tmp_path / 's.sqlite'}", (crm,))
        )
        connector = build_connector(config.source(crm))
        try:
            everything = connector.discover()  # type: ignore[attr-defined]
            full_calls = connector.api_usage().calls
            named = connector.discover(only=[obj])  # type: ignore[attr-defined]
            named_calls = connector.api_usage().calls - full_calls
        finally:
            connector.close()
    assert sorted(o.name for o in named) == sorted(o.name for o in everything)
    by_name = {o.name: o for o in named}
    assert by_name[obj].fields == {o.name: o for o in everything}[obj].fields
    # HubSpot's schema list answers every custom object with its properties in one call
    free = {o.name for o in named if o.custom} if crm == "hubspot" else set()
    assert free == ({STORE_VISITS, ORDERS} if crm == "hubspot" else set())
    assert not any(o.fields for o in named if o.name != obj and o.name not in free)
    assert named_calls < full_calls
