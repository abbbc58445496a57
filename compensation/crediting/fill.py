"""Filling one pool of one deal: which acts are eligible, which win, with what weight.

Acts arrive sorted by (time, key) and already limited to the deal's window and to acts
with an employee. ``used`` holds the keys of acts that already filled a slot of this deal;
every slot skips them and adds the ones it takes (I1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

from compensation.attribution.models import path_weights, time_decay
from compensation.crediting.result import SlotExplanation
from compensation.crediting.scheme import ActFilter, SlotSpec, Strategy, TimeDecay, Vacancy
from compensation.inputs import Act, Employee

__all__ = [
    "SPLIT_LABELS",
    "SPLIT_SLOTS",
    "SPLIT_TOLERANCE",
    "Line",
    "Matcher",
    "SplitRow",
    "fill_slots",
    "fill_strategy",
    "roll_up",
    "split_lines",
    "split_percents",
]

_LEAD_KINDS = frozenset({"lead_source", "lead_owner", "conversion"})
_DAY = Decimal(86_400_000_000)


@dataclass(slots=True)
class Line:
    """One (slot, employee) credit line of a pool before money is split."""

    order: int
    slot: str
    employee: str | None
    weight: Fraction
    acts: list[str] = field(default_factory=list)
    note: str = ""


class Matcher:
    """An :class:`ActFilter` compiled to sets, checked against the employee directory."""

    __slots__ = ("channels", "describe", "kinds", "reasons", "roles", "teams")

    def __init__(self, spec: ActFilter) -> None:
        self.kinds = frozenset(spec.kinds)
        self.channels = frozenset(spec.channels)
        self.roles = frozenset(spec.roles)
        self.teams = frozenset(spec.teams)
        parts = [
            f"{name} {', '.join(values)}"
            for name, values in (
                ("kinds", spec.kinds),
                ("channels", spec.channels),
                ("roles", spec.roles),
                ("teams", spec.teams),
            )
            if values
        ]
        self.describe = "; ".join(parts) or "any act"
        # explanation texts repeat across deals: build each once (time and memory)
        self.reasons: dict[tuple[str, int, str], str] = {}

    def reason(self, text: str, count: int = 0, then: str = "") -> str:
        """``text`` (with ``{n}`` for a count), this filter, then ``then``; cached."""
        key = (text, count, then)
        found = self.reasons.get(key)
        if found is None:
            found = self.reasons[key] = f"{text.format(n=count)} ({self.describe}){then}"
        return found

    def candidates(
        self,
        acts: Sequence[Act],
        by_kind: Mapping[str, Sequence[Act]],
        used: set[str],
        employees: Mapping[str, Employee] | None,
    ) -> list[Act]:
        """The acts (in the given order) that match and are not used yet; ``by_kind`` is
        ``acts`` grouped by kind, in the same order."""
        kinds, channels, roles, teams = self.kinds, self.channels, self.roles, self.teams
        if len(kinds) == 1:
            (kind,) = kinds
            acts = by_kind.get(kind, ())
        found = []
        for act in acts:
            if act.key in used or (kinds and act.kind not in kinds):
                continue
            if channels and act.channel not in channels:
                continue
            if roles or teams:
                person = employees.get(act.employee) if employees and act.employee else None
                if person is None:
                    continue
                if (roles and person.role not in roles) or (teams and person.team not in teams):
                    continue
            found.append(act)
        return found


def _ages(acts: Sequence[Act], reference: datetime) -> list[Decimal]:
    ages = []
    for act in acts:
        delta = reference - act.at
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        ages.append(Decimal(micros) / _DAY)
    return ages


def _decay(acts: Sequence[Act], reference: datetime, spec: TimeDecay | None) -> list[Fraction]:
    spec = spec or TimeDecay()
    return list(
        time_decay(_ages(acts, reference), half_life_days=spec.half_life_days, formula=spec.formula)
    )


def _add(lines: dict[tuple[int, str | None], Line], line: Line) -> None:
    key = (line.order, line.employee)
    known = lines.get(key)
    if known is None:
        lines[key] = line
    else:
        known.weight += line.weight
        known.acts.extend(line.acts)
        if line.note and line.note not in known.note:
            known.note = f"{known.note}; {line.note}" if known.note else line.note


_WHY = {
    "first": "earliest of {n} eligible act(s)",
    "last": "latest of {n} eligible act(s)",
    "all_linear": "all {n} eligible act(s), equal parts",
}


def _decay_why(spec: SlotSpec) -> str:
    decay = spec.time_decay or TimeDecay()
    return (
        f"all {{n}} eligible act(s), time decay {decay.formula} "
        f"half-life {decay.half_life_days} days"
    )


def fill_slots(
    pool: str,
    slots: Sequence[tuple[SlotSpec, Matcher, Fraction]],
    acts: Sequence[Act],
    by_kind: Mapping[str, Sequence[Act]],
    used: set[str],
    employees: Mapping[str, Employee] | None,
    reference: datetime | None,
    vacancy: Vacancy,
    explain: list[SlotExplanation] | None,
) -> list[Line]:
    """Fill ``slots`` in declared order; returns the pool's lines after the vacancy policy."""
    lines: dict[tuple[int, str | None], Line] = {}
    vacant: list[tuple[int, SlotSpec, Fraction]] = []
    notes: list[SlotExplanation | None] = []  # None: a vacant slot, explained at the end
    for order, (spec, match, weight) in enumerate(slots):
        candidates = match.candidates(acts, by_kind, used, employees)
        if not candidates:
            vacant.append((order, spec, weight))
            notes.append(None)
            continue
        if spec.pick == "first":
            chosen, parts = [candidates[0]], [weight]
        elif spec.pick == "last":
            chosen, parts = [candidates[-1]], [weight]
        elif spec.pick == "all_linear":
            chosen = candidates
            parts = [weight / len(candidates)] * len(candidates)
        else:
            chosen = candidates
            decay = spec.time_decay or TimeDecay()
            parts = [weight * w for w in _decay(candidates, reference or acts[-1].at, decay)]
        for act, part in zip(chosen, parts, strict=True):
            used.add(act.key)
            _add(lines, Line(order, spec.name, act.employee, part, [act.key]))
        if explain is not None:
            notes.append(
                SlotExplanation(
                    pool,
                    spec.name,
                    spec.weight,
                    tuple([a.key for a in candidates]),
                    tuple([a.key for a in chosen]),
                    tuple(sorted({a.employee for a in chosen}, key=str)),
                    match.reason(_WHY.get(spec.pick) or _decay_why(spec), len(candidates)),
                )
            )
    filled = list(lines.values())  # slot order, then by each payee's first act
    to_house = vacancy == "house" or not any(line.weight for line in filled)
    if explain is not None:
        how = (
            "kept as house credit"
            if vacancy == "house"
            else "no slot filled, house credit"
            if to_house
            else "spread pro rata"
        )
        for order, note in enumerate(notes):
            if note is None:
                spec, match, _ = slots[order]
                reason = match.reason("vacant: no free act matches", 0, f"; {how}")
                note = SlotExplanation(pool, spec.name, spec.weight, (), (), (), reason, True)
            explain.append(note)
    if to_house:
        for order, spec, weight in vacant:
            filled.append(Line(order, spec.name, None, weight, [], "vacant slot: house credit"))
        filled.sort(key=lambda x: x.order)  # stable: keeps payees' order within a slot
    return filled


def fill_strategy(
    pool: str,
    strategy: Strategy,
    match: Matcher,
    acts: Sequence[Act],
    by_kind: Mapping[str, Sequence[Act]],
    used: set[str],
    employees: Mapping[str, Employee] | None,
    reference: datetime | None,
    explain: list[SlotExplanation] | None,
) -> list[Line]:
    """Weight the ordered path of eligible acts by a marketing model (slot = model name)."""
    path = match.candidates(acts, by_kind, used, employees)
    if not path:
        if explain is not None:
            explain.append(
                SlotExplanation(
                    pool,
                    strategy.model,
                    Decimal(1),
                    (),
                    (),
                    (),
                    match.reason("vacant: no free act matches", 0, "; house credit"),
                    True,
                )
            )
        return [Line(0, strategy.model, None, Fraction(1), [], "vacant path: house credit")]
    kinds = [a.kind for a in path]
    lead = next((i for i, k in enumerate(kinds) if k in _LEAD_KINDS), None)
    opportunity = next((i for i, k in enumerate(kinds) if k == "deal_owner"), None)
    if strategy.model == "time_decay":
        weights = _decay(path, reference or path[-1].at, strategy.time_decay)
    else:
        weights = list(
            path_weights(strategy.model, len(path), lead_index=lead, opportunity_index=opportunity)
        )
    lines: dict[tuple[int, str | None], Line] = {}
    chosen = [a for a, w in zip(path, weights, strict=True) if w]
    for act, weight in zip(path, weights, strict=True):
        if weight:
            used.add(act.key)
            _add(lines, Line(0, strategy.model, act.employee, weight, [act.key]))
    if explain is not None:
        explain.append(
            SlotExplanation(
                pool,
                strategy.model,
                Decimal(1),
                tuple(a.key for a in path),
                tuple(a.key for a in chosen),
                tuple(sorted({a.employee for a in chosen}, key=str)),
                match.reason(f"{strategy.model} over {{n}} eligible act(s)", len(path)),
            )
        )
    return list(lines.values())  # payees in the order of their first act


def roll_up(
    pool: str,
    source: Sequence[Line],
    managers: Mapping[str, str | None],
    vacancy: Vacancy,
    explain: list[SlotExplanation] | None,
    level: int = 1,
) -> list[Line]:
    """Each source line goes to its payee's manager (``managers``: employee → manager) at
    ``level`` (1 the manager, 2 the manager's manager...) with the same weight (indirect
    credit, a separate pool). No one at that level, or a chain that comes back to someone
    already on it (so an act is never paid twice up one chain): house credit, or dropped
    and spread pro rata."""
    lines: dict[tuple[int, str | None], Line] = {}
    for line in source:
        manager = _up(line.employee, managers, level)
        whose = line.employee or "house"
        if manager is None and vacancy == "redistribute":
            reason = f"no manager for {whose}: spread pro rata"
        else:
            note = f"manager of {line.employee}" if manager else f"no manager for {whose}"
            if level > 1:
                note = f"level-{level} {note}"
            _add(lines, Line(line.order, line.slot, manager, line.weight, list(line.acts), note))
            reason = note
        if explain is not None:
            explain.append(
                SlotExplanation(
                    pool,
                    line.slot,
                    Decimal(line.weight.numerator) / Decimal(line.weight.denominator),
                    (),
                    tuple(line.acts),
                    (manager,),
                    reason,
                    manager is None,
                )
            )
    result = list(lines.values())  # the source's order: slot order, then payees
    if source and not any(line.weight for line in result):
        total = sum((line.weight for line in source), Fraction(0))
        result = [Line(0, "manager", None, total, [], "no manager: house credit")]
    return result


def _up(employee: str | None, managers: Mapping[str, str | None], level: int) -> str | None:
    """The manager ``level`` steps above ``employee`` (None when the chain stops or comes
    back to someone already on it)."""
    seen = {employee}
    current = employee
    for _ in range(level):
        current = managers.get(current) if current else None
        if current is None or current in seen:
            return None
        seen.add(current)
    return current


# The slots of credit lines that come from a split rather than from acts, and how the
# notes of a split's own lines begin (a roll-up of them keeps the slot, not the note).
SPLIT_SLOTS = ("split", "override")
SPLIT_LABELS = ("CRM split", "split set by")
# Percentages may be stored rounded (33.33 + 33.33 + 33.34); a validated set further than
# this from 100 is refused rather than silently scaled.
SPLIT_TOLERANCE = Decimal("0.01")
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class SplitRow:
    """One row of a deal's split: who, and the percentage (``50`` for 50%). ``slot`` and
    ``label`` say where it came from: a CRM's split (the default) or an admin's override
    (slot ``override``, labelled with who set it, when and why). ``validated`` says whether
    the rows of its set must total 100% (shares of the deal, the default) or not (overlay
    credit on top of the deal's shares: each employee is credited their percentage of the
    deal, rounded half-even on its own, whatever the set's total)."""

    employee: str
    percent: Decimal
    slot: str = "split"
    label: str = "CRM split"
    validated: bool = True


def split_percents(deal: str, rows: Sequence[SplitRow]) -> dict[str, Decimal]:
    """Each employee's percentage (rows of one employee summed), by employee. A negative
    row is a ``ValueError``; so is, for a validated set (any row validated), a total further
    than :data:`SPLIT_TOLERANCE` from 100, and for a set that is not, a row above 100 or a
    total of 0."""
    percents: dict[str, Decimal] = {}
    validated = any(row.validated for row in rows)
    for row in rows:
        if row.percent < 0 or (not validated and row.percent > _HUNDRED):
            raise ValueError(f"split of deal {deal}: {row.employee} has {row.percent}%")
        percents[row.employee] = percents.get(row.employee, Decimal(0)) + row.percent
    total = sum(percents.values(), Decimal(0))
    if validated and abs(total - _HUNDRED) > SPLIT_TOLERANCE:
        raise ValueError(
            f"split percentages of deal {deal} sum to {total.normalize():f}, not 100; "
            "correct the split in the CRM"
        )
    if not validated and not total:
        raise ValueError(f"split percentages of deal {deal} sum to 0: it credits nothing")
    return dict(sorted(percents.items()))


def split_lines(
    pool: str, deal: str, rows: Sequence[SplitRow], explain: list[SlotExplanation] | None
) -> list[Line]:
    """A pool filled from a split instead of acts: one line per employee in the rows' slot
    (by employee, so a tied cent goes to the smaller id), weighted by percentage."""
    percents = split_percents(deal, rows)
    slot, label = (rows[0].slot, rows[0].label) if rows else ("split", "CRM split")
    lines = [
        Line(0, slot, who, Fraction(percent), [], f"{label}: {percent.normalize():f}%")
        for who, percent in percents.items()
    ]
    if explain is not None:
        total = sum(percents.values(), Decimal(0))
        for who, percent in percents.items():
            explain.append(
                SlotExplanation(
                    pool,
                    slot,
                    percent / total,
                    (),
                    (),
                    (who,),
                    f"{label}: {percent.normalize():f}%",
                )
            )
    return lines
