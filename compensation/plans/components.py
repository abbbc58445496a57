"""Plan components as they are written in YAML (shape only; cross-field rules live in
:mod:`compensation.plans.checks`, so every message can point at the exact line).

Amounts (caps, bonuses, per-deal SPIFFs) are per *plan period* (``period:`` of the plan)
and in the plan's pay currency; a run over a different period scales them by its length.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from compensation.plans.values import Amount, Percent, RatePercent, to_number

__all__ = [
    "CommissionComponent",
    "Component",
    "KpiBand",
    "KpiBonusComponent",
    "SpiffComponent",
    "Tier",
    "UsageBand",
    "UsageBonusComponent",
    "UsageMultiplierComponent",
    "Window",
]


class Strict(BaseModel):
    """Unknown keys are errors; models are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def rate_from_fraction(data: Any) -> Any:
    """``rate_fraction: 0.015`` (a bare fraction under its explicit key) → ``rate``."""
    if not isinstance(data, dict) or "rate_fraction" not in data:
        return data
    if "rate" in data:
        raise ValueError("give rate (a percentage) or rate_fraction, not both")
    data = dict(data)
    value = to_number(data.pop("rate_fraction"), percent=False)
    if not isinstance(value, Decimal):
        raise ValueError("rate_fraction: expected a number, e.g. 0.015 for 1.5%")
    data["rate"] = value
    return data


class Tier(Strict):
    """Attainment from ``from`` (inclusive) to ``to`` (exclusive; omitted: no end) pays
    ``rate`` on credited revenue."""

    start: Percent = Field(alias="from", description='Attainment where the tier starts, "50%".')
    end: Percent | None = Field(None, alias="to", description="Where it ends; omit for the last.")
    rate: RatePercent = Field(description='Commission rate, e.g. "3%" (or rate_fraction: 0.03).')

    _fraction = model_validator(mode="before")(rate_from_fraction)


class Window(Strict):
    """Inclusive date range on the deal's close date."""

    start: date = Field(alias="from")
    end: date = Field(alias="to")


class CommissionComponent(Strict):
    """Commission on credited revenue with tiered rates over attainment.

    ``marginal``: each slice of revenue pays the rate of the tier it falls in (tax
    brackets). ``retroactive``: all revenue pays the rate of the tier the final attainment
    reaches. Rates rising above 100% are accelerators, falling ones decelerators.
    """

    kind: Literal["commission"]
    name: str = Field(min_length=1)
    pools: tuple[str, ...] = Field(("revenue",), description="Credit pools that count.")
    mode: Literal["marginal", "retroactive"] = "marginal"
    tiers: tuple[Tier, ...] = Field(min_length=1)
    threshold: Percent | None = Field(
        None, description="Below this attainment the component pays nothing."
    )
    cap: Amount | None = Field(None, description="Most the component pays per plan period.")


class SpiffComponent(Strict):
    """A fixed amount per deal (times the payee's credited share) or a rate on credited
    revenue, for deals with one of ``products`` and/or closing inside ``window``."""

    kind: Literal["spiff"]
    name: str = Field(min_length=1)
    products: tuple[str, ...] = ()
    window: Window | None = None
    pools: tuple[str, ...] = ("revenue",)
    per_deal: Amount | None = None
    rate: RatePercent | None = None

    _fraction = model_validator(mode="before")(rate_from_fraction)


class UsageBand(Strict):
    """From ``min_score`` (0-100) up, the multiplier applies."""

    min_score: Amount
    multiplier: Amount


class UsageMultiplierComponent(Strict):
    """Scales the named commission components by the band of the CRM usage score; the
    difference is its own line. An employee without a score gets ``missing_score``."""

    kind: Literal["usage_multiplier"]
    name: str = Field(min_length=1)
    applies_to: tuple[str, ...] = Field(min_length=1)
    bands: tuple[UsageBand, ...] = Field(min_length=1)
    missing_score: Amount = Field(Decimal(1), description="Multiplier without a score.")


class UsageBonusComponent(Strict):
    """A fixed bonus when the CRM usage score reaches ``min_score``."""

    kind: Literal["usage_bonus"]
    name: str = Field(min_length=1)
    min_score: Amount
    amount: Amount


class KpiBand(Strict):
    """From ``at_least`` (or, when lower is better, up to ``at_most``) the bonus pays."""

    at_least: Percent | None = None
    at_most: Percent | None = None
    amount: Amount


class KpiBonusComponent(Strict):
    """A bonus from a measured KPI (e.g. case resolution rate): the best band reached."""

    kind: Literal["kpi_bonus"]
    name: str = Field(min_length=1)
    kpi: str = Field(min_length=1)
    bands: tuple[KpiBand, ...] = Field(min_length=1)


Component = Annotated[
    CommissionComponent
    | SpiffComponent
    | UsageMultiplierComponent
    | UsageBonusComponent
    | KpiBonusComponent,
    Field(discriminator="kind"),
]
