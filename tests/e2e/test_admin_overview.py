"""The overview in a real browser: the demo shop's charts are drawn from its data, its key figures are numbers,
and each link it gives stays inside the admin."""
from __future__ import annotations

import re

from tests.e2e.conftest import screenshot

DRAWN = """(id) => {
  const canvas = document.getElementById(id);
  const chart = canvas && window.Chart && Chart.getChart(canvas);
  return !!chart && chart.data.datasets.some((d) => d.data.some((v) => v > 0));
}"""


def test_the_overview_draws_the_demo_shops_charts_and_figures(demo, browser) -> None:
    base, _ = demo
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None)
    page.goto(f"{base}/admin")
    assert page.locator("h1").inner_text() == "Overview"
    page.wait_for_function(DRAWN, arg="chart-at-risk", timeout=10_000)
    page.wait_for_function(DRAWN, arg="chart-incidents", timeout=10_000)
    for kpi in ("at-risk", "cases", "told", "on-time", "incidents", "messages", "avoided", "cases-done"):
        value = page.locator(f'[data-kpi="{kpi}"] .value').inner_text().strip()
        assert re.fullmatch(r"\d+( · \d+)?|\d+(\.\d)? %|—", value), (kpi, value)
    assert int(page.locator('[data-kpi="at-risk"] .value').inner_text()) >= 1  # the demo has late and stuck parcels
    label = page.locator("#chart-at-risk").get_attribute("aria-label") or ""
    assert label.startswith("Open problems by kind:")
    page.locator('[data-section="at-risk"] details summary').click()  # the numbers behind the chart, as a table
    assert page.locator('[data-section="at-risk"] details table tbody tr').count() >= 1
    assert page.locator("[data-definitions]").get_by_text("On time", exact=True).is_visible()
    rules = page.locator("a[data-tune]")
    assert rules.get_attribute("href").startswith("/admin/rules?shop=")  # type: ignore[union-attr]
    for link in page.locator('[data-section="attention"] li a').all():
        assert re.match(r"/admin/(cases|shipments)/\d+\?shop=", link.get_attribute("href") or "")
    screenshot(page, "overview")
    page.locator(".shop-switch a", has_text="woocommerce").click()  # a store with only a few orders
    page.wait_for_load_state("load")
    assert page.locator('[data-kpi="at-risk"] .value').inner_text().isdigit()
    screenshot(page, "overview-woocommerce")
    assert errors == []
    page.close()
