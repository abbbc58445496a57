"""Crediting benchmark: synthetic deals and acts through ``credit_deals``.

    python bench/bench_crediting.py [--deals 200000] [--acts 2000000] [--employees 5000]
                                    [--seed 1] [--no-explain] [--json]

Generates a seeded synthetic company (employees with roles, teams and managers; deals
with about ``acts / deals`` acts each along the sales chain — lead source, call-centre
calls, field visits, customer e-mails, the close — with 5% of lead acts shared by two
deals and 2% clawbacks), then credits it with the four-slot chain scheme plus a presales
overlay pool and a manager roll-up. Reports generation and crediting time, CPU, peak RSS
and the credit lines produced, and checks that the revenue credits sum to the deal total.

Issue target for the whole plan run (crediting plus the plan calculation): under 60 s and
4 GB for 5,000 employees × 200,000 deals × 2,000,000 acts; crediting should take well
under half of that.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from compensation.crediting import CreditScheme, credit_deals
from compensation.inputs import Act, Deal, DealEvidence, Employee

SCHEME = {
    "lookback_days": 365,
    "vacancy": "redistribute",
    "slots": [
        {"name": "lead_source", "weight": "0.10", "kinds": ["lead_source", "campaign"]},
        {"name": "qualification", "weight": "0.20", "kinds": ["touch"], "roles": ["call_centre"]},
        {"name": "field_work", "weight": "0.30", "kinds": ["touch"], "roles": ["field_sales"]},
        {"name": "close", "weight": "0.40", "kinds": ["deal_owner"], "pick": "last"},
    ],
    "pools": {
        "overlay": {
            "budget": "0.5",
            "slots": [
                {"name": "presales", "weight": 1, "roles": ["presales"], "pick": "all_linear"}
            ],
        },
        "manager": {"manager_of": "revenue", "vacancy": "house"},
    },
}
ROLES = [("marketing", 10), ("call_centre", 25), ("field_sales", 50), ("presales", 10)]


def _employees(rnd: random.Random, count: int) -> dict[str, Employee]:
    managers = [f"B{i:05d}" for i in range(max(1, count // 20))]
    people: dict[str, Employee] = {m: Employee(m, m, role="manager") for m in managers}
    weights = [w for _, w in ROLES]
    for i in range(count - len(managers)):
        role = rnd.choices([r for r, _ in ROLES], weights)[0]
        key = f"E{i:05d}"
        people[key] = Employee(key, key, role=role, team=f"t{i % 40}", manager=rnd.choice(managers))
    return people


def generate(
    deals: int, acts: int, employees: int, seed: int
) -> tuple[list[DealEvidence], dict[str, Employee]]:
    """A seeded synthetic company: deals with chains of acts."""
    rnd = random.Random(seed)
    people = _employees(rnd, employees)
    by_role: dict[str, list[str]] = {}
    for e in people.values():
        by_role.setdefault(e.role or "", []).append(e.id)
    per_deal = acts / deals
    base = datetime(2026, 1, 1)
    evidence: list[DealEvidence] = []
    previous_lead: Act | None = None
    serial = 0
    for d in range(deals):
        close_day = rnd.randrange(30, 300)
        close = base + timedelta(days=close_day)
        n = max(3, int(rnd.gauss(per_deal, 2)))
        chain: list[Act] = []
        if previous_lead is not None and rnd.random() < 0.05:
            chain.append(previous_lead)  # one lead spawned two opportunities
        else:
            serial += 1
            chain.append(
                Act(
                    f"A{serial:08d}",
                    "lead_source",
                    rnd.choice(by_role["marketing"]),
                    close - timedelta(days=rnd.randrange(20, 60)),
                    channel="web",
                )
            )
        previous_lead = chain[0]
        for _ in range(n - 2):
            serial += 1
            pick = rnd.random()
            if pick < 0.35:
                who, channel = rnd.choice(by_role["call_centre"]), "phone"
            elif pick < 0.75:
                who, channel = rnd.choice(by_role["field_sales"]), "visit"
            elif pick < 0.85:
                who, channel = rnd.choice(by_role["presales"]), "meeting"
            else:
                who, channel = None, "email"
            when = close - timedelta(minutes=rnd.randrange(60, 20 * 24 * 60))
            chain.append(Act(f"A{serial:08d}", "touch", who, when, channel=channel))
        serial += 1
        owner = rnd.choice(by_role["field_sales"])
        chain.append(Act(f"A{serial:08d}", "deal_owner", owner, close))
        cents = rnd.randrange(10_000, 10_000_000) * (-1 if rnd.random() < 0.02 else 1)
        deal = Deal(
            f"D{d:07d}",
            f"Deal {d}",
            Decimal(cents).scaleb(-2),
            "EUR",
            "won",
            base,
            date.fromordinal(close.toordinal()),
            owner=owner,
        )
        evidence.append(DealEvidence(deal, tuple(chain)))
    return evidence, people


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reference_cpu_s() -> float:
    """CPU seconds for 10 million integer additions: a yardstick for this machine's speed
    and load (about 0.4 s on an idle current x86 core), to scale the figures by."""
    start, total = time.process_time(), 0
    for i in range(10_000_000):
        total += i
    return round(time.process_time() - start, 2)


def run(deals: int, acts: int, employees: int, seed: int, explain: bool) -> dict[str, Any]:
    wall = time.perf_counter()
    gc.disable()  # building millions of acyclic records: no cycles to collect
    evidence, people = generate(deals, acts, employees, seed)
    gc.enable()
    gc.freeze()  # the input lives for the whole run; keep it out of later collections
    generated_s = time.perf_counter() - wall
    act_count = len({a.key for e in evidence for a in e.acts})
    rss_before = _rss_mb()
    scheme = CreditScheme.model_validate(SCHEME)
    cpu, wall = time.process_time(), time.perf_counter()
    result = credit_deals(evidence, scheme, employees=people, explain=explain)
    seconds = time.perf_counter() - wall
    cpu = time.process_time() - cpu
    reference = _reference_cpu_s()
    revenue = sum(c.amount for c in result.credits if c.pool == "revenue")
    return {
        "deals": len(evidence),
        "acts": act_count,
        "employees": len(people),
        "explain": explain,
        "generate_s": round(generated_s, 2),
        "crediting_s": round(seconds, 2),
        "crediting_cpu_s": round(cpu, 2),
        "us_per_deal": round(seconds / len(evidence) * 1e6, 1),
        "credit_lines": len(result.credits),
        "peak_rss_mb": round(_rss_mb()),
        "reference_10m_adds_cpu_s": reference,
        "rss_before_crediting_mb": round(rss_before),
        "revenue_sums_to_deals": revenue == sum(e.deal.amount for e in evidence),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=200_000)
    parser.add_argument("--acts", type=int, default=2_000_000)
    parser.add_argument("--employees", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-explain", action="store_true", help="skip explanations")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    r = run(args.deals, args.acts, args.employees, args.seed, not args.no_explain)
    if args.json:
        print(json.dumps(r))
        return
    print(f"seed {args.seed}, explanations {'on' if r['explain'] else 'off'}")
    print(f"  {'deals':<28}{r['deals']:>12,}")
    print(f"  {'acts (distinct)':<28}{r['acts']:>12,}")
    print(f"  {'employees':<28}{r['employees']:>12,}")
    print(f"  {'generate (s)':<28}{r['generate_s']:>12.2f}")
    print(f"  {'credit_deals wall (s)':<28}{r['crediting_s']:>12.2f}")
    print(f"  {'credit_deals CPU (s)':<28}{r['crediting_cpu_s']:>12.2f}")
    print(f"  {'µs per deal':<28}{r['us_per_deal']:>12.1f}")
    print(f"  {'credit lines':<28}{r['credit_lines']:>12,}")
    print(f"  {'RSS before crediting (MB)':<28}{r['rss_before_crediting_mb']:>12,}")
    print(f"  {'peak RSS (MB)':<28}{r['peak_rss_mb']:>12,}")
    print(f"  {'10M int adds CPU (s)':<28}{r['reference_10m_adds_cpu_s']:>12.2f}")
    print(f"  {'revenue sums to deals':<28}{r['revenue_sums_to_deals']!s:>12}")
    print(json.dumps(r))


if __name__ == "__main__":
    main()
