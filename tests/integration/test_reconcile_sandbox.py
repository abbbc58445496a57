"""Reconciliation on a synced small sandbox: quality against the ground truth, the lookup
API, incremental runs, admin decisions that survive re-runs, journeys and duplicates."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine, insert, select

from sandbox.clock import DEFAULT_ANCHOR
from sync.config.reconcile import ReconcileConfig
from sync.demo import run_demo
from sync.reconcile.evaluate import load_truth, pairwise
from sync.reconcile.journey import journey
from sync.reconcile.model_store import latest_model
from sync.reconcile.persist import crosswalk, save_decision
from sync.reconcile.reconciling import reconcile
from sync.reconcile.reports import duplicates, explain_record
from sync.store import open_store
from sync.store.changes import next_change
from sync.store.records import AccountRow, ContactRow, LeadRow
from sync.store.view.identity_map import load_identity_map

NOW = datetime(2026, 12, 1, tzinfo=UTC)
CONFIG = ReconcileConfig()


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small sandbox synced once, reconciled once (full); tests copy it before writing."""
    workspace = tmp_path_factory.mktemp("reconcile")
    result = run_demo(workspace, seed=7, scale="small", anchor=DEFAULT_ANCHOR)
    assert result.ok
    engine = open_store(result.store_url)
    reconcile(engine, CONFIG, NOW, "full")
    engine.dispose()
    return workspace


@pytest.fixture
def store(synced: Path, tmp_path: Path) -> Iterator[Engine]:
    for name in ("crmsync.sqlite", "crmsync.sqlite-wal", "crmsync.sqlite-shm"):
        if (synced / name).exists():
            shutil.copy(synced / name, tmp_path / name)
    engine = open_store(f"sqlite:///{tmp_path / 'crmsync.sqlite'}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def truth(synced: Path) -> dict[str, tuple[str, str]]:
    return load_truth(synced / "sandbox" / "ground_truth" / "identities.jsonl")


@pytest.mark.parametrize("kind", ["person", "organisation", "employee"])
def test_small_scale_meets_the_precision_and_recall_targets(
    store: Engine, truth: dict[str, tuple[str, str]], kind: str
) -> None:
    with store.connect() as connection:
        predicted = crosswalk(connection, kind)
    score = pairwise(truth, predicted, kind)
    assert score.actual > 30
    assert score.precision >= 0.99, score
    # People are corrupted the way CRM data is (docs/sandbox.md): four in ten duplicates
    # share no e-mail, phone or company. Measured with the learned matcher: people 1.0000 /
    # 0.9775 (564 of 577 pairs) at this seed, with the heavy-tailed names.
    assert score.recall >= 0.97, score


def test_every_live_record_has_an_identity_and_the_lookup_answers(store: Engine) -> None:
    identities = load_identity_map(store)
    lead = ("salesforce", "leads", "00Q5g0000000000EAA")
    person = identities.identity_of(*lead)
    assert person is not None and person.startswith("P-")
    members = identities.members(person)
    assert lead in members
    # The lead's conversion (ConvertedContactId) is a must-link.
    assert ("salesforce", "contacts", "0035g0000000000AAA") in members
    employees = identities.employees()
    boss = identities.employee_of("hubspot", "70000024")
    assert boss is not None and boss.startswith("E-")
    assert employees[boss].name == "Christopher Hall"
    assert ("salesforce", "users", "0055g0000000003AAA") in employees[boss].members
    assert identities.identity_of("salesforce", "leads", "no-such-id") is None


def test_a_new_record_is_matched_incrementally_against_existing_identities(
    store: Engine,
) -> None:
    before = load_identity_map(store)
    target = before.identity_of("hubspot", "contacts", "100004")
    assert target is not None
    later = NOW + timedelta(hours=1)
    with store.begin() as connection:
        # Written outside a sync, so numbered by hand as a sync's page write would be.
        change = next_change(connection)
        connection.execute(
            insert(ContactRow.__table__),  # type: ignore[attr-defined]
            [
                _written(
                    "zoho",
                    "999000001",
                    later,
                    change,
                    # Brenda Whitford, who has no nickname: her surname mistyped
                    first_name="Brenda",
                    last_name="Whitfrod",
                    email="brenda.w@gmail.com",
                    phone="020 9460 804",  # national format of +44 20 9460 804
                    country="United Kingdom",
                    city="London",
                )
            ],
        )
    report = reconcile(store, CONFIG, later, "auto")
    assert report.mode == "incremental"
    person = report.kinds["person"]
    assert person["changed"] == 1
    assert person["loaded"] < 20  # the new record and its few candidates, not the store
    after = load_identity_map(store)
    assert after.identity_of("zoho", "contacts", "999000001") == target
    assert after.identity_of("hubspot", "contacts", "100004") == target


def _written(
    source: str, remote_id: str, at: datetime, change: int, **fields: Any
) -> dict[str, Any]:
    """A person's row as a sync writes it at ``at``, numbered ``change``, with ``fields``."""
    return {
        "source": source,
        "remote_id": remote_id,
        "content_hash": "x",
        "first_seen_at": at,
        "synced_at": at,
        "change_seq": change,
        "remote_created_at": at,
        "is_deleted": False,
        "custom_fields": {},
        "raw": {},
        "other_emails": [],
        "merged_ids": [],
        **fields,
    }


def _partition(store: Engine) -> set[frozenset[str]]:
    with store.connect() as connection:
        walk = crosswalk(connection, "person")
    groups: dict[str, set[str]] = {}
    for key, identity in walk.items():
        groups.setdefault(identity, set()).add(key)
    return {frozenset(members) for members in groups.values()}


def test_an_incremental_run_ends_where_a_full_run_does(store: Engine) -> None:
    # Forty people entered again in Zoho, half with a letter dropped from the surname: some
    # join an identity, others only share a block key with records they do not match.
    later = NOW + timedelta(hours=2)
    columns = ContactRow.__table__.c  # type: ignore[attr-defined]
    with store.begin() as connection:
        change = next_change(connection)
        rows = connection.execute(
            select(columns)
            .where(columns.source == "hubspot", columns.is_deleted.is_(False))
            .order_by(columns.remote_id)
            .limit(40)
        ).mappings()
        fresh = []
        for n, row in enumerate(rows):
            copy = {k: v for k, v in row.items() if k != "id"}
            last = copy["last_name"] or ""
            if n % 2 and len(last) > 3:
                copy["last_name"] = last[:2] + last[3:]
            fresh.append(
                {
                    **copy,
                    "source": "zoho",
                    "remote_id": f"77700{n:04d}",
                    "synced_at": later,
                    "first_seen_at": later,
                    "change_seq": change,
                }
            )
        connection.execute(insert(ContactRow.__table__), fresh)  # type: ignore[attr-defined]
    report = reconcile(store, CONFIG, later, "auto")
    person = report.kinds["person"]
    assert report.mode == "incremental" and person["changed"] == 40
    assert person["resolved"] < person["loaded"]  # unmatched candidates stay untouched
    incremental = _partition(store)
    reconcile(store, CONFIG, later + timedelta(minutes=1), "full")
    assert incremental == _partition(store)


def test_an_incremental_run_reads_no_record_for_a_key_that_pairs_no_one(store: Engine) -> None:
    # Fifty-one people of one town whose first names start alike and who share nothing
    # else: their name-start key is crowded (over blocking.NAME_START_LIMIT) and pairs no
    # one in a full run. A fifty-second person sharing only that key is read alone.
    def people(numbers: range, at: datetime, change: int) -> list[dict[str, Any]]:
        rows = []
        for n in numbers:
            mine = chr(97 + n % 26) + chr(97 + n // 26)
            rows.append(
                _written(
                    "zoho",
                    f"88800{n:04d}",
                    at,
                    change,
                    first_name=f"Mar{mine}on",
                    last_name=f"Q{mine}zz",
                    city="Crowdville",
                )
            )
        return rows

    contacts = ContactRow.__table__  # type: ignore[attr-defined]
    with store.begin() as connection:
        connection.execute(insert(contacts), people(range(51), NOW, next_change(connection)))
    reconcile(store, CONFIG, NOW + timedelta(minutes=1), "full")
    later = NOW + timedelta(hours=3)
    with store.begin() as connection:
        connection.execute(insert(contacts), people(range(51, 52), later, next_change(connection)))
    report = reconcile(store, CONFIG, later, "auto")
    person = report.kinds["person"]
    assert report.mode == "incremental" and person["changed"] == 1
    assert person["loaded"] == 1  # 52 when every record sharing a key was read
    incremental = _partition(store)
    reconcile(store, CONFIG, later + timedelta(minutes=1), "full")
    assert incremental == _partition(store)


def test_an_account_renamed_moves_its_contacts_in_an_incremental_run_as_in_a_full_one(
    store: Engine,
) -> None:
    contact_table, account_table = ContactRow.__table__, AccountRow.__table__  # type: ignore[attr-defined]
    contacts, accounts = contact_table.c, account_table.c
    with store.connect() as connection:
        contact = (
            connection.execute(
                select(contacts)
                .join(
                    account_table,
                    (accounts.source == contacts.source)
                    & (accounts.remote_id == contacts.account_id),
                )
                .where(
                    contacts.source == "hubspot",
                    contacts.is_deleted.is_(False),
                    contacts.last_name.is_not(None),
                    contacts.city.is_not(None),
                )
                .order_by(contacts.remote_id)
                .limit(1)
            )
            .mappings()
            .one()
        )
    contact_id = ("hubspot", "contacts", contact["remote_id"])
    lead_id = ("zoho", "leads", "888000001")
    # Zoho's lead: the contact's initial, surname and town, at a company none of their
    # accounts is called. (With the whole first name it is a namesake who changed jobs or
    # the same person, p near 0.9 either side of the link threshold: not this test's case.)
    later = NOW + timedelta(hours=3)
    with store.begin() as connection:
        lead = _written(
            "zoho",
            "888000001",
            later,
            next_change(connection),
            first_name=contact["first_name"][0],
            last_name=contact["last_name"],
            city=contact["city"],
            country=contact["country"],
            company="Zephyr Quantum Holdings",
        )
        connection.execute(insert(LeadRow.__table__), [lead])  # type: ignore[attr-defined]
    reconcile(store, CONFIG, later, "auto")
    before = load_identity_map(store)
    assert before.identity_of(*lead_id) != before.identity_of(*contact_id)
    # The contact's account takes the lead's company name; the contact itself is unchanged.
    with store.begin() as connection:
        connection.execute(
            account_table.update()
            .where(accounts.source == "hubspot", accounts.remote_id == contact["account_id"])
            .values(name="Zephyr Quantum Holdings", change_seq=next_change(connection))
        )
    report = reconcile(store, CONFIG, later + timedelta(minutes=1), "auto")
    assert report.mode == "incremental" and report.kinds["person"]["changed"] >= 1
    after = load_identity_map(store)
    assert after.identity_of(*lead_id) == after.identity_of(*contact_id)
    incremental = _partition(store)
    reconcile(store, CONFIG, later + timedelta(minutes=2), "full")
    assert incremental == _partition(store)


def test_an_admin_unlink_survives_full_and_incremental_reruns(store: Engine) -> None:
    identities = load_identity_map(store)
    person = identities.identity_of("salesforce", "leads", "00Q5g0000000000EAA")
    members = identities.members(person or "")
    a, b = "salesforce:leads:00Q5g0000000000EAA", "salesforce:contacts:0035g0000000000AAA"
    with store.begin() as connection:
        save_decision(connection, "unlink", a, b, "two people after all", NOW)
    for mode in ("incremental", "full", "incremental"):
        reconcile(store, CONFIG, NOW, mode, touched=[a, b])
        after = load_identity_map(store)
        split = after.identity_of(*a.split(":", 2)), after.identity_of(*b.split(":", 2))
        assert split[0] != split[1], mode
        assert sum(len(after.members(i)) for i in set(split)) <= len(members)
    # Relinking puts them back together.
    with store.begin() as connection:
        save_decision(connection, "link", a, b, None, NOW)
    reconcile(store, CONFIG, NOW, "incremental", touched=[a, b])
    final = load_identity_map(store)
    assert final.identity_of(*a.split(":", 2)) == final.identity_of(*b.split(":", 2))


def test_explain_shows_fields_levels_weights_and_score(store: Engine) -> None:
    with store.connect() as connection:
        data = explain_record(connection, "salesforce:leads:00Q5g0000000000EAA")
    assert data["joined_by"] in ("must_link", "match")
    # each golden value's provenance: its rule and the member (or members) it came from
    assert set(data["provenance"]) <= set(data["golden"]) and "last_name" in data["provenance"]
    for name, source in data["provenance"].items():
        named = source["records"] if source["rule"] == "union" else [source["record"]]
        assert source["rule"] and set(named) <= set(data["members"]), name
    pair = next(p for p in data["pairs"] if p["other"] == "hubspot:contacts:100003")
    assert pair["linked"] and pair["status"] == "match"
    fields = {c["field"]: (c["level"], c["weight"]) for c in pair["comparisons"]}
    # The small company has enough people for its first run to train the weights: the pair
    # is weighed by that model, named by its version, with its probability of being one.
    # (The lead is a later copy typed with the person's private address.)
    with store.connect() as connection:
        model = latest_model(connection, "person")
    assert model is not None and pair["model"] == model.version
    assert fields["email"] == (
        "personal_vs_work",
        model.weights[("email", "personal_vs_work")],
    )
    assert pair["score"] == pytest.approx(sum(c["weight"] for c in pair["comparisons"]))
    assert pair["probability"] == round(1 / (1 + 2 ** -(pair["score"] + model.prior)), 6)
    # Linked pairs are expected to be 0.99 precise as a whole; no one pair below 0.9.
    assert pair["probability"] >= CONFIG.learning.link_floor


def test_journey_crosses_crms_with_the_employee_behind_each_touch(store: Engine) -> None:
    identities = load_identity_map(store)
    # A lead whose person has a record linked in each CRM, a deal and a known rep behind
    # every call (the first lead's Zoho copy, "Sergio Rsdhutst" for Radhurst, with no
    # contact point, stays apart).
    person = identities.identity_of("salesforce", "leads", "00Q5g000000000cEAA")
    touches = journey(store, identities, person or "")
    assert {t.source for t in touches} == {"salesforce", "hubspot", "zoho"}
    assert "deal" in {t.kind for t in touches}
    assert all(t.employee for t in touches if t.kind in ("call", "deal"))
    dated = [t.at for t in touches if t.at]
    assert dated == sorted(dated)


def test_duplicates_within_a_crm_name_who_created_them(synced: Path, store: Engine) -> None:
    truth_dir = synced / "sandbox" / "ground_truth"
    problems = [
        orjson.loads(line)
        for line in (truth_dir / "usage_problems.jsonl").read_bytes().splitlines()
        if b"duplicate_created" in line
    ]
    found = {
        d.later_record: d
        for d in duplicates(store, load_identity_map(store))
        if d.scope == "within"
    }
    tables = {"Lead": "leads", "contacts": "contacts", "Contact": "contacts",
              "Account": "accounts", "companies": "accounts", "Accounts": "accounts",
              "Leads": "leads", "Contacts": "contacts"}  # fmt: skip
    expected = [p for p in problems if p["object"] in tables]
    hits = [p for p in expected if f"{p['crm']}:{tables[p['object']]}:{p['id']}" in found]
    assert len(expected) > 10
    assert len(hits) / len(expected) >= 0.9
    # The creator is the true employee (mapped through the ground truth's user records).
    employee_truth = {
        key: identity
        for key, (kind, identity) in load_truth(truth_dir / "identities.jsonl").items()
        if kind == "employee"
    }
    employees = load_identity_map(store).employees()
    right = 0
    for problem in hits:
        duplicate = found[f"{problem['crm']}:{tables[problem['object']]}:{problem['id']}"]
        creator = employees.get(duplicate.created_by or "")
        members = creator.members if creator else ()
        right += problem["employee_id"] in {employee_truth.get(":".join(m)) for m in members}
    assert right / len(hits) >= 0.9


def test_the_pipeline_step_reconciles_incrementally_and_skips_dry_runs(store: Engine) -> None:
    from sync.config import CrmsyncConfig
    from sync.pipeline.steps import StepContext, load_step

    step = load_step("reconcile")
    report = step(store, CrmsyncConfig(), StepContext(now=NOW))
    assert report.status == "succeeded"
    assert report.summary["mode"] == "incremental"
    assert report.summary["person_records"] == 0  # nothing synced since the full run
    dry = step(store, CrmsyncConfig(), StepContext(now=NOW, dry_run=True))
    assert dry.status == "skipped"


def test_a_run_measures_blocking_and_scoring_on_the_pairs_known_to_be_one(store: Engine) -> None:
    # Conversions and merges are the installation's own labels: blocking must compare
    # every one of them, and a run reports how many its scoring alone would have matched.
    report = reconcile(store, CONFIG, NOW, "full")
    person = report.kinds["person"]
    with store.connect() as connection:
        model = latest_model(connection, "person")
    assert model is not None and person["model"] == model.version
    assert person["trained_s"] is None  # the fixture's first run trained it
    assert person["known_pairs"] > 50
    # Bulk imports share created times: a conversion instant key may be capped.
    assert person["known_pairs_blocked"] >= 0.99 * person["known_pairs"]
    assert person["known_pairs"] * 0.9 <= person["known_pairs_matched"] <= person["known_pairs"]
