"""``crmsync serve`` in a real browser (Playwright driving Debian's chromium) on the small
sandbox company, synced and run through every step on 31 Oct 2026: sign-in by the link
the local SMTP server receives, every page with its charts drawn, and the URLs nobody
may open. ``CRMSYNC_UPDATE_SCREENSHOTS=1`` also writes each page's screenshot to docs/web/.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from sandbox.clock import DEFAULT_ANCHOR
from sync.config import load_config
from sync.config.mail import EmailConfig
from sync.config.steps import STEP_NAMES
from sync.demo import run_demo
from sync.store import open_store

uvicorn = pytest.importorskip("uvicorn")
playwright_api = pytest.importorskip("playwright.sync_api")
from mail_support import smtp_capture  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("no chromium on this machine (apt-get install chromium)", allow_module_level=True)

NOW = datetime(2026, 10, 31, 12, tzinfo=UTC)
ADMIN = "revops@altamira-instruments.com"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "web"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from sync.web.app import create_app

    workspace = tmp_path_factory.mktemp("web")
    demo = run_demo(workspace, seed=1, scale="small", anchor=DEFAULT_ANCHOR, steps=STEP_NAMES)
    assert demo.ok
    with smtp_capture() as capture:
        cfg = load_config(demo.config_path, connectors=False)
        email = EmailConfig(host="127.0.0.1", port=capture.port, security="none")
        web = cfg.web.model_copy(update={"admins": [ADMIN]})
        cfg = cfg.model_copy(update={"email": email, "web": web})
        engine = open_store(cfg.store.url)
        queries: list[str] = []
        event.listen(engine, "before_cursor_execute", lambda *a: queries.append(a[2]))
        app = create_app(cfg, engine, now=lambda: NOW, secret="s" * 40, warm=False)
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        cfg = cfg.model_copy(update={"web": web.model_copy(update={"base_url": base})})
        app.state.web.config = cfg
        view = app.state.web.view
        view.refresh()
        with playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            yield {
                "base": base,
                "browser": browser,
                "capture": capture,
                "engine": engine,
                "config": cfg,
                "people": view.people(),
                "view": view,
                "queries": queries,
            }
            browser.close()
        server.should_exit = True
        thread.join(10)


def _sign_in(site: dict[str, Any], address: str) -> Any:
    page = site["browser"].new_page(viewport={"width": 1280, "height": 900})
    page.goto(site["base"] + "/pay")
    assert page.url.endswith("/signin")
    page.fill("input[name=email]", address)
    page.click("button[type=submit]")
    page.wait_for_selector("#sent")
    mail = [m for m in site["capture"].received if address in m.rcpt_tos][-1]
    link = re.search(r"http://\S+/signin/\S+", mail.part("plain")).group(0)  # type: ignore[union-attr]
    page.goto(link)
    with page.expect_navigation():  # the confirmation posts, then lands on the first page
        page.click("#confirm")
    return page


def _shot(page: Any, name: str) -> None:
    if os.environ.get("CRMSYNC_UPDATE_SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        height = min(1800, page.evaluate("document.body.scrollHeight"))
        clip = {"x": 0, "y": 0, "width": 1280, "height": height}
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, clip=clip)


def _team(site: dict[str, Any]) -> tuple[Any, Any, Any]:
    """A manager, one of their reports, and an employee of another team."""
    people = site["people"]
    managers = sorted({p.manager for p in people.values() if p.manager})
    boss = people[managers[0]]
    mine = sorted(p.id for p in people.values() if p.manager == boss.id and p.email)
    other = sorted(p.id for p in people.values() if p.manager and p.manager != boss.id and p.email)
    return boss, people[mine[0]], people[other[0]]


def test_employee_sees_own_pay_and_nobody_elses(site: dict[str, Any]) -> None:
    boss, rep, stranger = _team(site)
    statements = site["view"].statements("2026-10")
    own = statements[rep.id]
    page = _sign_in(site, rep.email)
    assert page.url.endswith("/pay")
    headers = page.request.get(site["base"] + "/pay").headers
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["referrer-policy"] == "no-referrer"
    shown = page.inner_text("#total")
    assert shown == f"{own.total_payable:,.2f} {own.currency}"
    assert own.what_if is not None and own.what_if.deals
    assert page.locator("#what-if tr").count() == len(own.what_if.deals) + 2
    assert page.frame_locator("iframe.statement").locator("body").inner_text()
    _shot(page, "pay")
    # The simulator on an open deal as it stands pays what the statement says it would add.
    deal = own.what_if.deals[0]
    page.locator("#what-if form").first.locator("button").click()
    assert page.inner_text("#earned") == f"+{deal.potential:,.2f} {own.currency}"
    _shot(page, "what-if")
    stranger_deals = statements[stranger.id].what_if
    if stranger_deals and stranger_deals.deals:
        theirs = stranger_deals.deals[0].deal_key
        if theirs not in {d.deal_key for d in own.what_if.deals}:
            assert page.goto(f"{site['base']}/pay/simulate?deal={theirs}").status == 404
    page.goto(site["base"] + "/pay")
    # Another employee's statement: as if it did not exist.
    assert page.goto(f"{site['base']}/pay/2026-10/{stranger.id}").status == 404
    assert page.goto(f"{site['base']}/pay/2026-10/{boss.id}").status == 404
    assert page.goto(f"{site['base']}/usage/{stranger.id}").status == 404
    for admin_or_manager_page in ("/review", "/channels", "/pipeline", "/journey"):
        assert page.goto(site["base"] + admin_or_manager_page).status == 403
    # A form posted without the session's CSRF token is refused.
    response = page.request.post(
        site["base"] + "/signout", form={"csrf": "forged"}, max_redirects=0
    )
    assert response.status == 403
    page.close()


def test_sign_in_link_works_once(site: dict[str, Any]) -> None:
    _, rep, _ = _team(site)
    page = _sign_in(site, rep.email)
    mail = [m for m in site["capture"].received if rep.email in m.rcpt_tos][-1]
    link = re.search(r"http://\S+/signin/\S+", mail.part("plain")).group(0)  # type: ignore[union-attr]
    other = site["browser"].new_page()
    other.goto(link)
    with other.expect_navigation():  # the confirm page has a <main> too: read the next one
        other.click("#confirm")
    assert "expired or was already used" in other.inner_text("main")
    assert other.goto(site["base"] + "/pay").url.endswith("/signin")
    # Unknown addresses are told the same, and get nothing.
    before = len(site["capture"].received)
    other.fill("input[name=email]", "nobody@example.com")
    other.click("button[type=submit]")
    other.wait_for_selector("#sent")
    assert len(site["capture"].received) == before
    other.close()
    page.close()


def test_manager_pages_with_charts(site: dict[str, Any]) -> None:
    boss, rep, stranger = _team(site)
    page = _sign_in(site, boss.email)
    assert page.url.endswith("/channels")
    assert page.locator("#revenue-chart svg .mark-rect path").count() > 0
    charts = page.locator(".p-chart")
    assert charts.count() > 0
    assert page.locator(".p-chart svg .mark-symbol path").count() > 0
    channel = page.locator(".p-chart").first.get_attribute("data-channel")
    page.select_option("select[name=channel]", channel)
    with page.expect_navigation():  # the filtered page, not the one it replaces
        page.click("form.filters button")
    cells = page.locator("#leads tr td:nth-child(3)").all_inner_texts()
    assert cells and set(cells) == {channel.replace("_", " ").capitalize()}
    page.goto(site["base"] + "/pipeline")
    assert page.locator("#stage-chart svg .mark-rect path").count() > 0
    assert page.locator("#clients tr").count() > 1
    page.goto(site["base"] + "/usage")
    names = page.locator("#employees td:first-child").all_inner_texts()
    assert rep.name in names and stranger.name not in names
    assert page.locator("#usage-chart svg .mark-rect path").count() > 0
    with page.expect_navigation():
        page.click(f"a[href='/usage/{rep.id}']")
    assert page.inner_text("h1") == f"CRM usage: {rep.name}"
    links = page.locator("#findings a").evaluate_all("els => els.map(e => e.href)")
    # Every finding names its record and links to it in its CRM.
    assert len(links) == page.locator("#findings tr").count() - 1 > 0
    assert all(href.startswith("https://") for href in links)
    # The team's statements; someone else's team's is not there.
    assert page.goto(f"{site['base']}/pay/2026-10/{rep.id}").status == 200
    assert page.goto(f"{site['base']}/pay/2026-10/{stranger.id}").status == 404
    page.goto(site["base"] + "/journey?q=a")
    assert page.locator("#matches a").count() > 0
    # A customer's journey is the manager's to see only if their team touched it.
    touched, untouched = _journeys_by_team(site, boss.id)
    assert page.goto(f"{site['base']}/journey?identity={touched}").status == 200
    assert page.locator("#timeline tr").count() > 1
    assert page.goto(f"{site['base']}/journey?identity={untouched}").status == 404
    page.close()


def _journeys_by_team(site: dict[str, Any], manager: str) -> tuple[str, str]:
    """An organisation someone of ``manager``'s team touched, and one nobody of it did."""
    from sync.reconcile.journey import journey
    from sync.web.access import team_on

    view = site["view"]
    team = team_on(manager, NOW.date(), view.spans(), view.people()) | {manager}
    with site["engine"].connect() as connection:
        orgs = connection.execute(
            text("SELECT identity_id FROM identities WHERE kind = 'organisation' ORDER BY 1")
        ).scalars()
        found: dict[bool, str] = {}
        for org in orgs:
            who = {
                t.employee_id
                for t in journey(site["engine"], view.identities(), org)
                if t.employee_id
            }
            if who:
                found.setdefault(bool(who & team), org)
            if len(found) == 2:
                return found[True], found[False]
    raise AssertionError("the sandbox has no organisation of each kind")


def test_admin_journey_and_identity_review(site: dict[str, Any]) -> None:
    page = _sign_in(site, ADMIN)
    with site["engine"].connect() as connection:
        # The company seen in the most CRMs: its journey crosses them.
        account = connection.execute(
            text(
                "SELECT m.identity_id FROM identity_members m JOIN identities i "
                "ON i.identity_id = m.identity_id WHERE i.kind = 'organisation' "
                "GROUP BY m.identity_id ORDER BY COUNT(DISTINCT m.source) DESC, "
                "COUNT(*) DESC, m.identity_id LIMIT 1"
            )
        ).one()[0]
    for name in ("channels", "pipeline", "usage"):
        page.goto(f"{site['base']}/{name}")
        _shot(page, name)
    # One bar per scored employee (namesakes apart), at most forty.
    scored = [
        t for t in page.locator("#employees tr td:nth-child(3)").all_inner_texts() if t != "–"
    ]
    assert page.locator("#usage-chart svg .mark-rect path").count() == min(40, len(scored))
    # The open pipeline per currency, summed here from the store's open deals.
    with site["engine"].connect() as connection:
        deals = connection.execute(
            text(
                "SELECT currency, amount FROM deals WHERE NOT is_deleted AND NOT is_closed "
                "AND amount IS NOT NULL"
            )
        ).all()
    expected: dict[str, Decimal] = {}
    for currency, amount in deals:
        expected[currency or "?"] = expected.get(currency or "?", Decimal(0)) + Decimal(amount)
    assert len(expected) >= 2  # several currencies
    page.goto(f"{site['base']}/pipeline")
    shown = {
        row[0]: row[1]
        for row in (r.split("\t") for r in page.locator("#per-currency tr").all_inner_texts()[1:])
    }
    assert {c: a for c, a in shown.items() if a != "0.00"} == {
        c: f"{a:,.2f}" for c, a in expected.items()
    }
    page.goto(f"{site['base']}/journey?identity={account}")
    assert page.locator("#timeline tr").count() > 1
    crms = set(page.locator("#timeline tr td:nth-child(2)").all_inner_texts())
    assert len(crms) >= 2
    _shot(page, "journey")
    page.goto(site["base"] + "/review")
    pairs = page.locator("section.pair")
    assert pairs.count() > 0
    assert page.locator("table.weights td.n").count() > 0
    _shot(page, "review")
    first = pairs.first
    a = first.locator("input[name=a]").get_attribute("value")
    b = first.locator("input[name=b]").get_attribute("value")
    first.locator("input[name=reason]").fill("same lab, checked by phone")
    first.locator("button[value=unlink]").click()
    assert "Decision saved (unlink)" in page.inner_text("#done")
    with site["engine"].connect() as connection:
        row = connection.execute(
            text("SELECT action, note FROM reconcile_decisions WHERE a_key = :a AND b_key = :b"),
            {"a": min(a, b), "b": max(a, b)},
        ).one()
    assert row[0] == "unlink" and row[1].startswith("same lab, checked by phone")
    page.close()


def test_pages_read_the_store_in_a_bounded_number_of_queries(site: dict[str, Any]) -> None:
    page = _sign_in(site, ADMIN)
    for path in ("/pay", "/channels", "/pipeline", "/usage", "/review"):
        page.goto(site["base"] + path)  # loads what the page needs
        site["queries"].clear()
        page.goto(site["base"] + path)
        # Once loaded: the store-state check, and the review band for the review page.
        assert len(site["queries"]) <= 2, (path, site["queries"])
    page.close()
