"""Ingest benchmark (not a test): `POST /webhooks/shopify` against a no-op endpoint on the same gunicorn.

Starts the app under gunicorn on loopback with a fresh PostgreSQL database and a Redis database of its
own, then drives both endpoints from a second process with correctly signed real payloads (Shopify's
orders/create sample, a new delivery id per request):
  1. closed loop, as fast as CONCURRENCY clients can go, for SECONDS → throughput and latency;
  2. open loop at RATE requests/s for SECONDS → latency measured from each request's scheduled time.
Prints the figures and the ingest/no-op ratio, and writes them to bench/results/ingest.txt.
Targets (issue 2): ingest throughput ≥ 0.5 × no-op; ingest p99 < 50 ms at 200 requests/s.

    python bench/ingest.py            # needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379
"""
from __future__ import annotations

import http.client
import multiprocessing as mp
import os
import queue
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from connectors.shopify.verify import webhook_signature  # noqa: E402
from migrations import upgrade  # noqa: E402

PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
SECRET = "bench-secret"
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
RATE = float(os.environ.get("BENCH_RATE", "200"))
WORKERS = os.environ.get("BENCH_WORKERS", "3")
THREADS = os.environ.get("BENCH_THREADS", "2")
BODY = (ROOT / "tests/fixtures/shopify/orders_create.json").read_bytes()
SIGNATURE = webhook_signature(SECRET, BODY)


def request(port: int, path: str) -> float:
    headers = {"Content-Type": "application/json"}
    if path == "/webhooks/shopify":
        headers.update({
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Hmac-Sha256": SIGNATURE,
            "X-Shopify-Shop-Domain": "bench.myshopify.com",
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        })
    start = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", path, body=BODY, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status}")
    return time.perf_counter() - start


def closed_loop(port: int, path: str, out: mp.Queue) -> None:
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + SECONDS

    def client() -> None:
        while time.perf_counter() < stop:
            took = request(port, path)
            with lock:
                latencies.append(took)

    threads = [threading.Thread(target=client) for _ in range(CONCURRENCY)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((len(latencies) / (time.perf_counter() - started), latencies))


def open_loop(port: int, path: str, out: mp.Queue) -> None:
    """Requests are due every 1/RATE s; latency counts from when each was due, so queueing shows."""
    due: queue.Queue = queue.Queue()
    latencies: list[float] = []
    lock = threading.Lock()

    def client() -> None:
        while (scheduled := due.get()) is not None:
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            request(port, path)
            with lock:
                latencies.append(time.perf_counter() - scheduled)

    threads = [threading.Thread(target=client) for _ in range(32)]
    for t in threads:
        t.start()
    start = time.perf_counter() + 0.2
    total = int(RATE * SECONDS)
    for i in range(total):
        due.put(start + i / RATE)
    for _ in threads:
        due.put(None)
    for t in threads:
        t.join()
    out.put((total / SECONDS, latencies))


def measure(target, port: int, path: str) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    out: mp.Queue = mp.Queue()
    proc = mp.Process(target=target, args=(port, path, out))  # the load comes from a second process
    proc.start()
    result = out.get()
    proc.join()
    return result


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] * 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    name = f"forewarn_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    upgrade(url)
    from redis import Redis

    Redis.from_url(REDIS_URL).flushdb()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS_URL, "SHOPIFY_API_SECRET": SECRET}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", WORKERS, "--threads", THREADS,
         "--worker-class", "gthread", "--log-level", "warning", "--chdir", str(ROOT / "bench"), "bench_app:app"],
        cwd=ROOT, env=env,
    )
    lines: list[str] = []
    try:
        for _ in range(100):
            try:
                request(port, "/bench/noop")
                break
            except OSError:
                time.sleep(0.1)
        for path in ("/bench/noop", "/webhooks/shopify"):  # warm up both
            for _ in range(50):
                request(port, path)

        results = {}
        for path in ("/bench/noop", "/webhooks/shopify"):
            rps, lat = measure(closed_loop, port, path)
            _, fixed = measure(open_loop, port, path)
            results[path] = (rps, lat, fixed)
            lines.append(
                f"{path:<18} max {rps:7.0f} req/s (p50 {pct(lat, 50):5.1f} ms, p99 {pct(lat, 99):5.1f} ms, "
                f"{CONCURRENCY} clients) | at {RATE:.0f} req/s: p50 {pct(fixed, 50):5.1f} ms, p99 {pct(fixed, 99):5.1f} ms"
            )
        ratio = results["/webhooks/shopify"][0] / results["/bench/noop"][0]
        p99 = pct(results["/webhooks/shopify"][2], 99)
        lines.append(f"ingest / no-op throughput: {ratio:.2f} (target ≥ 0.5) {'ok' if ratio >= 0.5 else 'MISSED'}")
        lines.append(f"ingest p99 at {RATE:.0f} req/s: {p99:.1f} ms (target < 50 ms) {'ok' if p99 < 50 else 'MISSED'}")
        counting = create_engine(url)
        with counting.connect() as conn:
            stored = conn.execute(text("SELECT count(*) FROM webhook_receipts")).scalar_one()
        counting.dispose()
        queued = Redis.from_url(REDIS_URL).llen("rq:queue:ingest")
        lines.append(f"receipts stored: {stored}, ingest jobs queued: {queued}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        Redis.from_url(REDIS_URL).flushdb()

    header = (f"# bench/ingest.py — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
              f"gunicorn {WORKERS} gthread workers × {THREADS} threads, PostgreSQL + Redis on loopback, {SECONDS:.0f} s per phase")
    report = "\n".join([header, *lines])
    print(report)
    (ROOT / "bench/results").mkdir(exist_ok=True)
    (ROOT / "bench/results/ingest.txt").write_text(report + "\n")


if __name__ == "__main__":
    main()
