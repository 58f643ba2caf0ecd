"""Customer messages end to end, through a real SMTP server on 127.0.0.1: a problem is told in the customer's
language, never twice (not even after a crash between the send and its record), never at night in their time,
never after an unsubscribe; a delivery after a problem is told, the case then resolves, and the follow-up's
survey is answered once."""
from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timezone
from urllib.parse import urlsplit

from sqlalchemy import select

from core.domain.events import IncidentOpened, ShipmentStatusChanged
from core.domain.model import Case, Message, MessageAttempt, SurveyAnswer
from jobs import messages
from jobs.runtime import Runtime
from tests.smtp import Inbox
from tests.webhooks.conftest import Clock
from tests.support import damaged_parcel, run_jobs

#: 07:30 UTC: 02:30 in Louisville.
NIGHT = datetime(2026, 11, 25, 7, 30, tzinfo=timezone.utc)


def problem(client, rt: Runtime, **order_changes) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Shopify's sample order and parcel, then the parcel reported damaged (an incident the customer hears of)."""
    return damaged_parcel(client, rt, financial_status="pending", **order_changes)


def all_messages(rt: Runtime) -> list[Message]:
    with rt.uow() as uow:
        rows = uow.session.scalars(select(Message).order_by(Message.id)).all()
        uow.session.expunge_all()
        return list(rows)


def test_a_problem_is_told_once_in_the_customers_language_with_its_links(client, rt: Runtime, inbox: Inbox, clock: Clock) -> None:
    problem(client, rt, customer_locale="es")
    run_jobs(rt.redis)
    [mail] = inbox.messages
    damaged = [m for m in all_messages(rt) if m.kind == "damaged"]
    assert [m.status for m in damaged] == ["sent"] and damaged[0].language == "es"
    assert mail["To"] == "jon@example.com" and mail["Content-Language"].startswith("es")
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "John" in body and "#9999" in body and "/report/" in body and "/u/" in body
    assert mail["List-Unsubscribe"].startswith("<https://forewarn.example/u/")
    with rt.uow() as uow:
        outcomes = [a.outcome for a in uow.session.scalars(select(MessageAttempt).order_by(MessageAttempt.id))]
    assert outcomes == ["sending", "sent"]
    with rt.uow() as uow:  # the same incident told again (a retried chain): nothing new is planned
        incident_id = damaged[0].incident_id
        case = uow.session.scalars(select(Case)).first()
        shop_id, order_id = case.shop_id, case.order_id
    rt.bus.handle([IncidentOpened(incident_id, shop_id, order_id, None, "damaged", "again")])
    run_jobs(rt.redis)
    assert len(inbox.messages) == 1


def test_never_at_night_in_the_customers_time_deferred_not_dropped(client, rt: Runtime, inbox: Inbox, clock: Clock) -> None:
    clock.now = NIGHT
    problem(client, rt)
    run_jobs(rt.redis)
    [message] = [m for m in all_messages(rt) if m.kind == "damaged"]
    assert message.status == "deferred" and message.suppression_reason == "quiet_hours"
    assert message.send_at == datetime(2026, 11, 25, 13, 0, tzinfo=timezone.utc)  # 08:00 in Louisville
    assert inbox.messages == [] and messages.send_due() == 0
    clock.now = datetime(2026, 11, 25, 13, 1, tzinfo=timezone.utc)
    assert messages.send_due() == 1
    run_jobs(rt.redis)
    assert len(inbox.messages) == 1 and all_messages(rt)[0].status == "sent"


def test_an_unsubscribe_is_honoured_on_every_channel(client, rt: Runtime, inbox: Inbox, clock: Clock, app) -> None:
    order_id, shipment_id = problem(client, rt)
    run_jobs(rt.redis)
    link = re.search(r"<(https://forewarn\.example/u/[^>]+)>", inbox.messages[0]["List-Unsubscribe"]).group(1)
    path = urlsplit(link).path
    assert "Stop messages" in client.get(path).text  # opening the link asks first
    assert client.post(path).status_code == 200  # the button, or a mail client's one-click POST
    with rt.uow() as uow:
        shop_id = uow.repo.order_by_id(order_id).shop_id
        for shipment in uow.repo.shipments_of_order(order_id):
            shipment.status = "delivered"
        uow.commit()
    rt.bus.handle([ShipmentStatusChanged(shop_id, order_id, shipment_id, "delivered", None, "carrier")])
    run_jobs(rt.redis)
    later = [m for m in all_messages(rt) if m.kind == "delivered_after_problem"]
    assert later and all(m.status == "suppressed" and m.suppression_reason == "opted_out" for m in later)
    assert len(inbox.messages) == 1
    assert client.post("/u/tampered-token").status_code == 404


def test_a_crash_between_the_send_and_its_record_never_sends_twice(client, rt: Runtime, inbox: Inbox, clock: Clock, monkeypatch) -> None:
    original = messages._record

    def dies_after_sending(rt_, message_id, status, outcome, **kwargs):  # type: ignore[no-untyped-def]
        if status == "sent":
            raise RuntimeError("worker killed after the provider took the message")
        return original(rt_, message_id, status, outcome, **kwargs)

    monkeypatch.setattr(messages, "_record", dies_after_sending)
    problem(client, rt)
    run_jobs(rt.redis)  # the job fails after the email went out
    monkeypatch.undo()
    [message] = [m for m in all_messages(rt) if m.kind == "damaged"]
    assert message.status == "sending" and len(inbox.messages) == 1
    assert messages.send(message.id) == "failed"  # the retry: interrupted, not sent again
    assert len(inbox.messages) == 1
    assert "not sent again" in all_messages(rt)[0].error


def test_no_address_is_recorded_as_no_contact(client, rt: Runtime, inbox: Inbox, clock: Clock) -> None:
    problem(client, rt, email=None, contact_email=None, customer={"id": 1, "first_name": "Jo", "email": None})
    run_jobs(rt.redis)
    [message] = [m for m in all_messages(rt) if m.kind == "damaged"]
    assert message.status == "suppressed" and message.suppression_reason == "no_contact" and inbox.messages == []


def test_a_delivery_after_a_problem_is_told_then_the_case_resolves_and_the_survey_is_answered_once(
        client, rt: Runtime, inbox: Inbox, clock: Clock) -> None:
    order_id, shipment_id = problem(client, rt)
    run_jobs(rt.redis)
    with rt.uow() as uow:
        shop_id = uow.repo.order_by_id(order_id).shop_id
        for incident in uow.repo.open_incidents(order_id):
            incident.status = "cleared"
        for shipment in uow.repo.shipments_of_order(order_id):
            shipment.status = "delivered"
        uow.commit()
    rt.bus.handle([ShipmentStatusChanged(shop_id, order_id, shipment_id, "delivered", None, "carrier")])
    with rt.uow() as uow:
        assert uow.session.scalars(select(Case)).first().status == "pending"  # waiting for the customer to be told
    run_jobs(rt.redis)
    with rt.uow() as uow:
        case = uow.session.scalars(select(Case)).first()
        assert case.status == "resolved"
        assert "the customer was told" in uow.repo.case_notes(case.id)[-1].body
        case_id = case.id
    follow_up = [m for m in all_messages(rt) if m.kind == "survey"]
    assert follow_up and follow_up[0].status == "planned" and follow_up[0].send_at > clock.now
    clock.now = follow_up[0].send_at
    assert messages.send_due() >= 1
    run_jobs(rt.redis)
    survey_mail = inbox.messages[-1].get_body(preferencelist=("plain",)).get_content()
    survey = urlsplit(re.search(r"https://forewarn\.example/survey/\S+", survey_mail).group(0)).path
    assert client.get(survey).status_code == 200
    assert client.post(survey, data={"score": "9"}).status_code == 422
    assert client.post(survey, data={"score": "4", "comment": "Arrived fine in the end"}).status_code == 200
    again = client.post(survey, data={"score": "1"})
    assert "already answered" in again.text
    assert client.get(survey[:-3] + "xyz").status_code == 404
    with rt.uow() as uow:
        [answer] = uow.session.scalars(select(SurveyAnswer)).all()
        assert answer.score == 4 and answer.case_id == case_id


def test_a_provider_silent_after_taking_the_message_is_not_asked_again(client, rt: Runtime, inbox: Inbox, clock: Clock, monkeypatch) -> None:
    from connectors.channels import EmailSmtpChannel
    from core.errors import MaybeSent

    original = EmailSmtpChannel.send

    def takes_it_then_hangs_up(self, message):  # type: ignore[no-untyped-def]
        original(self, message)
        raise MaybeSent("the SMTP server hung up while taking the message")

    monkeypatch.setattr(EmailSmtpChannel, "send", takes_it_then_hangs_up)
    problem(client, rt)
    run_jobs(rt.redis)
    [message] = [m for m in all_messages(rt) if m.kind == "damaged"]
    assert message.status == "failed" and "never gets it twice" in message.error
    assert messages.send_due() == 0 and len(inbox.messages) == 1


def test_a_message_whose_news_is_out_of_date_or_whose_shop_turned_messages_off_does_not_go(
        client, rt: Runtime, inbox: Inbox, clock: Clock) -> None:
    clock.now = NIGHT
    order_id, _ = problem(client, rt)
    run_jobs(rt.redis)  # deferred to the morning
    with rt.uow() as uow:
        uow.repo.shop_by_id(uow.repo.order_by_id(order_id).shop_id).messaging = {"enabled": False}
        uow.commit()
    clock.now = datetime(2026, 11, 25, 13, 1, tzinfo=timezone.utc)
    messages.send_due()
    run_jobs(rt.redis)
    [message] = [m for m in all_messages(rt) if m.kind == "damaged"]
    assert message.status == "suppressed" and message.suppression_reason == "disabled" and inbox.messages == []


def test_links_cannot_be_checked_without_a_secret_key(client, rt: Runtime) -> None:
    rt.settings = dataclasses.replace(rt.settings, secret_key=None)
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer("", salt="forewarn-survey").dumps({"s": 1, "o": 1})
    assert client.post(f"/survey/{forged}", data={"score": "5"}).status_code == 404
    assert client.post(f"/u/{URLSafeTimedSerializer('', salt='forewarn-unsubscribe').dumps({'s': 1, 'a': 'x@y.z'})}").status_code == 404


def test_shipped_and_out_for_delivery_are_told_only_by_shops_that_want_them(client, rt: Runtime, inbox: Inbox, clock: Clock) -> None:
    from tests.support import install_shop

    shop_id = install_shop(rt)
    with rt.uow() as uow:
        uow.repo.shop_by_id(shop_id).messaging = {"moments": ["shipped", "out_for_delivery"]}
        uow.commit()
    order_id, shipment_id = problem(client, rt)
    rt.bus.handle([ShipmentStatusChanged(shop_id, order_id, shipment_id, "out_for_delivery", None, "carrier")])
    run_jobs(rt.redis)
    kinds = {m.kind for m in all_messages(rt)}
    assert {"shipped", "out_for_delivery"} <= kinds


def test_the_carriers_running_late_after_our_late_notice_is_not_a_second_delay_email(client, rt: Runtime, inbox: Inbox, clock: Clock) -> None:
    order_id, shipment_id = problem(client, rt)
    with rt.uow() as uow:
        shop_id = uow.repo.order_by_id(order_id).shop_id
    rt.bus.handle([IncidentOpened(901, shop_id, order_id, shipment_id, "late", "past its estimated day")])
    rt.bus.handle([IncidentOpened(902, shop_id, order_id, shipment_id, "running_late", "the carrier says so")])
    kinds = [m.kind for m in all_messages(rt)]
    assert kinds.count("late") == 1 and "running_late" not in kinds


def test_a_stop_from_the_customers_phone_silences_email_too_however_the_order_wrote_the_number(
        client, rt: Runtime, inbox: Inbox, clock: Clock) -> None:
    from jobs.messages import record_opt_out

    order_id, _ = problem(client, rt, phone="(502) 555-0101")
    with rt.uow() as uow:  # before the problem's email goes: the customer texted STOP to the shop's number
        for message in uow.session.scalars(select(Message)).all():
            message.status = "planned"
        record_opt_out(uow, uow.repo.order_by_id(order_id).shop_id, "+15025550101", "sms_stop", clock.now)
        uow.commit()
    run_jobs(rt.redis)
    [message] = [m for m in all_messages(rt) if m.kind == "damaged"]
    assert message.status == "suppressed" and message.suppression_reason == "opted_out"


def test_a_cap_counts_notices_not_their_copies_on_each_channel(client, rt: Runtime, inbox: Inbox, clock: Clock) -> None:
    from core.domain.model import MessageStatus
    from jobs.messages import _history

    order_id, _ = problem(client, rt)
    run_jobs(rt.redis)
    with rt.uow() as uow:
        order = uow.repo.order_by_id(order_id)
        [sent] = uow.session.scalars(select(Message).where(Message.kind == "damaged")).all()
        sms_copy = Message(shop_id=sent.shop_id, order_id=order_id, kind="damaged", channel="sms",
                           idempotency_key=sent.idempotency_key.rsplit(":", 1)[0] + ":sms", created_at=clock.now,
                           status=MessageStatus.SENT, sent_at=clock.now, recipient="+15025550101")
        later = Message(shop_id=sent.shop_id, order_id=order_id, kind="delivered_after_problem", channel="email",
                        idempotency_key=f"order:{order_id}:delivered_after_problem:email", created_at=clock.now)
        uow.repo.add(sms_copy)
        uow.repo.add(later)
        uow.repo.flush()
        history = _history(uow, later, order, clock.now)
    assert len(history.order_sent_at) == 1  # the damage notice, sent twice (email, SMS), is one notice
