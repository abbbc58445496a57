"""``/_sandbox/stats`` counts every request a client makes, unknown paths included."""

from __future__ import annotations


def test_stats_count_unknown_paths_and_wrong_methods(hs):
    session = hs.session()
    base = hs.base_url
    known = ["/crm/v3/owners", "/crm/v3/objects/contacts", "/crm/v3/properties/deals"]
    unknown = ["/contacts/v1/lists/all/contacts/all"]
    unknown += [f"/crm/v9/nothing/{i}" for i in range(9)]
    for path in known + unknown:
        session.get(f"{base}{path}").close()
    for _ in range(2):
        session.delete(f"{base}/crm/v3/owners").close()  # a route, but not for DELETE
    stats = session.get(f"{base}/_sandbox/stats").json()
    assert stats["total"] == 15
    assert stats["endpoints"]["GET <unmatched>"] == 10
    assert stats["endpoints"]["DELETE <unmatched>"] == 2
