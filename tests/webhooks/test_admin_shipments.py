"""`/admin/shipments` and `/admin/shipments/<id>` through the Flask client: each filter narrows the list, bad values
are named (never a 500), pages keep the filters, another shop's parcel is a 404, and everything that came from a
platform, a carrier or a customer comes out escaped."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import event

from core.domain.model import Case, CaseNote, Incident, Message, Order, Shipment, TrackingEvent, WriteBack
from core.domain.values import Address
from jobs.runtime import Runtime
from tests.support import SHOP, damaged_parcel, install_shop, session_token

OTHER = "othershop.myshopify.com"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
XSS = "<script>alert(1)</script>"


def page(client, path: str = "/admin/shipments", shop: str = SHOP, **params: Any):  # type: ignore[no-untyped-def]
    return client.get(path, query_string={"shop": shop, "id_token": session_token(shop), **params})


def shown(response) -> list[str]:  # type: ignore[no-untyped-def]
    """The order names of the listed parcels, in the page's order."""
    return re.findall(r"data-timeline>([^<]+)<", response.get_data(as_text=True))


def add_parcel(uow, shop_id: int, n: int, *, carrier: str = "ups", status: str = "in_transit", days_ago: float = 0,
               first: str = "Ada", last: str = "Lovelace", city: str = "Leeds", tracking_url: str | None = None,
               **changes: Any) -> Shipment:  # type: ignore[no-untyped-def]
    order = Order(shop_id=shop_id, platform_order_id=f"o{n}", name=f"#{1000 + n}", placeholder=False,
                  customer_first_name=first, customer_last_name=last, email=f"c{n}@example.com",
                  shipping_address=Address(city=city, country_code="GB"), created_at=T0, updated_at=T0)
    uow.repo.add(order)
    uow.repo.flush()
    shipment = Shipment(shop_id=shop_id, order_id=order.id, platform_fulfillment_id=f"f{n}",
                        tracking_number=f"TRK{n:05d}", carrier=carrier, carrier_raw=None, status=status,
                        shipped_at=T0 - timedelta(days=days_ago), tracking_url=tracking_url,
                        created_at=T0, updated_at=T0, **changes)
    uow.repo.add(shipment)
    uow.repo.flush()
    return shipment


def open_incident(uow, shipment: Shipment, kind: str, reason: str, status: str = "open") -> Incident:  # type: ignore[no-untyped-def]
    incident = Incident(shop_id=shipment.shop_id, order_id=shipment.order_id, shipment_id=shipment.id, kind=kind,
                        reason=reason, evidence={"business_days_quiet": 3.2}, opened_at=T0, status=status)
    uow.repo.add(incident)
    uow.repo.flush()
    return incident


def seed(rt: Runtime) -> dict[str, int]:
    """Five parcels of one shop, one of another: carriers, statuses, dates and problems to filter on."""
    shop_id = install_shop(rt)
    other_id = install_shop(rt, OTHER, token="shpat_other")
    with rt.uow() as uow:
        late = add_parcel(uow, shop_id, 1, carrier="ups", status="in_transit", days_ago=1, first="Lucía", last="Fernández")
        stuck = add_parcel(uow, shop_id, 2, carrier="dhl", status="in_transit", days_ago=5)
        add_parcel(uow, shop_id, 3, carrier="dhl", status="delivered", days_ago=9, delivered_at=T0 - timedelta(days=6))
        add_parcel(uow, shop_id, 4, carrier="usps", status="exception", days_ago=20, substatus="damaged")
        add_parcel(uow, shop_id, 5, carrier="ups", status="delivered", days_ago=30)
        theirs = add_parcel(uow, other_id, 6, carrier="fedex", first="Secret", last="Person")
        open_incident(uow, late, "late", "the promised delivery day (Mon 02 Mar) has passed")
        open_incident(uow, stuck, "stuck", "no scan for 3.2 business days; last scan DEPARTED Memphis hub")
        open_incident(uow, stuck, "late", "it was due yesterday", status="cleared")
        uow.repo.add(Case(shop_id=shop_id, order_id=stuck.order_id, problem="stuck", subject="Order #1002 — DHL parcel stuck",
                          priority="normal", opened_at=T0, sla_due_at=T0 + timedelta(days=1)))
        uow.commit()
        return {"late": late.id, "stuck": stuck.id, "theirs": theirs.id, "shop": shop_id}


def test_lists_the_shops_parcels_newest_first_with_a_summary(client, rt: Runtime) -> None:
    ids = seed(rt)
    response = page(client)
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert shown(response) == ["#1001", "#1002", "#1003", "#1004", "#1005"]
    assert "#1006" not in text and "Secret Person" not in text and "fedex" not in text.lower()
    assert re.search(r"data-summary>5 parcels · <span[^>]*>2 with an open problem", text)
    assert "Lucía Fernández" in text and "Leeds" in text and "TRK00001" in text
    assert 'data-incident="late"' in text and "the promised delivery day (Mon 02 Mar) has passed" in text  # the reason
    assert f'href="/admin/shipments/{ids["late"]}?shop=' in text  # each row links its timeline
    assert re.search(r'href="/admin/cases/\d+\?shop=[^"]*" data-case-link>Case #\d+', text)
    assert 'name="shop" value="teashop.myshopify.com"' in text and 'method="get"' in text  # the form keeps the shop


def test_each_filter_narrows_the_list(client, rt: Runtime) -> None:
    seed(rt)
    assert shown(page(client, status="delivered")) == ["#1003", "#1005"]
    assert shown(page(client, problem="any")) == ["#1001", "#1002"]
    assert shown(page(client, problem="stuck")) == ["#1002"]
    assert shown(page(client, problem="late")) == ["#1001"]  # #1002's late incident has cleared
    assert shown(page(client, carrier="dhl")) == ["#1002", "#1003"]
    assert shown(page(client, platform="shopify")) == ["#1001", "#1002", "#1003", "#1004", "#1005"]
    assert shown(page(client, platform="wix")) == []  # a session sees one shop, on one platform
    assert shown(page(client, shipped_from="2026-02-20")) == ["#1001", "#1002", "#1003"]
    assert shown(page(client, shipped_to="2026-02-20")) == ["#1004", "#1005"]
    assert shown(page(client, shipped_to="2026-02-21")) == ["#1003", "#1004", "#1005"]  # the whole end day
    assert shown(page(client, shipped_from="2026-02-25", shipped_to="2026-02-25")) == ["#1002"]
    assert shown(page(client, q="1003")) == ["#1003"]
    assert shown(page(client, q="trk00004")) == ["#1004"]
    assert shown(page(client, q="fernández")) == ["#1001"]
    assert shown(page(client, q="LUCÍA FERN")) in (["#1001"], [])  # SQLite folds ASCII only; PostgreSQL all
    assert shown(page(client, q="lucía fern")) == ["#1001"]  # first and last name together
    assert shown(page(client, q="%")) == []  # a wildcard is a character, not "anything"


def test_filters_combine(client, rt: Runtime) -> None:
    seed(rt)
    assert shown(page(client, carrier="ups", status="delivered")) == ["#1005"]
    assert shown(page(client, carrier="dhl", problem="any")) == ["#1002"]
    assert shown(page(client, carrier="dhl", problem="late")) == []
    response = page(client, carrier="ups", problem="any", shipped_from="2026-02-01", q="Lovelace")
    assert shown(response) == [] and 'data-empty="no-match"' in response.get_data(as_text=True)
    text = page(client, carrier="ups", status="in_transit").get_data(as_text=True)
    assert re.search(r"data-summary>1 parcel matching · ", text)
    assert 'value="ups" selected' in text and 'value="in_transit" selected' in text


def test_the_carrier_filter_offers_the_carriers_this_shop_uses(client, rt: Runtime) -> None:
    seed(rt)
    text = page(client).get_data(as_text=True)
    select = text.split('id="f-carrier"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([^"]*)"', select) == ["", "dhl", "ups", "usps"]
    platform = text.split('id="f-platform"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([^"]*)"', platform) == ["", "shopify"]


def test_bad_filter_values_are_named_and_left_out(client, rt: Runtime) -> None:
    seed(rt)
    response = page(client, shipped_from="notadate", carrier="dhl")
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Shipped from: “notadate” is not a date" in text and 'aria-invalid="true" aria-describedby="error-shipped_from"' in text
    assert shown(response) == ["#1002", "#1003"]  # the good filter still applies
    for params, message in (
        ({"status": "lost-in-space"}, "Status: “lost-in-space” is not a shipment status."),
        ({"problem": "gremlins"}, "Problem: “gremlins” is not a kind of problem."),
        ({"carrier": "pigeon"}, "Carrier: no parcel of this shop went with “pigeon”."),
        ({"platform": "magento"}, "Platform: “magento” is not a platform Forewarn works with"),
        ({"shipped_from": "2026-03-01", "shipped_to": "2026-02-01"}, "Shipped to: the end date is before the start date."),
        ({"page": "abc"}, "Page: “abc” is not a page number"),
        ({"page": "-3"}, "Page: “-3” is not a page number"),
        ({"q": "x" * 201}, "Search: at most 200 characters."),
    ):
        response = page(client, **params)
        assert response.status_code == 400, params
        assert message in response.get_data(as_text=True), params
        assert len(shown(response)) >= 1, params
    response = page(client, status=XSS)
    assert response.status_code == 400 and XSS not in response.get_data(as_text=True)
    assert "&lt;script&gt;" in response.get_data(as_text=True)


def test_pages_of_fifty_keep_the_filters(client, rt: Runtime) -> None:
    shop_id = install_shop(rt)
    with rt.uow() as uow:
        for n in range(1, 121):
            add_parcel(uow, shop_id, n, carrier="dhl" if n % 2 else "ups", days_ago=n / 24)
        uow.commit()
    first = page(client, carrier="dhl")
    assert len(shown(first)) == 50 and shown(first)[0] == "#1001"
    text = first.get_data(as_text=True)
    assert "Page 1 of 2" in text and re.search(r"data-summary>60 parcels matching", text)
    [next_link] = re.findall(r'href="([^"]+)" rel="next"', text)
    assert "carrier=dhl" in next_link and "page=2" in next_link and "shop=teashop.myshopify.com" in next_link
    second = page(client, carrier="dhl", page="2")
    assert len(shown(second)) == 10 and shown(second)[0] == "#1101"
    assert not set(shown(first)) & set(shown(second))
    assert "Page 2 of 2" in page(client, carrier="dhl", page="99").get_data(as_text=True)  # past the end: the last page
    assert len(shown(page(client))) == 50 and "Page 1 of 3" in page(client).get_data(as_text=True)


def test_a_page_costs_the_same_queries_whatever_its_rows(client, rt: Runtime, app) -> None:  # type: ignore[no-untyped-def]
    shop_id = install_shop(rt)
    with rt.uow() as uow:
        for n in range(1, 61):
            parcel = add_parcel(uow, shop_id, n)
            open_incident(uow, parcel, "late", f"late {n}")
            uow.repo.add(Case(shop_id=shop_id, order_id=parcel.order_id, problem="late", subject="late", priority="normal",
                              opened_at=T0, sla_due_at=T0))
        uow.commit()
    statements: list[str] = []
    event.listen(rt.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    page(client, q="#100")  # 9 rows
    few = len(statements)
    statements.clear()
    page(client)  # 50 rows
    assert len(statements) == few


def test_another_shops_parcel_is_a_404_without_its_data(client, rt: Runtime) -> None:
    ids = seed(rt)
    response = page(client, f"/admin/shipments/{ids['theirs']}")
    text = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Secret Person" not in text and "TRK00006" not in text and "This shipment is not in" in text
    assert page(client, "/admin/shipments/999999").status_code == 404
    assert page(client, f"/admin/shipments/{ids['theirs']}", shop=OTHER).status_code == 200  # its own shop sees it


def test_what_came_from_outside_is_escaped(client, rt: Runtime) -> None:
    shop_id = install_shop(rt)
    with rt.uow() as uow:
        parcel = add_parcel(uow, shop_id, 1, first=XSS, last="Doe", city=XSS, tracking_url="javascript:alert(1)")
        uow.repo.add(TrackingEvent(shipment_id=parcel.id, occurred_at=T0, status="in_transit", description=XSS,
                                   location=f"Memphis {XSS}"))
        open_incident(uow, parcel, "stuck", f"stuck {XSS}")
        uow.commit()
        parcel_id = parcel.id
    for response in (page(client), page(client, f"/admin/shipments/{parcel_id}")):
        text = response.get_data(as_text=True)
        assert response.status_code == 200
        assert XSS not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "javascript:" not in text  # a tracking link that is not http(s) is not a link
    assert "Memphis &lt;script&gt;" in text


def test_the_timeline_merges_scans_problems_messages_case_and_write_backs(client, rt: Runtime) -> None:
    shop_id = install_shop(rt)
    with rt.uow() as uow:
        parcel = add_parcel(uow, shop_id, 1, days_ago=3, tracking_url="https://www.ups.com/track?tracknum=TRK00001",
                            signed_by=None)
        sibling = Shipment(shop_id=shop_id, order_id=parcel.order_id, platform_fulfillment_id="f1b", tracking_number="SIB1",
                           carrier="ups", status="in_transit", created_at=T0, updated_at=T0)
        uow.repo.add(sibling)
        uow.repo.flush()
        uow.repo.add(TrackingEvent(shipment_id=parcel.id, occurred_at=T0 - timedelta(days=2), status="in_transit",
                                   description="DEPARTED FACILITY", location="Memphis, TN"))
        stuck = open_incident(uow, parcel, "stuck", "no scan for 3.2 business days; last scan DEPARTED Memphis hub")
        stuck.opened_at = T0 - timedelta(hours=5)
        open_incident(uow, sibling, "damaged", "the other parcel is damaged")
        case = Case(shop_id=shop_id, order_id=parcel.order_id, problem="stuck", subject="Order #1001 — UPS parcel stuck",
                    priority="normal", opened_at=T0 - timedelta(hours=5), sla_due_at=T0)
        uow.repo.add(case)
        uow.repo.flush()
        uow.repo.add(CaseNote(case_id=case.id, author="Forewarn", body="stuck: no scan for 3.2 business days",
                              created_at=T0 - timedelta(hours=5)))
        uow.repo.add(CaseNote(case_id=case.id, author="Sam", body="Asked UPS to trace it", created_at=T0 - timedelta(hours=2)))
        uow.repo.add(Message(shop_id=shop_id, order_id=parcel.order_id, incident_id=stuck.id, kind="stuck", channel="email",
                             idempotency_key="m1", created_at=T0 - timedelta(hours=4), language="es", status="suppressed",
                             suppression_reason="opted_out"))
        uow.repo.add(WriteBack(shop_id=shop_id, order_id=parcel.order_id, kind="order_tag", key="order_tag:1:forewarn:late",
                               payload={"tag": "forewarn:late"}, created_at=T0 - timedelta(hours=3), status="sent",
                               sent_at=T0 - timedelta(hours=3)))
        uow.commit()
        parcel_id = parcel.id
    response = page(client, f"/admin/shipments/{parcel_id}")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    entries = re.findall(r'data-entry="([a-z-]+)"', text)
    assert entries == ["case-note", "write-back", "message", "case-opened", "incident", "scan", "shipped"]  # newest first
    assert "DEPARTED FACILITY" in text and "Memphis, TN" in text
    assert "no scan for 3.2 business days; last scan DEPARTED Memphis hub" in text and "business days quiet" in text
    assert "Not sent: the customer unsubscribed from delivery updates." in text and "Spanish" in text  # as on the send log
    assert "Asked UPS to trace it" in text and "order tag forewarn:late" in text
    assert "the other parcel is damaged" not in text  # another parcel's problem is not this one's
    assert re.search(rf'href="/admin/cases/{case.id}\?shop=[^"]*" data-case-link>Open case #{case.id}', text)
    assert 'href="https://www.ups.com/track?tracknum=TRK00001" target="_blank" rel="noopener noreferrer"' in text


def test_a_parcel_from_the_webhooks_shows_its_incident_and_case(client, rt: Runtime) -> None:
    install_shop(rt)

    def detected() -> None:  # what detection stores before it announces the incident
        with rt.uow() as uow:
            open_incident(uow, uow.repo.shipments()[0], "damaged", "UPS reports the parcel damaged")
            uow.commit()

    _, shipment_id = damaged_parcel(client, rt, before_report=detected)
    listing = page(client).get_data(as_text=True)
    assert 'data-incident="damaged"' in listing and "UPS reports the parcel damaged" in listing
    text = page(client, f"/admin/shipments/{shipment_id}").get_data(as_text=True)
    assert 'data-incident="damaged"' in text and "UPS reports the parcel damaged" in text
    assert 'data-entry="case-opened"' in text


def test_empty_states_tell_none_yet_from_none_matching(client, rt: Runtime) -> None:
    install_shop(rt)
    text = page(client).get_data(as_text=True)
    assert 'data-empty="none-yet"' in text and "as soon as your store marks an order fulfilled" in text
    assert "data-filters" not in text  # nothing to filter yet
    seed_shop = rt
    with seed_shop.uow() as uow:
        add_parcel(uow, uow.repo.shop("shopify", SHOP).id, 1)
        uow.commit()
    text = page(client, status="returned").get_data(as_text=True)
    assert 'data-empty="no-match"' in text and "data-clear-filters" in text
    assert re.search(r'href="/admin/shipments\?shop=teashop.myshopify.com[^"]*" data-clear-filters', text)


def test_a_store_that_is_not_installed_gets_an_empty_page(client, rt: Runtime) -> None:
    import time

    with client.session_transaction() as session:  # a WooCommerce sign-in for a store Forewarn has no row for
        session["woo_shop"], session["woo_since"] = "shop.example.com", time.time()
    response = client.get("/admin/shipments")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-empty="none-yet"' in text and "Once Forewarn is installed" in text
    assert client.get("/admin/shipments/1").status_code == 404
