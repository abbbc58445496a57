"""The push: section validates at start-up."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sync.config.push import PushConfig


def test_defaults_and_labels() -> None:
    config = PushConfig.model_validate(
        {
            "targets": [
                {"key": "usage_score", "source": "sf", "object": "users", "field": "crmsync_u"}
            ]
        }
    )
    target = config.targets[0]
    assert (config.create_fields, target.conflict, target.type, target.via) == (
        False,
        "overwrite",
        "number",
        "record",
    )
    assert target.display_label == "Usage score"
    assert target.value_object == "users"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ({"field": "Bad Name"}, "lower-case"),
        ({"conflict": "sometimes"}, "overwrite"),
        ({"via": "owned_records", "object": "users"}, "not to users"),
        ({"object": "tasks"}, "deals"),
    ],
)
def test_bad_targets_are_refused(target: dict[str, str], message: str) -> None:
    base = {"key": "k", "source": "sf", "object": "deals", "field": "crmsync_k"}
    with pytest.raises(ValidationError, match=message):
        PushConfig.model_validate({"targets": [base | target]})


def test_two_targets_on_one_field_are_refused() -> None:
    target = {"key": "k", "source": "sf", "object": "deals", "field": "crmsync_k"}
    with pytest.raises(ValidationError, match=r"two targets write sf deals\.crmsync_k"):
        PushConfig.model_validate({"targets": [target, target | {"key": "j"}]})


def test_the_run_step_skips_without_targets() -> None:
    from datetime import UTC, datetime

    from sync.config.models import CrmsyncConfig
    from sync.pipeline.steps import StepContext, load_step

    step = load_step("push")
    report = step(None, CrmsyncConfig(), StepContext(now=datetime(2026, 11, 1, tzinfo=UTC)))  # type: ignore[arg-type]
    assert (report.step, report.status, report.summary) == (
        "push",
        "skipped",
        {"reason": "no push targets configured"},
    )
