"""Raw carrier responses (the vendors' own samples) → Forewarn status, code by code."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from connectors.carriers import canadapost, dhl, fedex, ups, usps
from connectors.carriers.normalize import snapshot
from core.errors import NotFound, Permanent, Transient, Unauthorized
from tests.support import FIXTURES


def raw(name: str) -> str:
    return (FIXTURES / "carriers" / name).read_text()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_ups_delivered_sample() -> None:
    s = snapshot("ups", raw("ups_delivered.json"), "1Z1442YY7229014688")
    assert (s.status, s.substatus) == ("delivered", None)
    assert [e.code for e in s.events] == ["D/F4", "M/MP"]
    assert s.events[1].status == "pre_transit"
    assert s.delivered_at == utc(2022, 1, 26, 16, 30)


def test_ups_track_alert_push_uses_its_gmt_time() -> None:
    s = snapshot("ups", raw("ups_trackalert_webhook_in_transit.json"), "1ZABCXYZ0112346789")
    assert s.status == "in_transit"
    assert s.events[0].occurred_at == utc(2024, 4, 23, 1, 29, 1)  # local 21:29:01 the day before
    # a date-only estimate ends when 23 April ends everywhere: 23:59:59 at UTC−12
    assert s.estimated_delivery == utc(2024, 4, 24, 11, 59, 59)


@pytest.mark.parametrize(
    ("type_", "code", "description", "expected"),
    [
        ("I", "OT", "Out For Delivery Today", ("out_for_delivery", None)),  # karrio: in_transit
        ("I", "YP", "Preparing for Delivery", ("in_transit", None)),
        ("M", "MP", "Shipper created a label", ("pre_transit", None)),
        ("MV", "MV", "Manifest voided", ("cancelled", None)),
        ("X", "DJ", "Severe weather conditions have delayed delivery", ("exception", "weather")),
        ("X", "48", "The receiver was not available for delivery", ("attempt_failed", None)),
        ("X", "XS", "The address is incorrect", ("exception", "address_issue")),
        ("X", "ZZ", "Clearance information required by customs", ("exception", "customs_hold")),
        ("U", "XD", "Your delivery has been rescheduled", ("in_transit", "delayed")),
        ("D", "2W", "Delivered to UPS Access Point. Awaiting customer pickup.", ("available_for_pickup", None)),
        ("D", "FS", "Delivered", ("delivered", None)),
        ("RS", "RS", "Returned to shipper", ("returning", None)),
        ("RT", "RT", "Returning to shipper", ("returning", None)),
        ("Q", "??", "Something new", ("unknown", None)),
    ],
)
def test_ups_activity_codes(type_: str, code: str, description: str, expected: tuple) -> None:
    assert ups.activity_status(type_, code, description) == expected


def test_ups_errors_are_typed() -> None:
    with pytest.raises(NotFound):
        snapshot("ups", raw("ups_not_found_TW0001.json"), "1Z0")
    with pytest.raises(Permanent):
        snapshot("ups", json.dumps({"response": {"errors": [{"code": "TV1002", "message": "Invalid inquiry number"}]}}), "X")
    with pytest.raises(Unauthorized):
        snapshot("ups", json.dumps({"response": {"errors": [{"code": "250002", "message": "Invalid Authentication"}]}}), "X")
    with pytest.raises(Transient):
        snapshot("ups", "<html>Service Unavailable</html>", "X")


def test_fedex_delivered_sample_keeps_the_offsets() -> None:
    s = snapshot("fedex", raw("fedex_delivered.json"), "738488882438")
    assert s.status == "delivered" and s.signed_by == "CREILLY"
    assert s.delivered_at == utc(2024, 8, 20, 16, 41, 57)  # 12:41:57-04:00
    assert s.estimated_delivery == utc(2024, 8, 21, 6, 0)  # standard transit window end, -06:00
    assert s.unknown_codes == ()


def test_fedex_placeholder_error_beside_real_scans_and_a_plain_not_found() -> None:
    s = snapshot("fedex", raw("fedex_picked_up_and_not_found.json"), "123456789012")
    assert s.status == "in_transit" and s.events[0].code == "PU"
    with pytest.raises(NotFound):
        snapshot("fedex", raw("fedex_picked_up_and_not_found.json"), "39936862321")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("OC", ("pre_transit", None)), ("PU", ("in_transit", None)), ("OD", ("out_for_delivery", None)),
        ("HL", ("available_for_pickup", None)), ("DL", ("delivered", None)), ("CA", ("cancelled", None)),
        ("RS", ("returning", None)), ("DE", ("attempt_failed", None)), ("SE", ("exception", None)),
        ("CD", ("exception", "customs_hold")), ("DY", ("exception", "delayed")), ("QQ", ("unknown", None)),
    ],
)
def test_fedex_event_codes(code: str, expected: tuple) -> None:
    assert fedex.event_status(code, "", "") == expected


def test_fedex_running_late_is_read_from_the_raw_payload() -> None:
    body = json.loads(raw("fedex_delivered.json"))
    result = body["output"]["completeTrackResults"][0]["trackResults"][0]
    result["scanEvents"] = [e for e in result["scanEvents"] if e["eventType"] != "DL"]
    result["latestStatusDetail"] = {"code": "FD", "derivedCode": "RL", "statusByLocale": "Running Late"}
    s = snapshot("fedex", json.dumps(body), "738488882438")
    assert s.running_late and s.status == "out_for_delivery"


def test_usps_delivered_to_a_parcel_locker_uses_gmt_times() -> None:
    s = snapshot("usps", raw("usps_delivered_parcel_locker.json"), "9400109104250532908587")
    assert s.status == "delivered"
    assert s.delivered_at == utc(2024, 11, 22, 18, 58, 40)
    assert [e.status for e in s.events][:3] == ["delivered", "out_for_delivery", "in_transit"]


@pytest.mark.parametrize(
    ("kind", "code", "expected"),
    [
        ("Shipping Label Created, USPS Awaiting Item", "GX", ("pre_transit", None)),  # karrio: in_transit
        ("Delivery Attempted - No Access to Delivery Location", "", ("attempt_failed", None)),  # karrio: in_transit
        ("Available for Pickup", "", ("available_for_pickup", None)),  # karrio: in_transit
        ("Return to Sender", "", ("returning", None)),  # karrio: in_transit
        ("Arriving Late", "", ("in_transit", "delayed")),
        ("Insufficient Address", "", ("exception", "address_issue")),
        ("Out for Delivery", "OF", ("out_for_delivery", None)),
        ("Something Else", "A1", ("in_transit", None)),
        ("Something Else", "ZZ", ("unknown", None)),
    ],
)
def test_usps_event_wording_and_codes(kind: str, code: str, expected: tuple) -> None:
    assert usps.event_status(kind, code) == expected


def test_usps_auth_error_is_unauthorized() -> None:
    with pytest.raises(Unauthorized):
        snapshot("usps", raw("usps_auth_error_invalid_client.json"), "9400")


def test_dhl_doc_sample_goes_by_status_code_not_its_contradicting_status_word() -> None:
    s = snapshot("dhl", raw("dhl_universal_docsample_mixed_status.json"), "7777777770")
    assert s.status == "pre_transit"  # statusCode pre-transit although status says DELIVERED
    assert s.estimated_delivery == utc(2018, 8, 3)
    with pytest.raises(NotFound):
        snapshot("dhl", raw("dhl_universal_not_found_404.json"), "8264715546")


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        ("pre-transit", "", ("pre_transit", None)),  # karrio: in_transit
        ("unknown", "", ("unknown", None)),  # karrio: delivery_delayed
        ("failure", "Delivery attempt failed - recipient not at home", ("attempt_failed", None)),
        ("failure", "The shipment is pending completion of customs inspection", ("exception", "customs_hold")),
        ("transit", "Customs clearance completed", ("in_transit", None)),
        ("transit", "Shipment delayed", ("in_transit", "delayed")),
        ("transit", "Out for delivery - with delivery courier", ("out_for_delivery", None)),
        ("transit", "Customs status updated", ("in_transit", None)),  # routine: not an exception
        ("transit", "In transit to the parcel shop", ("in_transit", None)),
        ("delivered", "Delivered back to the sender", ("returned", None)),
    ],
)
def test_dhl_status_codes_refined_by_their_words(code: str, text: str, expected: tuple) -> None:
    assert dhl.event_status(code, text, "") == expected


def test_canada_post_sample_is_delivered_despite_later_events_and_padded_codes() -> None:
    s = snapshot("canadapost", raw("canadapost_docsample_delivered.xml"), "7023210039414604")
    assert s.status == "delivered"  # karrio: in_transit (its newest event is a signature image)
    assert s.delivered_at == utc(2011, 2, 1, 12, 59, 52)  # 07:59:52 EST
    by_code = {e.code: (e.status, e.substatus) for e in s.events}
    assert by_code["0174"] == ("out_for_delivery", None)  # zero-padded, matched as 174
    assert by_code["0173"] == ("exception", "address_issue")
    assert s.signed_by == "HETU" and s.unknown_codes == ()
    with pytest.raises(NotFound):
        snapshot("canadapost", raw("canadapost_not_found_004.xml"), "1111111111111111")


def test_canada_post_return_to_sender_ends_returned_not_delivered() -> None:
    xml = raw("canadapost_docsample_delivered.xml").replace(
        "<event-description>Item processed at postal facility</event-description>",
        "<event-description>Item being returned to sender</event-description>",
    ).replace("<event-description>Item successfully delivered</event-description>",
              "<event-description>Item delivered to sender</event-description>")
    s = snapshot("canadapost", xml, "7023210039414604")
    assert s.status == "returned" and s.delivered_at is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [("1496", "delivered"), ("174", "out_for_delivery"), ("1410", "available_for_pickup"), ("168", "attempt_failed"),
     ("172", "exception"), ("1", "unknown")],
)
def test_canada_post_codes(code: str, expected: str) -> None:
    assert canadapost.event_status(code, "")[0] == expected


def test_unmapped_codes_are_counted_and_logged(caplog) -> None:
    body = json.loads(raw("ups_delivered.json"))
    body["trackResponse"]["shipment"][0]["package"][0]["activity"].insert(
        0, {"status": {"type": "Q", "code": "ZZ", "description": "New thing"}, "date": "20220127", "time": "080000"})
    s = snapshot("ups", json.dumps(body), "1Z1442YY7229014688")
    assert s.unknown_codes == ("Q/ZZ",) and s.status == "delivered"
    assert "unmapped ups tracking code 'Q/ZZ'" in caplog.text
