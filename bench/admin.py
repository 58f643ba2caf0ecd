"""Admin benchmark (not a test): server time of the admin's pages for one shop with 100,000 parcels.

Creates a PostgreSQL database of its own (`forewarn_bench`, dropped and created again), migrates it with Alembic as
`forewarn db upgrade` does, and seeds ONE shop with the generated history of web/demo_history.py — a year of
finished orders until 100,000 parcels, with their scans, incidents, cases, notes, customer messages and survey
answers (the seeding time is printed, not counted). Then, through Flask's test client in demo mode (`?shop=`
picks the shop, as in `forewarn demo`), each page is requested WARMUP times and then RUNS times, and the
median and p95 of the server time are printed against the target:

  GET /admin                                the overview
  GET /admin/shipments                      first page of parcels
  GET /admin/shipments?carrier=…&status=…   one carrier's parcels in one state
  GET /admin/shipments?problem=…            parcels with an open problem of one kind (none: the history is finished)
  GET /admin/shipments/<id>                 one parcel's timeline
  GET /admin/cases                          the cases list
  GET /admin/cases/<id>                     one case

Target (issue 10): every page under 300 ms server time at this size. Results go to bench/results/admin.txt.

    python bench/admin.py                   # needs PostgreSQL on 127.0.0.1:5432 (BENCH_POSTGRES_URL)
    BENCH_SHIPMENTS=20000 python bench/admin.py
"""
from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import fakeredis  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from core.adapters.db import make_engine  # noqa: E402
from core.domain.model import Shop  # noqa: E402
from core.settings import Settings  # noqa: E402
from jobs import runtime as runtime_module  # noqa: E402
from jobs.runtime import Runtime, utcnow  # noqa: E402
from migrations import upgrade  # noqa: E402
from web import demo_history  # noqa: E402

PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATABASE = "forewarn_bench"
SHIPMENTS = int(os.environ.get("BENCH_SHIPMENTS", "100000"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "3"))
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
TARGET_MS = 300.0
SHOP = "bench-admin.myshopify.com"
RESULTS = ROOT / "bench" / "results" / "admin.txt"
IN_FLIGHT = timedelta(days=10)


def fresh_database() -> str:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
        version = conn.execute(text("SHOW server_version")).scalar()
    admin.dispose()
    print(f"PostgreSQL {version}: database {DATABASE} created", flush=True)
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{DATABASE}"


def seed(rt: Runtime) -> tuple[demo_history.Summary, float]:
    with rt.uow() as uow:
        shop = Shop(platform="shopify", domain=SHOP, name="Bench shop", installed_at=utcnow() - timedelta(days=400))
        uow.repo.add(shop)
        uow.commit()
        shop_id = shop.id
    started = time.perf_counter()
    with rt.engine.begin() as conn:
        summary = demo_history.generate(conn, shop_id, utcnow(), days=365, per_day=(236, 244), seed=2026,
                                        shop_name="Bench shop", max_shipments=SHIPMENTS,
                                        links=demo_history.signed_links(rt.settings.base_url, rt.settings.secret_key or ""))
    with rt.engine.begin() as conn:
        # The history is all finished; a live shop also has parcels on their way, some with a problem open. Set
        # the last IN_FLIGHT_DAYS of parcels back in transit, their problems and cases open again, so the
        # overview's at-risk figures and the problem filters have real work (bench data shaping, said in results).
        conn.execute(text(
            "UPDATE shipments SET status = 'in_transit', substatus = NULL, delivered_at = NULL "
            "WHERE shop_id = :shop AND shipped_at > :since"), {"shop": shop_id, "since": utcnow() - IN_FLIGHT})
        conn.execute(text(
            "UPDATE incidents SET status = 'open', cleared_at = NULL, clear_reason = NULL WHERE shop_id = :shop AND "
            "shipment_id IN (SELECT id FROM shipments WHERE shop_id = :shop AND status = 'in_transit')"), {"shop": shop_id})
        conn.execute(text(
            "UPDATE cases SET status = 'open', resolved_at = NULL WHERE shop_id = :shop AND order_id IN "
            "(SELECT order_id FROM incidents WHERE shop_id = :shop AND status = 'open')"), {"shop": shop_id})
    with rt.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE"))  # as autovacuum would have by the time a merchant looks
    return summary, time.perf_counter() - started


def measure(client, path: str, params: dict[str, str]) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for i in range(WARMUP + RUNS):
        start = time.perf_counter()
        response = client.get(path, query_string={"shop": SHOP, **params})
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            raise SystemExit(f"GET {path} {params} answered {response.status_code}:\n{response.get_data(as_text=True)[:2000]}")
        if i >= WARMUP:
            times.append(elapsed)
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def main() -> None:
    url = fresh_database()
    upgrade(url)
    settings = Settings(database_url=url, demo=True, secret_key="bench-secret-key", base_url="http://127.0.0.1:8000",
                        shopify_api_key="bench", shopify_api_secret="bench")
    rt = Runtime.assemble(settings, make_engine(url), fakeredis.FakeRedis(server=fakeredis.FakeServer()))
    runtime_module.install(rt)
    summary, seconds = seed(rt)
    print(f"seeded {summary.orders:,} orders, {summary.shipments:,} shipments, {summary.events:,} scans, "
          f"{summary.incidents:,} incidents, {summary.cases:,} cases, {summary.messages:,} messages in {seconds:.1f} s",
          flush=True)
    with rt.engine.connect() as conn:
        first, last = conn.execute(text("SELECT min(placed_at), max(placed_at) FROM orders")).one()
        print(f"orders placed {first:%Y-%m-%d} … {last:%Y-%m-%d} (now {utcnow():%Y-%m-%d})", flush=True)
        tracking_part = conn.execute(text("SELECT right(tracking_number, 8) FROM shipments ORDER BY id "
                                          "LIMIT 1 OFFSET 777")).scalar()
        surname = conn.execute(text("SELECT customer_last_name FROM orders ORDER BY id LIMIT 1 OFFSET 4321")).scalar()
        case_id = conn.execute(text("SELECT id FROM cases ORDER BY id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM cases)")).scalar()
        shipment_id = conn.execute(text("SELECT shipment_id FROM incidents WHERE shipment_id IS NOT NULL "
                                        "ORDER BY id LIMIT 1 OFFSET (SELECT count(*) / 2 FROM incidents)")).scalar()

    from web import create_app

    app = create_app(runtime=rt)
    client = app.test_client()
    pages = [
        ("/admin", {}, "overview"),
        ("/admin/shipments", {}, "shipments, first page"),
        ("/admin/shipments", {"carrier": "ups", "status": "delivered"}, "shipments, UPS delivered"),
        ("/admin/shipments", {"problem": "any"}, "shipments with an open problem"),
        ("/admin/shipments", {"q": tracking_part}, "shipments, search by part of a tracking number"),
        ("/admin/shipments", {"q": surname}, "shipments, search by a customer's name"),
        (f"/admin/shipments/{shipment_id}", {}, "one parcel's timeline"),
        ("/admin/cases", {}, "cases list"),
        (f"/admin/cases/{case_id}", {}, "one case"),
    ]
    lines = []
    worst = 0.0
    for path, params, label in pages:
        times = measure(client, path, params)
        median, high = statistics.median(times), p95(times)
        worst = max(worst, high)
        query = "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
        line = (f"{path + query:<44} median {median:6.1f} ms, p95 {high:6.1f} ms  ({label}; target < {TARGET_MS:.0f} ms) "
                f"{'ok' if high < TARGET_MS else 'MISSED'}")
        print(line, flush=True)
        lines.append(line)
    header = (f"# bench/admin.py — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores "
              f"({platform.processor() or platform.machine()}), Python {platform.python_version()}, PostgreSQL on loopback, "
              f"Flask test client (server time), {WARMUP} warm-up + {RUNS} runs per page")
    with rt.engine.connect() as conn:
        open_now = conn.execute(text("SELECT count(*) FROM incidents WHERE status = 'open'")).scalar()
        flying = conn.execute(text("SELECT count(*) FROM shipments WHERE status = 'in_transit'")).scalar()
    seeded = (f"one shop: {summary.orders:,} orders, {summary.shipments:,} shipments, {summary.events:,} scans, "
              f"{summary.incidents:,} incidents, {summary.cases:,} cases, {summary.messages:,} messages, "
              f"{summary.survey_answers:,} survey answers over {summary.days} days (web/demo_history.py; seeded in "
              f"{seconds:.1f} s, not counted); the last {IN_FLIGHT.days} days' {flying:,} parcels set back in transit with "
              f"their {open_now:,} problems open")
    verdict = f"every page p95 < {TARGET_MS:.0f} ms: {'ok' if worst < TARGET_MS else 'MISSED'}"
    RESULTS.write_text("\n".join([header, seeded, *lines, verdict]) + "\n")
    print(verdict)
    print(f"written to {RESULTS.relative_to(ROOT)}")
    runtime_module.install(None)
    rt.engine.dispose()


if __name__ == "__main__":
    main()
