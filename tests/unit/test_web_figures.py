"""The portal's own figures, computed by hand: the p-chart's limits and flags, who a
manager sees on a date (the dated hierarchy), and who an address signs in as."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from compensation.inputs import ManagerSpan
from sync.web.access import principal_for, team_on, viewer_for
from sync.web.figures import Lead, p_chart_points
from sync.web.view import Person


def _leads(month: int, n: int, converted: int) -> list[Lead]:
    at = datetime(2026, month, 15, tzinfo=UTC)
    return [Lead("crm", f"L{month}-{i}", "x", "web", None, at, i < converted) for i in range(n)]


def test_p_chart_limits_and_out_of_control_months() -> None:
    # 100 leads a month: 10, 50 and 30 converted. Centre 90/300 = 0.3;
    # sigma = sqrt(0.3 * 0.7 / 100) = 0.045826; limits 0.3 -/+ 0.137477.
    leads = _leads(8, 100, 10) + _leads(9, 100, 50) + _leads(10, 100, 30)
    points = p_chart_points(leads, ["2026-08", "2026-09", "2026-10", "2026-11"])["web"]
    assert [p["period"] for p in points] == ["2026-08", "2026-09", "2026-10"]
    assert [p["centre"] for p in points] == pytest.approx([0.3] * 3)
    assert [p["ucl"] for p in points] == pytest.approx([0.437477] * 3, abs=1e-6)
    assert [p["lcl"] for p in points] == pytest.approx([0.162523] * 3, abs=1e-6)
    assert [(p["rate"], p["out"]) for p in points] == [(0.1, True), (0.5, True), (0.3, False)]


def test_p_chart_limits_widen_for_small_months_and_clip_at_zero() -> None:
    # 4 leads, 0 converted, then 16 leads, 4 converted: centre 4/20 = 0.2.
    # Month 1: sigma = sqrt(0.16 / 4) = 0.2 -> limits [0, 0.8]; month 2: 0.1 -> [0, 0.5].
    points = p_chart_points(_leads(9, 4, 0) + _leads(10, 16, 4), ["2026-09", "2026-10"])["web"]
    assert [(p["lcl"], round(p["ucl"], 6), p["out"]) for p in points] == [
        (0.0, 0.8, False),
        (0.0, 0.5, False),
    ]


PEOPLE = {
    p.id: p
    for p in (
        Person("E-boss", "Ada Boss", "ada@example.com", "sales", "manager", None),
        Person("E-lead", "Bo Lead", "bo@example.com", "sales", "manager", "E-boss"),
        Person("E-rep1", "Cy Rep", "cy@example.com", "sales", "rep", "E-lead"),
        Person("E-rep2", "Di Rep", "di@example.com", "sales", "rep", "E-lead"),
    )
}
# Di reported to Ada directly until 30 Sep 2026, then to Bo.
SPANS = [
    ManagerSpan("E-rep2", "E-boss", date.min, date(2026, 9, 30)),
    ManagerSpan("E-rep2", "E-lead", date(2026, 10, 1), None),
]


def test_team_on_a_date_follows_the_dated_hierarchy_and_chains() -> None:
    assert team_on("E-lead", date(2026, 9, 15), SPANS, PEOPLE) == {"E-rep1"}
    assert team_on("E-lead", date(2026, 10, 15), SPANS, PEOPLE) == {"E-rep1", "E-rep2"}
    # Ada sees Bo and, through him, his reports; Di on either date.
    assert team_on("E-boss", date(2026, 9, 15), SPANS, PEOPLE) == {"E-lead", "E-rep1", "E-rep2"}
    assert team_on("E-rep1", date(2026, 10, 15), SPANS, PEOPLE) == set()


def test_roles_and_sign_in_addresses() -> None:
    admins = ["root@example.com"]
    assert principal_for(" CY@example.com ", PEOPLE, admins) == "E-rep1"
    assert principal_for("root@example.com", PEOPLE, admins) == "admin:root@example.com"
    assert principal_for("nobody@example.com", PEOPLE, admins) is None
    today = date(2026, 10, 15)
    rep = viewer_for("E-rep1", PEOPLE, admins, SPANS, today)
    lead = viewer_for("E-lead", PEOPLE, admins, SPANS, today)
    assert rep is not None and lead is not None
    assert (rep.role, lead.role) == ("employee", "manager")
    assert rep.sees("E-rep1") and not rep.sees("E-rep2")
    assert lead.sees("E-rep2") and not lead.sees("E-boss")
    root = viewer_for("admin:root@example.com", PEOPLE, admins, SPANS, today)
    assert root is not None and root.is_admin and root.sees("E-boss")
    # An admin removed from the configuration loses the session's rights.
    assert viewer_for("admin:root@example.com", PEOPLE, [], SPANS, today) is None


def test_chart_labels_from_the_crms_are_escaped_in_the_svg() -> None:
    from sync.web import charts

    svg = charts.bars([{"client": "<script>alert(1)</script>", "v": 3}], "client", "v", "<b>")
    assert "<script" not in svg and "&lt;script&gt;" in svg and "&lt;b&gt;" in svg


def test_namesakes_get_their_team_then_their_key_in_chart_labels() -> None:
    from sync.web.pages_people import _unique

    names = ["Michael Edwards", "Michael Edwards", "Ada Boss", "Cy Rep", "Cy Rep"]
    teams = ["sales", "service", "sales", "sales", "sales"]
    keys = ["E-1", "E-2", "E-3", "E-4", "E-5"]
    assert _unique(_unique(names, teams), keys) == [
        "Michael Edwards (sales)",
        "Michael Edwards (service)",
        "Ada Boss",
        "Cy Rep (sales) (E-4)",
        "Cy Rep (sales) (E-5)",
    ]
