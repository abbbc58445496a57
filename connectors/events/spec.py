"""One Segment / RudderStack message -> a ``DigitalEvent``, or the reason it is refused.

The spec's five calls are read: ``identify``, ``track``, ``page``, ``screen`` and ``alias``.
Every message needs a ``messageId`` (it is the record's remote id, so a replayed message is
the same record), a ``timestamp`` (``originalTimestamp`` when the sender set only that) and
a ``userId`` or ``anonymousId`` (an ``alias`` needs ``userId`` and ``previousId``). The
e-mail address and phone number that identity stitching uses come from ``traits``
(``identify``), ``context.traits`` or ``properties`` (a form submit, an e-mail click); the
UTM fields from ``context.campaign``, else from the page URL's ``utm_*`` query parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connectors.core.channels import ChannelMap
from connectors.core.records import DigitalEvent

__all__ = ["EVENT_TYPES", "EventRefused", "channel_of", "parse_event"]

EVENT_TYPES = ("identify", "track", "page", "screen", "alias")
_ID_LENGTH = 64  # the store's remote_id
_KEY_LENGTH = 100  # anonymous_id, user_id, previous_id
# context.campaign's names -> the record's fields (Segment names the campaign ``name``)
_CAMPAIGN = {
    "source": "utm_source",
    "medium": "utm_medium",
    "name": "utm_campaign",
    "term": "utm_term",
    "content": "utm_content",
}
_NO_UTM: dict[str, str | None] = dict.fromkeys(_CAMPAIGN.values())
_EMPTY: Mapping[str, Any] = {}


class EventRefused(ValueError):
    """A message that is not a valid event; the text is the reason it is quarantined."""


def parse_event(
    source: str,
    raw: Any,
    channels: ChannelMap,
    cache: dict[tuple[str | None, str | None], str | None] | None = None,
) -> DigitalEvent:
    """The event of one decoded JSON message, or :class:`EventRefused` saying why not.
    ``cache`` keeps the channel of each (UTM source, medium) seen: a stream repeats few."""
    if not isinstance(raw, dict):
        raise EventRefused("an event must be a JSON object")
    # A million events a sync: the common case (ids and texts that are strings within
    # their limits) is read inline (in ``_short_key`` for the two short ids); anything
    # else goes through the checks of ``_key`` and ``_text``, which give the same values
    # and the same reasons.
    get = raw.get
    kind = get("type")
    if kind not in EVENT_TYPES:
        raise EventRefused(f"type {kind!r} is not one of {', '.join(EVENT_TYPES)}")
    value = get("messageId")
    if type(value) is str and len(value) <= _ID_LENGTH:
        message_id = value.strip() or None
    else:
        message_id = _key(value, "messageId", _ID_LENGTH)
    if message_id is None:
        raise EventRefused("messageId is missing: it makes a replayed event the same record")
    when = _time(get("timestamp") or get("originalTimestamp"))
    anonymous_id = _short_key(get("anonymousId"), "anonymousId")
    user_id = _short_key(get("userId"), "userId")
    value = get("previousId")
    previous_id = None if value is None else _key(value, "previousId", _KEY_LENGTH)
    if kind == "alias" and (user_id is None or previous_id is None):
        raise EventRefused("an alias needs userId and previousId")
    if user_id is None and anonymous_id is None:
        raise EventRefused("userId or anonymousId is required")
    name = _event_name(kind, get)
    context = get("context")
    context = context if isinstance(context, dict) else _EMPTY
    traits = get("traits")
    traits = traits if isinstance(traits, dict) else _EMPTY
    if "traits" in context:
        traits = {**_object(context, "traits"), **traits}
    properties = get("properties")
    properties = properties if isinstance(properties, dict) else _EMPTY
    url = _page_url(properties, context)
    campaign = context.get("campaign")
    if campaign or (url and "utm_" in url):
        utm = _utm(campaign if isinstance(campaign, dict) else _EMPTY, url)
        source_, medium, name_, term, content = utm.values()
    else:
        source_ = medium = name_ = term = content = None
    email = traits.get("email") or properties.get("email")
    phone = traits.get("phone") or properties.get("phone")
    event = DigitalEvent(
        source=source,
        remote_id=message_id,
        remote_created_at=when,
        remote_updated_at=when,
        event_type=kind,
        occurred_at=when,
        anonymous_id=anonymous_id,
        user_id=user_id,
        previous_id=previous_id,
        name=name,
        email=_email(email) if email else None,
        phone=_text(phone) if phone else None,
        url=url,
        raw=raw,
        utm_source=source_,
        utm_medium=medium,
        utm_campaign=name_,
        utm_term=term,
        utm_content=content,
    )
    event.channel = _cached_channel(channels, cache, source_, medium)
    return event


def _short_key(value: Any, name: str) -> str | None:
    """``anonymousId`` / ``userId``: a string within its limit is read inline."""
    if value is None:
        return None
    if type(value) is str and len(value) <= _KEY_LENGTH:
        return value.strip() or None
    return _key(value, name, _KEY_LENGTH)


def _event_name(kind: str, get: Callable[[str], Any]) -> str | None:
    if kind == "track":
        name = _text(get("event"))
        if not name:
            raise EventRefused("a track needs its event name (event)")
        return name
    value = get("name")
    return None if value is None else _text(value)


def _page_url(properties: Mapping[str, Any], context: Mapping[str, Any]) -> str | None:
    value = properties.get("url")
    url = (value.strip() or None) if type(value) is str else _text(value)
    if not url and "page" in context:
        url = _text(_object(context, "page").get("url"))
    return url


def _cached_channel(
    channels: ChannelMap,
    cache: dict[tuple[str | None, str | None], str | None] | None,
    utm_source: str | None,
    utm_medium: str | None,
) -> str | None:
    pair = (utm_source, utm_medium)
    if cache is None:
        return channel_of(channels, *pair)
    if pair in cache:
        return cache[pair]
    found = cache[pair] = channel_of(channels, *pair)
    return found


def channel_of(channels: ChannelMap, utm_source: str | None, utm_medium: str | None) -> str | None:
    """The channel of a touch: its UTM medium's, else its source's; ``None`` without
    either (a direct visit). A medium the map does not know (``other``) gives way to a
    source it knows (``utm_source=newsletter`` with a made-up medium is still e-mail)."""
    by_medium = channels.map("utm", utm_medium)
    if by_medium is not None and by_medium != "other":
        return by_medium
    return channels.map("utm", utm_source) or by_medium


def _utm(campaign: Mapping[str, Any], url: str | None) -> dict[str, str | None]:
    if not campaign and (not url or "utm_" not in url):
        return _NO_UTM
    found = {field: _text(campaign.get(key)) for key, field in _CAMPAIGN.items()}
    if url and "utm_" in url and not any(found.values()):
        query = parse_qs(urlsplit(url).query)
        for field in found:
            found[field] = _text(query.get(field, [None])[0])
    return found


def _key(value: Any, name: str, limit: int) -> str | None:
    if value is None or value == "":
        return None
    if type(value) is not str:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise EventRefused(f"{name} must be a string, not {type(value).__name__}")
        value = str(value)
    text = value.strip()
    if len(text) > limit:
        raise EventRefused(f"{name} is longer than {limit} characters")
    return text or None


def _time(value: Any) -> datetime:
    if not isinstance(value, str) or not value:
        raise EventRefused("timestamp is missing: an ISO 8601 time is required")
    try:
        when = datetime.fromisoformat(value)  # Python 3.11 reads a trailing Z too
    except ValueError:
        raise EventRefused(f"timestamp {value[:40]!r} is not an ISO 8601 time") from None
    if when.tzinfo is None:
        raise EventRefused(f"timestamp {value[:40]!r} has no time zone")
    return when if when.tzinfo is UTC else when.astimezone(UTC)


def _object(raw: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = raw.get(name)
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    if type(value) is str:
        return value.strip() or None
    if value is None or isinstance(value, dict | list):
        return None
    return str(value).strip() or None


def _email(value: Any) -> str | None:
    text = _text(value)
    return text.casefold() if text else None
