"""In a checkout, the shipped data is read where the design keeps it: the repository root
(tests/e2e/test_wheel.py covers the installed wheel)."""

from __future__ import annotations

from pathlib import Path

import crmsync_data

ROOT = Path(__file__).resolve().parents[2]


def test_a_checkout_reads_templates_and_config_at_the_repository_root() -> None:
    assert crmsync_data.templates("statements") == ROOT / "templates" / "statements"
    assert crmsync_data.templates("reports") == ROOT / "templates" / "reports"
    assert crmsync_data.example_plans() == ROOT / "config" / "plans"
    assert crmsync_data.example_config() == ROOT / "config" / "crmsync.example.yaml"
    assert (crmsync_data.templates("reports") / "report.html.j2").is_file()
    assert (crmsync_data.example_plans() / "rates.yaml").is_file()
