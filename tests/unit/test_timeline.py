"""A parcel's timeline: rows of every kind merged into one list in time order (core/services/timeline.py, pure)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from core.domain.model import Case, CaseNote, Incident, Message, Shipment, TrackingEvent, WriteBack
from core.services.timeline import (
    CaseNoted, CaseOpened, CaseResolved, CustomerMessage, IncidentCleared, IncidentOpened, Scan, Shipped, WrittenBack,
    entries_of, merge,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def parcel(**changes) -> Shipment:  # type: ignore[no-untyped-def]
    values = dict(shop_id=1, order_id=10, platform_fulfillment_id="f1", tracking_number="1Z1", carrier="ups",
                  carrier_raw="UPS", service="Ground", shipped_at=T0, id=5)
    values.update(changes)
    return Shipment(**values)


def scan(at: datetime, status: str = "in_transit", description: str = "DEPARTED", location: str | None = "Memphis") -> TrackingEvent:
    return TrackingEvent(shipment_id=5, occurred_at=at, status=status, description=description, location=location)


def test_merge_orders_every_stream_by_time() -> None:
    a = Scan(hours(1), "in_transit", None, "ARRIVED", "Louisville")
    b = Scan(hours(3), "in_transit", None, "DEPARTED", "Louisville")
    opened = IncidentOpened(hours(2), 1, "stuck", "no scan", (), False)
    cleared = IncidentCleared(hours(3.5), 1, "stuck", "the parcel moved again")
    assert merge([a, b], [cleared, opened]) == [a, opened, b, cleared]


def test_entries_of_one_instant_follow_cause_and_effect() -> None:
    """A scan, what detection made of it, the case it opened, then the customer and the store are told."""
    at = hours(1)
    told = CustomerMessage(at, "late", "late", "email", "en", "sent", None, None, at, None)
    written = WrittenBack(at, "Shopify", "order tag forewarn:late", "sent", None)
    case = CaseOpened(at, 3, "late", "normal", None)
    found = IncidentOpened(at, 1, "late", "due yesterday", (), True)
    seen = Scan(at, "in_transit", "delayed", "DELAYED", None)
    assert merge([written, told, case, found, seen]) == [seen, found, case, told, written]
    same = [Scan(at, "in_transit", None, f"scan {n}", None) for n in range(3)]
    assert merge(same) == same  # otherwise in the order given


def test_a_parcels_rows_become_one_story() -> None:
    incident = Incident(shop_id=1, order_id=10, shipment_id=5, kind="stuck", reason="no scan for 3.2 business days",
                        evidence={"business_days_quiet": 3.2, "last_place": "Memphis", "lane": None,
                                  "last_scan_at": "2026-03-03T12:51:52.798323+00:00"}, opened_at=hours(30),
                        status="cleared", cleared_at=hours(40), clear_reason="the parcel moved again", id=7)
    case = Case(shop_id=1, order_id=10, problem="stuck", subject="Order #1001 — UPS parcel stuck", priority="normal",
                opened_at=hours(30), sla_due_at=hours(50), status="resolved", resolved_at=hours(60), id=3)
    notes = [CaseNote(case_id=3, author="Forewarn", body="stuck: no scan", created_at=hours(30), id=1),
             CaseNote(case_id=3, author="Sam", body="Asked UPS", created_at=hours(35), id=2),
             CaseNote(case_id=3, author="Forewarn", body="resolved by Forewarn: delivered", created_at=hours(60), id=3)]
    message = Message(shop_id=1, order_id=10, kind="stuck", channel="email", idempotency_key="k", created_at=hours(31),
                      incident_id=7, language="de", status="sent", sent_at=hours(32))
    back = WriteBack(shop_id=1, order_id=10, kind="fulfillment_event", key="k", created_at=hours(59),
                     payload={"status": "delivered", "substatus": None}, status="pending")
    story = entries_of(parcel(), [scan(hours(10)), scan(hours(59), "delivered", "DELIVERED", "Front door")],
                       [incident], [message], [case], notes, [back], "shopify")
    assert [e.kind for e in story] == ["shipped", "scan", "incident_opened", "case_opened", "message", "case_note",
                                       "incident_cleared", "scan", "write_back", "case_resolved"]
    shipped, _, opened, case_opened, told, note, cleared, _, written, resolved = story
    assert isinstance(shipped, Shipped) and shipped.carrier == "UPS" and shipped.service == "Ground"
    assert isinstance(opened, IncidentOpened) and opened.evidence == (
        ("business days quiet", "3.2"), ("last place", "Memphis"), ("last scan at", "Tue 03 Mar 2026, 12:51 UTC"))
    assert not opened.still_open and isinstance(cleared, IncidentCleared) and cleared.reason == "the parcel moved again"
    assert isinstance(case_opened, CaseOpened) and case_opened.detail == "stuck: no scan"  # its first note, not twice
    assert isinstance(note, CaseNoted) and note.author == "Sam"
    assert isinstance(resolved, CaseResolved) and resolved.detail == "resolved by Forewarn: delivered"
    assert isinstance(told, CustomerMessage) and told.at == hours(32) and told.language == "de"
    assert told.about == "No carrier scan for longer than the shop's threshold"
    assert isinstance(written, WrittenBack) and written.platform == "Shopify" and "delivered" in written.what


def test_a_message_not_sent_keeps_why_and_when_it_was_planned() -> None:
    held = Message(shop_id=1, order_id=10, kind="late", channel="sms", idempotency_key="k", created_at=hours(1),
                   status="suppressed", suppression_reason="opted_out")
    [told] = entries_of(parcel(shipped_at=None), [], [], [held], [], [], [], "wix")
    assert isinstance(told, CustomerMessage) and told.at == hours(1) and told.sent_at is None
    assert told.reason == "opted_out" and told.channel == "sms"


def test_an_open_case_and_an_open_incident_have_no_end_yet() -> None:
    incident = Incident(shop_id=1, order_id=10, shipment_id=5, kind="late", reason="due yesterday", evidence={},
                        opened_at=hours(2), id=1)
    case = Case(shop_id=1, order_id=10, problem="late", subject="late", priority="urgent", opened_at=hours(3),
                sla_due_at=hours(9), id=4)
    story = entries_of(parcel(shipped_at=None), [], [incident], [], [case], [], [], "shopify")
    assert [e.kind for e in story] == ["incident_opened", "case_opened"]
    assert story[0].still_open and story[1].detail is None


def test_write_backs_read_as_what_the_store_was_told() -> None:
    def said(kind: str, payload: dict) -> str:
        item = WriteBack(shop_id=1, order_id=10, kind=kind, key=kind, payload=payload, created_at=hours(1))
        [entry] = entries_of(parcel(shipped_at=None), [], [], [], [], [], [item], "woocommerce")
        return entry.what

    assert said("order_note", {"note": "Forewarn: the UPS parcel 1Z1 is running late."}) == \
        "order note: Forewarn: the UPS parcel 1Z1 is running late."
    assert said("order_tag", {"tag": "forewarn:late"}) == "order tag forewarn:late"
    assert said("fulfillment_event", {"status": "in_transit", "substatus": "delayed"}) == \
        "tracking event “in transit (delayed)” on the fulfillment"
