"""The ``reconcile:`` section of the configuration: thresholds, guards, survivorship."""

from __future__ import annotations

from importlib.util import find_spec
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "LINKAGE_HINT",
    "FieldRule",
    "Learning",
    "ReconcileConfig",
    "SplinkSettings",
    "Thresholds",
    "splink_installed",
]

Engine = Literal["native", "splink"]
LINKAGE_HINT = "install crmsync[linkage] (pip install 'crmsync[linkage]') for the Splink engine"


def splink_installed() -> bool:
    """Whether the ``linkage`` extra (Splink on DuckDB, pandas) is installed."""
    return all(find_spec(name) is not None for name in ("splink", "duckdb", "pandas"))


Rule = Literal["source_priority", "most_recent", "most_complete", "union", "furthest_in_funnel"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Thresholds(_Strict):
    """Total match weight (log2 Bayes factor) at or above which a pair links or is reviewed."""

    match: float = Field(description="Score at or above which two records are the same.")
    review: float = Field(description="Score at or above which a non-match is listed for review.")

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.review > self.match:
            raise ValueError("review must not be above match")
        return self


class Learning(_Strict):
    """Weights estimated from the installation's own people (``crmsync reconcile train``)."""

    enabled: bool = Field(
        True,
        description=(
            "Train on the first full run with enough people, and score people with the"
            " stored model; off: the hand-set weights and the people thresholds above."
        ),
    )
    min_records: int = Field(
        1000, ge=2, description="People needed before a first run trains (fewer: hand-set)."
    )
    precision: float = Field(
        0.99,
        gt=0.5,
        lt=1,
        description="A pair links when the model gives it at least this probability.",
    )
    link_floor: float = Field(
        0.9,
        ge=0.5,
        lt=1,
        description=(
            "No pair whose own probability is below this links, whatever the precision of"
            " the pairs linked as a whole."
        ),
    )
    review_probability: float = Field(
        0.5, gt=0, lt=1, description="Pairs from this probability up are listed for review."
    )
    max_pairs: int = Field(300_000, ge=100, description="Candidate pairs EM reads (sampled).")
    random_pairs: int = Field(100_000, ge=100, description="Random pairs u is estimated from.")
    seed: int = Field(1, description="Seed of the samples: the same records train the same.")

    @model_validator(mode="after")
    def _ordered(self) -> Learning:
        if self.review_probability > self.precision:
            raise ValueError("review_probability must not be above precision")
        if self.link_floor > self.precision:
            raise ValueError("link_floor must not be above precision")
        return self


# --- the Splink engine's backend -------------------------------------------------------

SplinkBackend = Literal["auto", "duckdb", "postgres", "spark"]
SPARK_HINT = "install crmsync[spark] (pip install 'crmsync[spark]') for the Spark backend"


class SplinkSettings(_Strict):
    """Where the Splink engine scores people; the model is trained in process either way."""

    backend: SplinkBackend = Field(
        "auto",
        description=(
            "auto (postgres when the store is PostgreSQL, else duckdb), duckdb (in process),"
            " postgres (the store's database, in a schema of the run's own) or spark (a Spark"
            " session; needs crmsync[spark]). Every backend gives the same identities."
        ),
    )
    spark_master: str = Field(
        "local[*]", description="The Spark master of the spark backend (local[*]: this machine)."
    )

    @model_validator(mode="after")
    def _spark_installed(self) -> SplinkSettings:
        if self.backend == "spark" and find_spec("pyspark") is None:
            raise ValueError(f"backend: spark is not installed; {SPARK_HINT}")
        return self


class FieldRule(_Strict):
    """How the golden value of one field is chosen among an identity's records."""

    rule: Rule = Field(description="source_priority, most_recent, most_complete, union, ...")
    sources: list[str] = Field(
        default_factory=list,
        description="Source order for source_priority (default: reconcile.source_priority).",
    )


_DEFAULT_RULES = {
    "first_name": FieldRule(rule="source_priority"),
    "last_name": FieldRule(rule="source_priority"),
    "name": FieldRule(rule="most_complete"),
    "title": FieldRule(rule="most_recent"),
    "emails": FieldRule(rule="union"),
    "phones": FieldRule(rule="union"),
    "email": FieldRule(rule="source_priority"),
    "phone": FieldRule(rule="most_recent"),
    "company": FieldRule(rule="most_complete"),
    "domain": FieldRule(rule="source_priority"),
    "website": FieldRule(rule="source_priority"),
    "city": FieldRule(rule="most_recent"),
    "country": FieldRule(rule="most_recent"),
    "industry": FieldRule(rule="source_priority"),
    "lifecycle": FieldRule(rule="furthest_in_funnel"),
    "active": FieldRule(rule="most_recent"),
}


class ReconcileConfig(_Strict):
    """Identity resolution settings; every key has a sensible default."""

    people: Thresholds = Field(
        default_factory=lambda: Thresholds(match=10.0, review=5.0),
        description="Thresholds for people (leads and contacts).",
    )
    organisations: Thresholds = Field(
        default_factory=lambda: Thresholds(match=9.0, review=4.0),
        description="Thresholds for organisations (accounts and companies).",
    )
    employees: Thresholds = Field(
        default_factory=lambda: Thresholds(match=8.0, review=4.0),
        description="Thresholds for employees (users and owners).",
    )
    learning: Learning = Field(
        default_factory=Learning, description="Weights learned from the data (people)."
    )
    engine: Engine = Field(
        "native",
        description=(
            "The matcher of people: native (crmsync's own Fellegi-Sunter engine) or splink"
            " (a Splink model trained on the installation's people, DuckDB in process;"
            " needs crmsync[linkage]). Organisations and employees always use native."
        ),
    )
    splink: SplinkSettings = Field(
        default_factory=SplinkSettings,
        description="The Splink engine's backend (reconcile.engine: splink).",
    )
    max_cluster_size: int = Field(
        50, ge=2, description="Largest identity a match may build; larger merges are refused."
    )
    max_block_size: int = Field(
        200, ge=10, description="Blocks above this many records are split into windows."
    )
    max_key_records: int = Field(
        1000,
        ge=2,
        description=(
            "A blocking key shared by more records than this (one bulk import's created"
            " time) pairs no one; the run reports how many keys were capped."
        ),
    )
    shared_phone_limit: int = Field(
        1, ge=1, description="A phone used by more people than this is a switchboard."
    )
    source_priority: list[str] = Field(
        default_factory=lambda: ["salesforce", "hubspot", "zoho"],
        description="Default source order for survivorship and tie-breaks.",
    )
    survivorship: dict[str, FieldRule] = Field(
        default_factory=lambda: dict(_DEFAULT_RULES),
        description="Golden-record rule per field (merged over the defaults).",
    )
    placeholder_emails: list[str] = Field(
        default_factory=list, description="More e-mails that never link (noemail@... built in)."
    )
    lifecycle_order: list[str] = Field(
        default_factory=lambda: [
            "subscriber",
            "lead",
            "marketingqualifiedlead",
            "salesqualifiedlead",
            "opportunity",
            "customer",
            "evangelist",
        ],
        description="Funnel order for furthest_in_funnel, earliest first.",
    )

    @model_validator(mode="after")
    def _engine_installed(self) -> ReconcileConfig:
        if self.engine == "splink" and not splink_installed():
            raise ValueError(f"engine: splink is not installed; {LINKAGE_HINT}")
        return self

    def person_engine(self) -> str:
        """The engine that matches people: splink or native."""
        return self.engine

    def rule_for(self, field: str) -> FieldRule:
        """The survivorship rule of ``field`` (configured, else default, else most_recent)."""
        return (
            self.survivorship.get(field)
            or _DEFAULT_RULES.get(field)
            or FieldRule(rule="most_recent")
        )
