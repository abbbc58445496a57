"""One channel vocabulary for every CRM, and the mapping to it.

Lead sources, activity types and case origins differ per CRM; crediting and the channel
reports need one vocabulary: web, email, phone, meeting, event, social, partner, store,
chat, other. Digital events map their UTM medium and source (category ``utm``).
Admins override or extend the defaults per source in YAML
(``channels: {lead_source: {"Trade Show": event}}``). Matching ignores case and spacing;
an unknown value maps to ``other`` (never dropped), a missing one to ``None``. The defaults
of a CRM are its connector profile's ``channels``.
"""

from __future__ import annotations

from collections.abc import Mapping

from connectors.core.profile import CrmProfile
from connectors.core.registry import profile_of

__all__ = ["CHANNELS", "UTM_CHANNELS", "ChannelMap", "UnknownChannelError"]

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
CATEGORIES = ("lead_source", "activity", "case_origin", "utm")
# UTM medium or source -> channel, the defaults of every source that reads digital touches
# (events, a CRM's forms and marketing e-mail); the admin's ``channels: {utm: {...}}``
# override these.
UTM_CHANNELS: Mapping[str, str] = {
    "cpc": "web",
    "ppc": "web",
    "paid": "web",
    "paid_search": "web",
    "display": "web",
    "banner": "web",
    "organic": "web",
    "seo": "web",
    "google": "web",
    "bing": "web",
    "email": "email",
    "e-mail": "email",
    "newsletter": "email",
    "social": "social",
    "paid_social": "social",
    "facebook": "social",
    "instagram": "social",
    "linkedin": "social",
    "twitter": "social",
    "referral": "partner",
    "affiliate": "partner",
    "partner": "partner",
    "qr": "event",
    "event": "event",
    "trade_show": "event",
    "tradeshow": "event",
    "sms": "phone",
    "chat": "chat",
    "store": "store",
}


class UnknownChannelError(ValueError):
    """An override maps a value to a channel outside the vocabulary."""


def _key(value: str) -> str:
    return " ".join(value.split()).casefold()


class ChannelMap:
    """Maps a CRM's raw values to channels, defaults first, then the admin's overrides."""

    def __init__(
        self, crm: str | CrmProfile, overrides: Mapping[str, Mapping[str, str]] | None = None
    ) -> None:
        """``crm`` is a connector kind (its profile is looked up) or a profile."""
        self._maps: dict[str, dict[str, str]] = {}
        defaults = (crm if isinstance(crm, CrmProfile) else profile_of(crm)).channels
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
