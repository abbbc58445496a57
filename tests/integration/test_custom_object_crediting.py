"""A store visit mapped in YAML fills the crediting slot an admin configures for it.

The Salesforce store visits (``Store_Visit__c``) are mapped to activities on channel
``store``; a crediting scheme gives a ``store_visit`` slot 30% of a won deal, filled by a
store touch on the deal's people. The tiny world's (seed 7) visit of the buyer of
"0065g0000000006AAA" (14,480.51 USD, won 2026-03-10) came after the close: it is no
evidence. A store employee then logs a visit five days before the close, in the CRM: the
next incremental sync brings it, and the slot pays its owner. The same holds for a visit
logged in the Dataverse custom table ``new_storevisit`` of Dynamics 365, and on Oracle's
custom object ``StoreVisit_c``, where the store corrects a visit's date and owner.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import yaml

from compensation.crediting import CreditScheme, credit_deals
from compensation.plans import Period
from connectors.core.http import pinned_session
from sandbox import ManualClock
from sync.compute.prepare import prepare
from sync.config.compensation import CompensationConfig
from sync.config.reconcile import ReconcileConfig
from sync.reconcile.reconciling import reconcile
from tests.integration.contract_suite import run_sync, tiny_sandbox
from tests.integration.sync_support import opened, write_config
from tests.integration.test_custom_objects_flow import MAPPINGS

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 10, 31, 12, tzinfo=UTC)
DEAL = "salesforce:deals:0065g0000000006AAA"
BUYER = "0035g0000000006AAA"  # the deal's contact
SCHEME = CreditScheme.model_validate(
    {
        "slots": [
            {"name": "store_visit", "weight": "30%", "kinds": ["touch"], "channels": ["store"]},
            {"name": "close", "weight": "70%", "kinds": ["deal_owner"], "pick": "last"},
        ]
    }
)


def _credits(
    url: str, deal: str = DEAL, period: str = "2026-03", as_of: date = date(2026, 3, 31)
) -> tuple[dict[str, tuple[str | None, Decimal]], object]:
    settings = CompensationConfig.model_validate(
        {
            "plans_dir": REPO / "config" / "plans",
            "directory": {"source_defaults": {"zoho": {"team": "iberia_sales"}}},
        }
    )
    with opened(url) as engine:
        reconcile(engine, ReconcileConfig(), NOW, "full")
        prepared = prepare(engine, settings, Period.parse(period), as_of)
    (item,) = [e for e in prepared.evidence.deals if e.deal.key == deal]
    result = credit_deals([item], SCHEME, employees=prepared.directory.employees)
    lines = {c.slot: (c.employee, c.amount) for c in result.credits}
    return lines, prepared.directory


def test_a_store_visit_before_the_close_fills_the_store_slot(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with tiny_sandbox() as sandbox:
        config = write_config(sandbox, tmp_path, url, ("salesforce",))
        data = yaml.safe_load(config.read_text())
        data["sources"][0]["custom_objects"] = [MAPPINGS["salesforce"]]
        config.write_text(yaml.safe_dump(data, sort_keys=False))
        run_sync(config, "salesforce")
        assert sandbox.world is not None
        (earlier,) = [v for v in sandbox.world.truth.files["store_visits"] if v["contact"] == BUYER]
        assert earlier["at"][:10] == "2026-03-23"  # after the close
        before, _ = _credits(url)
        # the store slot is vacant; the close slot takes the whole deal
        assert "store_visit" not in before

        store_rep = sandbox.world.salesforce["User"].rows
        rep = sorted(u["Id"] for u in store_rep.values() if u["IsActive"])[1]
        info = sandbox.info.salesforce
        session = pinned_session(sandbox.info.ca_bundle)
        session.headers["Authorization"] = f"Bearer {info.access_token}"
        try:
            response = session.post(
                f"{info.instance_url}/services/data/v59.0/sobjects/Store_Visit__c",
                json={
                    "Contact__c": BUYER,
                    "Visit_Date__c": "2026-03-05T15:30:00.000+0000",
                    "Store__c": "Boston Store",
                    "Visit_Type__c": "Appointment",
                    "OwnerId": rep,
                },
            )
        finally:
            session.close()
        assert response.status_code == 201, response.text
        visit = response.json()["id"]
        streams = {s.stream: s for s in run_sync(config, "salesforce")}
        assert streams["store_visits"].counts.inserted == 1
    after, directory = _credits(url)
    owner = directory.key_of("salesforce", rep)  # type: ignore[attr-defined]
    # 14,480.51 × 30% = 4,344.153 and × 70% = 10,136.357: 4,344.15 + 10,136.35 leave one
    # cent, to the larger remainder (.007): 4,344.15 and 10,136.36
    assert after["store_visit"] == (owner, Decimal("4344.15"))
    assert after["close"][1] == Decimal("10136.36")
    assert visit.startswith("a0V")


# the DACH subsidiary's won opportunity (18,000.00 EUR, closed 2026-04-20) and its contact,
# who has no store visit in the tiny world (seed 7)
DYNAMICS_DEAL = "68b53fa5-9a11-5144-8e25-4b39d3deef31"
DYNAMICS_BUYER = "5f028b01-fc07-5d16-b7ad-80120a6a3936"


def test_a_dataverse_store_visit_fills_the_store_slot(tmp_path: Path) -> None:
    """The same on Dynamics 365: a visit created in the custom table ``new_storevisit``
    through the Web API (the lookups bound by their navigation properties) reaches the
    store on the next sync and pays its owner the store slot."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    deal = f"dynamics:deals:{DYNAMICS_DEAL}"
    april = {"deal": deal, "period": "2026-04", "as_of": date(2026, 4, 30)}
    with tiny_sandbox() as sandbox:
        config = write_config(sandbox, tmp_path, url, ("dynamics",))
        data = yaml.safe_load(config.read_text())
        data["sources"][0]["custom_objects"] = [MAPPINGS["dynamics"]]
        config.write_text(yaml.safe_dump(data, sort_keys=False))
        run_sync(config, "dynamics")
        assert sandbox.world is not None
        truth = sandbox.world.truth.files["dynamics_store_visits"]
        assert not [v for v in truth if v["contact"] == DYNAMICS_BUYER]
        before, _ = _credits(url, **april)  # type: ignore[arg-type]
        assert "store_visit" not in before

        users = sandbox.world.dynamics["systemuser"].rows.values()
        owner = sandbox.world.dynamics["opportunity"].rows[DYNAMICS_DEAL]["ownerid"]
        rep = sorted(u["systemuserid"] for u in users if u["accessmode"] == 0)[1]
        assert rep != owner
        endpoint = sandbox.info.dynamics
        session = pinned_session(sandbox.info.ca_bundle)
        try:
            token = session.post(
                f"{endpoint.authority_host}/{endpoint.tenant_id}/oauth2/v2.0/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": endpoint.client_id,
                    "client_secret": endpoint.client_secret,
                    "scope": f"{endpoint.environment_url}/.default",
                },
            ).json()["access_token"]
            response = session.post(
                f"{endpoint.environment_url}/api/data/v9.2/new_storevisits",
                json={
                    "new_name": "Wien Lab Store visit",
                    "new_visitedon": "2026-04-15T10:00:00Z",
                    "new_store": "Wien Lab Store",
                    "new_visittype": 100000001,  # Appointment: the mapping's default, store
                    "new_CustomerId@odata.bind": f"/contacts({DYNAMICS_BUYER})",
                    "ownerid@odata.bind": f"/systemusers({rep})",
                },
                headers={"Authorization": f"Bearer {token}"},
            )
        finally:
            session.close()
        assert response.status_code == 204, response.text
        streams = {s.stream: s for s in run_sync(config, "dynamics")}
        assert streams["store_visits"].counts.inserted == 1
    after, directory = _credits(url, **april)  # type: ignore[arg-type]
    # 18,000.00 × 30% and × 70%: no remainder
    assert after["store_visit"] == (
        directory.key_of("dynamics", rep),  # type: ignore[attr-defined]
        Decimal("5400.00"),
    )
    assert after["close"] == (
        directory.key_of("dynamics", owner),  # type: ignore[attr-defined]
        Decimal("12600.00"),
    )


ORACLE_DEAL = "300000001000081"  # 180,000.00 USD, won 2026-07-19
ORACLE_BUYER = "300000001000032"  # its primary contact
ORACLE_VISIT = "300000001000150"  # their visit of 2026-09-30, after the close


def test_an_oracle_store_visit_fills_the_store_slot(tmp_path: Path) -> None:
    """The same on Oracle's custom object ``StoreVisit_c``: the buyer's visit came after
    the close; the store corrects its date and owner through the REST API (a PATCH of the
    custom object's item), and the next sync brings it to the slot."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    deal = f"oracle:deals:{ORACLE_DEAL}"
    with tiny_sandbox() as sandbox:
        config = write_config(sandbox, tmp_path, url, ("oracle",))
        data = yaml.safe_load(config.read_text())
        data["sources"][0]["custom_objects"] = [MAPPINGS["oracle"]]
        config.write_text(yaml.safe_dump(data, sort_keys=False))
        run_sync(config, "oracle")
        assert sandbox.world is not None
        visit = sandbox.world.oracle["StoreVisit_c"].rows[ORACLE_VISIT]
        assert (visit["Contact_Id_c"], visit["VisitDate_c"].date()) == (
            ORACLE_BUYER,
            date(2026, 9, 30),
        )
        before, _ = _credits(url, deal, "2026-07", date(2026, 7, 31))
        assert "store_visit" not in before

        users = sandbox.world.oracle["resourceUsers"].rows.values()
        (agent,) = [u["ResourcePartyId"] for u in users if u["JobTitle"] == "Service Agent"]
        info, clock = sandbox.info.oracle, sandbox.clock
        assert isinstance(clock, ManualClock)
        clock.advance(60)  # an edit after the first sync's signpost
        session = pinned_session(sandbox.info.ca_bundle)
        session.auth = (info.username, info.password)
        try:
            response = session.patch(
                f"{info.site_url}/crmRestApi/resources/11.13.18.05/StoreVisit_c/{ORACLE_VISIT}",
                json={"VisitDate_c": "2026-07-14T15:30:00+00:00", "Owner_Id_c": int(agent)},
            )
        finally:
            session.close()
        assert response.status_code == 200, response.text
        clock.advance(20 * 60)
        streams = {s.stream: s for s in run_sync(config, "oracle")}
        assert streams["store_visits"].counts.updated == 1
    after, directory = _credits(url, deal, "2026-07", date(2026, 7, 31))
    owner = directory.key_of("oracle", agent)  # type: ignore[attr-defined]
    # 180,000.00 × 30% and × 70%: no remainder
    assert after["store_visit"] == (owner, Decimal("54000.00"))
    assert after["close"][1] == Decimal("126000.00")
