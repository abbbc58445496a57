"""The dependency direction of the design card, enforced."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "connectors": ("sync", "compensation"),
    "compensation": ("sync", "connectors"),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_never_imports_the_layers_above_or_beside_it(package: str) -> None:
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = _imports(path) & set(FORBIDDEN[package])
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {', '.join(sorted(bad))}")
    assert offenders == []


def test_layering_check_sees_real_modules() -> None:
    # Guards the test above against silently scanning nothing.
    assert len(list((ROOT / "connectors").rglob("*.py"))) > 10
    assert "sandbox" in _imports(ROOT / "sync" / "cli_sandbox.py")


def test_no_module_grows_past_the_split_size() -> None:
    too_big = [
        f"{p.relative_to(ROOT)} ({n} lines)"
        for package in ("connectors", "sandbox", "sync", "compensation")
        for p in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in p.parts
        if (n := len(p.read_text().splitlines())) > 450
    ]
    assert too_big == []
