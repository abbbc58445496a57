"""No module outside a connector's own folder names a CRM kind in its code.

What crmsync knows about a CRM lives in its connector (``connectors/<kind>/``, with its
``CrmProfile``); everything else looks it up by the source's kind, so a plugin is treated
like the built-in connectors. Scanned: string literals (docstrings excepted) and names in
every Python module outside ``connectors/<kind>/``, the sandbox, tests, bench and docs.
Comments and docstrings may mention a CRM (to explain an example); code may not.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("salesforce", "hubspot", "zoho")
_NAMED = re.compile(rf"(?<![a-z])({'|'.join(KINDS)})(?![a-z])", re.IGNORECASE)
_SKIPPED = {
    *(f"connectors/{kind}" for kind in KINDS),
    "sandbox",
    "tests",
    "bench",
    "docs",
}

# Modules that may name CRMs anywhere, and why.
WHOLE_MODULES = {
    "sync/cli_sandbox.py": "the `crmsync sandbox` command: the sandbox emulates these CRMs",
    "sync/cli_demo.py": "the `crmsync demo` command runs on the sandbox's three CRMs",
    "sync/demo_setup.py": "the demo configuration of the sandbox's three CRMs",
    "sync/init_config.py": "`crmsync init`'s commented starting YAML for the built-in CRMs",
    "compensation/statements/samples.py": "sample statement data: deal keys use the demo's "
    "source names (compensation never imports connectors)",
}
# Single names that may appear, where, and why.
NAMES = {
    ("sync/config/reconcile.py", "salesforce"): "default reconcile.source_priority",
    ("sync/config/reconcile.py", "hubspot"): "default reconcile.source_priority",
    ("sync/config/reconcile.py", "zoho"): "default reconcile.source_priority",
    ("sync/config/audit.py", "hubspot_portal_id"): "the audit.hubspot_portal_id config key",
    ("sync/audit/audits.py", "hubspot_portal_id"): "reads audit.hubspot_portal_id",
    ("sync/reports/build.py", "hubspot_portal_id"): "reads audit.hubspot_portal_id",
}


def _modules() -> list[Path]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if any(rel == s or rel.startswith(f"{s}/") for s in _SKIPPED) or "/." in f"/{rel}":
            continue
        if rel.startswith((".venv", "build/")) or "site-packages" in rel:
            continue
        found.append(path)
    return found


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def crm_names(source: str) -> list[tuple[int, str]]:
    """(line, text) of each string literal or name in ``source`` that names a CRM kind."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    hits = []
    for node in ast.walk(tree):
        text = None
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            text = node.value
        elif isinstance(node, ast.Name):
            text = node.id
        elif isinstance(node, ast.Attribute):
            text = node.attr
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            text = node.name
        elif isinstance(node, ast.arg):
            text = node.arg
        elif isinstance(node, ast.alias):
            text = node.asname or node.name
        if text is not None and _NAMED.search(text):
            hits.append((node.lineno, text))  # type: ignore[attr-defined]
    return sorted(hits)


def test_no_module_outside_the_connectors_names_a_crm() -> None:
    offenders = []
    for path in _modules():
        rel = path.relative_to(ROOT).as_posix()
        if rel in WHOLE_MODULES:
            continue
        for line, text in crm_names(path.read_text()):
            if (rel, text) not in NAMES:
                offenders.append(f"{rel}:{line}: {text[:60]!r}")
    assert offenders == [], "CRM knowledge belongs in the connector's profile"


def test_every_exception_is_still_needed() -> None:
    used_modules = {rel for rel in WHOLE_MODULES if crm_names((ROOT / rel).read_text())}
    assert used_modules == set(WHOLE_MODULES)
    used_names = {
        (rel, text) for rel, _ in NAMES for _, text in crm_names((ROOT / rel).read_text())
    }
    assert set(NAMES) <= used_names


def test_the_scan_sees_literals_and_names_but_not_docstrings_or_comments() -> None:
    code = '''
"""Salesforce is mentioned in a docstring."""
# and hubspot in a comment
def f(zoho_id):
    """Zoho here too."""
    batch = {"salesforce": 200}
    return HUBSPOT_TYPES, batch, f"{zoho_id} on Zoho"
'''
    assert crm_names(code) == [
        (4, "zoho_id"),
        (6, "salesforce"),
        (7, " on Zoho"),
        (7, "HUBSPOT_TYPES"),
        (7, "zoho_id"),
    ]
    scanned = {p.relative_to(ROOT).as_posix() for p in _modules()}
    assert {"sync/push/batching.py", "connectors/core/channels.py", "dev.py"} <= scanned
    assert not any(p.startswith(("connectors/zoho/", "tests/")) for p in scanned)
