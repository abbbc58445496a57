"""The ``crediting:`` section of a plan: role slots, pools, vacancy policy, strategies.

Example (YAML)::

    crediting:
      lookback_days: 180
      vacancy: redistribute          # or: house
      slots:                         # the revenue pool; weights sum to exactly 1
        - {name: lead_source, weight: "0.10", kinds: [lead_source, campaign], pick: first}
        - {name: qualification, weight: "0.20", kinds: [touch], roles: [call_centre]}
        - {name: field_work, weight: "0.30", kinds: [touch], roles: [field_sales]}
        - {name: close, weight: "0.40", kinds: [deal_owner], pick: last}
      pools:
        overlay:                     # a separate budget, never part of revenue credit
          budget: "1"
          slots: [{name: solution_engineer, weight: "1", roles: [presales], pick: all_linear}]
        manager:
          manager_of: revenue        # each revenue payee's manager, same shares
          unclaimed: return_to_company   # shares of payees without a manager (default)
        director:                    # another budget: the manager's manager
          manager_of: revenue
          level: 2
          budget: "5%"

A pool is filled either by ``slots`` (fixed weights), by a marketing ``strategy`` (weights
from the ordered path of eligible acts) or, for roll-up pools, by ``manager_of``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from compensation.inputs import ActKind

__all__ = [
    "REVENUE_POOL",
    "ActFilter",
    "CreditScheme",
    "PickRule",
    "PoolSpec",
    "SlotSpec",
    "Strategy",
    "StrategyModel",
    "TimeDecay",
    "Unclaimed",
    "Vacancy",
]

REVENUE_POOL = "revenue"
Vacancy = Literal["redistribute", "house"]
# What a pool does with shares that have no recipient (a vacant slot; in a roll-up pool, a
# payee without a manager): spread them over the recipients, or keep them as house credit.
Unclaimed = Literal["redistribute", "return_to_company"]
_UNCLAIMED_TO_VACANCY: dict[str, Vacancy] = {
    "redistribute": "redistribute",
    "return_to_company": "house",
}
PickRule = Literal["first", "last", "all_linear", "time_decay"]
StrategyModel = Literal[
    "first", "last", "linear", "u_shaped", "w_shaped", "full_path", "time_decay"
]


def _to_weight(value: Any) -> Any:
    """Accept ``"10%"`` as well as ``"0.10"`` / ``0.1``; floats via their shortest repr."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            return Decimal(value.strip()[:-1].strip()) / 100
        except InvalidOperation:
            return value
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TimeDecay(_Strict):
    """A named time-decay formula: raw weight of an act ``dt`` days before the conversion
    is ``2 ** (-dt / half_life_days)`` (``half_life_continuous``, as GA4 and DP6 ``mam``
    2.x) or ``2 ** (-floor(dt / half_life_days))`` (``half_life_step``, as DP6 1.x);
    weights are then normalised to sum to 1."""

    half_life_days: Decimal = Field(Decimal(7), gt=0, description="Half-life in days.")
    formula: Literal["half_life_continuous", "half_life_step"] = "half_life_continuous"


class ActFilter(_Strict):
    """Which acts are eligible. An empty list means "any". Acts without an employee (the
    customer's own acts) are never eligible: they earn nobody credit. With ``roles`` or
    ``teams``, an act whose employee is not in the directory never matches."""

    kinds: tuple[ActKind, ...] = Field((), description="Act kinds, e.g. touch, deal_owner.")
    channels: tuple[str, ...] = Field((), description="Act channels, e.g. phone, web.")
    roles: tuple[str, ...] = Field((), description="Employee roles (reconciled employees).")
    teams: tuple[str, ...] = Field((), description="Employee teams (reconciled employees).")

    @property
    def needs_employees(self) -> bool:
        """True when the filter looks at employee roles or teams."""
        return bool(self.roles or self.teams)


class SlotSpec(ActFilter):
    """One role slot: its weight in the pool, which acts may fill it, and which one wins."""

    name: str = Field(min_length=1, description="Slot name shown on statements.")
    weight: Decimal = Field(ge=0, le=1, description='Share of the pool, e.g. "0.40" or "40%".')
    pick: PickRule = Field(
        "first",
        description="first / last act by time, all eligible acts equally (all_linear), or "
        "all eligible acts weighted by time_decay.",
    )
    time_decay: TimeDecay | None = Field(None, description="Formula for pick: time_decay.")

    @field_validator("weight", mode="before")
    @classmethod
    def _weight(cls, value: Any) -> Any:
        return _to_weight(value)

    @model_validator(mode="after")
    def _decay_only_for_time_decay(self) -> SlotSpec:
        if self.pick != "time_decay" and self.time_decay is not None:
            raise ValueError(f"slot {self.name!r}: time_decay is set but pick is {self.pick!r}")
        return self


class Strategy(ActFilter):
    """A marketing attribution model applied to the ordered path of eligible acts: each
    act's weight comes from its position (see :mod:`compensation.attribution`)."""

    model: StrategyModel
    time_decay: TimeDecay | None = None

    @model_validator(mode="after")
    def _decay_only_for_time_decay(self) -> Strategy:
        if self.model != "time_decay" and self.time_decay is not None:
            raise ValueError(f"time_decay is set but the model is {self.model!r}")
        return self


def _check_slots(slots: tuple[SlotSpec, ...], where: str) -> None:
    names = [s.name for s in slots]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"{where}: slot names must be unique, repeated: {', '.join(dupes)}")
    total = sum((s.weight for s in slots), Decimal(0))
    if total != 1:
        parts = " + ".join(f"{s.name} {s.weight}" for s in slots)
        raise ValueError(f"{where}: slot weights must sum to exactly 1, got {total} ({parts})")


def _check_one_filler(
    slots: tuple[SlotSpec, ...], strategy: Strategy | None, manager_of: str | None, where: str
) -> None:
    given = [
        n for n, v in (("slots", slots), ("strategy", strategy), ("manager_of", manager_of)) if v
    ]
    if len(given) != 1:
        shown = " and ".join(given) if given else "none of them"
        raise ValueError(f"{where}: give exactly one of slots, strategy, manager_of ({shown})")
    if slots:
        _check_slots(slots, where)


class PoolSpec(_Strict):
    """A separate declared pool (overlay, manager...): its own budget and filling rule.
    Its credit never enters the revenue pool (I3)."""

    budget: Decimal = Field(
        Decimal(1), gt=0, description="Pool credit as a fraction of the deal amount."
    )
    vacancy: Vacancy | None = Field(
        None, description="Older spelling of unclaimed: house = return_to_company."
    )
    unclaimed: Unclaimed | None = Field(
        None,
        description="Shares without a recipient: redistribute over the recipients, or "
        "return_to_company (house credit). Default: return_to_company for a roll-up pool "
        "(a manager budget never grows by the shares of payees without a manager), the "
        "scheme's vacancy for a pool filled by acts.",
    )
    slots: tuple[SlotSpec, ...] = ()
    strategy: Strategy | None = None
    manager_of: str | None = Field(
        None, description="Roll-up: credit each payee's manager in that pool, same shares."
    )
    level: int = Field(
        1,
        ge=1,
        le=6,
        description="Roll-up level: 1 the payee's manager, 2 the manager's manager (a "
        "director), 3 the next (a VP)... One pool per level, each its own budget.",
    )

    @field_validator("budget", mode="before")
    @classmethod
    def _budget(cls, value: Any) -> Any:
        number = _to_weight(value)
        written = isinstance(value, (int, float, str)) and not isinstance(value, bool)
        if written and not str(value).strip().endswith("%"):
            try:
                bare = Decimal(str(number).strip())
            except InvalidOperation:
                return number
            if bare > 1:
                # budget: 10 is 10% to one admin and ten times the deal to another.
                n = format(bare.normalize(), "f")
                raise ValueError(
                    f'{value!r} has no unit: write "{n}%" for {n} percent (a bare budget '
                    f"is a fraction of the deal amount: {format((bare / 100).normalize(), 'f')}"
                    f' is {n}%), or "{format((bare * 100).normalize(), "f")}%" if you mean '
                    f"{n} times the deal"
                )
        return number

    @model_validator(mode="after")
    def _one_policy(self) -> PoolSpec:
        if self.vacancy is not None and self.unclaimed is not None:
            raise ValueError("give unclaimed or its older spelling vacancy, not both")
        return self


class CreditScheme(_Strict):
    """How a plan credits deals: the revenue pool (``slots`` or ``strategy``) plus
    separately budgeted ``pools``."""

    lookback_days: int = Field(
        365, gt=0, description="Acts older than this before the close date are ignored."
    )
    vacancy: Vacancy = Field(
        "redistribute",
        description="A vacant slot is spread pro rata over filled slots, or kept by the house.",
    )
    slots: tuple[SlotSpec, ...] = ()
    strategy: Strategy | None = None
    pools: dict[str, PoolSpec] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> CreditScheme:
        _check_one_filler(self.slots, self.strategy, None, "crediting")
        for name, pool in self.pools.items():
            where = f"crediting.pools.{name}"
            if name == REVENUE_POOL:
                raise ValueError(f"{where}: 'revenue' is the main pool; declare it with slots")
            _check_one_filler(pool.slots, pool.strategy, pool.manager_of, where)
            if pool.manager_of is not None:
                source = pool.manager_of
                if source != REVENUE_POOL and source not in self.pools:
                    raise ValueError(f"{where}: manager_of names unknown pool {source!r}")
                if source == name:
                    raise ValueError(f"{where}: a pool cannot roll up itself")
                if source != REVENUE_POOL and self.pools[source].manager_of is not None:
                    raise ValueError(f"{where}: manager_of must name a pool filled by acts")
        return self

    def pool_order(self) -> tuple[str, ...]:
        """Revenue first, then act-filled pools, then roll-ups, each in declared order."""
        filled = [n for n, p in self.pools.items() if p.manager_of is None]
        rolled = [n for n, p in self.pools.items() if p.manager_of is not None]
        return (REVENUE_POOL, *filled, *rolled)

    def vacancy_of(self, pool: str) -> Vacancy:
        """The vacancy policy in force for ``pool``."""
        if pool == REVENUE_POOL:
            return self.vacancy
        return _UNCLAIMED_TO_VACANCY[self.unclaimed_of(pool)]

    def unclaimed_of(self, pool: str) -> Unclaimed:
        """What ``pool`` does with shares without a recipient (stated or default)."""
        if pool == REVENUE_POOL:
            return "redistribute" if self.vacancy == "redistribute" else "return_to_company"
        spec = self.pools[pool]
        if spec.unclaimed is not None:
            return spec.unclaimed
        vacancy = spec.vacancy
        if vacancy is None:
            vacancy = "house" if spec.manager_of is not None else self.vacancy
        return "redistribute" if vacancy == "redistribute" else "return_to_company"

    def needs_employees(self) -> bool:
        """True when some filter or roll-up needs the employee directory."""
        specs: list[ActFilter] = [*self.slots, *([self.strategy] if self.strategy else [])]
        for pool in self.pools.values():
            if pool.manager_of is not None:
                return True
            specs += [*pool.slots, *([pool.strategy] if pool.strategy else [])]
        return any(s.needs_employees for s in specs)
