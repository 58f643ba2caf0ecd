"""Polling benchmark (not a test): Forewarn's adaptive cadence against fixed 2-hourly polling.

10,000 simulated parcels (the carrier simulator's scenario timelines, mixed as an e-commerce week might
be) are polled on a virtual clock by two policies: Forewarn's scheduler (core/services/scheduling.py, the
code production runs) and a fixed 2-hour cadence. Each poll reads the status the parcel's scans show at
that moment, through the DHL normalizer the simulator is read with in the demo. Printed: carrier calls per
delivered parcel, and the median / p90 delay between the scan that reveals a problem (a delay, an
exception, a failed attempt, a pickup notice, a return) and the first poll that sees it.
Target (issue 6): ≤ 0.25 × the calls of 2-hourly polling, median detection delay no worse than +1 hour.

    python bench/polling.py [N]
"""
from __future__ import annotations

import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from connectors.carriers.dhl import event_status  # noqa: E402
from connectors.carriers.simulator import DEFAULT_PROMISED_HOURS, PROMISED_HOURS, SCENARIOS  # noqa: E402
from core.domain.model import Shipment  # noqa: E402
from core.domain.status import FINAL_STATUSES, ShipmentStatus, Substatus  # noqa: E402
from core.services import scheduling  # noqa: E402

MIX = {"on_time": 0.70, "late": 0.08, "stuck": 0.03, "lost": 0.02, "damaged": 0.02,
       "failed_attempt_then_pickup": 0.08, "returned": 0.03, "customs_hold": 0.04}
HORIZON = timedelta(days=21)
PROBLEM = {ShipmentStatus.EXCEPTION, ShipmentStatus.ATTEMPT_FAILED, ShipmentStatus.AVAILABLE_FOR_PICKUP,
           ShipmentStatus.RETURNING}


@dataclass
class Outcome:
    calls: int
    delivered: bool
    delays: list[float]  # hours, one per problem scan


def timeline(scenario: str, shipped: datetime) -> list[tuple[datetime, str, str | None]]:
    return [(shipped + timedelta(hours=h), *event_status(code, text, remark)) for h, code, text, _, remark in SCENARIOS[scenario]]


def problems(steps: list[tuple[datetime, str, str | None]]) -> list[datetime]:
    return [at for at, status, sub in steps if status in PROBLEM or sub == Substatus.DELAYED]


def observe(steps: list[tuple[datetime, str, str | None]], now: datetime) -> tuple[str, str | None, datetime | None] | None:
    seen = [s for s in steps if s[0] <= now]
    return (seen[-1][1], seen[-1][2], seen[-1][0]) if seen else None


def delays(reveals: list[datetime], polls: list[datetime]) -> list[float]:
    out = []
    for at in reveals:
        after = next((p for p in polls if p >= at), None)
        if after is not None:
            out.append((after - at).total_seconds() / 3600)
    return out


def forewarn(scenario: str, shipped: datetime, number: str) -> Outcome:
    steps = timeline(scenario, shipped)
    edd = shipped + timedelta(hours=PROMISED_HOURS.get(scenario, DEFAULT_PROMISED_HOURS))
    shipment = Shipment(shop_id=1, order_id=1, platform_fulfillment_id="f", tracking_number=number, carrier="dhl",
                        shipped_at=shipped, created_at=shipped)
    now = shipped + timedelta(minutes=random.uniform(5, 120))  # the fulfillment webhook arrives
    polls: list[datetime] = []
    while now < shipped + HORIZON:
        polls.append(now)
        seen = observe(steps, now)
        if seen is not None:
            shipment.status, shipment.substatus, shipment.last_event_at = seen
            shipment.estimated_delivery_at = edd
            shipment.running_late = seen[1] == Substatus.DELAYED
        shipment.last_checked_at = now
        if shipment.status in FINAL_STATUSES or scheduling.expired(shipment, now):
            break
        nxt = scheduling.next_check_at(shipment, now)
        if nxt is None:
            break
        now = nxt
    return Outcome(len(polls), shipment.status == ShipmentStatus.DELIVERED, delays(problems(steps), polls))


def fixed(scenario: str, shipped: datetime, every: timedelta = timedelta(hours=2)) -> Outcome:
    steps = timeline(scenario, shipped)
    now = shipped + timedelta(minutes=random.uniform(5, 120))
    polls: list[datetime] = []
    status = None
    while now < shipped + HORIZON:
        polls.append(now)
        seen = observe(steps, now)
        status = seen[0] if seen else None
        if status in FINAL_STATUSES:
            break
        now += every
    return Outcome(len(polls), status == ShipmentStatus.DELIVERED, delays(problems(steps), polls))


def pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else (values or [0])[0]


def main(n: int = 10_000) -> None:
    random.seed(20261124)
    start = datetime(2026, 11, 2, tzinfo=timezone.utc)
    scenarios = random.choices(list(MIX), weights=list(MIX.values()), k=n)
    began = time.perf_counter()
    ours, base = [], []
    for i, scenario in enumerate(scenarios):
        shipped = start + timedelta(minutes=random.uniform(0, 14 * 24 * 60))
        ours.append(forewarn(scenario, shipped, f"JJD{i:012d}"))
        base.append(fixed(scenario, shipped))
    took = time.perf_counter() - began

    def summary(results: list[Outcome]) -> tuple[float, float, float, int]:
        delivered = sum(r.delivered for r in results)
        all_delays = [d for r in results for d in r.delays]
        return sum(r.calls for r in results) / max(delivered, 1), statistics.median(all_delays), pct(all_delays, 90), len(all_delays)

    o_calls, o_med, o_p90, o_n = summary(ours)
    b_calls, b_med, b_p90, _ = summary(base)
    ratio = o_calls / b_calls
    lines = [
        f"# bench/polling.py — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {n} simulated parcels "
        f"({', '.join(f'{k} {v:.0%}' for k, v in MIX.items())}), {o_n} problem scans; simulated in {took:.1f} s",
        f"2-hourly polling : {b_calls:6.1f} calls per delivered parcel | problem seen after median {b_med:4.2f} h, p90 {b_p90:4.2f} h",
        f"Forewarn cadence : {o_calls:6.1f} calls per delivered parcel | problem seen after median {o_med:4.2f} h, p90 {o_p90:4.2f} h",
        f"calls ratio {ratio:.2f} (target ≤ 0.25) {'ok' if ratio <= 0.25 else 'MISSED'}; "
        f"median delay {o_med - b_med:+.2f} h vs 2-hourly (target ≤ +1 h) {'ok' if o_med - b_med <= 1 else 'MISSED'}",
    ]
    report = "\n".join(lines)
    print(report)
    (ROOT / "bench/results").mkdir(exist_ok=True)
    (ROOT / "bench/results/polling.txt").write_text(report + "\n")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
