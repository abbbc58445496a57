from __future__ import annotations

from collections import Counter

from sandbox.faults import FAILURE_KINDS, FaultKind, FaultPlan, RollingWindow


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
    plan = FaultPlan("flaky", seed=5, failure_rate=0.25, latency_rate=0.0)
    outcomes = _run(plan, 2000)
    failed_requests = {o.split(":")[0] for o in outcomes}
    assert len(failed_requests) == 500  # one distinct request in four, exactly
    assert len(outcomes) == 500  # each fails once, then its retry gets through
    kinds = Counter(o.split(":")[2] for o in outcomes)
    assert set(kinds) == {kind.value for kind in FAILURE_KINDS}
    assert all(83 <= n <= 84 for n in kinds.values())  # the six kinds take turns
    counts = plan.counts()
    assert {k: v for k, v in counts.items() if v} == dict(kinds)


def test_every_kind_fails_within_the_first_six_failures() -> None:
    for seed in range(20):
        plan = FaultPlan("flaky", seed=seed, failure_rate=0.5, latency_rate=0.0)
        outcomes = _run(plan, 13)
        assert {o.split(":")[2] for o in outcomes} == {k.value for k in FAILURE_KINDS}, seed


def test_token_expiry_only_where_a_token_can_expire() -> None:
    plan = FaultPlan("flaky", seed=1, failure_rate=1.0, latency_rate=0.0)
    kinds = {plan.decide("GET", f"/t/{i}", "", b"", token_can_expire=False) for i in range(60)}
    assert FaultKind.TOKEN_EXPIRED not in {k.kind for k in kinds if k is not None}
    expiring = plan.decide("GET", "/t/expiring", "", b"", token_can_expire=True)
    assert expiring is not None and expiring.kind is FaultKind.TOKEN_EXPIRED  # waited its turn


def test_a_timeout_holds_the_answer_for_slow_s_then_is_a_504() -> None:
    plan = FaultPlan("flaky", seed=2, failure_rate=1.0, latency_rate=0.0, slow_s=2.5)
    faults = [plan.decide("GET", f"/s/{i}", "", b"") for i in range(6)]
    timeout = next(f for f in faults if f is not None and f.kind is FaultKind.TIMEOUT)
    assert (timeout.status, timeout.delay) == (504, 2.5)


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
