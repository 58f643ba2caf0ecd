"""Detection benchmark (not a test): 1,000,000 synthetic parcels with realistic states through the pure rules
on one core. Prints parcels per second, the time for the whole set and how many findings of each kind.
Target (issue 7): the whole set in under 20 seconds.

    python bench/detection.py [N]
"""
from __future__ import annotations

import random
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.domain.calendar import calendar_for  # noqa: E402
from core.domain.policy import Policy  # noqa: E402
from core.domain.rules import OrderFacts, ParcelFacts, evaluate  # noqa: E402

STATUSES = [("in_transit", None, 0.55), ("pre_transit", None, 0.1), ("out_for_delivery", None, 0.05),
            ("available_for_pickup", None, 0.04), ("attempt_failed", None, 0.03), ("exception", "customs_hold", 0.02),
            ("exception", "damaged", 0.005), ("in_transit", "delayed", 0.05), ("returning", None, 0.01),
            ("delivered", None, 0.145)]
CARRIERS = ["ups", "fedex", "usps", "dhl_express", "canadapost", "royalmail", "gls", "dpd"]
COUNTRIES = ["US", "US", "US", "CA", "GB", "DE", "FR", "IN", "AU"]


def parcels(n: int, now: datetime) -> list[tuple[OrderFacts, ParcelFacts, str]]:
    rng = random.Random(7)
    weights = [w for *_, w in STATUSES]
    out = []
    for i in range(n):
        status, sub, _ = rng.choices(STATUSES, weights)[0]
        shipped = now - timedelta(hours=rng.uniform(2, 24 * 14))
        last = shipped + (now - shipped) * rng.random() if status != "pre_transit" else None
        edd = shipped + timedelta(days=rng.choice([2, 3, 5, 7]))
        parcel = ParcelFacts(
            shipment_id=i, carrier=rng.choice(CARRIERS), service=rng.choice(["Ground", "Express", None]),
            international=rng.random() < 0.15, status=status, substatus=sub, shipped_at=shipped, last_event_at=last,
            last_event="Departed facility", last_place="Louisville, KY, US", estimated_delivery_at=edd,
            running_late=sub == "delayed", status_since=last,
        )
        order = OrderFacts(order_id=i, placed_at=shipped - timedelta(days=1), paid=True, cancelled=False,
                           needs_shipping={"a": 1}, shipped={"a": 1}, first_shipped_at=shipped)
        out.append((order, parcel, rng.choice(COUNTRIES)))
    return out


def main(n: int = 1_000_000) -> None:
    now = datetime(2026, 11, 24, 15, tzinfo=timezone.utc)
    policy = Policy()
    made = time.perf_counter()
    data = parcels(n, now)
    built = time.perf_counter() - made
    found: Counter[str] = Counter()
    began = time.perf_counter()
    for order, parcel, country in data:
        for finding in evaluate(order, [parcel], policy, now, calendar_for(country)):
            found[finding.kind] += 1
    took = time.perf_counter() - began
    lines = [
        f"# bench/detection.py — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, one core, {n:,} synthetic parcels "
        f"(built in {built:.1f} s, not counted)",
        f"rules: {took:.1f} s for the whole set, {n / took:,.0f} parcels/s (target < 20 s) {'ok' if took < 20 else 'MISSED'}",
        "findings: " + ", ".join(f"{k} {v:,}" for k, v in sorted(found.items())),
    ]
    report = "\n".join(lines)
    print(report)
    (ROOT / "bench/results").mkdir(exist_ok=True)
    (ROOT / "bench/results/detection.txt").write_text(report + "\n")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
