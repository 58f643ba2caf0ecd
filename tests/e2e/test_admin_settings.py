"""The settings page in a real browser, in the demo: a merchant of the demo's Wix site sets the sender and turns
SMS on (a wrong address is refused next to its field first), is told SMS has no provider yet, reloads and finds
it kept; a carrier account missing its secret is refused next to that field; the Shopify demo shop's helpdesk
passes its connection test. The Wix site is used so the Shopify shop's messages other tests read stay as they
are, and its settings are put back at the end."""
from __future__ import annotations

import re

import requests

from tests.e2e.conftest import screenshot


def test_a_merchant_sets_the_sender_and_sms_and_finds_them_kept(demo, browser) -> None:
    base, output = demo
    [site] = re.findall(r"Wix site: simulated at .*admin\?shop=([0-9a-f-]+)", output)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/admin/settings?shop={site}")
    token = page.locator('meta[name="forewarn-session"]').get_attribute("content")
    api = {"Authorization": f"Bearer {token}"}
    before = requests.get(f"{base}/api/v1/messaging", headers=api, timeout=5).json()
    try:
        assert page.locator("[data-platform-name]").inner_text() == "Wix"
        assert "each store installs it separately" in page.locator("main").inner_text()
        page.fill("#msg-reply-to", "not-an-address")
        with page.expect_response("**/api/v1/messaging") as refused:
            page.click("#messaging-form button[type=submit]")
        assert refused.value.status == 400
        error = page.locator("#msg-reply-to-error")
        error.wait_for()
        assert "email" in error.inner_text().lower() and page.get_attribute("#msg-reply-to", "aria-invalid") == "true"

        page.fill("#msg-sender-name", "Wix Demo Support")
        page.fill("#msg-reply-to", "help@wix-demo.example")
        warning = page.locator('[data-channel-warning="sms"]')
        assert not warning.is_visible()
        page.check('#messaging-form input[name=channels][value=sms]')
        assert warning.is_visible()  # SMS without a provider: said before saving
        with page.expect_response("**/api/v1/messaging") as saved:
            page.click("#messaging-form button[type=submit]")
        assert saved.value.status == 200
        page.wait_for_selector("#messaging-result:has-text('Saved.')")
        assert error.inner_text() == ""

        page.reload()
        assert page.input_value("#msg-sender-name") == "Wix Demo Support"
        assert page.input_value("#msg-reply-to") == "help@wix-demo.example"
        assert page.is_checked('#messaging-form input[name=channels][value=sms]')
        assert page.locator('[data-channel-warning="sms"]').is_visible()

        if not page.is_visible("#carrier-form"):  # closed once the shop has an account (the demo's simulator)
            page.locator("#add-carrier summary").click()
        page.select_option("#carrier-provider", "karrio")
        page.select_option("#carrier-own", "ups")
        assert page.is_visible("#ca-ups-client_id") and not page.is_visible("#ca-easypost-api_key")
        page.fill("#ca-ups-client_id", "my-ups-client")
        with page.expect_response("**/api/v1/carrier-accounts") as missing:
            page.click("#carrier-form button[type=submit]")
        assert missing.value.status == 400
        page.wait_for_selector("#ca-ups-client_secret-error:has-text('Client secret is required')")
        screenshot(page, "settings")
    finally:
        keep = ("enabled", "channels", "sender_name", "reply_to", "sms_from", "consent")
        restored = requests.patch(f"{base}/api/v1/messaging", headers={**api, "Origin": base},
                                  json={k: before[k] for k in keep}, timeout=5)
        assert restored.status_code == 200
        page.close()


def test_the_demo_helpdesk_passes_its_connection_test(demo, browser) -> None:
    base, _ = demo
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/admin/settings")
    assert "Helpdesk: simulated" in page.locator("[data-helpdesk]").inner_text()
    with page.expect_response("**/api/v1/helpdesk/test") as answer:
        page.click("#helpdesk-test")
    assert answer.value.status == 200 and answer.value.json()["ok"] is True
    page.wait_for_selector("#helpdesk-status:has-text('It works')")
    screenshot(page, "settings-shopify")
    page.close()
