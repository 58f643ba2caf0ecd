"""The Rules page in a real browser, on the running demo: a merchant tightens "Stuck — domestic ground" from 3 to
2 business days, is refused a value out of range next to the field, previews what the draft would have done over
the last 90 days, saves it, finds it kept after a reload, and goes back to Forewarn's default.

The saving happens on the demo's WooCommerce store (tests/e2e/test_demo.py checks the Shopify store's cases), and
the default is restored at the end; the Shopify store, with its 90 days of history, is only previewed."""
from __future__ import annotations

import re

from tests.e2e.conftest import screenshot
from web.demo_feed import DEMO_SHOP

SUMMARY = re.compile(r"Last 90 days: (\d+|no orders)")


def test_a_merchant_changes_a_threshold_previews_it_saves_it_and_goes_back(demo, browser) -> None:
    from playwright.sync_api import expect

    base, output = demo
    [woo] = re.findall(r"WooCommerce store: simulated at http://(127\.0\.0\.1:\d+)/", output)
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/admin/rules?shop={woo}")
    stuck = page.get_by_label("Stuck — domestic ground", exact=True)
    expect(stuck).to_have_value("3")
    field = page.locator('[data-field="thresholds/stuck.domestic_ground"]')

    stuck.fill("0")  # out of range: refused next to the field, nothing saved
    page.click("#rules-save")
    expect(field.locator(".error")).to_have_text("between 0.5 and 60 business days")
    expect(stuck).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#rules-errors")).to_contain_text("Stuck — domestic ground")

    stuck.fill("2")
    page.click("#rules-preview")
    summary = page.locator("#backtest-summary")
    expect(summary).to_have_text(SUMMARY, timeout=30_000)
    assert re.search(r"Last 90 days: (no orders|\d+ cases?, \d+ messages?)", summary.inner_text())
    page.click("#rules-save")
    expect(page.locator("#rules-status")).to_have_text("Saved.")
    expect(stuck).not_to_have_attribute("aria-invalid", "true")

    page.reload()
    stuck = page.get_by_label("Stuck — domestic ground", exact=True)
    expect(stuck).to_have_value("2")
    field.get_by_role("button", name=re.compile("Stuck — domestic ground: Forewarn's default")).click()  # back to Forewarn's 3
    expect(stuck).to_have_value("3")
    page.click("#rules-save")
    expect(page.locator("#rules-status")).to_have_text("Saved.")
    page.reload()
    expect(page.get_by_label("Stuck — domestic ground", exact=True)).to_have_value("3")

    # the Shopify store has 90 days of history: a draft previewed there (not saved) shows figures and a chart
    page.goto(f"{base}/admin/rules?shop={DEMO_SHOP}")
    page.get_by_label("Stuck — domestic ground", exact=True).fill("2")
    page.get_by_role("button", name="Add an override").click()
    row = page.locator('[data-rows][data-section="overrides"] [data-item]').last
    row.locator('[data-cell="threshold"]').select_option("stuck.cross_border")
    row.locator('[data-cell="value"]').fill("7")
    page.click("#rules-preview")
    expect(page.locator("#backtest-summary")).to_have_text(
        re.compile(r"Last 90 days: \d+ cases?, \d+ messages? \("), timeout=30_000)
    expect(page.locator("#backtest-result")).to_be_visible()
    assert page.locator("#backtest-kinds tbody tr").count() >= 1
    page.locator("#backtest").scroll_into_view_if_needed()
    screenshot(page, "rules")
    assert errors == []
