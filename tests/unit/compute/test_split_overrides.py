"""An admin's split overrides in the plans directory: shares with their unit summing to
exactly 100%, who and why required, each problem one line with file and line; people
resolved against the directory with close spellings suggested."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from compensation.inputs import Employee
from compensation.plans import PlanFileError
from compensation.plans.overrides import load_split_overrides
from sync.compute.directory import Directory
from sync.compute.overrides import overrides_in_force
from sync.errors import UsageError

GOOD = """\
split_overrides:
  - deal: "D-1"
    effective: 2026-11-03
    by: ana@example.com
    reason: agreed at the pipeline review
    shares: {pedro@example.com: "60%", Lola Romero: "40%"}
  - deal: "D-1"
    effective: 2026-12-01
    by: ana@example.com
    reason: Lola took the account over
    shares: {Lola Romero: "100%"}
"""
DIRECTORY = Directory(
    {
        "E-1": Employee("E-1", "Pedro Ruiz", email="pedro@example.com"),
        "E-2": Employee("E-2", "Lola Romero", email="lola@example.com"),
    },
    {},
)
REFS = {"crm_a:deals:D-1": ("crm_a", "D-1")}


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "overrides.yaml").write_text(text)
    return tmp_path


def test_the_override_in_force_is_the_latest_effective_by_the_runs_day(tmp_path: Path) -> None:
    overrides = load_split_overrides(_write(tmp_path, GOOD))
    assert [(o.effective, o.shares[0][:2]) for o in overrides] == [
        (date(2026, 11, 3), ("pedro@example.com", Decimal(60))),
        (date(2026, 12, 1), ("Lola Romero", Decimal(100))),
    ]

    def rows(day: date) -> list[tuple[str, Decimal, str]]:
        found = overrides_in_force(overrides, DIRECTORY, REFS, day)
        return [
            (r.employee, r.percent, r.slot)
            for r in found.get("crm_a:deals:D-1", {}).get("revenue", [])
        ]

    assert rows(date(2026, 11, 2)) == []
    assert rows(date(2026, 11, 3)) == [
        ("E-1", Decimal(60), "override"),
        ("E-2", Decimal(40), "override"),
    ]
    assert rows(date(2026, 12, 1)) == [("E-2", Decimal(100), "override")]


def test_each_problem_is_one_line_with_file_and_line(tmp_path: Path) -> None:
    text = """\
split_overrides:
  - deal: "D-1"
    effective: 2026-11-03
    by: ana@example.com
    reasn: typo
    shares: {pedro@example.com: "60%", Lola Romero: "30%"}
  - deal: "D-2"
    effective: soon
    by: ""
    reason: x
    shares: {pedro@example.com: 1}
"""
    with pytest.raises(PlanFileError) as caught:
        load_split_overrides(_write(tmp_path, text))
    file = tmp_path / "overrides.yaml"
    assert caught.value.problems == [
        f"{file}:5: split_overrides[0].reasn: unknown key; did you mean 'reason'?",
        f"{file}:2: split_overrides[0].reason: required: why the split is overridden",
        f"{file}:6: split_overrides[0].shares: the shares sum to 90%, not exactly 100%",
        f"{file}:9: split_overrides[1].by: required: who decided the override (name or e-mail)",
        f"{file}:8: split_overrides[1].effective: required: the day the override takes effect "
        "(YYYY-MM-DD)",
        f"{file}:11: split_overrides[1].shares.pedro@example.com: 1 has no unit: write a "
        'percentage, e.g. "1%"',
    ]


def test_unknown_deals_and_people_are_named_with_close_spellings(tmp_path: Path) -> None:
    text = GOOD.replace('Lola Romero: "40%"', 'Lola Romro: "40%"').replace(
        '"D-1"\n    effective: 2026-12-01', '"D-9"\n    effective: 2026-12-01'
    )
    overrides = load_split_overrides(_write(tmp_path, text))
    with pytest.raises(UsageError) as caught:
        overrides_in_force(overrides, DIRECTORY, REFS, date(2026, 11, 30))
    file = tmp_path / "overrides.yaml"
    assert str(caught.value).splitlines() == [
        "the split overrides have 2 problems:",
        f"  {file}:6: no employee 'Lola Romro'; did you mean 'Lola Romero'?",
        f"  {file}:7: no deal 'D-9' in the store (give a deal key source:deals:id or the "
        "CRM's id; sync first if the deal is new, remove the override if the deal was deleted)",
    ]


def test_a_crm_id_two_crms_share_must_be_given_as_a_deal_key(tmp_path: Path) -> None:
    overrides = load_split_overrides(_write(tmp_path, GOOD))
    refs = {**REFS, "crm_b:deals:D-1": ("crm_b", "D-1")}
    with pytest.raises(UsageError) as caught:
        overrides_in_force(overrides, DIRECTORY, refs, date(2026, 11, 30))
    file = tmp_path / "overrides.yaml"
    assert str(caught.value).splitlines()[1] == (
        f"  {file}:2: deal id 'D-1' is in several CRMs (crm_a:deals:D-1, crm_b:deals:D-1); "
        "give the deal key"
    )
    keyed = GOOD.replace('deal: "D-1"', 'deal: "crm_b:deals:D-1"')
    found = overrides_in_force(
        load_split_overrides(_write(tmp_path, keyed)), DIRECTORY, refs, date(2026, 11, 30)
    )
    assert list(found) == ["crm_b:deals:D-1"]
