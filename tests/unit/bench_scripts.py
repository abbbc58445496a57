"""Loading bench/'s modules in tests: bench/ holds scripts, not a package."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "bench"


def load(relative: str, name: str | None = None) -> ModuleType:
    """The module of ``bench/<relative>`` (a path such as ``peers/singer.py``), under
    ``name`` (default: the file's stem). It is put in ``sys.modules`` first:
    dataclasses look their module up there while a class is built."""
    path = BENCH / relative
    spec = importlib.util.spec_from_file_location(name or path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module
