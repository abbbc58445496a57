"""``/_sandbox/stats`` counts every request a client makes, unknown paths included."""

from __future__ import annotations


def test_stats_count_unknown_paths_and_wrong_methods(org, http, token):
    http.headers["Authorization"] = f"Bearer {token}"
    http.delete(f"{org.base}/_sandbox/stats").close()
    for _ in range(3):
        http.get(f"{org.base}/services/data").close()
    for i in range(10):
        http.get(f"{org.base}/services/async/{i}/job").close()
    for _ in range(2):
        http.delete(f"{org.base}/services/data").close()
    stats = http.get(f"{org.base}/_sandbox/stats").json()
    assert stats["total"] == 15
    assert stats["endpoints"]["GET <unmatched>"] == 10
    assert stats["endpoints"]["DELETE <unmatched>"] == 2
