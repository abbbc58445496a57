"""Canonical JSON for results and the input hash of a run.

``canonical_json`` is byte-stable: dataclass fields in declaration order, mapping keys
sorted, Decimals as their exact string, dates ISO. The input hash is the sha256 of the
sorted inputs, the plan versions and assignments, the rates, the period and the prior
state, so two runs with equal hashes read exactly the same things.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import orjson

from compensation.calculation.records import Adjustment, PeriodInputs, PriorState
from compensation.gcpause import paused_gc
from compensation.inputs import Credit, Deal, Employee
from compensation.plans import Period, PlanBook
from compensation.rates import RateTable

__all__ = ["canonical_json", "input_hash"]

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (frozenset, set)):
        return sorted(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def canonical_json(value: Any) -> bytes:
    """``value`` (a result, or any dataclass / mapping / sequence of them) as canonical
    JSON bytes."""
    with paused_gc():
        return orjson.dumps(value, default=_default, option=_OPTIONS)


def _join(values: tuple[Any, ...]) -> str:
    return "\x1e".join(str(v) for v in values)


def _rows(items: Iterable[Any], row: Callable[[Any], str]) -> list[bytes]:
    """Each item as one line of its fields, sorted, so input order never matters."""
    return sorted(row(item).encode() for item in items)


def _credit(c: Credit) -> str:
    acts = "\x1e".join(c.acts)
    fractions = "\x1e".join(map(str, c.act_fractions))
    return (
        f"{c.deal}\x1f{c.employee}\x1f{c.pool}\x1f{c.slot}\x1f{c.share}\x1f{c.amount}"
        f"\x1f{c.currency}\x1f{acts}\x1f{fractions}"
    )


def _deal(d: Deal) -> str:
    return (
        f"{d.key}\x1f{d.amount}\x1f{d.currency}\x1f{d.state}\x1f{d.created_at.isoformat()}"
        f"\x1f{d.close_date}\x1f{d.owner}\x1f{_join(d.products)}\x1f{_join(d.missing_fields)}"
        f"\x1f{d.reversed_on}"
    )


def _employee(e: Employee) -> str:
    return f"{e.id}\x1f{e.name}\x1f{e.team}\x1f{e.role}\x1f{e.manager}\x1f{e.active}"


def _adjustment(a: Adjustment) -> str:
    return (
        f"{a.id}\x1f{a.employee}\x1f{a.period}\x1f{a.amount}\x1f{a.currency}\x1f{a.by}"
        f"\x1f{a.at.isoformat()}\x1f{a.reason}"
    )


def input_hash(
    inputs: PeriodInputs,
    book: PlanBook,
    period: Period,
    rates: RateTable,
    prior: PriorState | None,
    adjustments: Sequence[Adjustment],
) -> str:
    """sha256 of everything the run reads (order of the inputs does not matter)."""
    digest = hashlib.sha256()

    def feed(label: str, value: Any) -> None:
        digest.update(f"\n{label}\n".encode())
        if isinstance(value, list) and value and isinstance(value[0], bytes):
            digest.update(b"\n".join(value))
        else:
            digest.update(orjson.dumps(value, default=_default, option=_OPTIONS))

    feed("period", period.key)
    feed("as_of", inputs.as_of)
    feed("employees", _rows(inputs.employees, _employee))
    feed("credits", _rows(inputs.credits, _credit))
    feed("deals", _rows(inputs.deals, _deal))
    feed("usage", _rows(inputs.usage, lambda u: f"{u.employee}\x1f{u.score}"))
    feed(
        "kpis", _rows(inputs.kpis, lambda k: f"{k.employee}\x1f{k.name}\x1f{k.value}\x1f{k.period}")
    )
    feed("activities", dict(inputs.activities))
    feed("adjustments", _rows(adjustments, _adjustment))
    feed("plans", {v.id: book.digest(v) for versions in book.versions.values() for v in versions})
    feed("assignments", book.assignments_digest())
    feed("rates", rates.digest())
    closed = prior.ordered() if prior else []
    feed("prior", [[c.result.period, c.result.input_hash, c.closed_on] for c in closed])
    return digest.hexdigest()
