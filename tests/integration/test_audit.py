"""The audit on a synced sandbox store (small scale): every injected usage problem is found
and attributed, diligent employees score above sloppy ones, results are reproducible."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from statistics import mean
from typing import Any

import pytest
from sqlalchemy import Engine

from sandbox.clock import DEFAULT_ANCHOR
from sync.audit import AuditConfig, latest_findings, latest_usage_scores, run_audit, score_values
from sync.demo import run_demo
from sync.reports import channel_report, pipeline_report, render_html, service_report
from sync.reports.figures import usage_report
from sync.store import open_store

AS_OF = datetime(2026, 10, 31, tzinfo=UTC)
# Ground-truth problem -> the rules that must report it.
RULES_FOR = {
    "missing_fields": {"missing_required_fields"},
    "deal_created_at_close": {"deal_created_at_close"},
    "no_activity_on_won_deal": {"won_deal_no_activity"},
    "stale_open_deal": {"open_deal_stale", "open_deal_past_close"},
    "slow_lead_response": {"slow_lead_response"},
    "no_lead_source": {"missing_source_channel"},
    "duplicate_created": {"duplicate_created"},
}
_TABLE = {
    "Lead": "leads",
    "Leads": "leads",
    "Contact": "contacts",
    "Contacts": "contacts",
    "contacts": "contacts",
    "Account": "accounts",
    "Accounts": "accounts",
    "companies": "accounts",
    "User": "users",
    "users": "users",
    "owners": "users",
}


class TruthIdentities:
    """Reconcile's answer taken from the ground truth: a perfect identity map."""

    def __init__(self, truth: Path) -> None:
        self._records: dict[tuple[str, str, str], str] = {}
        for line in (truth / "identities.jsonl").read_text().splitlines():
            item = json.loads(line)
            table = _TABLE.get(item["object"])
            if table:
                self._records[(item["crm"], table, item["id"])] = item["identity"]

    def employee_of(self, source: str, user_remote_id: str) -> str | None:
        return self._records.get((source, "users", user_remote_id))

    def identity_of(self, source: str, table: str, remote_id: str) -> str | None:
        return self._records.get((source, table, remote_id))

    def members(self, identity_id: str) -> list[tuple[str, str, str]]:
        return sorted(k for k, v in self._records.items() if v == identity_id)

    def employees(self) -> dict[str, Any]:
        return {}  # the truth holds no golden names: each keeps its first CRM user's

    def __len__(self) -> int:
        return len(self._records)


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    workspace = tmp_path_factory.mktemp("audit-demo")
    result = run_demo(workspace, seed=1, scale="small", anchor=DEFAULT_ANCHOR)
    assert result.ok
    truth = workspace / "sandbox" / "ground_truth"
    return {
        "engine": open_store(result.store_url),
        "truth": truth,
        "workspace": workspace,
        "problems": _jsonl(truth / "usage_problems.jsonl"),
        "employees": {e["employee_id"]: e for e in _jsonl(truth / "employees.jsonl")},
    }


def _missed(findings: list[Any], problems: list[dict[str, Any]], owner_of: Any) -> list[Any]:
    by_record: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for finding in findings:
        by_record[(finding.source, finding.remote_id)].append(finding)
    missed = []
    for problem in problems:
        hits = [
            f
            for f in by_record[(problem["crm"], problem["id"])]
            if f.rule in RULES_FOR[problem["problem"]] and owner_of(f) == problem["employee_id"]
        ]
        if not hits:
            missed.append(problem)
    return missed


def test_every_injected_problem_is_found_and_attributed(demo: dict[str, Any]) -> None:
    engine: Engine = demo["engine"]
    identities = TruthIdentities(demo["truth"])
    result = run_audit(engine, AuditConfig(), AS_OF, identities=identities, persist=False)
    assert len(demo["problems"]) > 300
    assert {p["problem"] for p in demo["problems"]} >= set(RULES_FOR) - {"no_lead_source"}
    assert _missed(result.findings, demo["problems"], lambda f: f.employee) == []


def test_without_identities_findings_name_per_crm_employees(demo: dict[str, Any]) -> None:
    engine: Engine = demo["engine"]
    result = run_audit(engine, AuditConfig(), AS_OF, identities=None, persist=False)
    employee_of_user = {
        (a["crm"], a["user_id"]): e["employee_id"]
        for e in demo["employees"].values()
        for a in e["accounts"]
    }
    problems = [p for p in demo["problems"] if p["problem"] != "duplicate_created"]
    missed = _missed(
        result.findings, problems, lambda f: employee_of_user.get((f.source, f.user_id))
    )
    assert missed == []
    assert not [f for f in result.findings if f.rule == "duplicate_created"]
    assert all(f.employee == f"{f.source}:{f.user_id}" for f in result.findings if f.user_id)


def test_diligent_employees_score_clearly_above_sloppy_ones(demo: dict[str, Any]) -> None:
    config = AuditConfig(window_days=540)
    identities = TruthIdentities(demo["truth"])
    result = run_audit(demo["engine"], config, AS_OF, identities=identities, persist=False)
    scores = {s.subject: s.score for s in result.scores if s.score is not None}
    measured = {"missing_fields", "no_activity_logging", "stale_deals", "slow_response"}
    diligent, sloppy = [], []
    for employee_id, employee in demo["employees"].items():
        if employee_id not in scores or not employee["active"]:
            continue
        if employee["habits"] == ["diligent"]:
            diligent.append(scores[employee_id])
        elif measured & set(employee["habits"]):
            sloppy.append(scores[employee_id])
    assert len(diligent) >= 10 and len(sloppy) >= 8
    assert mean(diligent) - mean(sloppy) >= 8, (mean(diligent), mean(sloppy))


def test_runs_are_reproducible_and_readable_back(demo: dict[str, Any]) -> None:
    engine: Engine = demo["engine"]
    first = run_audit(engine, AuditConfig(), AS_OF)
    second = run_audit(engine, AuditConfig(), AS_OF)
    assert first.findings == second.findings and first.scores == second.scores
    assert first.dq == second.dq and first.engagement == second.engagement
    stored = latest_usage_scores(engine)
    assert {k: v.score for k, v in stored.items() if v.kind == "employee"} == {
        s.subject: s.score for s in second.scores
    }
    assert latest_findings(engine) == second.findings
    values = score_values(engine)
    assert {v.key for v in values} == {"usage_score", "dq_score", "engagement_score"}
    # one per deal: the 260 opportunities and deals of Salesforce, HubSpot and Zoho (60 of
    # them consumers'), the consumers' 69 orders, and 100 opportunities and 67 orders (a
    # custom table) in Dynamics; Oracle's orders share the orders file, and are not synced
    truth = demo["truth"]
    names = ("deals", "orders", "dynamics_deals", "dynamics_orders")
    synced = ("salesforce", "hubspot", "zoho", "dynamics")
    deals = [len([r for r in _jsonl(truth / f"{n}.jsonl") if r["crm"] in synced]) for n in names]
    assert deals == [260, 69, 100, 67]
    assert len([v for v in values if v.key == "dq_score"]) == sum(deals)


def _browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def test_the_html_report_renders_in_headless_chromium(demo: dict[str, Any]) -> None:
    browser = _browser()
    if browser is None:
        pytest.skip("no chromium, chromium-browser or google-chrome on PATH")
    from sync.audit.snapshot import load_snapshot

    engine: Engine = demo["engine"]
    snapshot = load_snapshot(engine)
    config = AuditConfig()
    result = run_audit(engine, config, AS_OF, persist=False)
    html = render_html(
        [
            usage_report(result, {}),
            channel_report(snapshot, config.lead_objects, config.non_lead_stages),
            pipeline_report(snapshot, AS_OF),
            service_report(snapshot, AS_OF, config.case_sla_hours),
        ],
        "as of 2026-10-31",
    )
    page = demo["workspace"] / "report.html"
    page.write_text(html, encoding="utf-8")
    shot = demo["workspace"] / "report.png"
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--screenshot={shot}",
            "--window-size=1280,2000",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_consumers_contacts_are_not_asked_for_a_company_or_a_job_title(
    demo: dict[str, Any],
) -> None:
    # HubSpot's and Zoho's consumers are contacts with no company: the demo's rules
    # (audit.consumer_contacts) tell them apart; Salesforce's are person accounts.
    from sandbox.custom_mappings import CONSUMER_RULES

    b2c = _jsonl(demo["truth"] / "b2c.jsonl")
    consumers = {(r["crm"], r["id"]) for r in b2c if r["object"] in ("contacts", "Contacts")}
    business = ("jobtitle", "company", "Title")

    def asked(config: AuditConfig) -> dict[str, int]:
        found = run_audit(demo["engine"], config, AS_OF, persist=False).findings
        counts: dict[str, int] = defaultdict(int)
        for f in found:
            if f.rule != "missing_required_fields" or (f.source, f.remote_id) not in consumers:
                continue
            if any(name in f.message for name in business):
                counts[f.source] += 1
        return dict(counts)

    assert asked(AuditConfig.model_validate({"consumer_contacts": CONSUMER_RULES})) == {}
    # without them: the 15 HubSpot and 15 Zoho buyers, and the 10 Salesforce buyers who
    # first filled in the web shop's form (a HubSpot contact)
    assert asked(AuditConfig()) == {"hubspot": 25, "zoho": 15}
