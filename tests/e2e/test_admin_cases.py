"""The cases pages in a real browser, on the running demo: the list most urgent first, one case opened from
it, reopened, given a note, an assignee and labels, resolved and seen resolved after a reload, found again
with the label filter, then closed.

The demo's WooCommerce and Wix stores have no case, and tests/e2e/test_demo.py relies on the Shopify store's
#1006 (Amara) and #1002 (Lucía): this test works one of the store's older, resolved cases (#H…), and leaves it
closed — done, as it found it (closing keeps the time it was resolved)."""
from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.conftest import screenshot

AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
RUN = "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"


def test_a_merchant_opens_a_case_adds_a_note_resolves_and_reopens_it(demo, browser) -> None:
    base, _ = demo
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/admin/cases")
    rows = page.locator("tr[data-case]")
    assert rows.count() >= 3
    first_sla = rows.first.locator("[data-sla]").get_attribute("data-sla")
    assert first_sla in ("overdue", "due_soon", "due")  # open work first, the most urgent on top
    assert re.search(r"(due in|overdue by) \d+ (min|h|days)", rows.first.locator("[data-sla]").inner_text())
    assert page.locator('[data-tab="active"][aria-current="page"]').is_visible()
    screenshot(page, "cases")

    page.click('[data-tab="resolved"]')
    page.wait_for_url(re.compile(r"status=resolved"))
    history = page.locator('tr[data-case]:has-text("Order #H")')  # one of the store's older, resolved cases
    assert history.count() >= 1, "the demo's history has resolved cases"
    link = history.first.locator("a.case-link")
    subject = link.inner_text()
    link.click()
    page.wait_for_url(re.compile(r"/admin/cases/\d+\?shop="))
    assert page.locator("[data-case-subject]").inner_text() == subject
    assert page.locator("[data-status]").inner_text() == "Resolved"
    assert page.locator("[data-timeline] li[data-entry=forewarn]").count() >= 1  # why Forewarn opened it
    assert page.locator("#reply-text").input_value().strip()

    with page.expect_response("**/api/v1/cases/*") as answer:
        page.click("[data-set-status=open]")  # the customer wrote back: reopened, a new response is due
    assert answer.value.status == 200
    page.wait_for_selector("#toast:has-text('Case reopened')")
    assert page.locator("[data-status]").inner_text() == "Open"
    assert "reopened" in page.locator("[data-reopened]").inner_text()
    assert re.search(r"Response due in \d+ (min|h|days)", page.locator("[data-sla]").inner_text())

    page.fill("#note", "Called the carrier: the parcel is being traced.")
    with page.expect_response("**/api/v1/cases/*") as answer:
        page.click("#note-form button[type=submit]")
    assert answer.value.status == 200
    page.wait_for_selector("#toast:has-text('Note added')")
    assert page.locator("[data-note]:has-text('Called the carrier: the parcel is being traced.')").count() == 1
    assert page.locator("[data-sla]").inner_text() == "Response met"  # the note answered in time

    page.fill("#assignee", "Ana")
    page.click("#assignee-form button[type=submit]")
    page.wait_for_selector("#toast:has-text('Assigned to Ana')")
    page.fill("#labels", "carrier, trace ")
    page.click("#labels-form button[type=submit]")
    page.wait_for_selector("#toast:has-text('Labels saved')")
    assert page.locator("#assignee").input_value() == "Ana" and page.locator("#labels").input_value() == "carrier, trace"

    with page.expect_response("**/api/v1/cases/*") as answer:
        page.click("[data-set-status=resolved]")
    assert answer.value.status == 200
    page.wait_for_selector("#toast:has-text('Case resolved')")
    page.reload()
    assert page.locator("[data-status]").inner_text() == "Resolved"  # still resolved after a reload
    assert page.locator("[data-set-status=open]").inner_text() == "Reopen"
    changes = page.locator("[data-status-change]").all_inner_texts()
    assert changes[-1] == "Resolved" and changes[-2].startswith("Reopened: a response is due by")
    screenshot(page, "case-detail")

    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)  # to add axe itself
    checked = context.new_page()
    checked.goto(page.url)
    checked.wait_for_load_state("networkidle")
    checked.add_script_tag(path=str(AXE))
    serious = [f"{v['id']}: {v['help']}" for v in checked.evaluate(RUN)["violations"] if v["impact"] in ("serious", "critical")]
    context.close()
    assert serious == []

    page.goto(f"{base}/admin/cases?status=resolved&assignee=Ana")
    assert page.locator("tr[data-case]").count() == 1 and subject in page.locator("tr[data-case]").inner_text()
    page.select_option("#f-label", "trace")  # the labels in use are offered; the form keeps status and assignee
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"label=trace"))
    assert page.locator("tr[data-case]").count() == 1 and subject in page.locator("tr[data-case]").inner_text()
    assert page.locator('[data-tab="resolved"] .count').inner_text() == "1"  # the tabs count what the filters match

    page.locator("tr[data-case] a.case-link").click()  # no more work, the customer is done: closed
    page.wait_for_url(re.compile(r"/admin/cases/\d+\?shop="))
    with page.expect_response("**/api/v1/cases/*") as answer:
        page.click("[data-set-status=closed]")
    assert answer.value.status == 200
    page.wait_for_selector("#toast:has-text('Case closed')")
    assert page.locator("[data-status]").inner_text() == "Closed"
    assert page.locator("[data-set-status=open]").inner_text() == "Reopen" and page.locator("[data-set-status=closed]").count() == 0
