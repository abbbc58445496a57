"""The ``audit:`` section of the configuration: rule thresholds, required fields, weights.

Every key has a default, so an empty section audits with the built-in rules. Field names in
``required_fields`` are the CRM's own API names (``Phone``, ``jobtitle``, ``Designation``),
keyed by source kind or source name, then CRM object. The defaults of a kind (required
fields, lead and response objects) come from its connector's profile, read when the value is
first used: finding a profile imports its connector (and the CRM's client library), which a
command that loads the configuration but never audits, such as ``crmsync status``, should
not pay for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_serializer, model_validator

from connectors.core.registry import installed_profiles, profile_of

__all__ = [
    "COMPONENTS",
    "DEFAULT_WEIGHTS",
    "AuditConfig",
    "ConsumerRule",
    "FromProfiles",
    "default_lead_objects",
    "default_required_fields",
    "default_response_objects",
]

COMPONENTS = (
    "activity_coverage",
    "freshness",
    "completeness",
    "responsiveness",
    "uniqueness",
    "validity",
)

DEFAULT_WEIGHTS: dict[str, dict[str, float]] = {
    "sales": {
        "activity_coverage": 0.25,
        "freshness": 0.20,
        "completeness": 0.20,
        "responsiveness": 0.15,
        "uniqueness": 0.10,
        "validity": 0.10,
    },
    "service": {
        "activity_coverage": 0.15,
        "freshness": 0.15,
        "completeness": 0.15,
        "responsiveness": 0.35,
        "uniqueness": 0.10,
        "validity": 0.10,
    },
}


V = TypeVar("V")


class FromProfiles(Mapping[str, V], Generic[V]):
    """A read-only mapping built by ``build`` on its first use (then kept).

    The default of the profile-derived fields below: validating the configuration does not
    load a connector, reading the value does. It compares equal to the dict it stands for.
    """

    def __init__(self, build: Callable[[], dict[str, V]]) -> None:
        self._build = build
        self._value: dict[str, V] | None = None

    def _resolved(self) -> dict[str, V]:
        if self._value is None:
            self._value = self._build()
        return self._value

    def __getitem__(self, key: str) -> V:
        return self._resolved()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._resolved())

    def __len__(self) -> int:
        return len(self._resolved())

    def __repr__(self) -> str:
        return repr(self._resolved())


def default_required_fields() -> dict[str, dict[str, list[str]]]:
    """Required fields per installed connector kind and CRM object, from the profiles."""
    return {
        kind: {obj: list(names) for obj, names in profile.required_fields.items()}
        for kind, profile in installed_profiles().items()
        if profile.required_fields
    }


def default_lead_objects() -> dict[str, list[str]]:
    """Store tables whose records are leads, per installed connector kind."""
    return {
        kind: list(profile.lead_streams)
        for kind, profile in installed_profiles().items()
        if profile.lead_streams
    }


def default_response_objects() -> dict[str, list[str]]:
    """Lead tables whose response time is measured, per installed connector kind."""
    return {
        kind: list(profile.response_streams)
        for kind, profile in installed_profiles().items()
        if profile.response_streams
    }


class ConsumerRule(BaseModel):
    """How a consumer's contact looks in a CRM without person accounts: every field in
    ``blank`` is empty and every field in ``equals`` holds one of its values."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    blank: list[str] = Field(
        default_factory=list,
        description="CRM fields empty on a consumer's contact (its company or account).",
    )
    equals: dict[str, list[str]] = Field(
        default_factory=dict,
        description="CRM field -> the values, one of which a consumer's contact carries "
        "(a persona, a customer type).",
    )

    @model_validator(mode="after")
    def _says_something(self) -> ConsumerRule:
        if not self.blank and not self.equals:
            raise ValueError("a consumer rule needs blank fields, equals values, or both")
        return self


class AuditConfig(BaseModel):
    """How ``crmsync audit`` judges CRM usage and computes the usage score."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    window_days: int = Field(
        90, ge=1, description="Rolling window of the usage score, in days before as_of."
    )
    required_fields: Mapping[str, dict[str, list[str]]] = Field(
        default_factory=lambda: FromProfiles(default_required_fields),
        description="Required CRM fields per source kind (or source name) and CRM object; "
        "replaces the connector profile's list for the objects given.",
    )
    late_entry_days: int = Field(
        1,
        ge=0,
        description="A closed deal created this many days before its close date or "
        "later was not documented before it closed.",
    )
    entry_lag_days: float = Field(
        2.0,
        gt=0,
        description="An activity entered in the CRM more than this many days after it says "
        "it happened was logged late (a finding; its deal was not kept current).",
    )
    stale_days: int = Field(
        30, ge=1, description="An open deal with no logged activity for this many days is stale."
    )
    outcome_activity_types: list[str] = Field(
        default_factory=lambda: ["call"],
        description="Activity types whose outcome must be logged (a call's disposition): one "
        "logged without is a finding, and counts as logged work only with its outcome. Empty: "
        "outcomes are not judged.",
    )
    next_step_probability: float = Field(
        50.0,
        ge=0,
        le=100,
        description="An open deal at or above this win probability (percent) must carry a "
        "next step; one without is a finding and an incomplete record.",
    )
    closed_change_grace_hours: float = Field(
        24.0,
        ge=0,
        description="From the CRM's history: a deal's amount or stage changed more than this "
        "many hours after it closed is a finding (a closed deal's figures moved).",
    )
    created_at_close_minutes: float = Field(
        60.0,
        ge=0,
        description="From the CRM's history: a deal won within this many minutes of being "
        "created was entered straight at won (a finding; not in the CRM while worked).",
    )
    close_date_tolerance_days: int = Field(
        1,
        ge=0,
        description="From the CRM's history: a won deal's close date more than this many days "
        "from the day it moved to won is a finding.",
    )
    close_date_pushes: int = Field(
        3,
        ge=2,
        description="From the CRM's history: a deal whose close date was moved later this many "
        "times or more is a finding (pushed again and again).",
    )
    reassigned_before_loss_days: float = Field(
        14.0,
        ge=0,
        description="From the CRM's history: a deal lost within this many days of changing "
        "owner is charged to the owner who held it before (the loss is theirs).",
    )
    lead_sla_hours: float = Field(
        24.0, gt=0, description="Lead response SLA: hours from lead created to first touch."
    )
    case_sla_hours: float = Field(
        120.0, gt=0, description="Case resolution SLA in hours (opened to closed)."
    )
    reopened_statuses: list[str] = Field(
        default_factory=lambda: ["Reopened", "Re-opened"],
        description="Case statuses that mean a case was reopened.",
    )
    lead_objects: Mapping[str, list[str]] = Field(
        default_factory=lambda: FromProfiles(default_lead_objects),
        description="Store tables whose records are leads, per source kind (default: each "
        "connector profile's lead streams; a CRM with no lead object names contacts).",
    )
    response_objects: Mapping[str, list[str]] = Field(
        default_factory=lambda: FromProfiles(default_response_objects),
        description="Lead tables whose response time is measured, per source kind (default: "
        "each connector profile's response streams; a CRM whose first touch is often logged "
        "in another CRM leaves its leads out).",
    )
    non_lead_stages: list[str] = Field(
        default_factory=lambda: ["subscriber"],
        description="Lifecycle stages of contacts that are not leads (newsletter subscribers).",
    )
    shrink_m: float = Field(
        5.0,
        ge=0,
        description="Evidence threshold m of the shrinkage: with n < m records a ratio below "
        "the team's is lifted by (m - n)/m of the gap; from m records on, or at or above the "
        "team's ratio, it is kept.",
    )
    dup_rate_cap: float = Field(
        0.10, gt=0, le=1, description="Duplicate rate at which the uniqueness component is 0."
    )
    weights: dict[str, dict[str, float]] = Field(
        default_factory=lambda: DEFAULT_WEIGHTS,
        description="Component weights per role profile (each profile sums to 1).",
    )
    team_profiles: dict[str, str] = Field(
        default_factory=lambda: {"service": "service"},
        description="Role profile per team name; teams not listed use default_profile.",
    )
    default_profile: str = Field("sales", description="Profile of teams not in team_profiles.")
    record_links: dict[str, str] = Field(
        default_factory=dict,
        description="Link template per source name, with {base}, {object}, {type_id} and {id}.",
    )
    integration_users: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Integration (API) users per source name or kind, by user id, username "
        "or e-mail: records they created are blamed on the record's owner.",
    )
    detect_integration_users: bool = Field(
        True,
        description="Treat a user who created 5 or more records of a CRM and owns none of "
        "them as an integration user (their records are blamed on the owner).",
    )
    consumer_contacts: dict[str, ConsumerRule] = Field(
        default_factory=dict,
        description="Per source kind or source name: how a consumer's contact is told apart "
        "in a CRM without person accounts. A consumer's contact is not required to carry the "
        "connector's business fields (company, job title). A person account's contact needs "
        "no rule.",
    )
    disabled_rules: list[str] = Field(
        default_factory=list, description="Rules not to run (names as in `crmsync audit findings`)."
    )
    hubspot_portal_id: str = Field(
        "0", description="Account (portal) id that fills {portal} in record links."
    )

    @field_serializer("required_fields", "lead_objects", "response_objects")
    def _plain_dict(self, value: Mapping[str, Any]) -> dict[str, Any]:
        return dict(value)

    @model_validator(mode="after")
    def _weights_are_valid(self) -> AuditConfig:
        for profile, weights in self.weights.items():
            unknown = set(weights) - set(COMPONENTS)
            if unknown:
                raise ValueError(f"weights.{profile}: unknown component {sorted(unknown)}")
            if abs(sum(weights.values()) - 1.0) > 1e-6:
                raise ValueError(f"weights.{profile}: weights must sum to 1")
        profiles = {*self.team_profiles.values(), self.default_profile}
        missing = profiles - set(self.weights)
        if missing:
            raise ValueError(f"no weights for profile(s) {sorted(missing)}")
        return self

    def required_for(self, source: str, kind: str, obj: str) -> list[str]:
        """The required fields of ``obj`` in a source (by name first, then kind)."""
        for key in (source, kind):
            if obj in self.required_fields.get(key, {}):
                return self.required_fields[key][obj]
        return list(profile_of(kind).required_fields.get(obj, ()))

    def consumer_rule(self, source: str, kind: str) -> ConsumerRule | None:
        """The consumer rule of a source (by name first, then kind), if any."""
        return self.consumer_contacts.get(source) or self.consumer_contacts.get(kind)

    def profile_of(self, team: str | None) -> str:
        """The role profile of a team."""
        return self.team_profiles.get(team or "", self.default_profile)
