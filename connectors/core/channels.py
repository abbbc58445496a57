"""One channel vocabulary for every CRM, and the default mapping to it.

Lead sources, activity types and case origins differ per CRM; crediting and the channel
reports need one vocabulary: web, email, phone, meeting, event, social, partner, store,
chat, other. Admins override or extend the defaults per source in YAML
(``channels: {lead_source: {"Trade Show": event}}``). Matching ignores case and spacing;
an unknown value maps to ``other`` (never dropped), a missing one to ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["CHANNELS", "DEFAULT_CHANNEL_MAPS", "ChannelMap", "UnknownChannelError"]

CHANNELS = (
    "web",
    "email",
    "phone",
    "meeting",
    "event",
    "social",
    "partner",
    "store",
    "chat",
    "other",
)
CATEGORIES = ("lead_source", "activity", "case_origin")

DEFAULT_CHANNEL_MAPS: dict[str, dict[str, dict[str, str]]] = {
    "salesforce": {
        "lead_source": {
            "Web": "web",
            "Phone Inquiry": "phone",
            "Partner Referral": "partner",
            "Purchased List": "other",
            "Other": "other",
            "Advertisement": "web",
            "Employee Referral": "partner",
            "External Referral": "partner",
            "Trade Show": "event",
            "Word of mouth": "other",
            "Email": "email",
            "Social": "social",
            "Store": "store",
            "Chat": "chat",
        },
        "activity": {
            "Call": "phone",
            "Email": "email",
            "ListEmail": "email",
            "Task": "other",
            "Meeting": "meeting",
            "Event": "meeting",
            "Other": "other",
        },
        "case_origin": {
            "Phone": "phone",
            "Email": "email",
            "Web": "web",
            "Chat": "chat",
            "Social": "social",
            "Store": "store",
        },
    },
    "hubspot": {
        "lead_source": {
            "ORGANIC_SEARCH": "web",
            "PAID_SEARCH": "web",
            "EMAIL_MARKETING": "email",
            "SOCIAL_MEDIA": "social",
            "REFERRALS": "partner",
            "OTHER_CAMPAIGNS": "event",
            "DIRECT_TRAFFIC": "web",
            "OFFLINE": "other",
            "PAID_SOCIAL": "social",
        },
        "activity": {
            "calls": "phone",
            "emails": "email",
            "meetings": "meeting",
            "notes": "other",
            "tasks": "other",
        },
        "case_origin": {"CHAT": "chat", "EMAIL": "email", "FORM": "web", "PHONE": "phone"},
    },
    "zoho": {
        "lead_source": {
            "Advertisement": "web",
            "Cold Call": "phone",
            "Employee Referral": "partner",
            "External Referral": "partner",
            "Online Store": "store",
            "Partner": "partner",
            "Public Relations": "other",
            "Sales Email Alias": "email",
            "Seminar Partner": "event",
            "Internal Seminar": "event",
            "Trade Show": "event",
            "Web Download": "web",
            "Web Research": "web",
            "Chat": "chat",
            "X (Twitter)": "social",
            "Facebook": "social",
        },
        "activity": {"Calls": "phone", "Tasks": "other", "Events": "meeting"},
        "case_origin": {
            "Email": "email",
            "Phone": "phone",
            "Web": "web",
            "Chat": "chat",
            "Social": "social",
            "Store": "store",
        },
    },
}


class UnknownChannelError(ValueError):
    """An override maps a value to a channel outside the vocabulary."""


def _key(value: str) -> str:
    return " ".join(value.split()).casefold()


class ChannelMap:
    """Maps a CRM's raw values to channels, defaults first, then the admin's overrides."""

    def __init__(
        self, crm_kind: str, overrides: Mapping[str, Mapping[str, str]] | None = None
    ) -> None:
        self._maps: dict[str, dict[str, str]] = {}
        defaults = DEFAULT_CHANNEL_MAPS.get(crm_kind, {})
        for category in CATEGORIES:
            merged = {_key(k): v for k, v in defaults.get(category, {}).items()}
            for raw, channel in (overrides or {}).get(category, {}).items():
                if channel not in CHANNELS:
                    raise UnknownChannelError(
                        f"channel {channel!r} for {category} value {raw!r} is not one of "
                        f"{', '.join(CHANNELS)}"
                    )
                merged[_key(raw)] = channel
            self._maps[category] = merged

    def map(self, category: str, raw: str | None) -> str | None:
        if raw is None or not raw.strip():
            return None
        return self._maps[category].get(_key(raw), "other")

    def lead_source(self, raw: str | None) -> str | None:
        return self.map("lead_source", raw)

    def activity(self, raw: str | None) -> str | None:
        return self.map("activity", raw)

    def case_origin(self, raw: str | None) -> str | None:
        return self.map("case_origin", raw)
