"""``/_sandbox/stats`` counts every request a client makes, unknown paths included."""

from __future__ import annotations


def test_stats_count_unknown_paths_and_wrong_methods(fresh_zoho):
    http, base = fresh_zoho.http, fresh_zoho.base_url
    for _ in range(3):
        http.get(f"{base}/crm/v7/settings/modules").close()
    for i in range(10):
        http.get(f"{base}/crm/v7/Products/{i}/Line_Items/{i}/x").close()
    for _ in range(2):
        http.delete(f"{base}/oauth/v2/token").close()
    stats = http.get(f"{base}/_sandbox/stats").json()
    assert stats["total"] == 15
    assert stats["endpoints"]["GET <unmatched>"] == 10
    assert stats["endpoints"]["DELETE <unmatched>"] == 2
