"""The clustering guards: what a cluster may not hold, carried through every merge."""

from __future__ import annotations

from typing import Any

from sync.reconcile.cluster import Link, cluster
from sync.reconcile.entities import Entity, build_entity


def _record(table: str, source: str, rid: str, **values: Any) -> Entity:
    return build_entity(table, {"source": source, "remote_id": rid, **values})


def _matches(*pairs: tuple[int, int, float]) -> list[Link]:
    return [Link(i, j, "match", score) for i, j, score in pairs]


def test_two_users_of_one_crm_never_become_one_employee() -> None:
    users = [
        _record("users", "salesforce", "u1", name="Ann Lee", email="ann@acme.com"),
        _record("users", "hubspot", "h1", name="Ann Lee", email="ann@acme.com"),
        _record("users", "salesforce", "u2", name="Ann Lee", email="ann.lee@acme.com"),
    ]
    found = cluster(users, _matches((0, 1, 20.0), (1, 2, 15.0)))
    assert found.clusters == [[0, 1], [2]]
    assert [(link.i, link.j, why) for link, why in found.refused] == [
        (1, 2, "two users of one CRM")
    ]


def test_an_admin_link_overrides_the_guard() -> None:
    users = [
        _record("users", "salesforce", "u1", name="Ann Lee"),
        _record("users", "salesforce", "u2", name="Ann Lee"),
    ]
    found = cluster(users, [Link(0, 1, "admin")])
    assert found.clusters == [[0, 1]] and found.refused == []


def test_organisations_with_different_domains_stay_apart_but_a_shared_one_joins() -> None:
    accounts = [
        _record("accounts", "salesforce", "a1", name="Acme", domain="acme.com"),
        _record("accounts", "hubspot", "a2", name="Acme"),  # no domain: no conflict
        _record("accounts", "zoho", "a3", name="Acme", domain="acme.co.uk"),
        _record("accounts", "hubspot", "a4", name="Acme Inc", domain="acme.com"),
    ]
    found = cluster(accounts, _matches((0, 1, 20.0), (1, 2, 19.0), (1, 3, 18.0)))
    # a2 took a1's domain with it: a3 (another domain) is refused, a4 (the same) joins
    assert found.clusters == [[0, 1, 3], [2]]
    assert [why for _, why in found.refused] == ["different domains"]


def test_a_person_cluster_holds_one_work_address_per_company_domain() -> None:
    people = [
        _record("contacts", "hubspot", "1", first_name="Ann", last_name="Lee",
                email="ann@acme.com"),
        _record("leads", "salesforce", "2", first_name="Ann", last_name="Lee",
                email="ann.lee@gmail.com"),  # free mail: says nothing of a company
        _record("contacts", "zoho", "3", first_name="Ann", last_name="Lee",
                email="alee@acme.com"),
        _record("contacts", "zoho", "4", first_name="Ann", last_name="Lee",
                email="ann@acme.com"),
        _record("contacts", "zoho", "5", first_name="Ann", last_name="Lee",
                email="ann@globex.com"),  # another company's domain: no conflict
    ]  # fmt: skip
    links = _matches((0, 1, 20.0), (1, 2, 19.0), (1, 3, 18.0), (2, 4, 17.0), (1, 4, 16.0))
    found = cluster(people, links)
    # 2 is refused through the free-mail record 1, which carries 0's acme address along;
    # 2 and 5 join (globex is another company), and that cluster is refused as a whole
    assert found.clusters == [[0, 1, 3], [2, 4]]
    assert [(link.i, link.j, why) for link, why in found.refused] == [
        (1, 2, "different work e-mails at acme.com"),
        (1, 4, "different work e-mails at acme.com"),
    ]
    assert found.method[4] == ("match", 17.0)
