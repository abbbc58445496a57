"""Usage scores as the store holds them: the latest audit run's score per employee (and per
``team:``) with its components, read by the audit's own readers, write-back and compensation.

The audit writes these rows (``sync.audit.audits``); every other stage reads them here, so
no stage imports the audit to learn a score. The columns are REAL, as the audit computes
them; compute and the statements read :func:`latest_usage_figures`, the same scores as
``Decimal`` only: :func:`stored_decimal` turns each stored float into its figure once,
here (rounded on the float, as the plan figures have always been), and no float goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session
from sqlmodel import col

from sync.store.audit import AuditRunRow, UsageComponentRow, UsageScoreRow

__all__ = [
    "Component",
    "ComponentFigures",
    "UsageFigures",
    "UsageScore",
    "figure",
    "latest_usage_figures",
    "latest_usage_scores",
]

_ONE_PLACE = Decimal("0.1")


def figure(
    value: Fraction | Decimal | int, places: int, rounding: str = ROUND_HALF_EVEN
) -> Decimal:
    """``value`` (not negative) rounded exactly to ``places`` (half to even, or
    ``ROUND_HALF_UP``), written
    as usage figures have always been written: no trailing zeros, at least one decimal
    (``0.8``, ``100.0``, ``0.8125``).

    ``value`` is rounded as it is, a ``Fraction`` too: ``Fraction(1, 160)`` (0.00625) is
    a tie and gives ``0.0062`` at 4 places, which rounding a float near it cannot promise.
    """
    exact = Fraction(value)
    whole, rest = divmod(exact.numerator * 10**places, exact.denominator)
    twice = 2 * rest
    if twice > exact.denominator or (
        twice == exact.denominator and (rounding == ROUND_HALF_UP or whole % 2)
    ):
        whole += 1
    result = Decimal(whole).scaleb(-places).normalize()
    exponent = result.as_tuple().exponent
    return result.quantize(_ONE_PLACE) if isinstance(exponent, int) and exponent >= 0 else result


@dataclass
class Component:
    """One component of a score: the raw ratio, the shrunk value, and its weight."""

    name: str
    numerator: int
    denominator: int
    value: Decimal | None
    weight: Decimal

    @property
    def raw(self) -> Fraction | None:
        """k/n before shrinkage, exact (``None`` with no records)."""
        return Fraction(self.numerator, self.denominator) if self.denominator else None


@dataclass
class UsageScore:
    """An employee's (or team's) usage score with its explainable breakdown."""

    subject: str
    kind: str
    name: str
    team: str
    profile: str
    active: bool
    score: Decimal | None
    records: int
    components: list[Component] = field(default_factory=list)
    users: list[tuple[str, str]] = field(default_factory=list)


def _latest_run(session: Session) -> int | None:
    return session.scalar(select(col(AuditRunRow.id)).order_by(col(AuditRunRow.id).desc()).limit(1))


def latest_usage_scores(engine: Engine) -> dict[str, UsageScore]:
    """Per-employee (and ``team:`` per-team) usage scores of the latest audit run."""
    with Session(engine) as session:
        run_id = _latest_run(session)
        if run_id is None:
            return {}
        scores = session.scalars(
            select(UsageScoreRow).where(col(UsageScoreRow.run_id) == run_id)
        ).all()
        parts = session.scalars(
            select(UsageComponentRow)
            .where(col(UsageComponentRow.run_id) == run_id)
            .order_by(col(UsageComponentRow.id))
        ).all()
        by_subject: dict[str, list[Component]] = {}
        for p in parts:
            by_subject.setdefault(p.subject, []).append(
                Component(p.component, p.numerator, p.denominator, p.value, p.weight)
            )
        return {
            s.subject: UsageScore(
                subject=s.subject,
                kind=s.kind,
                name=s.name,
                team=s.team,
                profile=s.profile,
                active=s.active,
                score=s.score,
                records=s.records,
                components=by_subject.get(s.subject, []),
                users=[tuple(u) for u in s.users],
            )
            for s in scores
        }


@dataclass(frozen=True)
class ComponentFigures:
    """A component as the plans and statements read it.

    ``value``: its shrunk ratio (4 places, as the audit stored it); ``percent``: 100 × that
    value, half up to 1 place (``0.8125`` is ``81.3``); ``share``: its weight's share of the
    weights that counted, half to even to 4 places, ``None`` when it did not count
    (weight 0)."""

    name: str
    value: Decimal
    percent: Decimal
    share: Decimal | None


@dataclass(frozen=True)
class UsageFigures:
    """A subject's usage score as the plans read it (the audit's, 1 place), with the
    components that have a value."""

    subject: str
    score: Decimal
    components: tuple[ComponentFigures, ...]


def latest_usage_figures(engine: Engine) -> dict[str, UsageFigures]:
    """The scored subjects of the latest audit run as ``Decimal`` figures; none when the
    audit is not installed (no ``usage_scores`` table)."""
    if "usage_scores" not in inspect(engine).get_table_names():
        return {}
    out: dict[str, UsageFigures] = {}
    for subject, item in latest_usage_scores(engine).items():
        if item.score is None:
            continue
        total = sum(
            (c.weight for c in item.components if c.value is not None and c.weight > 0),
            Decimal(0),
        )
        parts = []
        for c in item.components:
            if c.value is None:
                continue
            share = figure(Fraction(c.weight) / Fraction(total), 4) if c.weight > 0 else None
            percent = figure(100 * c.value, 1, ROUND_HALF_UP)
            parts.append(ComponentFigures(c.name, c.value, percent, share))
        out[subject] = UsageFigures(subject, item.score, tuple(parts))
    return out
