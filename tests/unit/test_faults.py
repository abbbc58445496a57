from __future__ import annotations

from connectors.sandbox.faults import FaultKind, FaultPlan, RollingWindow


def _run(plan: FaultPlan, requests: int) -> list[str]:
    outcomes = []
    for i in range(requests):
        attempt = 0
        while True:
            fault = plan.decide("GET", f"/x/{i}", "a=1", b"")
            if fault is None or fault.kind is FaultKind.LATENCY:
                break
            outcomes.append(f"{i}:{attempt}:{fault.kind.value}:{fault.status}")
            attempt += 1
    return outcomes


def test_no_faults_without_the_flaky_profile() -> None:
    assert _run(FaultPlan("none", seed=1, failure_rate=1.0), 50) == []
    assert _run(FaultPlan("strict", seed=1, failure_rate=1.0), 50) == []


def test_flaky_faults_are_deterministic_per_seed() -> None:
    first = _run(FaultPlan("flaky", seed=3), 400)
    assert first == _run(FaultPlan("flaky", seed=3), 400)
    assert first != _run(FaultPlan("flaky", seed=4), 400)


def test_flaky_share_and_kinds_are_as_configured() -> None:
    outcomes = _run(FaultPlan("flaky", seed=5, failure_rate=0.1), 2000)
    failed_requests = {o.split(":")[0] for o in outcomes}
    assert 140 <= len(failed_requests) <= 260  # 10% of 2000, seeded draw
    kinds = {o.split(":")[2] for o in outcomes}
    assert kinds == {"server_error", "rate_limited", "token_expired"}


def test_a_request_fails_at_most_twice_then_succeeds() -> None:
    plan = FaultPlan("flaky", seed=9, failure_rate=1.0, latency_rate=0.0)
    for i in range(100):
        failures = 0
        while (fault := plan.decide("POST", "/y", str(i), b"{}")) is not None:
            failures += 1
            assert fault.kind is not FaultKind.LATENCY
        assert 1 <= failures <= 2


def test_reconfigure_resets_attempt_counts() -> None:
    plan = FaultPlan("flaky", seed=9, failure_rate=1.0, latency_rate=0.0)
    assert plan.decide("GET", "/z", "", b"") is not None
    plan.configure("none")
    assert plan.decide("GET", "/z", "", b"") is None


def test_rolling_window_refuses_then_frees_slots() -> None:
    now = [0.0]
    window = RollingWindow(limit=3, window=10, monotonic=lambda: now[0])
    assert [window.try_acquire()[0] for _ in range(4)] == [True, True, True, False]
    allowed, remaining, wait = window.try_acquire()
    assert (allowed, remaining, wait) == (False, 0, 10.0)
    now[0] = 10.0
    assert window.try_acquire() == (True, 2, 0.0)
    assert window.remaining() == 2
