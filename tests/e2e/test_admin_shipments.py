"""The shipments pages of the demo shop in a real browser: filter the parcels with the form, see the list narrow,
open one parcel's timeline and read its scans and its problem with the reason. Only reads: the demo stays as the
other browser tests expect it."""
from __future__ import annotations

import re
import time

import requests

from tests.e2e.conftest import screenshot

WIDE = {"width": 1400, "height": 900}


def wait_for_damaged_parcel(base: str) -> None:
    """The simulated carrier reports the Royal Mail parcel damaged a moment after the demo starts."""
    deadline = time.monotonic() + 30
    while 'data-incident="damaged"' not in requests.get(f"{base}/admin/shipments", params={"problem": "damaged"}, timeout=5).text:
        assert time.monotonic() < deadline, "the damaged parcel never showed on the shipments page"
        time.sleep(0.3)


def summary_count(page) -> int:  # type: ignore[no-untyped-def]
    text = page.locator("[data-summary]").inner_text()
    return int(re.match(r"([\d,]+) parcels?", text).group(1).replace(",", ""))  # type: ignore[union-attr]


def test_a_merchant_filters_parcels_and_reads_a_timeline(demo, browser) -> None:  # type: ignore[no-untyped-def]
    base, _ = demo
    wait_for_damaged_parcel(base)
    page = browser.new_page(viewport=WIDE)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/admin/shipments")
    every = summary_count(page)
    assert every >= 9 and page.locator("tr[data-shipment]").count() == min(every, 50)
    assert page.locator("[data-summary]").inner_text().endswith("with an open problem")

    page.select_option("#f-carrier", label="Royal Mail")  # one carrier
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"carrier=royalmail"))
    assert "status=" not in page.url  # the form leaves unused fields out of the address
    by_carrier = summary_count(page)
    assert 1 <= by_carrier < every
    assert set(page.locator("tr[data-shipment]").evaluate_all("rows => rows.map(r => r.dataset.carrier)")) == {"royalmail"}

    page.select_option("#f-problem", label="Any problem")  # and with a problem: narrower still, the carrier kept
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"problem=any"))
    assert "carrier=royalmail" in page.url and page.locator("#f-carrier").input_value() == "royalmail"
    assert 1 <= summary_count(page) <= by_carrier
    page.locator("[data-clear-filters]").first.click()
    page.wait_for_url(re.compile(r"/admin/shipments\?shop=[^&]+$"))
    assert summary_count(page) == every

    page.select_option("#f-problem", label="Damaged")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"problem=damaged"))
    rows = page.locator("tr[data-shipment]")
    assert rows.count() >= 1 and summary_count(page) < every
    badge = rows.first.locator('[data-incident="damaged"]')
    tip = badge.locator("[role=tooltip]")
    assert tip.bounding_box()["width"] <= 1  # visually hidden, but read with the badge by screen readers
    badge.hover()  # the reason shows on hover
    assert tip.bounding_box()["width"] > 100 and "reports the parcel damaged" in tip.inner_text()
    page.select_option("#f-problem", label="Any problem")  # the list a merchant checks first: every parcel at risk
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"problem=any"))
    page.locator('[data-incident="damaged"]').first.hover()
    screenshot(page, "shipments")

    page.locator('tr[data-shipment]:has([data-incident="damaged"]) a[data-timeline]').first.click()
    page.wait_for_url(re.compile(r"/admin/shipments/\d+"))
    assert page.locator("[data-timeline] li[data-entry=scan]").count() >= 2
    incident = page.locator('[data-timeline] li[data-entry=incident][data-incident="damaged"]')
    assert incident.count() == 1 and "reports the parcel damaged" in incident.locator("[data-reason]").inner_text()
    assert page.locator("[data-open-incident=damaged]").is_visible()
    incident.locator("details.evidence summary").click()  # the evidence behind the reason
    assert incident.locator("details.evidence dl").is_visible()
    assert page.locator("[data-case-link]").first.is_visible()  # the parcel's case is one click away
    screenshot(page, "shipment-timeline")
    page.locator("a.back-arrow").click()
    page.wait_for_url(re.compile(r"/admin/shipments\?"))
    assert errors == []
