"""Usage scores as the store holds them: the latest audit run's score per employee (and per
``team:``) with its components, read by the audit's own readers, write-back and compensation.

The audit writes these rows (``sync.audit.runner``); every other stage reads them here, so
no stage imports the audit to learn a score. The columns are REAL, as the audit computes
them; compute and the statements read :func:`latest_usage_figures`, the same scores as
``Decimal`` only: :func:`stored_decimal` turns each stored float into its figure once,
here (rounded on the float, as the plan figures have always been), and no float goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session
from sqlmodel import col

from sync.store.audit import AuditRunRow, UsageComponentRow, UsageScoreRow

__all__ = [
    "Component",
    "ComponentFigures",
    "UsageFigures",
    "UsageScore",
    "latest_usage_figures",
    "latest_usage_scores",
    "stored_decimal",
]


@dataclass
class Component:
    """One component of a score: the raw ratio, the shrunk value, and its weight."""

    name: str
    numerator: int
    denominator: int
    value: float | None
    weight: float

    @property
    def raw(self) -> float | None:
        """k/n before shrinkage (``None`` with no records)."""
        return self.numerator / self.denominator if self.denominator else None


@dataclass
class UsageScore:
    """An employee's (or team's) usage score with its explainable breakdown."""

    subject: str
    kind: str
    name: str
    team: str
    profile: str
    active: bool
    score: float | None
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


def stored_decimal(value: float, places: int) -> Decimal:
    """A stored REAL as the ``Decimal`` the plans see: ``round`` to ``places`` on the float,
    then its shortest text (``0.8349999`` → ``0.83`` at 2 places)."""
    return Decimal(str(round(float(value), places)))


@dataclass(frozen=True)
class ComponentFigures:
    """A component as the plans and statements read it.

    ``value``: its shrunk ratio (4 places); ``percent``: 100 × that ratio (1 place);
    ``share``: its weight's share of the weights that counted (4 places), ``None`` when it
    did not count (weight 0)."""

    name: str
    value: Decimal
    percent: Decimal
    share: Decimal | None


@dataclass(frozen=True)
class UsageFigures:
    """A subject's usage score as the plans read it (2 places), with the components that
    have a value."""

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
        total = sum(c.weight for c in item.components if c.value is not None and c.weight > 0)
        parts = []
        for c in item.components:
            if c.value is None:
                continue
            share = stored_decimal(c.weight / total, 4) if c.weight > 0 else None
            value, percent = stored_decimal(c.value, 4), stored_decimal(100 * c.value, 1)
            parts.append(ComponentFigures(c.name, value, percent, share))
        out[subject] = UsageFigures(subject, stored_decimal(item.score, 2), tuple(parts))
    return out
