"""The import graph of crmsync's packages, enforced (drawn in docs/architecture.md).

- No import cycle between the parts of ``sync/`` (a subpackage, or a top-level module such
  as ``cli_run.py``).
- No stage (reconcile, audit, compute, push, mail) imports another: what one stage writes
  and another reads goes through the store view (``sync/store/view/``).
- ``connectors/`` and ``compensation/`` never import ``sync/`` (nor each other).
- A folder of ``connectors/`` (one CRM's connector, the conformance suite) imports no other
  folder of ``connectors/`` than ``core/``.
- The sandbox (top-level ``sandbox/``, the optional ``crmsync[sandbox]`` extra) needs only
  ``connectors.core``; nothing imports it but the ``sandbox`` and ``demo`` commands.

Every ``import`` statement counts, also one inside a function or under ``TYPE_CHECKING``:
an import that runs late still ties the two parts together. Imports by a name held in a
string (the pipeline's step registry, the lazy ``__getattr__`` of a package) are not seen.
"""

from __future__ import annotations

import ast
from collections import deque
from functools import cache
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("connectors", "compensation", "sandbox", "sync")
# The only modules that may import the sandbox: its command and the demo's.
SANDBOX_USERS = ("sync.cli_sandbox", "sync.cli_demo", "sync.demo")
STAGES = ("reconcile", "audit", "compute", "push", "mail")

Edge = tuple[str, str]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, Path]:
    return {
        _module_name(p): p
        for package in PACKAGES
        for p in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in p.parts
    }


def _imports(name: str, path: Path) -> list[tuple[str, int]]:
    """(imported module, line) for every import in the module, relative ones resolved."""
    modules = _modules()
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.append((module, node.lineno))
            # ``from sync import audit`` imports the subpackage sync.audit
            found.extend(
                (f"{module}.{alias.name}", node.lineno)
                for alias in node.names
                if f"{module}.{alias.name}" in modules
            )
    return found


def _sync_part(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "sync" and len(parts) > 1 else None


@cache
def _sync_graph() -> dict[Edge, str]:
    """(part, part) -> where the first such import is (``path:line``)."""
    modules = _modules()
    parts = {p for m in modules if (p := _sync_part(m)) is not None}
    edges: dict[Edge, str] = {}
    for name, path in modules.items():
        source = _sync_part(name)
        if source is None:
            continue
        for module, line in _imports(name, path):
            target = _sync_part(module)
            if target is not None and target != source and target in parts:
                edges.setdefault((source, target), f"{path.relative_to(ROOT)}:{line}")
    return edges


def _path(edges: set[Edge], start: str, goal: str) -> list[str] | None:
    """A shortest path of one edge or more from ``start`` to ``goal``, or None."""
    after: dict[str, list[str]] = {}
    for a, b in sorted(edges):
        after.setdefault(a, []).append(b)
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue and goal not in came_from:
        node = queue.popleft()
        for nxt in after.get(node, ()):
            if nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    if goal not in came_from:
        return None
    path, node = [goal], came_from[goal]
    while node != start:
        path.append(node)
        node = came_from[node]
    return [start, *path[::-1]]


def _cycles(edges: set[Edge]) -> list[list[str]]:
    """One shortest cycle through each part that lies on a cycle (each cycle once)."""
    cycles: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for node in sorted({a for a, _ in edges}):
        cycle = _path(edges, node, node)
        if cycle is not None and frozenset(cycle) not in seen:
            seen.add(frozenset(cycle))
            cycles.append(cycle)
    return cycles


def _describe(cycle: list[str]) -> str:
    where = _sync_graph()
    hops = [f"{a} -> {b} ({where[(a, b)]})" for a, b in pairwise(cycle)]
    return "import cycle in sync/: " + ", ".join(hops)


def test_no_import_cycle_between_the_parts_of_sync() -> None:
    assert [_describe(c) for c in _cycles(set(_sync_graph()))] == []


def test_no_stage_imports_another_stage() -> None:
    where = _sync_graph()
    found = sorted((a, b) for a, b in where if a in STAGES and b in STAGES)
    assert [f"{a} imports {b} ({where[(a, b)]})" for a, b in found] == []


def test_the_cycle_check_finds_a_cycle() -> None:
    # Guards the cycle test against a search that finds nothing: a made-up cycle is found,
    # and a chain is not.
    assert _cycles({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")}) == [["a", "b", "c", "a"]]
    assert _cycles({("a", "b"), ("b", "c")}) == []


def test_connectors_and_compensation_never_import_sync_or_each_other() -> None:
    forbidden = {"connectors": ("sync", "compensation"), "compensation": ("sync", "connectors")}
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for name, path in _modules().items()
        if name.split(".")[0] in forbidden
        for module, line in _imports(name, path)
        if module.split(".")[0] in forbidden[name.split(".")[0]]
    ]
    assert offenders == []


def test_a_connector_folder_imports_only_core_from_connectors() -> None:
    offenders = []
    for name, path in _modules().items():
        parts = name.split(".")
        if parts[0] != "connectors" or len(parts) < 2:
            continue
        for module, line in _imports(name, path):
            target = module.split(".")
            if (
                target[0] == "connectors"
                and len(target) > 1
                and target[1] not in (parts[1], "core")
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert offenders == []


def test_the_sandbox_stands_apart() -> None:
    offenders = []
    for name, path in _modules().items():
        inside = name.split(".")[0] == "sandbox"
        for module, line in _imports(name, path):
            top = module.split(".")[0]
            if (
                inside
                and top in PACKAGES
                and top != "sandbox"
                and not module.startswith("connectors.core")
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
            if not inside and top == "sandbox" and name not in SANDBOX_USERS:
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert offenders == []


def _is_cli(name: str) -> bool:
    return name == "sync.cli" or name.startswith("sync.cli_")


def test_nothing_but_the_cli_imports_a_cli_module() -> None:
    # The commands sit on top: a stage, a report or the store that imported one of them
    # would pull typer and the command tree into the daemon, the workers and the web app.
    offenders = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for name, path in _modules().items()
        if not _is_cli(name) and name != "sync.__main__"
        for module, line in _imports(name, path)
        if _is_cli(module)
    ]
    assert offenders == []
    # the report that draws tables is scanned, and draws them with the shared module
    report = "sync.reports.terminal"
    assert "sync.terminal_text" in [m for m, _ in _imports(report, _modules()[report])]


def test_the_graph_sees_real_imports() -> None:
    # Guards the tests above against silently scanning nothing.
    edges = _sync_graph()
    assert ("cli_run", "pipeline") in edges  # a top-level module
    assert ("pull", "store") in edges  # a subpackage
    assert ("compute", "store") in edges  # a stage reads the store view
    assert ("pipeline", "mail") in edges  # the statements step joins compute and mail
    assert len(edges) > 50
    assert any(name.startswith("sandbox.") for name in _modules())
