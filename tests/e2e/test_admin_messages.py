"""The Messages page in a real browser, on the running demo: the merchant rewrites a Bengali email, watches the
live preview fill in the sample customer's name as they type, saves it, finds it kept after a reload, goes back
to Forewarn's text — and reads the send log of what the demo's customers were told."""
from __future__ import annotations

import re
import time

import requests

from tests.e2e.conftest import screenshot

BENGALI = "প্রিয় {{ customer.first_name }}, আপনার অর্ডার {{ order.name }} একটু দেরিতে আসছে। আমরা নজর রাখছি।"
RENDERED = "প্রিয় অনিকা, আপনার অর্ডার #1001 একটু দেরিতে আসছে। আমরা নজর রাখছি।"  # the Bengali sample order


def test_a_merchant_rewrites_a_bengali_email_with_a_live_preview_and_reads_the_send_log(demo, browser) -> None:
    from playwright.sync_api import expect

    base, _ = demo
    deadline = time.monotonic() + 40
    while 'data-message="' not in requests.get(f"{base}/admin/messages", timeout=5).text:  # the demo's first notices
        assert time.monotonic() < deadline, "the demo's customers were never told"
        time.sleep(0.5)
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/admin")
    page.click("nav.sidenav >> text=Messages")
    page.wait_for_url(re.compile(r"/admin/messages"))

    rows = page.locator("#messages tr[data-message]")
    assert rows.count() >= 1
    first = rows.first  # (it may still wait for the customer's morning, with no recipient yet)
    recipients = page.locator("#messages tr[data-message] [data-recipient]").all_inner_texts()
    assert any(re.search(r"\w\*\*\*@", r) for r in recipients)  # masked
    assert first.locator("[data-order-link]").get_attribute("href").startswith("/admin/shipments?")
    assert page.locator("#message-summary [data-told]").inner_text().isdigit()

    page.select_option("#tpl-kind", "late")
    page.select_option("#tpl-language", "bn")
    page.select_option("#tpl-channel", "email")
    body = page.locator("#tpl-body")
    expect(body).to_have_value(re.compile("প্রিয়"))  # Forewarn's Bengali text
    assert body.get_attribute("lang") == "bn" and body.get_attribute("dir") == "ltr"
    expect(page.locator("#tpl-state")).to_have_text("Forewarn's text")
    body.fill("")
    body.press_sequentially(BENGALI[:-1], delay=0)  # typed, as a merchant would (the preview follows each pause)
    body.type(BENGALI[-1])
    preview = page.locator("#tpl-preview-body")
    preview.filter(has_text=RENDERED).wait_for()
    assert page.locator("#tpl-preview").get_attribute("lang") == "bn"
    expect(page.locator("#tpl-state")).to_have_text("Unsaved changes")
    assert "— unsaved" in page.locator("#tpl-language option[value=bn]").inner_text()

    body.type(" {{ order.nmae }}")  # a typo is named with its line, next to the editor, and never saved
    page.locator("#tpl-problems li", has_text="unknown variable 'order.nmae'").wait_for()
    assert "line 1" in page.locator("#tpl-problems").inner_text().lower()
    assert body.get_attribute("aria-invalid") == "true"
    body.fill(BENGALI)
    page.locator("#tpl-problems").wait_for(state="hidden")
    preview.filter(has_text=RENDERED).wait_for()

    with page.expect_response("**/api/v1/templates/late/bn/body") as saved:
        page.click("#tpl-save")
    assert saved.value.status == 200
    page.locator("#tpl-status", has_text="Saved").wait_for()
    expect(page.locator("#tpl-state")).to_have_text("Edited — your text")
    screenshot(page, "messages")

    page.reload()
    page.select_option("#tpl-kind", "late")
    page.select_option("#tpl-language", "bn")
    expect(body).to_have_value(BENGALI)  # kept
    assert "— edited" in page.locator("#tpl-language option[value=bn]").inner_text()
    assert "বাংলা" in page.locator("#tpl-edited").inner_text()
    preview.filter(has_text=RENDERED).wait_for()

    page.select_option("#tpl-language", "ar")  # Arabic is right-to-left, in the editor and the preview
    expect(body).to_have_attribute("dir", "rtl")
    expect(page.locator("#tpl-preview")).to_have_attribute("dir", "rtl")
    expect(page.locator("#tpl-preview")).to_have_attribute("lang", "ar")
    page.select_option("#tpl-channel", "sms")  # a text message: one short text, its length in messages
    expect(page.locator("#tpl-sms")).to_be_visible()
    expect(body).to_be_hidden()
    expect(page.locator("#tpl-preview-subject")).to_contain_text("(UCS-2)")
    expect(page.locator("#tpl-test")).to_be_disabled()
    page.select_option("#tpl-channel", "email")
    page.select_option("#tpl-language", "bn")
    expect(body).to_have_value(BENGALI)

    with page.expect_response("**/api/v1/templates/late/bn/body") as restored:
        page.click("#tpl-reset")  # back to Forewarn's text, so the demo is as it was
    assert restored.value.status == 200
    page.locator("#tpl-status", has_text="Forewarn's text is back").wait_for()
    assert body.input_value() != BENGALI and "প্রিয়" in body.input_value()
    expect(page.locator("#tpl-state")).to_have_text("Forewarn's text")
    assert errors == []
