"""Who a run pays: everyone active, and people who left only while the run owes them
something: what they earned, or the prorated draw of the period they left in."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from compensation.inputs import Credit, Deal, DealEvidence, Employee
from compensation.plans import Period
from sync.compute.directory import Directory
from sync.compute.evidence import Evidence
from sync.compute.prepare import payees

Q3, Q4 = Period.parse("2026-Q3"), Period.parse("2026-Q4")


def _deal(key: str, close: date) -> DealEvidence:
    won = Deal(key, key, Decimal(1000), "USD", "won", datetime(2026, 1, 5, 9), close)
    return DealEvidence(won, ())


def _credit(deal: str, employee: str) -> Credit:
    return Credit(deal, employee, "close", Decimal(1), Decimal(1000), "USD", "revenue", ())


def test_leavers_are_paid_while_owed_and_in_the_period_they_left() -> None:
    people = [
        Employee("A", "Still here"),
        # Left on 20 November, inside Q4, with no deal: owed the prorated Q4 draw.
        Employee("B", "Left in Q4", active=False, left_on=date(2026, 11, 20)),
        # Left in August, credited on a deal closed in closed Q3: a change to it or a
        # clawback can still post for them in Q4.
        Employee("C", "Left in Q3, owed", active=False, left_on=date(2026, 8, 20)),
        # Left in August with nothing owed: not a payee, so no draw either.
        Employee("D", "Left in Q3", active=False, left_on=date(2026, 8, 20)),
        # Inactive in every CRM, no last day known, no credit: left before the period.
        Employee("E", "Inactive", active=False),
        # Credited only on a deal closed before any period this run looks at.
        Employee("F", "Left long ago", active=False, left_on=date(2025, 3, 1)),
    ]
    directory = Directory({e.id: e for e in people}, {})
    deals = [_deal("d1", date(2026, 8, 10)), _deal("d0", date(2025, 2, 10))]
    credits = [_credit("d1", "C"), _credit("d0", "F")]
    found = payees(directory, credits, Evidence(deals=deals), Q4, [Q3])
    assert [e.id for e in found] == ["A", "B", "C"]
