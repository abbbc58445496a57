"""What to do with one field of one record: the diff and conflict rule, as a pure function.

``remote`` is the CRM's current value as the synced store last saw it, or ``UNKNOWN`` when
the store cannot tell (record not synced, field not read yet, or the store's copy is older
than crmsync's last write to it). A conflict is a CRM value that differs both from what
crmsync last wrote and from the new value: someone else changed the field. The target's
policy then decides:

==============  ===============================================================
overwrite       write the new value anyway; the conflict is reported
skip_and_flag   leave the record alone and flag the conflict until it is resolved
only_if_empty   write only while the field is empty; a value set by someone else stays
==============  ===============================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["NEVER_WRITTEN", "UNKNOWN", "Decision", "decide"]


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()
NEVER_WRITTEN: Final = object()  # crmsync never wrote this field on this record
Action = Literal["create", "update", "clear", "unchanged", "skip"]
Resolution = Literal["overwritten", "skipped", "kept", "written_empty"]


@dataclass(frozen=True)
class Decision:
    """``action`` says whether to write; ``conflict`` and ``resolution`` what was seen."""

    action: Action
    conflict: bool = False
    resolution: Resolution | None = None


def decide(
    new: str | None,
    last: str | object | None,
    remote: str | _Unknown | None,
    policy: str,
) -> Decision:
    """The decision for one field. ``last`` is ``NEVER_WRITTEN`` when crmsync never wrote it."""
    written_before = last is not NEVER_WRITTEN
    ours = last if written_before else None
    known = not isinstance(remote, _Unknown)
    conflict = known and remote != ours and remote != new
    if conflict:
        if policy == "skip_and_flag":
            return Decision("skip", True, "skipped")
        if policy == "only_if_empty" and remote is not None:
            return Decision("skip", True, "kept")
        action = _write_action(new, written_before)
        resolution: Resolution = "overwritten" if policy == "overwrite" else "written_empty"
        return Decision(action, True, resolution)
    if written_before and ours == new:
        return Decision("unchanged")
    if known and remote == new:
        return Decision("unchanged")  # the CRM already holds it: adopt, no call
    if not written_before and new is None:
        return Decision("unchanged")
    return Decision(_write_action(new, written_before))


def _write_action(new: str | None, written_before: bool) -> Action:
    if new is None:
        return "clear"
    return "update" if written_before else "create"
