"""load_plans: every YAML file of a directory → a validated :class:`PlanBook`.

A file with a top-level ``plan:`` is one plan version; ``assignments:`` is the assignment
list; ``rates:`` is a rates file (read by :class:`compensation.rates.RateTable`) and
``split_overrides:`` an admin's deal splits (:mod:`compensation.plans.overrides`), both
skipped here. All problems of all files are collected and raised together as
:class:`PlanFileError`, each as ``FILE:LINE: key.path: message``.
"""

from __future__ import annotations

import copy
import difflib
import itertools
import re
from collections.abc import Collection
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from compensation.crediting import CreditScheme
from compensation.plans.book import PlanBook
from compensation.plans.checks import check_version
from compensation.plans.components import KpiBand, Tier, UsageBand, Window
from compensation.plans.errors import PlanFileError
from compensation.plans.model import (
    Assignment,
    AssignmentsFile,
    Clawback,
    Draw,
    Gates,
    PlanVersion,
    Quota,
)
from compensation.plans.overrides import OVERRIDES_KEY
from compensation.yamlsource import KeyPath, Located, YamlFileError, format_path, load_located

__all__ = ["load_plans"]


def load_plans(directory: Path) -> PlanBook:
    """Load and validate every ``*.yaml`` / ``*.yml`` file in ``directory`` (sorted)."""
    if not directory.is_dir():
        raise PlanFileError([f"{directory}: no such directory of plan files"])
    files = sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml"))
    problems: list[str] = []
    versions: list[tuple[PlanVersion, Located]] = []
    assignments: list[tuple[Assignment, Located, int]] = []
    names = _Names()
    broken: set[str] = set()  # plans whose file has problems of its own
    for file in files:
        try:
            data, located = load_located(file)
        except YamlFileError as exc:
            problems += exc.problems
            continue
        if not isinstance(data, dict):
            problems.append(f"{file}:1: expected a plan (plan: ...) or assignments: list")
        elif "plan" in data:
            version = _validate(PlanVersion, data, located, problems)
            if version is None and isinstance(data.get("plan"), str):
                broken.add(data["plan"])
            if version is not None:
                found = check_version(version)
                problems += [_say(located, path, message) for path, message in found]
                versions.append((version, located))
        elif "assignments" in data:
            parsed = _validate(AssignmentsFile, data, located, problems)
            if parsed is not None:
                assignments += [(a, located, i) for i, a in enumerate(parsed.assignments)]
                names.declare(parsed, located)
        elif "rates" not in data and OVERRIDES_KEY not in data:
            problems.append(f"{file}:1: not a plan file: it needs 'plan:' or 'assignments:'")
    problems += _check_versions(versions)
    problems += _check_assignments(assignments, [v for v, _ in versions], broken)
    problems += names.check(assignments, versions)
    if problems:
        raise PlanFileError(problems)
    return PlanBook([v for v, _ in versions], [a for a, _, _ in assignments])


def _say(located: Located, path: KeyPath, message: str) -> str:
    return f"{located.where(path)}: {format_path(path)}: {message}"


def _validate(
    model: type[BaseModel], data: dict[str, Any], located: Located, problems: list[str]
) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        found: list[tuple[int, str]] = []
        for error in errors:
            loc = tuple(error["loc"])
            deeper = any(
                len(e["loc"]) > len(loc) and tuple(e["loc"][: len(loc)]) == loc for e in errors
            )
            if error["type"] == "too_short" and deeper:
                continue  # the items failed; their own errors say why
            path = _clean(data, loc)
            message = error["msg"].removeprefix("Value error, ")
            message = message.removeprefix(f"{format_path(path)}: ")
            if error["type"] == "missing":
                message = "required key is missing"
            elif error["type"] == "extra_forbidden":
                message = "unknown key" + _suggest(data, path)
            elif error["type"] == "literal_error":
                message = _literal_message(error)
            elif error["type"] == "union_tag_invalid":
                context = error.get("ctx", {})
                message = (
                    f"unknown {str(context.get('discriminator', 'kind')).strip(chr(39))} "
                    f"{context.get('tag')!r}; "
                    f"use one of {context.get('expected_tags')}"
                )
            found.append((located.line_of(path), _say(located, path, message)))
        problems += [text for _, text in sorted(found, key=lambda item: item[0])]
        return _without_unknown_keys(model, data, errors)


def _without_unknown_keys(model: type[BaseModel], data: dict[str, Any], errors: list[Any]) -> Any:
    """The model validated once the unknown keys are left out, or None.

    A typo is reported above; leaving the key out lets the cross-field checks (tiers,
    bands, dates) report their problems in the same run instead of after the next fix.
    """
    unknown = [_clean(data, tuple(e["loc"])) for e in errors if e["type"] == "extra_forbidden"]
    if any(e["type"] not in ("extra_forbidden", "too_short") for e in errors):
        return None  # a missing or wrong value: the model cannot be built without it
    pruned = copy.deepcopy(data)
    try:
        for path in unknown:
            parent: Any = pruned  # walks down through nested mappings and lists
            for part in path[:-1]:
                parent = parent[part]
            parent.pop(path[-1], None)
        return model.model_validate(pruned)
    except (ValidationError, LookupError, TypeError, AttributeError):
        return None


def _clean(data: Any, loc: tuple[Any, ...]) -> KeyPath:
    """Drop pydantic's union tags (``commission``) that are not keys of the data."""
    path: list[str | int] = []
    node = data
    for position, part in enumerate(loc):
        found = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        if found:
            node = node[part]
        elif position < len(loc) - 1 and isinstance(node, dict):
            continue  # a tagged-union tag, not a key the admin wrote
        path.append(part)
    return tuple(path)


def _literal_message(error: Any) -> str:
    """``unknown value 'retroactiv'; did you mean 'retroactive'? (one of ...)``."""
    allowed = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
    given = error.get("input")
    if not allowed or not isinstance(given, str):
        return str(error["msg"])
    close = difflib.get_close_matches(given, allowed, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown value {given!r}; {hint}(one of {', '.join(allowed)})"


def _suggest(data: Any, path: KeyPath) -> str:
    siblings: list[str] = []
    models: list[type[BaseModel]] = [PlanVersion, Assignment, *_component_models(), *_PARTS]
    for model in models:
        siblings += [f.alias or n for n, f in model.model_fields.items()]
    close = difflib.get_close_matches(str(path[-1]), sorted(set(siblings)), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


_PARTS: tuple[type[BaseModel], ...] = (
    Tier, Window, UsageBand, KpiBand, Quota, Gates, Clawback, Draw, CreditScheme,
)  # fmt: skip


class _Names:
    """The teams and roles declared in assignments files; every team or role named by an
    assignment or a crediting filter must be one of them."""

    def __init__(self) -> None:
        self.declared: dict[str, set[str]] = {"team": set(), "role": set()}
        self.files: list[Located] = []

    def declare(self, parsed: AssignmentsFile, located: Located) -> None:
        self.declared["team"].update(parsed.teams)
        self.declared["role"].update(parsed.roles)
        self.files.append(located)

    def _unknown(self, kind: str, name: str) -> str | None:
        known = self.declared[kind]
        if name in known:
            return None
        close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        listed = ", ".join(sorted(known))
        return f"unknown {kind} {name!r}; {hint}(declared {kind}s: {listed})"

    def check(
        self,
        assignments: list[tuple[Assignment, Located, int]],
        versions: list[tuple[PlanVersion, Located]],
    ) -> list[str]:
        named: list[tuple[str, str, Located, KeyPath]] = []
        for item, located, index in assignments:
            for kind in ("team", "role"):
                value = getattr(item, kind)
                if value:
                    named.append((kind, value, located, ("assignments", index, kind)))
        for version, located in versions:
            named += _filter_names(version, located)
        problems: list[str] = []
        for kind in ("team", "role"):
            used = [n for n in named if n[0] == kind]
            if used and not self.declared[kind] and self.files:
                seen = ", ".join(sorted({n[1] for n in used}))
                problems.append(
                    _say(
                        self.files[0],
                        (f"{kind}s",),
                        f"declare the {kind}s plans and assignments name ({kind}s: [{seen}]) "
                        f"so that a misspelt {kind} is an error",
                    )
                )
                continue
            if not self.declared[kind]:
                continue
            for _, value, located, path in used:
                message = self._unknown(kind, value)
                if message is not None:
                    problems.append(_say(located, path, message))
        return problems


def _filter_names(
    version: PlanVersion, located: Located
) -> list[tuple[str, str, Located, KeyPath]]:
    """Teams and roles named by the crediting filters of a plan version, with their paths."""
    scheme = version.crediting
    if scheme is None:
        return []
    filters: list[tuple[Any, KeyPath]] = [
        (slot, ("crediting", "slots", i)) for i, slot in enumerate(scheme.slots)
    ]
    if scheme.strategy is not None:
        filters.append((scheme.strategy, ("crediting", "strategy")))
    for name, pool in scheme.pools.items():
        base: KeyPath = ("crediting", "pools", name)
        filters += [(slot, (*base, "slots", i)) for i, slot in enumerate(pool.slots)]
        if pool.strategy is not None:
            filters.append((pool.strategy, (*base, "strategy")))
    out: list[tuple[str, str, Located, KeyPath]] = []
    for spec, path in filters:
        for kind, field in (("team", "teams"), ("role", "roles")):
            for j, value in enumerate(getattr(spec, field)):
                out.append((kind, value, located, (*path, field, j)))
    return out


def _component_models() -> list[type[BaseModel]]:
    annotation = PlanVersion.model_fields["components"].annotation
    union = get_args(get_args(annotation)[0])[0]
    return [m for m in get_args(union) if isinstance(m, type)]


def _check_versions(versions: list[tuple[PlanVersion, Located]]) -> list[str]:
    problems: list[str] = []
    by_plan: dict[str, list[tuple[PlanVersion, Located]]] = {}
    for item in versions:
        by_plan.setdefault(item[0].plan, []).append(item)
    for plan, items in sorted(by_plan.items()):
        items.sort(key=lambda item: (item[0].effective_from, item[0].version))
        seen: dict[int, Located] = {}
        for version, located in items:
            if version.version in seen:
                other = seen[version.version].file
                problems.append(
                    _say(
                        located,
                        ("version",),
                        f"plan {plan} version {version.version} is also in {other}",
                    )
                )
            seen[version.version] = located
        for (before, _), (after, located) in itertools.pairwise(items):
            if before.effective_to is None or before.effective_to >= after.effective_from:
                runs = before.effective_to.isoformat() if before.effective_to else "no end date"
                problems.append(
                    _say(
                        located,
                        ("effective_from",),
                        f"plan {plan} version {after.version} starts "
                        f"{after.effective_from.isoformat()} but version {before.version} runs "
                        f"until {runs}; end version {before.version} the day before",
                    )
                )
            if after.version <= before.version:
                problems.append(
                    _say(
                        located,
                        ("version",),
                        f"versions of plan {plan} must increase with their dates",
                    )
                )
    return problems


def _check_assignments(
    items: list[tuple[Assignment, Located, int]],
    versions: list[PlanVersion],
    broken: Collection[str] = (),
) -> list[str]:
    """Assignments name loaded plans (a plan whose file failed is not reported again),
    say who, and do not overlap."""
    problems: list[str] = []
    plans = {v.plan for v in versions}
    for i, (item, located, index) in enumerate(items):
        base: KeyPath = ("assignments", index)
        if item.plan not in plans and item.plan not in broken:
            known = ", ".join(sorted(plans)) or "none"
            problems.append(
                _say(located, (*base, "plan"), f"no plan {item.plan!r} (plans: {known})")
            )
        if item.end is not None and item.end < item.start:
            problems.append(_say(located, (*base, "to"), "the assignment ends before it starts"))
        if item.specificity == 0:
            problems.append(_say(located, base, "say who: employee, team and/or role"))
        for other, _, other_index in items[:i]:
            same = (other.employee, other.team, other.role) == (item.employee, item.team, item.role)
            overlap = (other.end is None or other.end >= item.start) and (
                item.end is None or item.end >= other.start
            )
            if same and overlap:
                problems.append(
                    _say(
                        located,
                        (*base, "from"),
                        f"{item.selector()} is already assigned over these dates "
                        f"(assignments[{other_index}]); end one before the other starts",
                    )
                )
    return problems
