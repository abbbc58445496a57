"""Sign-in state shared through the store: a one-time link works exactly once across two
server processes on one store (and after a restart), and sign-in e-mails are limited per
address and per client within ``web.signin_limit``'s window, with the same neutral answer.
Two applications on one SQLite store stand for two processes; they share nothing else."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from sync.config import CrmsyncConfig
from sync.config.web import SigninLimitConfig
from sync.store import open_store

pytest.importorskip("starlette")
from web_support import Browser, serving

ADMIN = "ops@example.com"
SECRET = "k" * 40


class Mailbox:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, list[str]]] = []

    def __call__(self, subject: str, body: str, to: Sequence[str]) -> None:
        self.sent.append((subject, body, list(to)))

    def link(self) -> str:
        found = re.search(r"http://\S+/signin/\S+", self.sent[-1][1])
        assert found
        return found.group(0)


def _app(tmp_path: Path, mailbox: Mailbox, clock: list[datetime], **limit: int) -> Any:
    from sync.web.app import create_app

    config = CrmsyncConfig.model_validate(
        {
            "store": {"url": f"sqlite:///{tmp_path / 'store.sqlite'}"},
            "web": {"admins": [ADMIN], "signin_limit": dict(limit) if limit else {}},
        }
    )
    engine = open_store(config.store.url)
    return create_app(
        config, engine, now=lambda: clock[0], send_mail=mailbox, secret=SECRET, warm=False
    )


def _ask(browser: Browser, base: str, address: str) -> str:
    token = browser.csrf(base + "/signin")
    answer = browser.request(base + "/signin", {"csrf": token, "email": address})
    assert answer.status == 200
    return answer.body


def _confirm(browser: Browser, base: str, link: str) -> int:
    token = browser.csrf(link.replace(link.split("/signin/")[0], base))
    page = browser.request(link.replace(link.split("/signin/")[0], base))
    found = re.search(r'name="token" value="([^"]+)"', page.body)
    assert found
    return browser.request(
        base + "/signin/confirm", {"csrf": token, "token": found.group(1)}
    ).status


def test_a_link_works_once_across_processes_and_restarts(tmp_path: Path) -> None:
    clock = [datetime(2026, 10, 31, 12, tzinfo=UTC)]
    mailbox = Mailbox()
    first, second = _app(tmp_path, mailbox, clock), _app(tmp_path, mailbox, clock)
    with serving(first) as one, serving(second) as two:
        _ask(Browser(), one, ADMIN)
        link = mailbox.link()
        # The link is used on the second process: signed in.
        user = Browser()
        assert _confirm(user, two, link) == 303
        assert user.request(two + "/").location == "/channels"
        # The same link on the first process, which never saw it used: refused.
        thief = Browser()
        assert _confirm(thief, one, link) == 400
        assert thief.request(one + "/").location == "/signin"
        # Nor on the second again.
        assert _confirm(Browser(), two, link) == 400
    # A restarted server (a new application on the same store) refuses it too.
    restarted = _app(tmp_path, mailbox, clock)
    with serving(restarted) as three:
        assert _confirm(Browser(), three, link) == 400
    # The store holds a digest of the link's nonce, never the token.
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT digest FROM web_used_links")).scalars().all()
        asked = connection.execute(text("SELECT address, client FROM web_signin_requests")).all()
    assert len(rows) == 1 and len(rows[0]) == 64 and rows[0] not in link
    assert len(asked) == 1 and ADMIN not in asked[0] and "127.0.0.1" not in asked[0]


def test_sign_in_emails_are_limited_per_address_and_per_client(tmp_path: Path) -> None:
    clock = [datetime(2026, 10, 31, 12, tzinfo=UTC)]
    mailbox = Mailbox()
    limit = {"per_address": 2, "per_client": 3, "window_minutes": 10}
    first, second = _app(tmp_path, mailbox, clock, **limit), _app(tmp_path, mailbox, clock, **limit)
    with serving(first) as one, serving(second) as two:
        neutral = _ask(Browser(), one, ADMIN)
        assert 'id="sent"' in neutral
        assert 'id="sent"' in _ask(Browser(), two, ADMIN)  # the other process counts both
        assert len(mailbox.sent) == 2
        # The third for the address within the window: the same answer, nothing sent.
        assert _ask(Browser(), one, ADMIN) == neutral
        assert len(mailbox.sent) == 2
        # Another address from the same client: the client's third request is still sent
        # (the limited one counted for no one), its fourth is not.
        other = "boss@example.com"
        first.state.web.config = second.state.web.config = first.state.web.config.model_copy(
            update={
                "web": first.state.web.config.web.model_copy(
                    update={"admins": [ADMIN, other, "third@example.com"]}
                )
            }
        )
        assert _ask(Browser(), two, other) == neutral
        assert len(mailbox.sent) == 3
        assert _ask(Browser(), two, "third@example.com") == neutral
        assert len(mailbox.sent) == 3
        # Once the window has passed, the address gets a link again.
        clock[0] += timedelta(minutes=10, seconds=1)
        assert _ask(Browser(), one, ADMIN) == neutral
        assert len(mailbox.sent) == 4 and mailbox.sent[-1][2] == [ADMIN]


def test_the_limits_default_and_bounds() -> None:
    assert SigninLimitConfig() == SigninLimitConfig(per_address=3, per_client=20, window_minutes=15)
    with pytest.raises(ValueError, match="per_address"):
        SigninLimitConfig(per_address=0)
