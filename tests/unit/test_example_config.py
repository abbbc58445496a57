"""``config/crmsync.example.yaml`` validates and documents every key of the schema."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sync.cli_config import config_json_schema
from sync.config import load_config

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "crmsync.example.yaml"
ENV = {
    name: "example-value"
    for name in (
        "SALESFORCE_CLIENT_ID",
        "SALESFORCE_CLIENT_SECRET",
        "HUBSPOT_ACCESS_TOKEN",
        "ZOHO_CLIENT_ID",
        "ZOHO_CLIENT_SECRET",
        "ZOHO_REFRESH_TOKEN",
    )
}


def _keys(schema: dict[str, Any], defs: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for name, spec in schema.get("properties", {}).items():
        found.add(name)
        for ref in re.findall(r"#/\$defs/([\w.]+)", str(spec)):
            found |= _keys(defs[ref], defs)
    return found


def test_the_example_validates(tmp_path: Path) -> None:
    (tmp_path / "secrets.env").write_text("")
    (tmp_path / "config" / "plans").mkdir(parents=True)  # the file sits at a project's root
    path = tmp_path / "crmsync.yaml"
    path.write_text(EXAMPLE.read_text())
    config = load_config(path, environ=ENV)
    assert [(s.name, s.kind) for s in config.sources] == [
        ("salesforce", "salesforce"),
        ("hubspot", "hubspot"),
        ("zoho", "zoho"),
    ]
    assert config.sources[0].settings.auth.client_secret.get_secret_value() == "example-value"


def test_the_example_documents_every_key() -> None:
    schema = config_json_schema()
    text = EXAMPLE.read_text()
    documented = set(re.findall(r"^\s*#?\s*(?:- )?([a-z_]+):", text, re.MULTILINE))
    defs = schema["$defs"]
    wanted = _keys(schema, defs)
    for variant in schema["properties"]["sources"]["items"]["oneOf"]:
        wanted |= _keys(variant, defs)
    assert sorted(wanted - documented) == []
