"""A first run on a store with few people may try to learn the matcher's weights
(``reconcile.learning.min_records``). When the records are too few for any comparison level
to be estimated, nothing is learned: the run keeps the hand-set weights with their own
thresholds, saves no model, and says so; it never takes a threshold from the prior alone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from connectors.core.contract import Page
from connectors.core.records import Contact
from sync.config.reconcile import Learning, ReconcileConfig
from sync.reconcile.model_store import latest_model
from sync.reconcile.reconciling import reconcile
from sync.reconcile.training import NOTHING_LEARNED
from sync.store import open_store
from sync.store.pages import write_page
from sync.store.view.identity_map import load_identity_map

T0 = datetime(2026, 1, 1, tzinfo=UTC)
# first, last, street, city: Ann Lee twice, as a lead from a form would repeat her; the
# others are different people, two of them at Ann's office with other names.
PEOPLE = (
    ("Ann", "Lee", "12 Elm Street", "Boston"),
    ("Ann", "Lee", "12 Elm Street", "Boston"),
    ("Ann", "Kowalski", "12 Elm Street", "Boston"),
    ("Tom", "Lee", "12 Elm Street", "Boston"),
    ("Rui", "Costa", "4 Rua Augusta", "Lisbon"),
    ("Mia", "Berg", "9 Storgatan", "Malmo"),
)


def test_too_few_people_to_learn_a_weight_keep_the_hand_set_model(tmp_path: Path) -> None:
    engine = open_store(f"sqlite:///{tmp_path}/s.sqlite")
    try:
        people = [
            Contact(
                source="hubspot",
                remote_id=str(n),
                first_name=first,
                last_name=last,
                street=street,
                city=city,
            )
            for n, (first, last, street, city) in enumerate(PEOPLE, start=1)
        ]
        with engine.begin() as conn:
            write_page(conn, "hubspot", Page("contacts", people, {}), "contact", None, T0)
        config = ReconcileConfig(learning=Learning(min_records=2))
        report = reconcile(engine, config, T0, "full")
        person = report.kinds["person"]
        assert person["model"] is None and person["learned"] == NOTHING_LEARNED
        assert person["trained_s"] >= 0
        with engine.connect() as conn:
            assert latest_model(conn, "person") is None
        identities = load_identity_map(engine)
        people_of: dict[str, set[str]] = {}
        for n in range(1, len(PEOPLE) + 1):
            identity = identities.identity_of("hubspot", "contacts", str(n))
            assert identity is not None
            people_of.setdefault(identity, set()).add(str(n))
        # the hand-set weights link the two Ann Lees (names and address agree: 16.5 >= 10)
        # and nobody else: a colleague at the same address is not the same person
        assert sorted(sorted(members) for members in people_of.values()) == [
            ["1", "2"],
            ["3"],
            ["4"],
            ["5"],
            ["6"],
        ]
    finally:
        engine.dispose()
