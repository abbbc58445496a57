"""docs/configuration.md is generated from the schema and must match it."""

from __future__ import annotations

from pathlib import Path

from sync.cli_config import config_json_schema
from sync.config.reference import render_reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_the_configuration_reference_is_up_to_date() -> None:
    expected = render_reference(config_json_schema())
    assert DOC.read_text() == expected, (
        "docs/configuration.md is stale: run `crmsync config reference > docs/configuration.md`"
    )


def test_the_reference_lists_nested_keys_with_defaults_and_connector_variants() -> None:
    text = render_reference(config_json_schema())
    assert '| `schedule.stop_timeout` | duration | `"PT30S"` |' in text
    assert "### salesforce source" in text and "### zoho source" in text
    assert "| `alerts.after_failures` | integer | `3` | Alert after this many failures" in text
