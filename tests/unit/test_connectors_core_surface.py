"""``connectors.core`` exports its public names lazily: each resolves to its module's own."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import connectors.core as core


@pytest.mark.parametrize("name", core.__all__)
def test_every_public_name_resolves_to_the_object_of_its_module(name: str) -> None:
    module = importlib.import_module(f"connectors.core.{core._HOME[name]}")
    assert getattr(core, name) is getattr(module, name)
    assert name in dir(core)


def test_the_exports_are_exactly_the_lazy_names_and_unknown_names_fail() -> None:
    assert sorted(core.__all__) == sorted(core._HOME)
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = core.Nope  # type: ignore[attr-defined]


def test_importing_the_errors_builds_no_record_type() -> None:
    code = "import sys, connectors.core.errors; print('connectors.core.records' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (result.returncode, result.stdout.strip()) == (0, "False")
