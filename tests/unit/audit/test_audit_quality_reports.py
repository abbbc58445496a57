"""Record DQ scores, account engagement, and the report figures and renderings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from audit_rows import AS_OF, activity, company, row, snapshot

from sync.audit.checks import Context
from sync.audit.employees import Directory
from sync.audit.quality import engagement_scores, record_dq_scores
from sync.config.audit import AuditConfig
from sync.reports.figures import channel_report, pipeline_report
from sync.reports.render import render_csv, render_html, render_json


def _ctx(tables=None) -> Context:
    return Context(snapshot(tables), AuditConfig(), AS_OF)


def test_dq_score_is_the_share_of_checks_a_record_passes() -> None:
    dq = {d.remote_id: (str(d.score), d.failed) for d in record_dq_scores(_ctx())}
    assert dq["D1"] == ("60.0", ("contact_role", "logged_activity"))
    assert dq["D2"] == ("80.0", ("fresh",))
    assert dq["L1"] == ("33.3", ("required_fields", "source_channel"))  # 1 of 3, 1 place


def test_engagement_counts_recent_touches_across_channels() -> None:
    tables = company()
    tables["accounts"].append(row("hubspot", "AC1", "2026-01-01T00:00:00", name="Acme"))
    tables["contacts"][0]["account_id"] = "AC1"
    tables["activities"].append(
        activity(
            "hubspot",
            "H3",
            "2026-10-30T00:00:00",
            "70",
            account_id="AC1",
            activity_type="email",
            channel="email",
        )
    )
    ctx = _ctx(tables)
    [acme] = engagement_scores(ctx, Directory(ctx.snapshot, None))
    # recency 1 - 1/180, frequency 2/12, breadth 2/3
    assert (acme.account, acme.name, acme.touches, acme.channels) == ("hubspot:AC1", "Acme", 2, 2)
    assert acme.score == Decimal("65.6") and str(acme.score) == "65.6"


def test_engagement_rounds_the_exact_score_half_to_even() -> None:
    tables = company()
    tables["accounts"].append(row("hubspot", "AC2", "2026-01-01T00:00:00", name="Tie"))
    for rid, when in (("T1", "2026-09-01"), ("T2", "2026-09-15"), ("T3", "2026-10-22")):
        tables["activities"].append(
            activity("hubspot", rid, f"{when}T00:00:00", "70", account_id="AC2")
        )
    ctx = _ctx(tables)
    [tie] = [e for e in engagement_scores(ctx, Directory(ctx.snapshot, None)) if e.name == "Tie"]
    # 100 × (0.5 × (1 − 9/180) + 0.35 × 3/12 + 0.15 × 1/3) is 61.25 exactly: half to even
    # gives 61.2 (the float sum, 61.25000000000001, rounded to 61.3)
    assert (tie.touches, tie.channels, str(tie.score)) == (3, 1, "61.2")


def test_channel_report_keeps_revenue_per_currency() -> None:
    tables = company()
    tables["deals"].append(
        row(
            "salesforce",
            "D4",
            "2026-04-01T00:00:00",
            owner_id="U1",
            is_closed=True,
            is_won=True,
            close_date=date(2026, 4, 11),
            amount=Decimal("10"),
            currency="EUR",
            source_channel="web",
            raw={},
        )
    )
    # a store visit kept in a custom object, mapped as an activity on channel store
    tables["activities"].append(
        activity(
            "salesforce",
            "Store_Visit__c/a0V5g0000000001",
            "2026-10-20T11:00:00",
            "U1",
            contact_id=None,
            activity_type="meeting",
            channel="store",
        )
    )
    report = channel_report(snapshot(tables), AuditConfig().lead_objects, ["subscriber"])
    # touches: the fixture's four calls (two per CRM) on phone, the visit on store
    assert report["rows"] == [
        ["event", "salesforce", 0, 0, 1, 0, None, "", None],
        ["phone", "hubspot", 2, 0, 0, 0, None, "", None],
        ["phone", "salesforce", 2, 0, 0, 0, None, "", None],
        ["store", "salesforce", 1, 0, 0, 0, None, "", None],
        ["unknown", "salesforce", 0, 1, 0, 0, 0.0, "", None],
        ["web", "hubspot", 0, 1, 0, 0, 0.0, "", None],
        ["web", "salesforce", 0, 0, 3, 2, None, "EUR 10.00; USD 1000.00", 5.0],
    ]
    assert render_csv(report).splitlines()[0] == (
        "channel,crm,touches,leads,deals,won,won_per_lead,won_revenue,median_cycle_days"
    )


def test_pipeline_report_weights_open_deals_by_probability() -> None:
    report = pipeline_report(snapshot(), AS_OF)
    assert report["rows"] == [["(no account)", "EUR", "270.00"]]
    assert report["summary"] == [
        {
            "currency": "EUR",
            "open_pipeline": "700.00",
            "weighted_pipeline": "270.00",
            "open_deals": 2,
            "median_age_days": 157.0,
            "avg_won_deal": None,
            "median_days_to_close": None,
        },
        {
            "currency": "USD",
            "open_pipeline": "0.00",
            "weighted_pipeline": "0.00",
            "open_deals": 0,
            "median_age_days": None,
            "avg_won_deal": "1000.00",
            "median_days_to_close": 0.0,
        },
    ]
    assert '"weighted_amount"' in render_json(report)


def test_html_is_self_contained_and_escapes_crm_text() -> None:
    report = {
        "title": "T",
        "columns": ["name", "score"],
        "rows": [["<script>alert(1)</script>", 5]],
        "chart": [("<b>x</b>", 5)],
    }
    html = render_html([report], "as of 2026-10-31")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert (
        "<svg" in html
        and "<style>" in html
        and "http" not in html.replace("http://www.w3.org/2000/svg", "")
    )


def test_html_bars_show_a_decimal_score_with_its_digits_and_counts_as_before() -> None:
    report = {
        "title": "Usage",
        "columns": ["name", "score"],
        "rows": [],
        "chart": [("A", Decimal("100.0")), ("B", Decimal("45.5")), ("C", 3)],
    }
    html = render_html([report], "as of 2026-10-31")
    # the figure as the audit stored it; the width (pixels) is 420 × 45.5 / 100
    assert '<rect class="bar" x="220" y="25" width="191.1" height="15"></rect>' in html
    assert '<text class="label" x="417.1" y="36">45.5</text>' in html
    assert '<text class="label" x="646.0" y="14">100.0</text>' in html
    assert '<text class="label" x="238.6" y="58">3.0</text>' in html


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_written_inert() -> None:
    report = {
        "columns": ["deal", "amount", "note"],
        "rows": [
            ['=HYPERLINK("http://x","click")', Decimal("-40.00"), "+1 555"],
            ["@SUM(A1:A2)", "-12.50", "plain"],
            ["\tTabbed", 3, "-cmd|' /C calc'!A0"],
        ],
    }
    assert render_csv(report).splitlines() == [
        "deal,amount,note",
        '"\'=HYPERLINK(""http://x"",""click"")",-40.00,\'+1 555',
        "'@SUM(A1:A2),-12.50,plain",
        "'\tTabbed,3,'-cmd|' /C calc'!A0",
    ]
