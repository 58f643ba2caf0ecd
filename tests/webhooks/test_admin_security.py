"""The admin pages and /api/v1 as an attacker meets them: every page bound to one shop by its platform's own
mechanism, changes only from the page's own scripts (CSRF), data from orders and customers always escaped,
and a CSP that allows no inline code and only the platform's frame."""
from __future__ import annotations

import dataclasses
import re
import time
from datetime import datetime, timezone

import pytest

from connectors.wix.verify import instance_param
from core.domain.model import Shop
from jobs.runtime import Runtime
from tests.support import SHOP, fixture_json, install_shop, post_shopify, run_jobs, session_token
from web.admin.context import NAV

OTHER = "othershop.myshopify.com"
WIX_SECRET = "wix-app-secret"
SITE, OTHER_SITE = "6f8d3c2a-1b4e-4f5a-9c7d-2e1f0a9b8c7d", "0a0a0a0a-1b4e-4f5a-9c7d-2e1f0a9b8c7d"
WOO, OTHER_WOO = "shop.example.com", "other.example.com"
PAGES = [path for _, path, _ in NAV]
EVIL = "<script>alert(1)</script>"


def bearer(shop: str = SHOP, **kwargs) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {session_token(shop, **kwargs)}"}


def add_store(rt: Runtime, platform: str, domain: str, name: str | None = None) -> int:
    with rt.uow() as uow:
        shop = Shop(platform=platform, domain=domain, name=name, installed_at=datetime.now(timezone.utc))
        uow.repo.add(shop)
        uow.commit()
        return shop.id


def seed(client, rt: Runtime) -> None:  # type: ignore[no-untyped-def]
    """Two Shopify shops, each with an order; the other shop's customer is someone we must never show."""
    install_shop(rt, SHOP)
    install_shop(rt, OTHER, token="shpat_other")
    order = fixture_json("shopify/orders_create.json")
    order["customer"]["first_name"] = EVIL
    order["shipping_address"]["city"] = EVIL
    post_shopify(client, "orders/create", order)
    other = fixture_json("shopify/orders_create.json")
    other.update(id=77, name="#OTHER-1", email="someone@other.example")
    post_shopify(client, "orders/create", other, shop=OTHER)
    run_jobs(rt.redis)


def wix_instance(site: str = SITE, secret: str = WIX_SECRET) -> str:
    return instance_param({"instanceId": site, "signDate": datetime.now(timezone.utc).isoformat(), "uid": "owner-1",
                           "permissions": "OWNER"}, secret)


def inline_code(html: str) -> list[str]:
    """Script elements with code in them, style attributes and inline event handlers: what the CSP forbids."""
    scripts = [m for m in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
               if m[1].strip() and 'type="application/json"' not in m[0]]
    return [str(s) for s in scripts] + re.findall(r"\sstyle=\"", html) + re.findall(r"\son[a-z]+=\"", html)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_needs_its_platforms_credentials(client, rt: Runtime, path: str) -> None:
    install_shop(rt)
    assert client.get(path).status_code == 401
    for token in (session_token(secret="x" * 40), session_token(audience="another-app"), session_token(lifetime=-120)):
        assert client.get(path, query_string={"id_token": token}).status_code == 401
    assert client.get(path, query_string={"instance": wix_instance()}).status_code in (401, 503)  # no Wix secret set
    assert client.get(path, query_string={"id_token": "demo.anything"}).status_code == 401  # not the demo
    page = client.get(path, query_string={"id_token": session_token()})
    assert page.status_code == 200, path


@pytest.mark.parametrize("path", PAGES)
def test_inside_shopify_a_page_without_a_fresh_token_bounces_through_app_bridge(client, rt: Runtime, path: str) -> None:
    install_shop(rt)
    for query in ({"shop": SHOP, "embedded": "1"}, {"shop": SHOP, "embedded": "1", "id_token": session_token(lifetime=-120)}):
        bounce = client.get(path, query_string=query)
        assert bounce.status_code == 200
        assert "/static/admin/bounce.js" in bounce.text and "app-bridge.js" in bounce.text
        assert SHOP not in bounce.text.replace('content="test-api-key"', "")  # nothing of the shop before the token
        assert bounce.headers["Content-Security-Policy"].endswith(f"frame-ancestors https://{SHOP} https://admin.shopify.com;")


@pytest.mark.parametrize("path", PAGES)
def test_a_page_shows_its_own_shop_only_and_escapes_what_customers_wrote(client, rt: Runtime, path: str) -> None:
    seed(client, rt)
    page = client.get(path, query_string={"shop": SHOP, "id_token": session_token(), "embedded": "1"})
    assert page.status_code == 200
    assert "#OTHER-1" not in page.text and "someone@other.example" not in page.text and OTHER not in page.text
    assert "<script>alert" not in page.text
    assert inline_code(page.text) == []
    csp = page.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "script-src 'self' https://cdn.shopify.com/shopifycloud/app-bridge.js;" in csp and "object-src 'none'" in csp
    assert page.headers["Referrer-Policy"] == "no-referrer" and page.headers["Cache-Control"] == "no-store"


def test_the_orders_page_escapes_a_customer_name(client, rt: Runtime) -> None:
    seed(client, rt)
    page = client.get("/admin/orders", query_string={"id_token": session_token()}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page


def test_a_wix_instance_opens_its_own_site_only(client, rt: Runtime) -> None:
    rt.settings = dataclasses.replace(rt.settings, wix_app_secret=WIX_SECRET)
    add_store(rt, "wix", SITE, name="Site One")
    add_store(rt, "wix", OTHER_SITE, name=f"Zyxwv Store {EVIL}")
    instance = wix_instance()
    for path in PAGES:
        page = client.get(path, query_string={"instance": instance})
        assert page.status_code == 200, path
        assert "Site One" in page.text and "Zyxwv" not in page.text
        assert "frame-ancestors https://manage.wix.com" in page.headers["Content-Security-Policy"]
        assert f'instance={instance[:20]}' in page.text  # links inside the admin keep the instance
        assert client.get(path, query_string={"instance": wix_instance(secret="forged")}).status_code == 401
    mine = client.get("/admin", query_string={"instance": wix_instance()}).text
    token = mine.split('name="forewarn-session" content="')[1].split('"')[0]
    assert client.get("/api/v1/shop", headers={"Authorization": f"Bearer {token}"}).get_json()["domain"] == SITE


def test_a_woocommerce_session_opens_its_own_store_only(app, rt: Runtime) -> None:
    add_store(rt, "woocommerce", WOO, name="Shop One")
    add_store(rt, "woocommerce", OTHER_WOO, name=f"Zyxwv Store {EVIL}")
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["woo_shop"], session["woo_since"] = WOO, time.time()
    for path in PAGES:
        page = browser.get(path)
        assert page.status_code == 200, path
        assert "Shop One" in page.text and "Zyxwv" not in page.text
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    with browser.session_transaction() as session:
        session["woo_since"] = time.time() - 13 * 3600  # the sign-in is 12 hours old
    assert browser.get("/admin").status_code == 401
    # Shopify's session tokens name *.myshopify.com shops only: none opens a WooCommerce store
    assert app.test_client().get("/admin", query_string={"id_token": session_token(WOO)}).status_code == 401


def test_changes_come_only_from_the_pages_own_scripts(app, rt: Runtime) -> None:
    """CSRF: the signed-in merchant's browser, lured to another site, cannot change their settings."""
    install_shop(rt)
    add_store(rt, "woocommerce", WOO)
    browser = app.test_client()
    with browser.session_transaction() as session:  # a signed-in WooCommerce merchant's cookie is there
        session["woo_shop"], session["woo_since"] = WOO, time.time()
    # a cross-site form carries the cookie but no bearer token
    assert browser.patch("/api/v1/shop", data={"write_back": "true"}).status_code in (401, 415)
    assert browser.patch("/api/v1/shop", json={"write_back": True}).status_code == 401
    # even with a token that leaked, a form body or another origin is refused before anything is read
    form = browser.patch("/api/v1/shop", headers=bearer(), data="write_back=true",
                         content_type="application/x-www-form-urlencoded")
    assert form.status_code == 415
    plain = browser.patch("/api/v1/shop", headers=bearer(), data='{"write_back": true}', content_type="text/plain")
    assert plain.status_code == 415
    for origin in ("https://evil.example", "null"):
        foreign = browser.patch("/api/v1/shop", headers={**bearer(), "Origin": origin}, json={"write_back": True})
        assert foreign.status_code == 403 and foreign.get_json()["error"] == "cross-site request refused"
    with rt.uow() as uow:
        assert uow.repo.shop("shopify", SHOP).write_back is False  # nothing changed
    same = browser.patch("/api/v1/shop", headers={**bearer(), "Origin": "http://localhost"}, json={"write_back": True})
    assert same.status_code == 200 and same.get_json()["write_back"] is True  # the page's own script
    assert browser.get("/api/v1/shop", headers={**bearer(), "Origin": "https://evil.example"}).status_code == 200  # reads: CORS keeps the answer from that site


def test_static_files_need_no_session_and_the_vendored_chart_library_is_served(client) -> None:
    assert client.get("/static/admin/admin.js").status_code == 200
    chart = client.get("/static/vendor/chartjs/chart.umd.min.js")
    assert chart.status_code == 200 and b"Chart.js v4" in chart.data[:200]


def test_the_bounce_page_is_for_real_shops_and_bounces_once(client, rt: Runtime) -> None:
    install_shop(rt)
    for shop in ("evil.example", "https://evil.example", "shop.myshopify.com.evil.example"):
        refused = client.get("/admin", query_string={"shop": shop, "embedded": "1"})
        assert refused.status_code == 401 and "evil" not in refused.headers.get("Content-Security-Policy", "")
    again = client.get("/admin/cases", query_string={"shop": SHOP, "embedded": "1", "bounced": "1",
                                                      "id_token": session_token(secret="x" * 40)})
    assert again.status_code == 401  # a token refused after the bounce is answered, not bounced again


def test_a_case_note_is_the_teams_and_a_finished_case_keeps_its_response_time(client, rt: Runtime) -> None:
    from tests.support import damaged_parcel

    install_shop(rt)
    damaged_parcel(client, rt)
    run_jobs(rt.redis)
    [case] = client.get("/api/v1/cases", headers=bearer()).get_json()["cases"]
    resolved = client.patch(f"/api/v1/cases/{case['id']}", headers=bearer(), json={"status": "resolved"})
    assert resolved.status_code == 200
    with rt.uow() as uow:
        stored = uow.repo.case(case["id"])
        stored.first_response_at = None  # as when Forewarn resolved it on delivery: no response was needed
        uow.commit()
    noted = client.patch(f"/api/v1/cases/{case['id']}", headers=bearer(),
                         json={"note": "Refund sent", "author": "Forewarn"})
    assert noted.status_code == 200 and noted.get_json()["timeline"][-1]["author"] == "support"
    with rt.uow() as uow:
        assert uow.repo.case(case["id"]).first_response_at is None


def test_in_the_demo_a_wix_instance_still_names_the_wix_site(sqlite_url: str) -> None:
    """The demo's simulated Wix dashboard opens with a signed instance: its pages are that site's, not the first
    demo shop's."""
    import fakeredis

    from tests.conftest import make_runtime
    from web import create_app

    runtime = make_runtime(sqlite_url, fakeredis.FakeRedis(), demo=True, wix_app_secret=WIX_SECRET)
    install_shop(runtime, "forewarn-demo.myshopify.com")
    add_store(runtime, "wix", SITE, name="Demo Wix site")
    client = create_app({"TESTING": True}, runtime=runtime).test_client()
    page = client.get("/admin/orders", query_string={"instance": wix_instance()})
    assert page.status_code == 200 and "Demo Wix site" in page.text and 'data-platform>Wix<' in page.text
    assert "Wix" in client.get("/admin", query_string={"shop": SITE}).text  # the demo's own switch still works
