"""An admin's split of one deal, written in the plans directory: ``split_overrides:``.

Crediting normally infers a deal's split from the acts (or takes the CRM's own split
rows); an override corrects one deal by hand. Each entry names the deal, the pool
(``revenue`` unless said), the day it takes effect, who decided it and why, and the
shares, which carry their unit and sum to exactly 100%::

    split_overrides:
      - deal: "006000000000123"          # a CRM id, or a deal key (source:deals:id)
        effective: 2026-11-05
        by: ana.garcia@altamira.example
        reason: "Pedro ran the demo; agreed at the pipeline review"
        shares: {pedro.ruiz@altamira.example: "60%", lola.romero@altamira.example: "40%"}

A run as of a day before ``effective`` ignores the entry; from then on it replaces the
pool's credit. Deals and employees are resolved against the store by the application
(``sync``), which names the file and line of any it does not know. A closed period is
never rewritten: the change to what it paid posts in the open period.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from compensation.plans.errors import PlanFileError
from compensation.plans.values import format_percent, to_number
from compensation.yamlsource import Located, YamlFileError, format_path, load_located

__all__ = ["OVERRIDES_KEY", "SplitOverride", "load_split_overrides"]

OVERRIDES_KEY = "split_overrides"
POOLS = ("revenue", "overlay")
_KEYS = ("deal", "pool", "effective", "by", "reason", "shares")
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class SplitOverride:
    """One override: ``shares`` are (who as written, percent, ``FILE:LINE``), ``where``
    the ``FILE:LINE`` of the entry."""

    deal: str
    pool: str
    effective: date
    by: str
    reason: str
    shares: tuple[tuple[str, Decimal, str], ...]
    where: str

    @property
    def label(self) -> str:
        """How explanations and statements describe the override."""
        return f"split set by {self.by} effective {self.effective.isoformat()}: {self.reason}"


def load_split_overrides(directory: Path) -> list[SplitOverride]:
    """Every ``split_overrides:`` entry of the YAML files in ``directory`` (sorted by
    file, then as written); all problems raised together as :class:`PlanFileError`."""
    if not directory.is_dir():
        return []
    problems: list[str] = []
    out: list[SplitOverride] = []
    for file in sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml")):
        try:
            data, located = load_located(file)
        except YamlFileError:
            continue  # load_plans reports the file
        if not isinstance(data, dict) or OVERRIDES_KEY not in data:
            continue
        entries = data[OVERRIDES_KEY]
        if not isinstance(entries, list):
            problems.append(f"{located.where((OVERRIDES_KEY,))}: expected a list of overrides")
            continue
        for index, entry in enumerate(entries):
            found = _entry(entry, located, (OVERRIDES_KEY, index), problems)
            if found is not None:
                out.append(found)
    problems += _duplicates(out)
    if problems:
        raise PlanFileError(problems)
    return out


def _entry(
    entry: Any, located: Located, path: tuple[str | int, ...], problems: list[str]
) -> SplitOverride | None:
    def say(key: tuple[str | int, ...], message: str) -> None:
        problems.append(f"{located.where(path + key)}: {format_path(path + key)}: {message}")

    if not isinstance(entry, dict):
        say((), "expected deal, effective, by, reason and shares")
        return None
    before = len(problems)
    for key in sorted(set(entry) - set(_KEYS), key=str):
        close = difflib.get_close_matches(str(key), _KEYS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(_KEYS)})"
        say((key,), f"unknown key{hint}")
    texts = {}
    for key in ("deal", "by", "reason"):
        value = entry.get(key)
        if not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value).strip():
            say((key,), f"required: {_WHAT[key]}")
        else:
            texts[key] = str(value).strip()
    effective = entry.get("effective")
    if not isinstance(effective, date):
        say(("effective",), "required: the day the override takes effect (YYYY-MM-DD)")
    pool = entry.get("pool", "revenue")
    if pool not in POOLS:
        close = difflib.get_close_matches(str(pool), POOLS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        say(("pool",), f"{pool!r} is not a pool an override can set ({', '.join(POOLS)}){hint}")
    shares = _shares(entry.get("shares"), located, path, say)
    if len(problems) > before or not isinstance(effective, date):
        return None
    return SplitOverride(
        deal=texts["deal"],
        pool=str(pool),
        effective=effective,
        by=texts["by"],
        reason=texts["reason"],
        shares=shares,
        where=located.where(path),
    )


_WHAT = {
    "deal": "the deal (a CRM id or a deal key)",
    "by": "who decided the override (name or e-mail)",
    "reason": "why the split is overridden",
}


def _shares(
    value: Any, located: Located, path: tuple[str | int, ...], say: Any
) -> tuple[tuple[str, Decimal, str], ...]:
    if not isinstance(value, Mapping) or not value:
        say(("shares",), 'required: each employee\'s share, e.g. {ana@example.com: "60%", ...}')
        return ()
    out = []
    total = Decimal(0)
    for who, share in value.items():
        where = located.where(path + ("shares", who))
        if not isinstance(share, str) or not share.strip().endswith("%"):
            say(("shares", who), f'{share!r} has no unit: write a percentage, e.g. "{share}%"')
            continue
        try:
            percent = to_number(share, percent=True) * _HUNDRED
        except ValueError as exc:
            say(("shares", who), str(exc))
            continue
        if percent <= 0:
            say(("shares", who), f"{share} is not a share: leave the employee out instead")
            continue
        out.append((str(who), percent.normalize(), where))
        total += percent
    if len(out) == len(value) and total != _HUNDRED:
        shown = format_percent(total / _HUNDRED)
        say(("shares",), f"the shares sum to {shown}, not exactly 100%")
    return tuple(out)


def _duplicates(overrides: list[SplitOverride]) -> list[str]:
    seen: dict[tuple[str, str, date], SplitOverride] = {}
    problems = []
    for item in overrides:
        first = seen.setdefault((item.deal, item.pool, item.effective), item)
        if first is not item:
            problems.append(
                f"{item.where}: deal {item.deal} already has a {item.pool} override effective "
                f"{item.effective.isoformat()} ({first.where}); give this one another day"
            )
    return problems
