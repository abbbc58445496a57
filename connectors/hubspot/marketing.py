"""HubSpot's form submissions and marketing e-mail events, read as digital events.

Two append-only streams of ``DigitalEvent`` records (``event_type`` ``track``), read when
the source sets ``marketing_events``:

- ``form_submissions``: every form of ``GET /marketing/v3/forms/`` (paged with ``after``),
  then each form's ``GET /form-integrations/v1/submissions/forms/{formGuid}`` (50 a call,
  newest first, paged with ``after``; scope ``forms``). The remote id is the submission's
  ``conversionId``, the time its ``submittedAt``, the page its ``pageUrl`` (with the UTM
  fields of its query). The cursor is the newest ``submittedAt`` read per form: the next
  read stops at the first submission older than it.
- ``email_events``: ``GET /email/public/v1/events`` from the cursor (``startTimestamp``)
  to the read's signpost (``endTimestamp``), 1,000 a call, paged with ``offset`` while
  ``hasMore`` (scope ``content``). The remote id is the event's ``id``; ``SENT``,
  ``DELIVERED``, ``OPEN``, ``CLICK``, ``BOUNCE``... become ``Email Sent``, ``Email
  Delivered``, ``Email Opened``, ``Email Link Clicked``, ``Email Bounced``; a click keeps
  its link as the URL. The cursor is the newest ``created`` read.

Both identify a person by e-mail address, HubSpot's unique key of a contact: it is the
event's ``email`` (stitching evidence) and its ``user_id``, so a person's submissions and
e-mail events are stitched to their identity like any server-side event. A submission
names no browser: HubSpot keeps the visitor's ``hutk`` cookie but the submissions API does
not return it, so a form submission identifies the person without linking the anonymous
id of the visit that made it. A submission without an e-mail address names no one and is
quarantined. A cursor is saved only with the last page of its form (or of the events):
a read stopped half-way reads that part again, and the store keeps each id once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from connectors.core.channels import ChannelMap
from connectors.core.contract import Page, Quarantined
from connectors.core.records import EMAIL_DELIVERED, EMAIL_SENT, CommonRecord, DigitalEvent

if TYPE_CHECKING:
    from connectors.hubspot.apis import Apis
    from connectors.hubspot.http import HubSpotHttp

__all__ = ["MARKETING_STREAMS", "MarketingReader"]

MARKETING_STREAMS = ("form_submissions", "email_events")
_FORMS = "/marketing/v3/forms/"
_SUBMISSIONS = "/form-integrations/v1/submissions/forms/{}"
_EVENTS = "/email/public/v1/events"
_EMAIL_NAMES = {
    "SENT": EMAIL_SENT,
    "DELIVERED": EMAIL_DELIVERED,
    "OPEN": "Email Opened",
    "CLICK": "Email Link Clicked",
    "BOUNCE": "Email Bounced",
}
_UTM = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


class MarketingReader:
    """Reads the two marketing streams of one portal."""

    def __init__(self, http: HubSpotHttp, apis: Apis, source: str, channels: ChannelMap) -> None:
        self.http, self.apis, self.source, self.channels = http, apis, source, channels

    def read(
        self, stream: str, state: Mapping[str, Any] | None, full: bool, signpost_ms: int
    ) -> Iterator[Page]:
        if stream == "form_submissions":
            yield from self._submissions({} if full else dict((state or {}).get("forms", {})))
        else:
            since = None if full else (state or {}).get("since")
            yield from self._email_events(since, signpost_ms)

    # -- forms -------------------------------------------------------------------------

    def forms(self) -> list[dict[str, Any]]:
        """Every form of the portal (``id``, ``name``...), in the API's order."""
        out: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            query: dict[str, Any] = {"limit": 100} | ({"after": after} if after else {})
            body = self.http.call(self.apis.get(_FORMS, query)).body or {}
            out += body.get("results") or []
            after = ((body.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return out

    def _submissions(self, cursors: dict[str, int]) -> Iterator[Page]:
        done = dict(cursors)  # the cursors of the forms read to their end in this run
        forms = self.forms()
        if not forms:
            yield Page("form_submissions", [], {"forms": done}, api_calls=1)
        for form in forms:
            guid, since = str(form["id"]), cursors.get(str(form["id"]))
            newest, after = since, None
            while True:
                query: dict[str, Any] = {"limit": 50} | ({"after": after} if after else {})
                body = self.http.call(self.apis.get(_SUBMISSIONS.format(guid), query)).body or {}
                records: list[CommonRecord] = []
                quarantined: list[Quarantined] = []
                older = False
                for item in body.get("results") or []:
                    at = item.get("submittedAt")
                    if since is not None and isinstance(at, int) and at < since:
                        older = True  # newest first: the rest was read before
                        break
                    self._submission(form, item, records, quarantined)
                    if isinstance(at, int):
                        newest = at if newest is None else max(newest, at)
                after = ((body.get("paging") or {}).get("next") or {}).get("after")
                last = older or not after
                if last and newest is not None:
                    done[guid] = newest
                state = {"forms": dict(sorted(done.items()))}
                yield Page("form_submissions", records, state, quarantined, api_calls=1)
                if last:
                    break

    def _submission(
        self,
        form: Mapping[str, Any],
        item: dict[str, Any],
        records: list[CommonRecord],
        quarantined: list[Quarantined],
    ) -> None:
        raw = {"formGuid": form["id"], "formName": form.get("name"), **item}
        values = {
            str(v.get("name")): v.get("value")
            for v in item.get("values") or []
            if isinstance(v, dict)
        }
        email = _email(values.get("email"))
        conversion, at = item.get("conversionId"), _time(item.get("submittedAt"))
        if not conversion or at is None:
            reason = "a form submission needs its conversionId and submittedAt"
            quarantined.append(Quarantined(str(conversion or "") or None, reason, raw))
            return
        if email is None:
            reason = f"form submission {conversion} carries no e-mail address: it names no one"
            quarantined.append(Quarantined(str(conversion), reason, raw))
            return
        url = _text(item.get("pageUrl"))
        phone = _text(values.get("phone") or values.get("mobilephone"))
        name = f"Form Submitted: {form.get('name') or form['id']}"
        records.append(self._event(str(conversion), at, name, email, phone, url, raw, None))

    # -- e-mail events -----------------------------------------------------------------

    def _email_events(self, since: int | None, signpost_ms: int) -> Iterator[Page]:
        newest, offset = since, None
        while True:
            query: dict[str, Any] = {"limit": 1000, "endTimestamp": signpost_ms}
            if since is not None:
                query["startTimestamp"] = since
            if offset:
                query["offset"] = offset
            body = self.http.call(self.apis.get(_EVENTS, query)).body or {}
            records: list[CommonRecord] = []
            quarantined: list[Quarantined] = []
            for item in body.get("events") or []:
                event = self._email_event(item)
                if isinstance(event, Quarantined):
                    quarantined.append(event)
                    continue
                records.append(event)
                created = item["created"]
                newest = created if newest is None else max(newest, created)
            more, offset = bool(body.get("hasMore")), body.get("offset")
            state = {"since": newest if not more else since}
            yield Page("email_events", records, state, quarantined, api_calls=1)
            if not more or not offset:
                return

    def _email_event(self, item: dict[str, Any]) -> DigitalEvent | Quarantined:
        event_id, at = item.get("id"), _time(item.get("created"))
        email = _email(item.get("recipient"))
        if not event_id or at is None or email is None:
            reason = "an e-mail event needs its id, created time and recipient"
            return Quarantined(str(event_id or "") or None, reason, item)
        kind = str(item.get("type") or "")
        name = _EMAIL_NAMES.get(kind) or f"Email {kind.title()}"
        url = _text(item.get("url"))
        return self._event(str(event_id), at, name, email, None, url, item, "email")

    # -- shared ------------------------------------------------------------------------

    def _event(
        self,
        remote_id: str,
        at: datetime,
        name: str,
        email: str,
        phone: str | None,
        url: str | None,
        raw: dict[str, Any],
        channel: str | None,
    ) -> DigitalEvent:
        utm = _utm(url)
        medium, source = utm["utm_medium"], utm["utm_source"]
        by_medium = self.channels.map("utm", medium)
        if by_medium is None or by_medium == "other":
            by_medium = self.channels.map("utm", source) or by_medium
        return DigitalEvent(
            source=self.source,
            remote_id=remote_id,
            remote_created_at=at,
            remote_updated_at=at,
            event_type="track",
            occurred_at=at,
            user_id=email,
            name=name,
            email=email,
            phone=phone,
            url=url,
            raw=raw,
            channel=by_medium or channel,
            utm_source=source,
            utm_medium=medium,
            utm_campaign=utm["utm_campaign"],
            utm_term=utm["utm_term"],
            utm_content=utm["utm_content"],
        )


def _utm(url: str | None) -> dict[str, str | None]:
    if not url or "utm_" not in url:
        return dict.fromkeys(_UTM)
    query = parse_qs(urlsplit(url).query)
    return {name: _text(query.get(name, [None])[0]) for name in _UTM}


def _time(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    seconds, ms = divmod(value, 1000)  # exact: no float in between
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=ms * 1000)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    return str(value).strip() or None


def _email(value: Any) -> str | None:
    text = _text(value)
    return text.casefold() if text and "@" in text else None
