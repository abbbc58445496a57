"""Call outcomes: HubSpot stores a call's outcome (``hs_call_disposition``) as the internal
id of a disposition, not its label.

A portal starts with six default dispositions whose ids are the same in every portal (GET
/calling/v1/dispositions lists them with any the portal added). Known ids become their
labels; an id this table does not know (a portal's own outcome) is kept as it is, so the
audit still sees that an outcome was recorded.
"""

from __future__ import annotations

__all__ = ["DEFAULT_DISPOSITIONS", "call_outcome"]

DEFAULT_DISPOSITIONS = {
    "9d9162e7-6cf3-4944-bf63-4dff82258764": "Busy",
    "f240bbac-87c9-4f6e-bf70-924b57d47db7": "Connected",
    "a4c4c377-d246-4b32-a13b-75a56a4cd0ff": "Left live message",
    "b2cf5968-551e-4856-9783-52b3da59a7d0": "Left voicemail",
    "73a0d17f-1163-4015-bdd5-ec830791da20": "No answer",
    "17b47fee-58de-441e-a44c-c6300d46f273": "Wrong number",
}


def call_outcome(disposition: str | None) -> str | None:
    """The outcome's label, the id itself when it is a portal's own, None when not logged."""
    if not disposition:
        return None
    return DEFAULT_DISPOSITIONS.get(disposition, disposition)
