"""The ``compensation:`` section of crmsync.yaml: where plans and rates live, how deals
find their evidence, and how CRM users become payees."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CompensationConfig",
    "DigitalCreditConfig",
    "DirectoryConfig",
    "EmployeeDefaults",
    "EmployeeOverride",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmployeeDefaults(_Strict):
    """Team and role for an employee whose CRM users do not say (e.g. Zoho users)."""

    team: str | None = Field(None, description="Team used when no user record names one.")
    role: str | None = Field(None, description="Role used when no user record names one.")


class EmployeeOverride(EmployeeDefaults):
    """Team and role to force on one employee, and the last day worked (from HR: the CRMs
    only say whether a user is active, not since when)."""

    left_on: date | None = Field(
        None,
        description="Last day worked: the draw of the period it falls in is prorated to "
        "the days worked; no draw for a period starting after it.",
    )


class DirectoryConfig(_Strict):
    """How reconciled employees get their team, role and manager."""

    source_defaults: dict[str, EmployeeDefaults] = Field(
        default_factory=dict,
        description="Per source name: team/role for employees whose users only exist there.",
    )
    overrides: dict[str, EmployeeOverride] = Field(
        default_factory=dict,
        description="Per employee id (E-... identity or source:user_id): team/role to force, "
        "and left_on (the last day worked).",
    )
    managers_from_team: bool = Field(
        True,
        description="An employee's manager is the manager-role employee of the same team.",
    )
    reports_to: dict[str, str] = Field(
        default_factory=dict,
        description="Per team: the team whose manager the team's own manager reports to "
        "(field_sales: leadership), so director and VP roll-up pools have someone to pay.",
    )
    role_from_team: bool = Field(
        True, description="An employee no user record gives a role gets the team as role."
    )
    manager_role: str = Field("manager", description="The role that marks team managers.")
    ignore_roles: list[str] = Field(
        default_factory=lambda: ["person", "standard", "user"],
        description="CRM role values that say nothing about the job (a generic PERSON...).",
    )


class DigitalCreditConfig(_Strict):
    """Who is paid when a digital touch (a campaign click, a sign-up) brought a lead."""

    campaign_owners: dict[str, str] = Field(
        default_factory=dict,
        description="UTM campaign -> the employee who owns it (employee id, e-mail or "
        "source:user_id); paid for the lead-source act of the touches it brought.",
    )
    marketing_owner: str | None = Field(
        None,
        description="Employee paid for a digital touch whose campaign has no owner (the "
        "marketing team's lead); null: such touches are not paid, and the lead-source slot "
        "goes to the CRM's own act.",
    )
    window_days: int = Field(
        90,
        gt=0,
        description="A digital touch counts as what brought the lead only this many days "
        "before the person's first CRM record.",
    )


class CompensationConfig(_Strict):
    """Plans, rates and the evidence window for ``crmsync plan`` and the compute step."""

    plans_dir: Path = Field(
        Path("config/plans"),
        description="Directory of plan YAML files and assignments.yaml (relative: to the config "
        "file).",
    )
    rates_file: Path | None = Field(
        None, description="Dated exchange rates (YAML); default: rates.yaml in plans_dir."
    )
    crm_rates: list[str] = Field(
        default_factory=list,
        description="Sources whose CRM exchange rates (stored by sync with the source's "
        "exchange_rates on) convert deal amounts, first listed first; the rates file "
        "covers the currency pairs none of them does, and a pair's days before its CRM's "
        "first rate (docs/multi-currency.md).",
    )
    default_currency: str = Field(
        "USD",
        min_length=3,
        max_length=3,
        description="Currency of deals that have none in the CRM, and of manual adjustments.",
    )
    lookback_days: int = Field(
        365,
        gt=0,
        description="Acts older than this before a deal's close date are not evidence "
        "(each plan's crediting.lookback_days narrows it further).",
    )
    crediting_plan: str | None = Field(
        None,
        description="Plan whose crediting scheme credits deals whose owner's plan has none "
        "(default: the first plan, by id, that declares crediting).",
    )
    crm_splits: Literal["use", "ignore"] = Field(
        "ignore",
        description="use: a won deal with revenue split rows in its CRM is credited by "
        "those percentages instead of the plan's slots, and its overlay split rows credit "
        "the overlay pool; ignore: CRM splits are stored but not used (see "
        "docs/crediting.md).",
    )
    period_kind: str = Field(
        "month",
        pattern="^(month|quarter|year)$",
        description="Period the compute step runs when none is given (month, quarter, year).",
    )
    publish: bool = Field(
        True, description="The compute step publishes per-deal values for write-back."
    )
    directory: DirectoryConfig = Field(
        default_factory=DirectoryConfig, description="Teams, roles and managers of employees."
    )
    digital: DigitalCreditConfig = Field(
        default_factory=DigitalCreditConfig,
        description="Digital touches in the lead-source slot (docs/events.md).",
    )

    def rates_path(self) -> Path:
        """The rates file in use."""
        return self.rates_file or self.plans_dir / "rates.yaml"
