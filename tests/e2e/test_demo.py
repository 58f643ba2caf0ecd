"""`forewarn demo` as a newcomer meets it: one command, then orders and shipments in the admin page,
looked at in a real browser (Debian's Chromium through Playwright; required when CI=true)."""
from __future__ import annotations

import re
import time

import requests

from tests.e2e.conftest import CHROMIUM, CHROMIUM_FLAGS, DEMO_ORDERS, LIVE_ROW, live_rows, require_chromium


def test_demo_prints_the_admin_url_and_each_delivery_outcome(demo) -> None:
    base, output = demo
    assert f"admin page: {base}/admin" in output
    assert "200 duplicate" in output
    assert "400 rejected" in output
    assert "401 invalid signature" in output
    assert re.search(r"history: \d{3} past orders over 90 days \(generated\)", output)


def test_demo_shows_each_order_once_with_its_shipments(demo) -> None:
    base, _ = demo
    page = requests.get(f"{base}/admin/orders", timeout=5).text
    live = live_rows(page)  # the shop's generated history (#H…) aside
    orders = [name for name, _ in live]
    rows = "".join(row for _, row in live)
    assert len(orders) == DEMO_ORDERS and len(set(orders)) == DEMO_ORDERS  # five deliveries of #1001: one order
    assert "Lucía Fernández" in rows and "1Z999AA10123456784" in rows
    assert "1234567891" in rows  # the corrected DHL number is tracked
    assert "data-install-state>installed<" in requests.get(f"{base}/admin/settings", timeout=5).text
    assert "personal data removed on request" in page and "tomas@example.pt" not in page  # the erased customer
    assert "export of 1 order(s) ready" in page
    assert "last scan:" in rows  # parcels tracked through karrio's DHL client against the carrier simulator
    # the simulator's damaged parcel (Amara's, #1006) is an incident with its reason
    assert re.search(r'data-incident-row="damaged"><td>#1006</td>(?:(?!</tr>).)*reports the parcel damaged', page, re.S)
    assert 'data-case="damaged"' in requests.get(f"{base}/admin/cases", timeout=5).text  # a case, reply and SLA
    assert requests.get(f"{base}/healthz", timeout=5).json()["status"] == "ok"


def test_demo_cases_become_tickets_in_the_simulated_helpdesk(demo) -> None:
    base, output = demo
    [desk] = re.findall(r"its tickets at (http://127\.0\.0\.1:\d+)/", output)
    deadline = time.monotonic() + 30
    while True:  # each case's ticket job runs on the demo's worker, through the real Zendesk adapter
        tickets = requests.get(f"{desk}/", timeout=5).text
        admin = requests.get(f"{base}/admin/cases", timeout=5).text
        if "damaged: " in tickets and re.search(r"data-ticket>#\d+ in simulated", admin):
            break
        assert time.monotonic() < deadline, "no ticket reached the simulated helpdesk"
        time.sleep(0.3)
    externals = re.findall(r"external id (forewarn-case-\d+)", tickets)
    assert len(externals) == len(set(externals))  # exactly one ticket per case
    assert "Helpdesk: <strong>simulated</strong>" in requests.get(f"{base}/admin/settings", timeout=5).text


def test_demo_has_a_woocommerce_store_beside_the_shopify_one(demo) -> None:
    base, output = demo
    assert "woocommerce ping            → 200" in output
    assert "woocommerce order.updated   → 200 duplicate" in output  # a redelivery with a new delivery id
    assert "woocommerce order.updated   → 401 invalid signature" in output
    assert "1 missed change(s) fetched" in output  # Liam's order, never delivered, repaired by the health job
    [store] = re.findall(r"WooCommerce store: simulated at http://(127\.0\.0\.1:\d+)/", output)
    page = requests.get(f"{base}/admin/orders", params={"shop": store}, timeout=5).text
    assert sorted(re.findall(r'data-order="(#\d+)"', page)) == ["#2001", "#2002", "#2003"]
    settings = requests.get(f"{base}/admin/settings", params={"shop": store}, timeout=5).text
    assert "webhook health: checked" in settings and "4 webhooks active" in settings
    assert "private order notes" in settings  # WooCommerce's write-back


def test_demo_has_a_wix_site_too(demo) -> None:
    base, output = demo
    assert "wix dashboard opened                   → 200" in output
    assert "wix wix.ecom.v1.order_approved         → 200 duplicate" in output  # a resent event, taken once
    assert "401 invalid webhook: expired" in output and "404 this site has not installed Forewarn" in output
    assert re.search(r"wix reconciliation\s+→ [1-9]\d* missed order state", output)  # Lucas's order, never delivered
    [instance] = re.findall(r"Wix site: simulated at .*admin\?shop=([0-9a-f-]+)", output)
    page = requests.get(f"{base}/admin/orders", params={"shop": instance}, timeout=5).text
    assert sorted(re.findall(r'data-order="(#\d+)"', page)) == ["#30001", "#30002"]


def test_demo_customers_hear_of_problems_by_email_in_their_language(demo) -> None:
    base, output = demo
    assert f"customers' inbox: {base}/demo/outbox" in output
    deadline = time.monotonic() + 40
    while True:  # the demo's parcels go wrong on demo time; each problem is told once
        page = requests.get(f"{base}/demo/outbox", timeout=5).text
        languages = set(re.findall(r'data-mail lang="(\w+)', page))
        if len(re.findall(r"data-mail", page)) >= 3 and {"es", "de"} & languages:
            break
        assert time.monotonic() < deadline, "the demo's customers were not told:\n" + page[:2000]
        time.sleep(0.5)
    subjects = re.findall(r"<strong>([^<]+)</strong>", page)
    assert len(subjects) == len(set(subjects))  # never the same notice twice
    assert "List-Unsubscribe" in page and "/report/" in page and "/u/" in page


def test_demo_admin_page_in_a_real_browser(demo, tmp_path) -> None:
    require_chromium()
    from playwright.sync_api import sync_playwright

    base, _ = demo
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/admin/orders")
        assert page.locator(LIVE_ROW).count() == DEMO_ORDERS
        assert page.get_by_text("Sam Carter").is_visible()
        row = page.locator('tr[data-order="#1003"]')  # the partial order: two parcels
        assert row.locator(".ship").count() == 2
        page.click("nav.sidenav >> text=Settings")
        toggle = page.locator("#write-back")  # the merchant turns write-back on, through the API
        assert not toggle.is_checked()
        with page.expect_response("**/api/v1/shop") as answer:
            toggle.check()
        assert answer.value.status == 200
        page.reload()
        assert page.locator("#write-back").is_checked()
        page.locator("#connect-helpdesk summary").click()  # a mistyped helpdesk is refused with the reason
        page.select_option("#helpdesk-kind", "chatwoot")  # each helpdesk asks for its own fields
        assert page.locator("fieldset[data-kind=chatwoot] [name=inbox_id]").is_visible()
        assert not page.locator("fieldset[data-kind=zendesk] [name=subdomain]").is_visible()
        page.select_option("#helpdesk-kind", "zendesk")
        page.fill("fieldset[data-kind=zendesk] [name=subdomain]", "acme.zendesk.com/x")
        page.fill("fieldset[data-kind=zendesk] [name=email]", "agent@example.com")
        page.fill("fieldset[data-kind=zendesk] [name=api_token]", "token")
        with page.expect_response("**/api/v1/helpdesk") as answer:
            page.click("#helpdesk-form button")
        assert answer.value.status == 422
        page.wait_for_selector("#helpdesk-result:has-text('is not a Zendesk subdomain')")
        assert "Helpdesk: simulated" in page.locator("[data-helpdesk]").inner_text()  # nothing changed
        page.click("nav.sidenav >> text=Cases")
        page.click("[data-replies-link]")  # the suggested-reply library, a page of its own
        reply = page.locator('form.reply-form[data-problem="late"][data-language="es"]')  # the merchant rewords a reply
        page.locator('details[data-reply-problem="late"] summary').click()
        reply.locator("textarea").fill("Hola {first_name}, {pedido} llega tarde.")
        reply.locator("button[type=submit]").click()
        reply.locator("[data-reply-result]:has-text('unknown field {pedido}')").wait_for()
        reply.locator("textarea").fill("Hola {first_name}: tu pedido {order} llega {when}. ¡Perdona la espera!")
        with page.expect_response("**/api/v1/replies/late/es") as saved:
            reply.locator("button[type=submit]").click()
        assert saved.value.status == 200
        page.screenshot(path=str(tmp_path / "admin.png"), full_page=True)
        browser.close()
    assert (tmp_path / "admin.png").stat().st_size > 10_000
    late = requests.get(f"{base}/admin/cases/replies", timeout=5).text
    assert "¡Perdona la espera!" in late  # the library and Lucía's late case (when it is open) use it


def test_a_customer_reports_a_problem_from_their_link_and_the_case_shows_it(demo, tmp_path) -> None:
    require_chromium()
    from playwright.sync_api import sync_playwright

    base, output = demo
    assert "customer report     → 303 report taken" in output  # Amara's damaged parcel, with her photo
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        admin = browser.new_page(viewport={"width": 1280, "height": 900})
        admin.goto(f"{base}/admin/cases")
        amara = admin.locator('tr[data-case]:has-text("Order #1006")')
        assert "It arrived damaged: “The box was crushed" in amara.locator("[data-report]").inner_text()
        report_page = admin.locator("[data-report-page] a").get_attribute("href")
        amara.locator("a.case-link").click()  # her case's own page
        admin.wait_for_function("() => { const img = document.querySelector('[data-photos] img'); return img && img.naturalWidth > 0; }")  # her photo, shown
        # Lucía has moved: she opens the shop's report page and finds her order with its number and her email
        customer = browser.new_page(viewport={"width": 420, "height": 900}, locale="es-ES")
        customer.goto(report_page)
        assert customer.locator("html").get_attribute("lang") == "es"  # her browser's language
        customer.fill("#order", "1002")
        customer.fill("#email", "someone-else@example.es")
        customer.click("button[type=submit]")
        customer.wait_for_selector("text=No encontramos ningún pedido con ese número y ese correo.")
        customer.fill("#order", "#1002")
        customer.fill("#email", "Lucia@Example.es")
        customer.click("button[type=submit]")
        customer.wait_for_selector("text=Hola Lucía, ¿qué ha pasado con el pedido #1002?")
        customer.get_by_label("Necesito cambiar la dirección de entrega").check()
        customer.click("button[type=submit]")  # no address yet: refused, in her language
        customer.wait_for_selector("text=Escribe la nueva dirección de entrega.")
        customer.fill("#details", "Calle Mayor 5, 28013 Madrid")
        customer.click("button[type=submit]")
        customer.wait_for_selector("text=Gracias, hemos recibido tu aviso")
        customer.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        admin.goto(f"{base}/admin/cases")
        lucia = admin.locator('tr[data-case]:has-text("Order #1002")')
        assert "“Calle Mayor 5, 28013 Madrid”" in lucia.locator("[data-report]").inner_text()
        assert lucia.get_attribute("data-case") == "address_change"  # urgent: it leads the case now
        browser.close()
    assert (tmp_path / "report.png").stat().st_size > 5_000
