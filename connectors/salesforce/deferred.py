"""Parts of simple-salesforce's imports that crmsync never calls, registered to run on use.

simple-salesforce imports, at its top level, PyJWT (with cryptography) for a JWT login
crmsync does not use (``auth.py`` signs its own assertions), and its metadata API module,
which imports zeep, lxml and their SOAP machinery for the Metadata API crmsync does not
call. Together about 0.1 s of every command that builds a Salesforce client, a sixth of an
incremental sync's start-up. :func:`defer_unused_imports` registers both modules in
``sys.modules`` before simple-salesforce is imported, without running their code; each
runs on its first real use (``jwt.encode``, ``Salesforce(...).mdapi``).

The standard library's ``LazyLoader`` would not do: its module runs on any attribute read,
and ``import`` reads ``__spec__``, and ``from .metadata import SfdcMetadataApi`` reads the
class itself.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import types
from pathlib import Path
from typing import Any

__all__ = ["defer_unused_imports"]

_METADATA = "simple_salesforce.metadata"


class _Deferred(types.ModuleType):
    """A module registered in ``sys.modules`` before its code has run: the first attribute
    it does not have yet runs the code, and it is an ordinary module from then on."""

    def __getattr__(self, name: str) -> Any:
        if name == "__path__":  # the import system asks whether a module is a package
            raise AttributeError(name)
        _run(self)
        return getattr(self, name)


_running = threading.RLock()


def _run(module: types.ModuleType) -> None:
    """Run a deferred module's code, once."""
    with _running:
        if type(module) is not _Deferred:
            return
        module.__class__ = types.ModuleType  # type: ignore[assignment]
        spec = module.__spec__
        if spec is not None and spec.loader is not None:
            try:
                spec.loader.exec_module(module)
            except BaseException:
                sys.modules.pop(module.__name__, None)  # as a failed import leaves it
                raise


class _MetadataApiOnUse:
    """Stands for ``SfdcMetadataApi`` in simple-salesforce's ``api`` module until the
    Metadata API is used: building one runs the real metadata module (zeep) first."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        module = sys.modules.get(_METADATA)
        if module is None:  # its code failed once and was dropped: import it as usual
            import importlib

            module = importlib.import_module(_METADATA)
        _run(module)
        return module.SfdcMetadataApi(*args, **kwargs)


def _deferred(name: str, spec: Any, ready: dict[str, Any]) -> None:
    """Register ``name`` from ``spec`` without running it; ``ready``: names it has already."""
    if spec is None or spec.loader is None:
        return  # not installed: the importer's own import says so
    module = importlib.util.module_from_spec(spec)
    module.__class__ = _Deferred
    module.__dict__.update(ready)
    sys.modules[name] = module


def defer_unused_imports() -> None:
    """Register PyJWT and simple-salesforce's metadata module to run on first use (before
    simple-salesforce is imported; once it is, this changes nothing)."""
    if "jwt" not in sys.modules:
        _deferred("jwt", importlib.util.find_spec("jwt"), {})
    if _METADATA in sys.modules or "simple_salesforce" in sys.modules:
        return
    # find_spec of the submodule would import the package, and so the module itself
    package = importlib.util.find_spec("simple_salesforce")
    if package is None or not package.submodule_search_locations:
        return
    path = Path(next(iter(package.submodule_search_locations))) / "metadata.py"
    if path.is_file():
        spec = importlib.util.spec_from_file_location(_METADATA, path)
        _deferred(_METADATA, spec, {"SfdcMetadataApi": _MetadataApiOnUse})
