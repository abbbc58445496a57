"""``crmsync demo --b2c --dated-rates``: the demo's sync with the consumer line and the
CRMs' exchange rates (tiny world, seed 1): the person accounts and both CRMs' rates
reach the store, and the written config pays with those rates."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy import func, select

from sandbox.clock import DEFAULT_ANCHOR
from sync.demo import run_demo
from sync.store import open_store
from sync.store.rates import ExchangeRateRow
from sync.store.records import AccountRow


def test_the_demo_syncs_person_accounts_and_the_crms_rates(tmp_path: Path) -> None:
    result = run_demo(
        tmp_path, seed=1, scale="tiny", anchor=DEFAULT_ANCHOR, b2c=True, dated_rates=True
    )
    assert result.ok
    engine = open_store(result.store_url)
    try:
        with engine.connect() as conn:
            consumers = conn.execute(
                select(func.count()).where(AccountRow.person_contact_id.is_not(None))  # type: ignore[union-attr]
            ).scalar_one()
            rates = dict(
                conn.execute(
                    select(ExchangeRateRow.source, func.count()).group_by(ExchangeRateRow.source)  # type: ignore[arg-type]
                ).all()
            )
    finally:
        engine.dispose()
    # 8 buyers, every other one a Salesforce person account; Salesforce 4 currencies × 19
    # dated rates, HubSpot 3 currencies × 7 quarterly ones, Zoho the rates its 4 euro deals
    # were saved at (on 4 days, each rate another: the org keeps no history of its own)
    assert consumers == 4
    assert rates == {"hubspot": 21, "salesforce": 76, "zoho": 4}
    config = yaml.safe_load((tmp_path / "crmsync.yaml").read_text())
    assert config["compensation"]["crm_rates"] == ["salesforce", "hubspot", "zoho"]
    assert {s["name"]: s["exchange_rates"] for s in config["sources"]} == {
        "salesforce": True,
        "hubspot": True,
        "zoho": True,
        "dynamics": False,
        "sugarcrm": False,
        "keap": False,
        "oracle": False,
    }
