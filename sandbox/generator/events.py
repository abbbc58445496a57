"""The digital event stream of Altamira's customers, in the Segment / RudderStack spec.

Each customer with a CRM record gets one to three devices (a work laptop, a phone with
Altamira's app, a home computer), each an ``anonymousId``. Their sessions start weeks
before the first CRM record and go on to the anchor: visits, campaign clicks (paid search,
social, partner sites), newsletter e-mail clicks, QR codes scanned at trade shows, app
screens. Somewhere on most devices the person says who they are: a newsletter sign-up or a
form with their e-mail, a badge scanned at a booth, an app login (``identify`` with the app's
``userId`` and their e-mail or phone), an ``alias`` when an app install becomes a login.

Hard the way real data is: cookies cleared (a device's later sessions on a new anonymous
id), devices that never identify, colleagues sharing one lab computer, a booth tablet
scanning many visitors' badges, e-mails typed wrong, bots crawling (some filling forms with
junk), visitors who never become CRM records, messages delivered twice and a few broken
lines. Drawn from its own random stream after the world exists, so the CRMs' data is the
same with or without it. The ground truth (``event_devices``) says who used each id.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from sandbox.generator.events_people import Customer, customers
from sandbox.generator.misspell import keyboard_typo
from sandbox.world import World

__all__ = ["SESSIONS", "EventRates", "EventStream", "generate_events", "write_events"]

_PAGES = (
    "/",
    "/products/hplc",
    "/products/mass-spec",
    "/products/spectro",
    "/service",
    "/consumables",
    "/contact",
    "/events",
    "/blog/method-validation",
    "/careers",
)
_PAID = (
    ("google", "cpc", "hplc-launch"),
    ("linkedin", "paid_social", "ms-webinar"),
    ("bing", "cpc", "spectro-promo"),
    ("labnews", "referral", "partner-feature"),
    ("facebook", "social", "lab-life"),
)
_FAIRS = ("analytica-munich", "pittcon", "achema", "labvolution", "hplc-symposium")
_SCREENS = ("Dashboard", "Instrument Status", "Orders", "Service Requests", "Manuals")
_DOMAIN_TYPOS = {"gmail.com": "gmial.com", "hotmail.com": "hotmial.com", "yahoo.com": "yaho.com"}
_LEAD_IN = timedelta(days=60)  # digital life starts this long before the first CRM record


@dataclass(frozen=True)
class EventRates:
    """How hard the stream is."""

    second_device: float = 0.5
    third_device: float = 0.2
    cookies_cleared: float = 0.15  # a browser's later sessions on a new anonymous id
    never_identifies: float = 0.12  # a device its person never signs in on
    shared_pairs: float = 0.03  # per customer: a lab computer shared with a colleague
    typo: float = 0.05  # an e-mail typed wrong
    bots_per_100: float = 4.0
    junk_form_bots: float = 0.3  # bots that also fill a form with a made-up address
    strangers_per_100: float = 25.0  # visitors who never become CRM records
    app_users: float = 0.4
    duplicates: float = 0.01  # messages delivered twice
    broken_per_10000: float = 5.0  # lines that are not valid events


@dataclass
class EventStream:
    """The messages in time order, and the truth about every anonymous id."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    devices: list[dict[str, Any]] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)


class _Draw:
    def __init__(self, world: World, rng: random.Random, rates: EventRates, sessions: int):
        self.world, self.rng, self.rates, self.sessions = world, rng, rates, sessions
        self.stream = EventStream()
        self.anchor = world.anchor

    def uid(self) -> str:
        bits = f"{self.rng.getrandbits(128):032x}"
        return f"{bits[:8]}-{bits[8:12]}-4{bits[13:16]}-a{bits[17:20]}-{bits[20:]}"

    def emit(self, kind: str, at: datetime, **fields: Any) -> None:
        message = {"type": kind, "messageId": self.uid(), "timestamp": _iso(at), **fields}
        self.stream.messages.append(message)
        if self.rng.random() < self.rates.duplicates:
            self.stream.messages.append(dict(message))

    def device(self, people: list[str], kind: str) -> dict[str, Any]:
        row = {"anonymous_id": self.uid(), "people": people, "kind": kind, "identified": []}
        self.stream.devices.append(row)
        return row

    def address(self, person: Customer) -> str:
        email = self.rng.choice(person.emails)
        if self.rng.random() >= self.rates.typo:
            return email
        local, _, domain = email.rpartition("@")
        if domain.lower() in _DOMAIN_TYPOS and self.rng.random() < 0.5:
            return f"{local}@{_DOMAIN_TYPOS[domain.lower()]}"
        return f"{keyboard_typo(local, self.rng)}@{domain}"

    def when(self, low: datetime, high: datetime) -> datetime:
        span = max(1, int((high - low).total_seconds()))
        return low + timedelta(
            seconds=self.rng.randrange(span), milliseconds=self.rng.randrange(1000)
        )

    def session(self, anon: str, at: datetime, campaign: tuple[str, str, str] | None) -> datetime:
        """A visit: a landing page (with its campaign) and a few more pages."""
        context: dict[str, Any] = {"userAgent": "Mozilla/5.0"}
        if campaign is not None:
            source, medium, name = campaign
            context["campaign"] = {"source": source, "medium": medium, "name": name}
        page = self.rng.choice(_PAGES)
        self.emit(
            "page",
            at,
            anonymousId=anon,
            name=page,
            context=context,
            properties={"url": f"https://altamira.example{page}"},
        )
        for _ in range(self.rng.randrange(4)):
            at += timedelta(seconds=self.rng.randrange(20, 400))
            page = self.rng.choice(_PAGES)
            self.emit(
                "page",
                at,
                anonymousId=anon,
                name=page,
                properties={"url": f"https://altamira.example{page}"},
            )
        return at

    def identify_on(
        self, device: dict[str, Any], person: Customer, at: datetime, user_id: str | None
    ) -> None:
        """One act that says who the person is, on ``device``."""
        anon = device["anonymous_id"]
        roll = self.rng.random()
        if user_id is not None and person.phones and roll < 0.3:
            traits = {"phone": self.rng.choice(person.phones)}
            self.emit("identify", at, anonymousId=anon, userId=user_id, traits=traits)
        elif not person.emails:
            return
        elif user_id is not None and roll < 0.6:
            traits = {"email": self.address(person)}
            self.emit("identify", at, anonymousId=anon, userId=user_id, traits=traits)
        elif roll < 0.75:
            fair = self.rng.choice(_FAIRS)
            context = {"campaign": {"source": fair, "medium": "qr", "name": fair}}
            self.emit(
                "track",
                at,
                anonymousId=anon,
                event="Badge Scanned",
                context=context,
                properties={"email": self.address(person)},
            )
        elif roll < 0.9:
            self.emit(
                "track",
                at,
                anonymousId=anon,
                event="Newsletter Signed Up",
                properties={"email": self.address(person)},
            )
        else:
            context = {
                "campaign": {"source": "newsletter", "medium": "email", "name": f"news-{at:%Y-%m}"},
                "traits": {"email": self.address(person)},
            }
            self.emit("track", at, anonymousId=anon, event="Email Link Clicked", context=context)
        if user_id is not None and roll < 0.6 and self.rng.random() < 0.25:
            # the app install's anonymous id becomes the login: an alias joins the two
            later = at + timedelta(seconds=1)
            self.emit("alias", later, previousId=anon, userId=user_id)
        if person.identity not in device["identified"]:
            device["identified"].append(person.identity)

    def campaign(self) -> tuple[str, str, str] | None:
        roll = self.rng.random()
        if roll < 0.45:
            return None  # a direct or organic visit
        if roll < 0.85:
            return self.rng.choice(_PAID)
        fair = self.rng.choice(_FAIRS)
        return (fair, "qr", fair)

    def person(self, person: Customer) -> None:
        rates, rng = self.rates, self.rng
        start = max(person.first_created - _LEAD_IN, self.anchor - timedelta(days=600))
        user_id = f"app-{rng.getrandbits(40):010x}" if rng.random() < rates.app_users else None
        count = 1 + (rng.random() < rates.second_device) + (rng.random() < rates.third_device)
        for _ in range(count):
            device = self.device([person.identity], "person")
            silent = rng.random() < rates.never_identifies
            times = sorted(self.when(start, self.anchor) for _ in range(self.sessions))
            clear_at = len(times) // 2 if rng.random() < rates.cookies_cleared else None
            for n, at in enumerate(times):
                if n == clear_at:
                    device = self.device([person.identity], "person")
                    silent = rng.random() < rates.never_identifies
                end = self.session(device["anonymous_id"], at, self.campaign())
                if not silent and (n == 0 or rng.random() < 0.3):
                    self.identify_on(device, person, end + timedelta(seconds=30), user_id)
                if user_id and device["identified"] and rng.random() < 0.3:
                    self.emit(
                        "screen",
                        end + timedelta(minutes=2),
                        anonymousId=device["anonymous_id"],
                        userId=user_id,
                        name=rng.choice(_SCREENS),
                    )

    def shared(self, first: Customer, second: Customer) -> None:
        device = self.device([first.identity, second.identity], "shared")
        for person in (first, second):
            low = max(person.first_created - _LEAD_IN, self.anchor - timedelta(days=600))
            at = self.session(device["anonymous_id"], self.when(low, self.anchor), None)
            self.identify_on(device, person, at + timedelta(seconds=30), None)

    def bot(self) -> None:
        device = self.device([], "bot")
        at = self.when(self.anchor - timedelta(days=300), self.anchor)
        for _ in range(self.rng.randrange(20, 120)):
            at += timedelta(seconds=self.rng.randrange(1, 5))
            page = self.rng.choice(_PAGES)
            self.emit(
                "page",
                at,
                anonymousId=device["anonymous_id"],
                name=page,
                context={"userAgent": "Mozilla/5.0 (compatible; crawler/2.1)"},
                properties={"url": f"https://altamira.example{page}"},
            )
        if self.rng.random() < self.rates.junk_form_bots:
            junk = f"{self.rng.getrandbits(32):08x}@mailinator.com"
            self.emit(
                "track",
                at,
                anonymousId=device["anonymous_id"],
                event="Form Submitted",
                properties={"email": junk},
            )

    def stranger(self, n: int) -> None:
        device = self.device([], "stranger")
        at = self.when(self.anchor - timedelta(days=500), self.anchor)
        end = self.session(device["anonymous_id"], at, self.campaign())
        if self.rng.random() < 0.5:
            email = f"visitor{n}.{self.rng.getrandbits(24):06x}@outlook.example.org"
            self.emit(
                "track",
                end,
                anonymousId=device["anonymous_id"],
                event="Newsletter Signed Up",
                properties={"email": email},
            )


def generate_events(
    world: World, sessions: int = 6, rates: EventRates | None = None
) -> EventStream:
    """The event stream of ``world``'s customers, ``sessions`` visits per device (scale the
    volume with it), identical for the same world and arguments."""
    rng = random.Random(f"altamira:{world.seed}:{world.scale}:events")
    draw = _Draw(world, rng, rates or EventRates(), sessions)
    people = customers(world)
    for person in people:
        draw.person(person)
    by_org: dict[str, list[Customer]] = {}
    for person in people:
        if person.org and person.emails:
            by_org.setdefault(person.org, []).append(person)
    pairs = [group[:2] for _, group in sorted(by_org.items()) if len(group) >= 2]
    for first, second in pairs[: int(len(people) * draw.rates.shared_pairs) + 1]:
        draw.shared(first, second)
    for _ in range(int(len(people) * draw.rates.bots_per_100 / 100) + 1):
        draw.bot()
    for n in range(int(len(people) * draw.rates.strangers_per_100 / 100) + 1):
        draw.stranger(n)
    stream = draw.stream
    stream.messages.sort(key=lambda m: (m["timestamp"], m["messageId"]))
    for n in range(int(len(stream.messages) * draw.rates.broken_per_10000 / 10000) + 1):
        stream.broken.append(_broken(rng, n))
    return stream


def _broken(rng: random.Random, n: int) -> str:
    """A line no valid event is: cut short, no messageId, or a time that is not one."""
    kind = n % 3
    if kind == 0:
        return '{"type": "page", "anonymousId": "x", "timest'
    if kind == 1:
        return (
            f'{{"type": "page", "anonymousId": "broken-{n}", "timestamp": "2026-01-01T00:00:00Z"}}'
        )
    bad = {"type": "track", "event": "x", "messageId": f"bad-{n}-{rng.getrandbits(16)}"}
    return orjson.dumps({**bad, "anonymousId": "a", "timestamp": "yesterday"}).decode()


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


# visits per device at each scale: the volume grows with the people, not with their square
SESSIONS = {"tiny": 6, "small": 6, "medium": 3, "large": 1}


def write_events(stream: EventStream, directory: Path, truth_dir: Path | None = None) -> int:
    """The stream as monthly JSON-lines exports (``events-YYYY-MM.jsonl``, the broken lines
    spread through them), and the truth as ``event_devices.jsonl``; the number of lines.

    Each line is written as it is made, through one open file per month: a million
    messages serialised and held before writing took gigabytes. The ``n``-th broken line
    goes to month ``n * 7`` (modulo their number) as its line ``n`` (0-based; after the
    month's last message when it has fewer)."""
    directory.mkdir(parents=True, exist_ok=True)
    names = sorted({message["timestamp"][:7] for message in stream.messages})
    broken: dict[str, list[tuple[int, bytes]]] = {name: [] for name in names}
    for n, text in enumerate(stream.broken):
        broken[names[(n * 7) % len(names)]].append((n, text.encode()))
    handles: dict[str, BinaryIO] = {}
    written = dict.fromkeys(names, 0)
    lines = 0
    try:
        for message in stream.messages:
            month = message["timestamp"][:7]
            handle = handles.get(month)
            if handle is None:
                handle = handles[month] = (directory / f"events-{month}.jsonl").open("wb")
            waiting = broken[month]
            while waiting and waiting[0][0] <= written[month]:
                handle.write(waiting.pop(0)[1] + b"\n")
                written[month] += 1
            handle.write(orjson.dumps(message) + b"\n")
            written[month] += 1
        for month in names:
            handle = handles.get(month)
            if handle is None:
                handle = handles[month] = (directory / f"events-{month}.jsonl").open("wb")
            for _, line in broken[month]:
                handle.write(line + b"\n")
                written[month] += 1
            lines += written[month]
    finally:
        for handle in handles.values():
            handle.close()
    if truth_dir is not None:
        truth_dir.mkdir(parents=True, exist_ok=True)
        rows = (orjson.dumps(row) for row in stream.devices)
        (truth_dir / "event_devices.jsonl").write_bytes(b"\n".join(rows) + b"\n")
    return lines
