"""The diff and conflict rule, case by case."""

from __future__ import annotations

import pytest

from sync.push.conflicts import NEVER_WRITTEN, UNKNOWN, Decision, decide


@pytest.mark.parametrize(
    ("new", "last", "remote", "policy", "expected"),
    [
        # first write: nothing there, or nothing known
        ("5.00", NEVER_WRITTEN, None, "overwrite", Decision("create")),
        ("5.00", NEVER_WRITTEN, UNKNOWN, "skip_and_flag", Decision("create")),
        # the CRM already holds the value: no call
        ("5.00", NEVER_WRITTEN, "5.00", "overwrite", Decision("unchanged")),
        ("5.00", "4.00", "5.00", "skip_and_flag", Decision("unchanged")),
        # unchanged since the last write
        ("5.00", "5.00", "5.00", "overwrite", Decision("unchanged")),
        ("5.00", "5.00", UNKNOWN, "overwrite", Decision("unchanged")),
        (None, NEVER_WRITTEN, UNKNOWN, "overwrite", Decision("unchanged")),
        # changed, no one else touched it
        ("6.00", "5.00", "5.00", "skip_and_flag", Decision("update")),
        ("6.00", "5.00", UNKNOWN, "only_if_empty", Decision("update")),
        (None, "5.00", "5.00", "overwrite", Decision("clear")),
        # someone else changed it
        ("6.00", "5.00", "9.00", "overwrite", Decision("update", True, "overwritten")),
        ("6.00", "5.00", "9.00", "skip_and_flag", Decision("skip", True, "skipped")),
        ("6.00", "5.00", "9.00", "only_if_empty", Decision("skip", True, "kept")),
        ("6.00", "5.00", None, "only_if_empty", Decision("update", True, "written_empty")),
        ("6.00", "5.00", None, "skip_and_flag", Decision("skip", True, "skipped")),
        ("6.00", NEVER_WRITTEN, "9.00", "only_if_empty", Decision("skip", True, "kept")),
        ("6.00", NEVER_WRITTEN, "9.00", "overwrite", Decision("create", True, "overwritten")),
        # an edit while our value stays the same is still a conflict
        ("5.00", "5.00", "9.00", "overwrite", Decision("update", True, "overwritten")),
        ("5.00", "5.00", "9.00", "skip_and_flag", Decision("skip", True, "skipped")),
    ],
)
def test_decide(
    new: str | None, last: object, remote: object, policy: str, expected: Decision
) -> None:
    assert decide(new, last, remote, policy) == expected  # type: ignore[arg-type]
