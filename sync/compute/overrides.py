"""An admin's split overrides (``split_overrides:`` in the plans directory) resolved
against the store: each deal by its key or CRM id, each person by employee key, e-mail,
``source:user_id`` or display name, with the closest names suggested on a typo.

The override in force for a (deal, pool) is the one with the latest ``effective`` on or
before the run's ``as_of``; it fills that pool instead of the acts or the CRM's split.
Closed periods are re-run on today's inputs by the engine, so the change to what they
paid posts in the open period (``prior_period`` lines), never in the closed result.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

from compensation.crediting.fill import SplitRow
from compensation.plans import PlanError
from compensation.plans.errors import describe_problems
from compensation.plans.overrides import SplitOverride, load_split_overrides
from sync.compute.directory import Directory
from sync.errors import UsageError

__all__ = ["OVERRIDE_SLOT", "load_overrides", "overrides_in_force", "resolve_person"]

OVERRIDE_SLOT = "override"


def load_overrides(plans_dir: Path) -> list[SplitOverride]:
    """The plans directory's split overrides, or a usage error naming file and line."""
    try:
        return load_split_overrides(plans_dir)
    except PlanError as exc:
        problems = getattr(exc, "problems", [str(exc)])
        raise UsageError(describe_problems("the split overrides", problems)) from exc


def resolve_person(directory: Directory, text: str) -> tuple[str | None, list[str]]:
    """An employee key from a key, an e-mail, ``source:user_id`` or a display name
    (case-insensitive, when one person has it); else None and the closest spellings."""
    found = directory.find(text)
    if found is not None:
        return found, []
    named = [k for k, e in directory.employees.items() if e.name.casefold() == text.casefold()]
    if len(named) == 1:
        return named[0], []
    spellings: dict[str, str] = {}
    for key, person in directory.employees.items():
        for value in (key, person.email, person.name):
            if value:
                spellings.setdefault(value.casefold(), value)
    close = difflib.get_close_matches(text.casefold(), list(spellings), n=3, cutoff=0.6)
    return None, [spellings[c] for c in close]


def overrides_in_force(
    overrides: Iterable[SplitOverride],
    directory: Directory,
    refs: Mapping[str, tuple[str, str]],
    as_of: date,
) -> dict[str, dict[str, list[SplitRow]]]:
    """Deal key → pool → the rows of the override in force on ``as_of``. Every entry is
    checked (a future one too), and all problems are raised as one usage error."""
    by_id: dict[str, list[str]] = {}
    for key, (_, remote) in sorted(refs.items()):
        by_id.setdefault(remote, []).append(key)
    problems: list[str] = []
    chosen: dict[tuple[str, str], tuple[SplitOverride, list[SplitRow]]] = {}
    for item in overrides:
        found = [item.deal] if item.deal in refs else by_id.get(item.deal, [])
        deal = found[0] if len(found) == 1 else None
        if len(found) > 1:
            problems.append(
                f"{item.where}: deal id {item.deal!r} is in several CRMs "
                f"({', '.join(found)}); give the deal key"
            )
        elif deal is None:
            problems.append(
                f"{item.where}: no deal {item.deal!r} in the store (give a deal key "
                "source:deals:id or the CRM's id; sync first if the deal is new, remove the "
                "override if the deal was deleted)"
            )
        rows = []
        for who, percent, where in item.shares:
            person, close = resolve_person(directory, who)
            if person is None:
                hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
                problems.append(f"{where}: no employee {who!r}{hint}")
                continue
            rows.append(SplitRow(person, percent, OVERRIDE_SLOT, item.label))
        if deal is None or len(rows) != len(item.shares) or item.effective > as_of:
            continue
        current = chosen.get((deal, item.pool))
        if current is None or current[0].effective <= item.effective:
            chosen[(deal, item.pool)] = (item, rows)
    if problems:
        raise UsageError(describe_problems("the split overrides", problems))
    out: dict[str, dict[str, list[SplitRow]]] = {}
    for (deal, pool), (_, rows) in sorted(chosen.items()):
        out.setdefault(deal, {})[pool] = rows
    return out
