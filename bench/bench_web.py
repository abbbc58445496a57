"""Web benchmark: each page of ``crmsync serve`` timed over HTTP on a sandbox store.

    python bench/bench_web.py [--scale medium] [--seed 1] [--employees 0] [--requests 20]
                              [--workspace DIR [--reuse]] [--json]

The sandbox company is synced and run through every step on 2026-10-31 (``run_demo``, as
``crmsync demo --anchor 2026-10-31`` does); with ``--employees N`` that many more CRM
users (spread over the teams, with addresses) are added to the store and the leads, deals
and cases are handed out among everyone before reconcile, the audit and the plan run, so
every page has N more people to show. The application then runs under uvicorn on
127.0.0.1 (as ``crmsync serve`` runs it), an admin and a manager sign in through the
e-mailed link, and each page is fetched: the first request (what it costs to load after a
run lands) and then ``--requests`` more, of which the p95 is reported.

Issue floors: each page <= 300 ms p95 on the medium sandbox, <= 1 s with 5,000 employees.
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
import uvicorn
from sqlalchemy import Engine, text

from sandbox.clock import DEFAULT_ANCHOR
from sync.config import load_config
from sync.demo import run_demo
from sync.store import open_store

NOW = datetime(2026, 10, 31, 12, tzinfo=UTC)
ADMIN = "revops@altamira-instruments.com"
PAGES = ("/pay", "/channels", "/pipeline", "/usage", "/journey?q=lab", "/review")
MANAGER_PAGES = PAGES[:-1]  # the review page is for admins


def _more_people(engine: Engine, count: int) -> None:
    """Add ``count`` Salesforce users in the sales teams and spread the records' owners over
    everyone (before reconcile, the audit and the plan run see them)."""
    teams = ("Field Sales", "Call Centre", "Marketing", "Service")
    with engine.begin() as conn:
        template = (
            conn.execute(
                text("SELECT * FROM users WHERE source = 'salesforce' ORDER BY remote_id LIMIT 1")
            )
            .mappings()
            .one()
        )
        rows = []
        for i in range(count):
            row = dict(template)
            row.pop("id", None)  # the store numbers its rows
            row.update(
                remote_id=f"005BENCH{i:07d}",
                name=f"Bench Person {i:05d}",
                first_name="Bench",
                last_name=f"Person {i:05d}",
                email=f"bench.person{i:05d}@altamira-instruments.com",
                department=teams[i % len(teams)],
                title=None,
                is_active=True,
            )
            rows.append(row)
        columns = list(rows[0])
        names, values = ", ".join(columns), ", ".join(":" + c for c in columns)
        conn.execute(text(f"INSERT INTO users ({names}) VALUES ({values})"), rows)
        for table in ("leads", "deals", "cases", "accounts", "contacts"):
            ids = [
                r[0]
                for r in conn.execute(text(f"SELECT id FROM {table} WHERE source = 'salesforce'"))
            ]
            conn.execute(
                text(f"UPDATE {table} SET owner_id = :owner WHERE id = :id"),
                [
                    {"owner": f"005BENCH{i % count:07d}", "id": row_id}
                    for i, row_id in enumerate(ids)
                    if i % 2 == 0
                ],
            )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sign_in(base: str, address: str, mails: list[tuple[str, str, Any]]) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/signin").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    session.post(f"{base}/signin", data={"email": address, "csrf": csrf})
    link = re.search(r"http://\S+/signin/\S+", mails[-1][1]).group(0)  # type: ignore[union-attr]
    page = session.get(link).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    session.post(f"{base}/signin/confirm", data={"csrf": csrf, "token": token})
    return session


def _time(session: requests.Session, url: str, count: int) -> dict[str, Any]:
    started = time.perf_counter()
    first = session.get(url)
    cold = time.perf_counter() - started
    assert first.status_code == 200, (url, first.status_code)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        response = session.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    return {
        "first_ms": round(cold * 1000),
        "median_ms": round(statistics.median(times) * 1000),
        "p95_ms": round(p95 * 1000),
        "bytes": len(first.content),
    }


def run(
    scale: str,
    seed: int,
    employees: int,
    count: int,
    workspace: Path,
    reuse: bool = False,
    preload: bool = True,
) -> dict[str, Any]:
    from types import SimpleNamespace

    from sync.config.steps import STEP_NAMES
    from sync.web.app import create_app

    started = time.perf_counter()
    demo: Any
    if reuse and (workspace / "crmsync.yaml").exists():
        demo = SimpleNamespace(config_path=workspace / "crmsync.yaml")
    else:
        steps = () if employees else STEP_NAMES
        demo = run_demo(workspace, seed=seed, scale=scale, anchor=DEFAULT_ANCHOR, steps=steps)
    cfg = load_config(demo.config_path, connectors=False)
    if employees:
        _more_people(open_store(cfg.store.url), employees)
        _run_steps(demo.config_path)
    prepared = time.perf_counter() - started
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    web = cfg.web.model_copy(
        update={"admins": [ADMIN], "base_url": base, "preload_seconds": 10 if preload else 0}
    )
    cfg = cfg.model_copy(update={"web": web})
    mails: list[tuple[str, str, Any]] = []
    engine = open_store(cfg.store.url)
    app = create_app(
        cfg,
        engine,
        now=lambda: NOW,
        send_mail=lambda s, b, r: mails.append((s, b, r)),
        secret="b" * 40,
    )
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    with engine.connect() as conn:
        people = conn.execute(
            text("SELECT COUNT(*) FROM identities WHERE kind = 'employee'")
        ).scalar()
    view = app.state.web.view
    view.refresh()
    directory = view.people()
    manager = sorted(p.manager for p in directory.values() if p.manager)[0]
    results: dict[str, Any] = {
        "scale": scale,
        "seed": seed,
        "employees": len(directory),
        "employee_identities": people,
        "prepare_s": round(prepared, 1),
    }
    sessions = {}
    for who, address in (("admin", ADMIN), ("manager", directory[manager].email)):
        session = sessions[who] = _sign_in(base, address, mails)
        pages = PAGES if who == "admin" else MANAGER_PAGES
        results[who] = {page: _time(session, base + page, count) for page in pages}
    if preload:
        results["after_run"] = _after_run(cfg, view, base, sessions["manager"])
    server.should_exit = True
    return results


def _after_run(cfg: Any, view: Any, base: str, session: requests.Session) -> dict[str, Any]:
    """A plan run lands while the server runs; the server notices it (web.preload_seconds)
    and loads the pages' data in the background. Reported: how long after the run the data
    was ready, how long the load took, and then the first views of the manager's pages."""
    from compensation.plans import Period
    from sync.compute.periods import run_plans

    before = view.stamp()
    run_plans(open_store(cfg.store.url), cfg.compensation, Period.parse("2026-10"), now=NOW)
    landed = time.perf_counter()
    while not (
        view.last_warm and view.last_warm[0] != before and view.last_warm[0] == view.stamp()
    ):
        time.sleep(0.05)
    ready = time.perf_counter() - landed
    first = {}
    for page in ("/pay", "/channels", "/pipeline", "/usage"):
        started = time.perf_counter()
        assert session.get(base + page).status_code == 200
        first[page] = round((time.perf_counter() - started) * 1000)
    return {
        "ready_after_s": round(ready, 1),
        "load_s": round(view.last_warm[1], 1),
        "first_ms": first,
    }


def _run_steps(config_path: Path) -> None:
    """Reconcile, audit and the period's plan run on the store, in the sandbox's time."""
    from compensation.plans import Period
    from sync.audit.audits import run_audit
    from sync.compute.periods import run_plans
    from sync.reconcile.reconciling import reconcile

    cfg = load_config(config_path, connectors=False)
    engine = open_store(cfg.store.url)
    reconcile(engine, cfg.reconcile, NOW, "full")
    run_audit(engine, cfg.audit, NOW)
    run_plans(engine, cfg.compensation, Period.parse("2026-10"), now=NOW)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--employees", type=int, default=0)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--workspace", type=Path, default=None)
    parser.add_argument(
        "--reuse", action="store_true", help="Serve the store a previous run left in --workspace."
    )
    parser.add_argument(
        "--no-preload",
        action="store_true",
        help="web.preload_seconds 0: the first view after a run loads the data (as before).",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    workspace = args.workspace or Path(tempfile.mkdtemp(prefix="bench-web-"))
    results = run(
        args.scale,
        args.seed,
        args.employees,
        args.requests,
        workspace,
        args.reuse,
        not args.no_preload,
    )
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(
        f"{results['scale']} sandbox, {results['employees']:,} employees "
        f"(prepared in {results['prepare_s']} s)"
    )
    for who in ("admin", "manager"):
        for page, r in results[who].items():
            print(
                f"  {who:8} {page:16} first {r['first_ms']:6} ms  median {r['median_ms']:5} ms  "
                f"p95 {r['p95_ms']:5} ms  {r['bytes']:,} bytes"
            )
    after = results.get("after_run")
    if after:
        firsts = "  ".join(f"{page} {ms} ms" for page, ms in after["first_ms"].items())
        print(
            f"  after a plan run lands: data ready {after['ready_after_s']} s later "
            f"(load {after['load_s']} s); first views (manager): {firsts}"
        )


if __name__ == "__main__":
    main()
