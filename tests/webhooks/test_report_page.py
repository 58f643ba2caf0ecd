"""The customer's problem-report page: from the signed link or an order number + email, a report opens or
joins the order's case with its photos; expired, tampered, guessed and oversized input is refused and
nothing is stored."""
from __future__ import annotations

import io
import json
import types
from datetime import datetime, timezone

import itsdangerous.timed
import pytest
from sqlalchemy import func, select

from rq import Queue

from core.adapters import links
from core.domain.model import Case, ProblemReport, ReportPhoto
from core.domain.reports import MAX_PHOTO_BYTES
from jobs import queues
from jobs.runtime import Runtime
from tests.support import SHOP, damaged_parcel, fixture_bytes, fixture_json, install_shop, post_shopify, run_jobs, session_token

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # the bytes an image is recognised by
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def an_order(client, rt: Runtime, **changes) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Shopify's sample order (#9999, jon@example.com) and its parcel, through the webhooks: (shop id, order id)."""
    shop_id = install_shop(rt)
    order = fixture_json("shopify/orders_create.json")
    order.update(cancelled_at=None, financial_status="pending", **changes)
    post_shopify(client, "orders/create", order)
    post_shopify(client, "fulfillments/create", fixture_bytes("shopify/fulfillments_create.json"))
    run_jobs(rt.redis)
    with rt.uow() as uow:
        [stored] = uow.repo.orders(shop_id)
        return shop_id, stored.id


def link(rt: Runtime, shop_id: int, order_id: int, issued_by: str = "message") -> str:
    return f"/report/{links.sign_report(rt.settings.secret_key, shop_id, order_id, issued_by)}"


def count(rt: Runtime, model: type) -> int:
    with rt.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model)) or 0


def the_case(rt: Runtime, order_id: int) -> Case:
    with rt.uow() as uow:
        case = uow.session.scalars(select(Case).where(Case.order_id == order_id)).one()
        uow.session.expunge(case)
        return case


def api(client, path: str):  # type: ignore[no-untyped-def]
    return client.get(path, headers={"Authorization": f"Bearer {session_token()}"})


def test_a_customer_reports_damage_with_photos_and_the_case_shows_it(client, rt: Runtime) -> None:
    shop_id, order_id = an_order(client, rt)
    url = link(rt, shop_id, order_id)
    page = client.get(url)
    assert page.status_code == 200 and 'lang="en"' in page.text and "Hi John, what happened with order #9999?" in page.text
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    sent = client.post(url, data={"kind": "damaged", "details": "The box was crushed and the mug broke",
                                  "photos": [(io.BytesIO(PNG), "box.png"), (io.BytesIO(JPEG), "mug.jpg")]},
                       content_type="multipart/form-data")
    assert sent.status_code == 303
    thanks = client.get(sent.headers["Location"])
    assert thanks.status_code == 200 and "we have your report" in thanks.text and "#9999" in thanks.text
    case = the_case(rt, order_id)
    assert case.problem == "damaged" and case.priority == "urgent" and "damaged" in case.kinds
    cases = api(client, "/api/v1/cases").get_json()["cases"]
    [view] = [c for c in cases if c["id"] == case.id]
    assert view["timeline"][-1]["author"] == "Customer"
    assert "“The box was crushed and the mug broke”" in view["timeline"][-1]["body"]
    assert view["suggested_reply"]["text"].startswith("Hi John, UPS reports that your parcel for order #9999 was damaged")
    assert [p["content_type"] for p in view["photos"]] == ["image/png", "image/jpeg"]
    assert view["report_link"].startswith("https://forewarn.example/report/")
    photo = api(client, view["photos"][0]["url"])
    assert photo.status_code == 200 and photo.data == PNG and photo.mimetype == "image/png"
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    # another shop's session sees neither the case's photos nor the case
    other = client.get(view["photos"][0]["url"], headers={"Authorization": f"Bearer {session_token('other.myshopify.com')}"})
    assert other.status_code in (401, 404)


def test_a_report_joins_the_orders_open_case_and_reaches_its_ticket(client, rt: Runtime) -> None:
    order_id, _ = damaged_parcel(client, rt, financial_status="pending")  # UPS said damaged: case open
    before = the_case(rt, order_id)
    with rt.uow() as uow:
        shop_id = uow.repo.order_by_id(order_id).shop_id
    run_jobs(rt.redis)
    sent = client.post(link(rt, shop_id, order_id), data={"kind": "missing_item", "details": "The saucer is not in the box"})
    assert sent.status_code == 303
    after = the_case(rt, order_id)
    assert after.id == before.id and after.problem == "damaged"  # urgent damage still leads
    assert {"damaged", "missing_item"} <= set(after.kinds)
    queued = Queue(queues.DEFAULT, connection=rt.redis).job_ids
    assert any(job.startswith("ticket-") for job in queued)  # the helpdesk hears of it like any case change
    with rt.uow() as uow:
        report = uow.session.scalars(select(ProblemReport)).one()
        assert report.case_id == after.id and report.kind == "missing_item"


def test_a_customers_report_is_answered_by_a_person_not_resolved_by_a_delivery_scan(client, rt: Runtime) -> None:
    from core.domain.events import ShipmentStatusChanged

    shop_id, order_id = an_order(client, rt)
    client.post(link(rt, shop_id, order_id), data={"kind": "wrong_item", "details": "A green teapot instead of the blue one"})
    with rt.uow() as uow:
        [shipment] = uow.repo.shipments_of_order(order_id)
        shipment.status, shipment_id = "delivered", shipment.id
        uow.commit()
    rt.bus.handle([ShipmentStatusChanged(shop_id, order_id, shipment_id, "delivered", None, "carrier")])
    case = the_case(rt, order_id)
    assert case.status == "open" and case.problem == "wrong_item" and case.priority == "high"
    answered = client.patch(f"/api/v1/cases/{case.id}", headers={"Authorization": f"Bearer {session_token()}"},
                            json={"status": "resolved", "note": "Blue teapot sent"})
    assert answered.status_code == 200 and the_case(rt, order_id).customer_reported_at is None


def test_a_report_on_an_answered_case_reopens_it_with_a_fresh_response_due(client, rt: Runtime) -> None:
    order_id, _ = damaged_parcel(client, rt, financial_status="pending")
    case = the_case(rt, order_id)
    bearer = {"Authorization": f"Bearer {session_token()}"}
    client.patch(f"/api/v1/cases/{case.id}", headers=bearer, json={"status": "pending", "note": "Asked UPS"})
    answered = the_case(rt, order_id)
    assert answered.status == "pending" and answered.first_response_at is not None
    client.post(link(rt, answered.shop_id, order_id), data={"kind": "not_received", "details": "Still nothing"})
    reported = the_case(rt, order_id)
    assert reported.status == "open" and reported.first_response_at is None and not reported.sla_breached
    assert reported.sla_due_at >= answered.sla_due_at and reported.customer_reported_at is not None  # due from now


def test_the_page_speaks_the_customers_language(client, rt: Runtime) -> None:
    shop_id, order_id = an_order(client, rt, customer_locale="fr-CA")
    page = client.get(link(rt, shop_id, order_id))
    assert 'lang="fr"' in page.text and "Bonjour John, que s&#39;est-il passé avec la commande #9999" in page.text
    assert "Il manque quelque chose" in page.text
    refused = client.post(link(rt, shop_id, order_id), data={"kind": "address_change", "details": ""})
    assert refused.status_code == 422 and "Indiquez la nouvelle adresse de livraison." in refused.text
    lookup = client.get("/report", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert 'lang="de"' in lookup.text and "Bestellnummer" in lookup.text


def test_an_expired_or_tampered_link_is_refused_and_offers_the_lookup(client, rt: Runtime, monkeypatch) -> None:
    shop_id, order_id = an_order(client, rt)
    real_time = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed, "time", types.SimpleNamespace(time=lambda: real_time() - 61 * 86400))
    old = link(rt, shop_id, order_id)
    lookup_link = link(rt, shop_id, order_id, "lookup")
    monkeypatch.undo()
    expired = client.get(old)
    assert expired.status_code == 410 and "This link has expired" in expired.text
    assert f'name="shop" value="{SHOP}"' in expired.text  # the shop's lookup form, ready
    assert client.post(old, data={"kind": "not_received"}).status_code == 410
    assert client.get(lookup_link).status_code == 410  # a lookup's link lasts an hour, not 60 days
    fresh = link(rt, shop_id, order_id)
    assert client.get(fresh[:-3] + ("AAA" if not fresh.endswith("AAA") else "BBB")).status_code == 404
    other_salt = itsdangerous.URLSafeTimedSerializer(rt.settings.secret_key, salt="forewarn-demo-session").dumps(
        {"s": shop_id, "o": order_id, "i": "message"})
    assert client.get(f"/report/{other_salt}").status_code == 404  # a token signed for something else
    assert count(rt, ProblemReport) == 0


def test_the_order_number_and_email_lookup_reveals_nothing_and_is_rate_limited(client, rt: Runtime) -> None:
    an_order(client, rt)
    found = client.post("/report", data={"shop": SHOP, "order": "9999", "email": " JON@example.com "})
    assert found.status_code == 303 and found.headers["Location"].startswith("/report/")
    assert client.get(found.headers["Location"]).status_code == 200
    wrong_email = client.post("/report", data={"shop": SHOP, "order": "#9999", "email": "someone@example.com"})
    unknown = client.post("/report", data={"shop": SHOP, "order": "#1", "email": "jon@example.com"})
    no_shop = client.post("/report", data={"shop": "nope.myshopify.com", "order": "#9999", "email": "jon@example.com"})
    assert wrong_email.status_code == unknown.status_code == no_shop.status_code == 404
    assert "We could not find an order with that number and email address" in wrong_email.text
    answers = [client.post("/report", data={"shop": SHOP, "order": "#9999", "email": f"guess{i}@example.com"}).status_code
               for i in range(8)]
    assert answers[-1] == 429 and "Too many attempts" in client.post("/report", data={"shop": SHOP}).text


@pytest.mark.parametrize("data, message", [
    ({"kind": "damaged", "photos": [(io.BytesIO(b"%PDF-1.7 not a photo"), "photo.jpg")]}, "photo.jpg is not a photo"),
    ({"kind": "damaged", "photos": [(io.BytesIO(PNG + b"\x00" * MAX_PHOTO_BYTES), "huge.png")]}, "huge.png is larger than 5 MB"),
    ({"kind": "damaged", "photos": [(io.BytesIO(PNG), f"p{i}.png") for i in range(6)]}, "Add at most 5 photos"),
    ({"kind": "cancellation", "photos": [(io.BytesIO(PNG), "p.png")]}, "only for a damaged parcel or a wrong item"),
    ({"kind": "refund_me_twice"}, "Choose what happened"),
    ({"kind": "missing_item", "details": "x" * 2001}, "under 2000 characters"),
])
def test_bad_reports_are_refused_with_a_reason_and_nothing_is_stored(client, rt: Runtime, data: dict, message: str) -> None:
    shop_id, order_id = an_order(client, rt)
    answer = client.post(link(rt, shop_id, order_id), data=data, content_type="multipart/form-data")
    assert answer.status_code == 422 and message in answer.text
    assert count(rt, ProblemReport) == count(rt, ReportPhoto) == 0


def test_a_body_beyond_every_limit_is_refused_before_it_is_read(client, rt: Runtime) -> None:
    shop_id, order_id = an_order(client, rt)
    photos = [(io.BytesIO(PNG + b"\x00" * (MAX_PHOTO_BYTES - 100)), f"p{i}.png") for i in range(6)]
    answer = client.post(link(rt, shop_id, order_id), data={"kind": "damaged", "photos": photos},
                         content_type="multipart/form-data")
    assert answer.status_code == 413 and count(rt, ProblemReport) == 0


def test_the_same_report_sent_twice_is_taken_once_and_reports_per_order_are_limited(client, rt: Runtime) -> None:
    shop_id, order_id = an_order(client, rt)
    url = link(rt, shop_id, order_id)
    first = client.post(url, data={"kind": "not_received", "details": "Nothing yet"})
    again = client.post(url, data={"kind": "not_received", "details": "Nothing yet"})
    assert first.headers["Location"] == again.headers["Location"] and count(rt, ProblemReport) == 1
    answers = [client.post(url, data={"kind": "not_received", "details": f"still nothing {i}"}).status_code for i in range(6)]
    assert answers == [303] * 5 + [429] and count(rt, ProblemReport) == 6  # six reports a day (the resend is not one)


def test_a_customers_redaction_removes_their_reports_and_photos(client, rt: Runtime) -> None:
    from core.domain.events import CustomerRedactRequested

    shop_id, order_id = an_order(client, rt)
    client.post(link(rt, shop_id, order_id), data={"kind": "damaged", "details": "Crushed, call me on 555-0100",
                                                   "photos": [(io.BytesIO(PNG), "me.png")]}, content_type="multipart/form-data")
    with rt.uow() as uow:
        platform_id = uow.repo.order_by_id(order_id).platform_order_id
    rt.bus.handle([CustomerRedactRequested("shopify", SHOP, None, "jon@example.com", (platform_id,))])
    assert count(rt, ProblemReport) == count(rt, ReportPhoto) == 0
    with rt.uow() as uow:
        notes = [n.body for n in uow.repo.case_notes(the_case(rt, order_id).id)]
    assert not any("555-0100" in n for n in notes) and "Customer report (removed at the customer's request)" in notes
    assert the_case(rt, order_id).problem == "damaged"  # the case stays, with what Forewarn knows
    assert json.dumps(notes)  # plain strings


def test_an_uninstalled_shop_or_a_forgotten_customer_takes_no_report(client, rt: Runtime) -> None:
    from core.domain.events import CustomerRedactRequested

    shop_id, order_id = an_order(client, rt)
    url = link(rt, shop_id, order_id)

    def shop_status(status: str) -> None:
        with rt.uow() as uow:
            uow.repo.shop_by_id(shop_id).status = status
            uow.commit()

    shop_status("uninstalled")
    assert client.post(url, data={"kind": "not_received"}).status_code == 404
    shop_status("installed")
    with rt.uow() as uow:
        platform_id = uow.repo.order_by_id(order_id).platform_order_id
    rt.bus.handle([CustomerRedactRequested("shopify", SHOP, None, "jon@example.com", (platform_id,))])
    assert client.get(url).status_code == 404
    assert client.post(url, data={"kind": "damaged", "details": "call me"}).status_code == 404
    assert count(rt, ProblemReport) == 0


def test_a_link_names_one_shops_order_and_a_receipt_only_its_own_report(client, rt: Runtime) -> None:
    from core.domain.model import Order, Shop

    shop_id, order_id = an_order(client, rt)
    with rt.uow() as uow:
        other = Shop(platform="shopify", domain="other.myshopify.com", installed_at=datetime.now(timezone.utc))
        uow.repo.add(other)
        uow.repo.flush()
        uow.repo.add(Order(shop_id=other.id, platform_order_id="1", name="#1", email="x@example.com",
                           created_at=datetime.now(timezone.utc), updated_at=datetime.now(timezone.utc)))
        uow.commit()
        other_id = other.id
    assert client.get(link(rt, other_id, order_id)).status_code == 404  # shop B, order of shop A
    url = link(rt, shop_id, order_id)
    client.post(url, data={"kind": "not_received", "details": "nothing"})
    assert "we have your report" not in client.get(f"{url}?sent=999").text  # no such report for this order


def test_control_characters_are_refused_with_a_reason_not_a_crash(client, rt: Runtime) -> None:
    shop_id, order_id = an_order(client, rt)
    answer = client.post(link(rt, shop_id, order_id), data={"kind": "not_received", "details": "nothing\x00arrived"})
    assert answer.status_code == 422 and "characters we cannot read" in answer.text
    lookup = client.post("/report", data={"shop": SHOP + "\x00", "order": "99\x0099", "email": "jon@example.com\x00"})
    assert lookup.status_code in (303, 404)
    assert count(rt, ProblemReport) == 0


def test_several_photos_over_the_apps_usual_body_limit_are_taken(client, rt: Runtime) -> None:
    shop_id, order_id = an_order(client, rt)
    photos = [(io.BytesIO(PNG + bytes([i]) * (4 * 1024 * 1024)), f"p{i}.png") for i in range(3)]  # 12 MB in all
    answer = client.post(link(rt, shop_id, order_id), data={"kind": "damaged", "photos": photos},
                         content_type="multipart/form-data")
    assert answer.status_code == 303 and count(rt, ReportPhoto) == 3


def test_without_a_secret_key_the_page_says_it_is_unavailable(client, rt: Runtime) -> None:
    import dataclasses

    shop_id, order_id = an_order(client, rt)
    url = link(rt, shop_id, order_id)
    rt.settings = dataclasses.replace(rt.settings, secret_key=None)
    assert client.get(url).status_code == 503
    assert client.post("/report", data={"shop": SHOP, "order": "9999", "email": "jon@example.com"}).status_code == 503


def test_an_address_over_its_limit_stores_nothing(client, rt: Runtime) -> None:
    shop_id, order_id = an_order(client, rt)
    url = link(rt, shop_id, order_id)
    answers = [client.post(url, data={"kind": "refund_me"}).status_code for _ in range(21)]
    assert answers[:20] == [422] * 20 and answers[20] == 429
    assert client.post(url, data={"kind": "not_received", "details": "x"}).status_code == 429
    assert count(rt, ProblemReport) == 0
