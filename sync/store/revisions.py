"""The store's schema revisions, read from the migration scripts without loading Alembic
(nor SQLAlchemy): every command checks the store against them before using it."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

__all__ = ["MIGRATIONS", "head_revisions"]

MIGRATIONS = Path(__file__).parent / "migrations"

_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)


@cache
def head_revisions() -> frozenset[str]:
    """The revisions no migration script builds on, read from the scripts' source."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        for name, value in _ASSIGNMENT.findall(script.read_text()):
            literal = ast.literal_eval(value.strip())
            if name == "revision":
                revisions.add(literal)
            elif literal is not None:
                parents.update((literal,) if isinstance(literal, str) else literal)
    return frozenset(revisions - parents)
