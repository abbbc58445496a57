"""Real statements a rep would trust, rendered through the real path: the sandbox company
(small, seed 7) synced, reconciled and audited, September run and closed, October run,
then ``statements_for_period`` and the renderer as ``crmsync statements render`` uses them.

Every amount below was computed by hand from the plan (field sales v2: monthly quota
100,000 USD, marginal tiers 2% to 50%, 4% to 100%, 6% to 150%, 3% above, threshold 20%),
the credits and the rates file (GBP 1.30 and EUR 1.10 to USD from 2026-10-01).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine

from compensation.calculation import PriorState, simulate
from compensation.plans import Period
from compensation.statements import Statement
from sandbox.clock import DEFAULT_ANCHOR
from sync.audit.audits import run_audit
from sync.compute.history import closed_periods, load_adjustments
from sync.compute.periods import close, run_plans
from sync.compute.prepare import prepare
from sync.compute.statement_pay import _per_employee
from sync.compute.statements import statements_for_period
from sync.config import CrmsyncConfig, load_config
from sync.config.audit import AuditConfig
from sync.config.reconcile import ReconcileConfig
from sync.demo import run_demo
from sync.mail.service import make_renderer, write_previews
from sync.reconcile import load_identity_map
from sync.reconcile.reconciling import reconcile
from sync.store import open_store

NOW = datetime(2026, 10, 31, 12, tzinfo=UTC)
REP = "Alexander Scott"  # field sales v2, a recoverable draw, withheld lines, open deals


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, CrmsyncConfig]:
    workspace = tmp_path_factory.mktemp("statements")
    demo = run_demo(workspace, seed=7, scale="small", anchor=DEFAULT_ANCHOR)
    assert demo.ok
    engine = open_store(demo.store_url)
    reconcile(engine, ReconcileConfig(), NOW, "full")
    run_audit(engine, AuditConfig(), NOW)
    config = load_config(demo.config_path)
    # August is run but left open: the open October counts it as provisional, the
    # closed September (a final statement) does not.
    august = datetime(2026, 8, 31, 18, tzinfo=UTC)
    run_plans(engine, config.compensation, Period.parse("2026-08"), now=august)
    september = Period.parse("2026-09")
    run_plans(engine, config.compensation, september, now=datetime(2026, 9, 30, 18, tzinfo=UTC))
    close(
        engine,
        september,
        closed_on=date(2026, 10, 5),
        by="payroll",
        now=datetime(2026, 10, 5, 9, tzinfo=UTC),
    )
    run_plans(engine, config.compensation, Period.parse("2026-10"), now=NOW)
    return engine, config


def _statements(world: tuple[Engine, CrmsyncConfig], period: str = "2026-10") -> list[Statement]:
    return statements_for_period(world[0], world[1], period)


def _text(config: CrmsyncConfig, statement: Statement) -> str:
    return make_renderer(config).render(statement).text


def _section(text: str, title: str) -> list[str]:
    """The lines of the ``== title ==`` section of a text statement."""
    lines = text.split(f"== {title}", 1)[1].split("\n\n", 1)[0].splitlines()
    return lines[1:]


def _rep(world: tuple[Engine, CrmsyncConfig], period: str = "2026-10") -> Statement:
    (found,) = [s for s in _statements(world, period) if s.recipient.name == REP]
    return found


def test_withheld_lines_say_what_they_would_have_paid_role_and_why(world) -> None:  # type: ignore[no-untyped-def]
    # Credit 21,733.02 and 16,299.76 USD: 38,032.78 together is 38% of quota, past the
    # 20% threshold, in the 2% tier: 434.6604 -> 434.66 and 325.9952 -> 326.00.
    statement = _rep(world)
    assert [(w.deal_name, w.slot, w.amount) for w in statement.withheld] == [
        ("Farmacéutica Guadalquivir - Spectrophotometer", "close", Decimal("434.66")),
        ("Farmacéutica Guadalquivir - Spectrophotometer", "field_work", Decimal("326.00")),
    ]
    reason = (
        "  This deal was created in the CRM 1 day before its close date; the plan needs 2: "
        "record opportunities as soon as they open"
    )
    advice = "  Next time: Enter each opportunity in the CRM at least 2 days before it closes."
    assert _section(_text(world[1], statement), "Pay withheld") == [
        "These amounts were not paid because a plan gate was not met.",
        "* Farmacéutica Guadalquivir - Spectrophotometer (closing): Would have paid $434.66",
        reason,
        advice,
        "* Farmacéutica Guadalquivir - Spectrophotometer (field work): Would have paid $326.00",
        reason,
        advice,
    ]


def test_the_usage_score_shows_its_components_and_how_to_raise_each(world) -> None:  # type: ignore[no-untyped-def]
    # Weights 0.25, 0.20, 0.20, 0.10, 0.10 of the components with records (responsiveness
    # has none): 0.85, so 29.4%, 23.5%, 23.5%, 11.8%, 11.8%; 100 x (0.25 + 0.2 x 0.112 +
    # 0.2 x 0.7793 + 0.1 + 0.1) / 0.85 = 73.9, the pipeline's freshness at 11.2% since the
    # audit counts activities entered days after they happened against it, and his records
    # 3 of 4 complete: one open deal at 75% has no next step (0.75 lifted toward the team's
    # 0.8965 by 1/5 on 4 < m = 5 checks: 0.7793).
    assert _section(_text(world[1], _rep(world)), "CRM usage score") == [
        "Your score is 74 out of 100.",
        "From 85: commission × 1.1.",  # field sales v2's usage multiplier bands
        "From 60: commission × 1.",
        "From 0: commission × 0.9.",
        "* Activities logged on deals (Weight 29.4%): 100",
        "  How to raise it: Log your calls (with their outcome), visits and e-mails on each deal "
        "before it closes.",
        "* Up-to-date pipeline (Weight 23.5%): 11",
        "  How to raise it: Enter deals as soon as they open, log an activity on open deals "
        "regularly and move the close date when it slips.",
        "* Complete records (Weight 23.5%): 78",
        "  How to raise it: Fill in the required fields, the lead source and the contact role "
        "on your records, and the next step on deals near closing.",
        "* No duplicates (Weight 11.8%): 100",
        "  How to raise it: Search the CRM before you create a contact or an account.",
        "* Valid data (Weight 11.8%): 100",
        "  How to raise it: Check e-mail addresses and phone numbers as you enter them.",
    ]


def test_each_open_deal_has_a_what_if_and_the_total_counts_tiers_reached_together(world) -> None:  # type: ignore[no-untyped-def]
    # Orion: 40,998.75 + 54,665.00 = 95,663.75 credited: 50,000 x 2% + 45,663.75 x 4%
    # = 2,826.55. Cascade: 39,407.16 + 52,542.89 = 91,950.05: 1,000 + 1,678.00.
    # Dolomiti: 30,003.51 GBP x 1.30 = 39,004.56: 2% = 780.09. Starling: 8,281.74 EUR
    # x 1.10 = 9,109.91, 9.11% of quota, under the 20% threshold: nothing.
    # All four: 235,728.28 (235.7%): 1,000 + 2,000 + 3,000 + 85,728.28 x 3% = 8,571.85.
    statement = _rep(world)
    assert statement.what_if is not None
    assert [(d.deal_name, d.potential) for d in statement.what_if.deals] == [
        ("Orion Biosciences - Service contract", Decimal("2826.55")),
        ("Cascade Materials Science - Spectrophotometer", Decimal("2678.00")),
        ("Laboratorio Dolomiti - Mass spectrometer", Decimal("780.09")),
        ("Starling Vaccines - Mass spectrometer", Decimal("0.00")),
    ]
    assert _section(_text(world[1], statement), "What if your open deals close?") == [
        "4 open deals could add $8,571.85 to your earnings. Your attainment would reach 235.7%.",
        "* Orion Biosciences - Service contract (Proposal/Price Quote), Dec 27, 2025: $2,826.55",
        "* Cascade Materials Science - Spectrophotometer (Needs Analysis), Oct 17, 2025: $2,678.00",
        "* Laboratorio Dolomiti - Mass spectrometer (Needs Analysis), Jul 10, 2025: $780.09",
        "* Starling Vaccines - Mass spectrometer (Qualification), Jan 9, 2026: $0.00",
        "  Threshold 20% not reached (attainment 9.11%): nothing pays",
        "An estimate from the pipeline as it stands; not part of the total. Part of them would "
        "replace the draw advanced to you this period.",
    ]


def test_year_to_date_shows_earlier_periods_final_or_provisional_and_the_payout_dates(
    world,
) -> None:  # type: ignore[no-untyped-def]
    text = _text(world[1], _rep(world))
    assert _section(text, "Your year so far") == [
        "* August 2026 (provisional): $1,000.00",
        "* September 2026 (final): $1,000.00",
        "* October 2026 (this statement): $1,000.00",
        "Year to date: $3,000.00",
    ]
    assert (
        "Year to date: $3,000.00\nTo be paid on November 25, 2026, once the period is closed; "
        "until then these figures can still change.\n"
    ) in text
    closed = _text(world[1], _rep(world, "2026-09"))
    assert "\nPaid on October 25, 2026.\n" in closed
    assert _section(closed, "Your year so far") == [
        "* September 2026 (this statement): $1,000.00",
        "Year to date: $1,000.00",
    ]
    assert "What if" not in closed  # a closed period's pipeline can no longer close in it


def test_the_payout_date_follows_the_configuration(world) -> None:  # type: ignore[no-untyped-def]
    engine, config = world
    month_end = config.model_copy(
        update={
            "statements": config.statements.model_copy(
                update={"payout_day": 31, "payout_months_after": 0}
            )
        }
    )
    (statement,) = [s for s in _statements((engine, month_end)) if s.recipient.name == REP]
    assert statement.payout_date == date(2026, 10, 31)
    none = config.model_copy(
        update={"statements": config.statements.model_copy(update={"payout_day": None})}
    )
    (statement,) = [s for s in _statements((engine, none)) if s.recipient.name == REP]
    assert statement.payout_date is None
    assert "paid on" not in _text(config, statement).lower()


def test_every_line_reads_in_words_never_as_ids_or_codes(world) -> None:  # type: ignore[no-untyped-def]
    config = world[1]
    renderer = make_renderer(config)
    statements = _statements(world, "2026-09") + _statements(world)
    texts = [renderer.render(s) for s in statements]
    codes = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[a-z]+:(deals|activities|contacts|users):")
    for rendered in texts:
        assert not codes.search(rendered.text), codes.search(rendered.text)
        assert not codes.search(rendered.html), codes.search(rendered.html)
    bonus = [line for r in texts for line in r.text.splitlines() if "usage" in line.lower()]
    assert "The CRM usage bonus pays from a score of 75." in bonus  # marketing's bonus
    assert "* CRM usage bonus: $100.00 (Rule: CRM usage score 82.9 reached 75)" in bonus
    assert (
        "* CRM usage multiplier: $46.68 (Rule: usage score 90.1 is at least 85: × 1.10 on "
        "revenue commission (466.83))"
    ) in bonus
    roles = {line.split(" · ")[0] for r in texts for line in r.text.splitlines()}
    assert "  Your role: closing, as manager" in roles
    assert "  Your role: field work" in roles


def test_names_are_the_golden_records_everywhere_and_the_index_lists_them(
    world,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    engine, config = world
    statements = _statements(world)
    golden = {k: v.name for k, v in load_identity_map(engine).employees().items()}
    named = [s for s in statements if s.recipient.employee_id in golden]
    assert len(named) == len(statements)
    assert [s.recipient.name for s in named] == [golden[s.recipient.employee_id] for s in named]
    write_previews(statements, config, tmp_path)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    listed = re.findall(r'<li><a href="[^"]+">([^<]+)</a>', index)
    assert listed == sorted((s.recipient.name for s in statements), key=str.casefold)


def test_employees_without_a_locale_get_the_configured_default_language(world) -> None:  # type: ignore[no-untyped-def]
    config = world[1]
    french = config.model_copy(
        update={"statements": config.statements.model_copy(update={"locale_default": "fr"})}
    )
    statements = _statements(world)
    unknown = [s for s in statements if not s.recipient.locale]
    assert {"Victoria López", "Andrew Becker"} <= {s.recipient.name for s in unknown}
    subjects = {s.recipient.name: make_renderer(french).render(s).subject for s in statements}
    # the DACH subsidiary's people: their Dynamics user settings say German (1031, 2055)
    dach = {s.recipient.name: s.recipient.locale for s in statements}
    assert dach["Lukas Becker"] == "de"
    assert subjects["Lukas Becker"].startswith("Ihre Provisionsabrechnung Oktober 2026: ")
    # 54.33 + 2.40 on two deals she sourced and 0.27 on a consumer's web order; no usage
    # bonus: her score is 73, under 75, the consumers' HubSpot contacts she captured having
    # no company or job title, which the required-fields rule asks of every contact
    assert subjects["Victoria López"] == (
        "Votre relevé de rémunération, octobre 2026 : 57,00 $US"  # spaces collapsed
    )
    assert subjects[REP] == "Your October 2026 statement: $1,000.00"  # the CRM says English


def test_what_ifs_on_each_employees_own_inputs_equal_the_full_simulation(world) -> None:  # type: ignore[no-untyped-def]
    # Statements simulate each open deal on the employee's own slice of the inputs (a
    # company-wide snapshot per simulation is hundreds of times slower): the slice must
    # give exactly what the engine gives on everything, September's close included.
    engine, config = world
    october = Period.parse("2026-10")
    closed = closed_periods(engine)
    prior = PriorState(tuple(closed))
    prepared = prepare(
        engine,
        config.compensation,
        october,
        date(2026, 10, 31),
        paid_deals={x.deal for c in closed for e in c.result.employees for x in e.lines if x.deal},
        closed=[Period.parse(c.result.period) for c in closed],
        kinds=config.source_kinds(),
    )
    # Statements (and their what-ifs) are for employees on a plan in the period; the DACH
    # subsidiary's sellers have credits but no example plan.
    days = [
        october.start + timedelta(days=n) for n in range((october.end - october.start).days + 1)
    ]
    payees = {
        e.id
        for e in prepared.inputs.employees
        if any(prepared.book.plan_for(e, day) is not None for day in days)
    }
    assert len(payees) < len(prepared.inputs.employees)
    open_deals = {d.key for d in prepared.inputs.deals if d.state == "open"}
    mine: dict[str, set[str]] = {}
    for credit in prepared.inputs.credits:
        if credit.employee in payees and credit.deal in open_deals:
            mine.setdefault(credit.employee, set()).add(credit.deal)
    alone = _per_employee(prepared.inputs, october, mine, prior)
    pairs = sorted((who, deal) for who, deals in mine.items() for deal in deals)
    assert len(pairs) > 50
    adjustments = load_adjustments(engine)
    for who, deal in pairs:
        args = (prepared.book, october, prepared.rates, who)
        whole = simulate(prepared.inputs, *args, deal=deal, prior=prior, adjustments=adjustments)
        own = simulate(alone[who], *args, deal=deal, prior=prior, adjustments=adjustments)
        assert own == whole, (who, deal)
