"""The portal's marketing data: forms, their submissions and marketing e-mail events.

Altamira's HubSpot portal captures web leads with three forms and sends a newsletter three
times before the anchor. Both are drawn from the portal's contacts, each from its own
random stream seeded by the contact's id, so the same world always has the same
submissions and events, whatever else was read or changed, and a contact created later
(churn) brings its own:

- about two contacts in three with an e-mail submitted a form shortly before HubSpot
  created them (the form created the contact), one in five of those a second form later;
  a third of the landing pages carry the campaign's ``utm_*`` parameters;
- each newsletter goes to about three in five of the contacts that existed when it was
  sent: ``SENT``, then ``DELIVERED`` or (4%) ``BOUNCE``; of the delivered, 45% ``OPEN``
  and a third of those ``CLICK`` a link carrying ``utm_medium=email``.

The ground truth is this module itself: ``submissions`` and ``email_events`` are what the
emulator serves (``sandbox.hubspot.marketing``) and what a reader must end up with.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.world import World

__all__ = ["CAMPAIGNS", "FORMS", "MarketingData", "marketing_data", "to_ms"]


@dataclass(frozen=True)
class Form:
    guid: str
    name: str
    path: str


FORMS = (
    Form("3f1b8c2e-51a4-4d0b-9a57-0c6f1e2d4a01", "Newsletter sign-up", "/newsletter"),
    Form("7a94e0d3-2b6c-4f1e-8d35-9e2a7c1b5f02", "Contact us", "/contact"),
    Form("c25d6f48-9e1a-4b73-a0c8-4d6b3e9f7a03", "Webinar registration", "/webinars/hplc"),
)
# (campaign id, name, days before the anchor it was sent)
CAMPAIGNS: tuple[tuple[int, str, int], ...] = (
    (21000001, "newsletter-spring", 75),
    (21000002, "newsletter-summer", 45),
    (21000003, "newsletter-autumn", 15),
)
_UTM = (("google", "cpc", "hplc-launch"), ("linkedin", "paid_social", "ms-webinar"))
_SITE = "https://www.altamira-instruments.com"
_APP = {"appId": 113, "appName": "BatchEmail"}
PORTAL_ID = 62515


@dataclass
class MarketingData:
    """Submissions per form guid (newest first, as the API answers) and e-mail events
    (oldest first)."""

    submissions: dict[str, list[dict[str, Any]]]
    email_events: list[dict[str, Any]]


def to_ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def _uid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


_CACHE: dict[int, tuple[int, MarketingData]] = {}


def marketing_data(world: World) -> MarketingData:
    """The portal's submissions and e-mail events (cached per version of its contacts)."""
    table = world.hubspot["contacts"]
    cached = _CACHE.get(id(world))
    if cached is not None and cached[0] == table.version:
        return cached[1]
    submissions: dict[str, list[dict[str, Any]]] = {form.guid: [] for form in FORMS}
    events: list[dict[str, Any]] = []
    contacts = sorted(table.rows.values(), key=lambda r: int(r["hs_object_id"]))
    for contact in contacts:
        email, created = contact.get("email"), contact.get("createdate")
        if not email or not isinstance(created, datetime):
            continue
        rng = random.Random(int(contact["hs_object_id"]) * 7919 + 26)
        for form, at in _forms(rng, created, world.anchor):
            submissions[form.guid].append(_submission(rng, form, at, contact))
        for campaign in CAMPAIGNS:
            events += _newsletter(rng, campaign, world.anchor, created, email)
    for rows in submissions.values():
        rows.sort(key=lambda s: (-s["submittedAt"], s["conversionId"]))
    events.sort(key=lambda e: (e["created"], e["id"]))
    data = MarketingData(submissions, events)
    _CACHE[id(world)] = (table.version, data)
    return data


def _forms(rng: random.Random, created: datetime, anchor: datetime) -> list[tuple[Form, datetime]]:
    if rng.random() >= 0.65:
        return []
    first = created - timedelta(seconds=rng.randrange(30, 3600))
    out = [(rng.choice(FORMS), first)]
    if rng.random() < 0.2:
        later = created + timedelta(days=rng.randrange(1, 60), seconds=rng.randrange(86400))
        if later < anchor:
            out.append((rng.choice(FORMS), later))
    return out


def _submission(
    rng: random.Random, form: Form, at: datetime, contact: dict[str, Any]
) -> dict[str, Any]:
    url = f"{_SITE}{form.path}"
    if rng.random() < 1 / 3:
        source, medium, name = rng.choice(_UTM)
        url += f"?utm_source={source}&utm_medium={medium}&utm_campaign={name}"
    values = [{"name": "email", "value": contact["email"]}]
    for prop in ("firstname", "lastname", "company"):
        if contact.get(prop):
            values.append({"name": prop, "value": contact[prop]})
    return {
        "conversionId": _uid(rng),
        "submittedAt": to_ms(at),
        "values": values,
        "pageUrl": url,
    }


def _newsletter(
    rng: random.Random,
    campaign: tuple[int, str, int],
    anchor: datetime,
    created: datetime,
    email: str,
) -> list[dict[str, Any]]:
    campaign_id, name, days = campaign
    sent = anchor - timedelta(days=days)
    if created >= sent or rng.random() >= 0.6:
        return []
    send_id = _uid(rng)
    at = sent + timedelta(seconds=rng.randrange(600))

    def event(kind: str, when: datetime, **extra: Any) -> dict[str, Any]:
        return {
            **_APP,
            "created": to_ms(when),
            "emailCampaignId": campaign_id,
            "id": _uid(rng),
            "portalId": PORTAL_ID,
            "recipient": email,
            "type": kind,
            "sentBy": {"id": send_id, "created": to_ms(at)},
            **extra,
        }

    out = [event("SENT", at, subject=f"Altamira {name.split('-')[1]} newsletter")]
    if rng.random() < 0.04:
        return [*out, event("BOUNCE", at + timedelta(seconds=30), category="HARD_BOUNCE")]
    delivered = at + timedelta(seconds=rng.randrange(5, 300))
    out.append(event("DELIVERED", delivered, response="250 OK"))
    if rng.random() >= 0.45:
        return out
    opened = delivered + timedelta(minutes=rng.randrange(5, 4320))
    out.append(event("OPEN", opened))
    if rng.random() < 1 / 3:
        link = f"{_SITE}/products/hplc?utm_source=newsletter&utm_medium=email&utm_campaign={name}"
        out.append(event("CLICK", opened + timedelta(seconds=rng.randrange(5, 600)), url=link))
    return out
