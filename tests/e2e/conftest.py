"""What every browser test shares: one running `forewarn demo` for the whole session, Debian's Chromium
(required when CI=true) and a place for screenshots — kept as test artifacts in tests/artifacts/ (or
$FOREWARN_ARTIFACTS), so a reviewer sees each admin page as the test left it."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import CI
from web.demo_history import NAME_PREFIX

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DEMO_ORDERS = 9  # eight demo customers and Shopify's own (cancelled) sample order
ORDER_ROW = re.compile(r'<tr data-order="([^"]+)">(.*?)</tr>', re.S)
#: The Shopify demo shop also has months of generated history (web/demo_history.py): its orders are named #H….
LIVE_ROW = f'tr[data-order]:not([data-order^="{NAME_PREFIX}"])'


def live_rows(page: str) -> list[tuple[str, str]]:
    """The live demo's order rows on /admin/orders as (name, row html), the generated history's left out."""
    return [(name, row) for name, row in ORDER_ROW.findall(page) if not name.startswith(NAME_PREFIX)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_chromium() -> None:
    if not shutil.which("chromium") and not Path(CHROMIUM).exists():
        if CI:
            pytest.fail("Chromium is required when CI=true (apt-get install -y chromium)", pytrace=False)
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")


@pytest.fixture(scope="session")
def demo():
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SHOPIFY_API_SECRET"}}
    env["FOREWARN_DEMO_PAUSE"] = "0.05"
    proc = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "demo", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 90
        while True:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            assert line or proc.poll() is None, "demo exited:\n" + "".join(lines)
            lines.append(line)
            if "all demo webhooks sent" in line:
                break
            assert time.monotonic() < deadline, "demo never finished sending:\n" + "".join(lines)
        base = f"http://127.0.0.1:{port}"
        while True:  # the worker catches up with the last deliveries
            page = requests.get(f"{base}/admin/orders", timeout=5).text
            live = live_rows(page)
            scans = sum(len(re.findall(r"data-scan", row)) for _, row in live)
            problems = sum(len(re.findall(r"data-incident=", row)) for _, row in live)
            if len(live) >= DEMO_ORDERS and ">received<" not in page and scans >= 8 and problems >= 3:
                break
            assert time.monotonic() < deadline, "demo never showed its orders"
            time.sleep(0.2)
        yield base, "".join(lines)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


ARTIFACTS = Path(os.environ.get("FOREWARN_ARTIFACTS") or ROOT / "tests" / "artifacts")


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    """A full-page screenshot kept as a test artifact; returns its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def browser():
    """Debian's Chromium through Playwright, as CI runs it."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield launched
        finally:
            launched.close()
