"""The pipeline report's churn rate, computed by hand on five customers.

Window 180 days before 31 Oct 2026: the earlier window runs from 5 Nov 2025 to 3 May 2026
(inclusive), the recent one from 4 May 2026. A customer of the earlier window is one who
won a deal in it, whatever it won since.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sync.audit.snapshot import Snapshot
from sync.reports import pipeline_report

AS_OF = datetime(2026, 10, 31, 12, tzinfo=UTC)


def _deal(n: int, account: str, *, won: date | None = None, open_: bool = False) -> dict[str, Any]:
    return {
        "source": "crm",
        "remote_id": f"D{n}",
        "account_id": account,
        "name": f"deal {n}",
        "amount": Decimal("1000.00"),
        "currency": "EUR",
        "probability": 50 if open_ else 100,
        "stage": "Proposal" if open_ else "Closed Won",
        "is_won": won is not None,
        "is_closed": not open_,
        "close_date": won or date(2026, 12, 1),
        "remote_created_at": datetime(2025, 1, 1, tzinfo=UTC),
        "owner_id": "U1",
    }


def test_customers_who_kept_buying_count_in_the_denominator() -> None:
    deals = [
        _deal(1, "A", won=date(2026, 1, 10)),  # earlier window...
        _deal(2, "A", won=date(2026, 8, 1)),  # ...and again since: stayed
        _deal(3, "B", won=date(2026, 2, 1)),  # earlier window only: churned
        _deal(4, "C", won=date(2026, 3, 1)),  # earlier window, and an open deal now: stayed
        _deal(5, "C", open_=True),
        _deal(6, "D", won=date(2026, 9, 1)),  # recent only: not a customer of the window
        _deal(7, "E", won=date(2025, 6, 1)),  # before the window: not counted
        _deal(8, "F", won=date(2025, 11, 5)),  # first day of the window: counted, churned
        _deal(9, "G", won=date(2026, 5, 4)),  # first day of the recent window: not counted
    ]
    snapshot = Snapshot.from_rows({"deals": deals, "accounts": []}, {"crm": "salesforce"})
    churn = pipeline_report(snapshot, AS_OF)["churn"]
    # Customers of the window: A, B, C, F (4); churned: B and F (2).
    assert churn == {"window_days": 180, "customers_before": 4, "churned": 2, "rate": 0.5}
