"""Case pieces that are pure: working-hours SLA, suggested replies, subjects."""
from __future__ import annotations

from datetime import date, datetime, timezone

from core.domain.calendar import add_business_hours, calendar_for
from core.domain.replies import suggested_reply
from core.services.cases import subject

UTC = timezone.utc


def test_sla_counts_working_hours_and_skips_the_night_the_weekend_and_holidays() -> None:
    us = calendar_for("US")  # Chicago: UTC-6 in November
    wed_afternoon = datetime(2026, 11, 25, 21, 0, tzinfo=UTC)  # Wed 15:00 Chicago, Thanksgiving next day
    due = add_business_hours(us, wed_afternoon, 4)
    assert due == datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # 2 h Wed, then Fri 09:00–11:00 Chicago
    friday_evening = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # Fri 17:30 Chicago
    assert add_business_hours(us, friday_evening, 24) == datetime(2026, 12, 2, 23, 0, tzinfo=UTC)  # 3 working days: Wed 17:00


def test_the_suggested_reply_speaks_the_customers_language_with_a_fallback() -> None:
    fields = {"first_name": "Lucía", "order": "#1002", "carrier": "FedEx"}
    language, text = suggested_reply("late", "es-MX", fields, expected=date(2026, 11, 26), tracking_url="https://t.example/1")
    assert language == "es"
    assert text.startswith("Hola Lucía, tu pedido #1002 va con retraso: FedEx prevé entregarlo el jueves 26 noviembre.")
    assert text.endswith(" Seguimiento: https://t.example/1")
    language, text = suggested_reply("damaged", "hi", {"first_name": "Priya", "order": "#1007"})
    assert language == "en" and "Priya" in text and "{" not in text


def test_a_reply_with_unknown_fields_still_reads_naturally() -> None:
    language, text = suggested_reply("needs_action", "de_DE", {"first_name": None, "order": "#9", "carrier": None})
    assert language == "de"
    assert text.startswith("Hallo, der Versanddienst konnte die Bestellung #9 nicht zustellen.")
    assert "abholen." in text and "Sendungsverfolgung" not in text  # no link sentence without a link
    _, text = suggested_reply("late", "fr", {"order": "#3"})
    assert text.startswith("Bonjour, votre commande #3 a pris du retard : le transporteur prévoit de la livrer bientôt.")


def test_subjects_read_like_a_support_queue() -> None:
    assert subject("#1042", "stuck", "ups", datetime(2026, 11, 3, 9, tzinfo=UTC)) == "Order #1042 — UPS parcel stuck since Tue"
    assert subject("#7", "unfulfilled", None, None) == "Order #7 — not shipped yet"


def test_a_merchants_reply_is_checked_before_it_is_saved_and_then_used() -> None:
    from core.domain.replies import check_text, library

    assert check_text("Hi {first_name}, order {order} is on its way with {carrier}, {when}.") == []
    assert check_text("   ") == ["the reply is empty"]
    assert check_text("Hi {name}")[0].startswith("unknown field {name}; available: {first_name}, {order}")
    assert check_text("{order.__class__}")[0].startswith("unknown field {order.__class__}")  # no attribute access
    assert check_text("Hi {first_name")[0].startswith("unbalanced braces")
    for formatted in ("{first_name:>99999999}", "{first_name!r}", "{first_name:{order.__class__}}"):
        assert check_text(formatted)[-1].startswith("a field is written with a format")  # no padding bombs
    assert suggested_reply("late", "en", {"order": "#5"}, overrides={"late": {"en": "{{order}} {order} {other}"}})[1] == "{order} #5 {other}"
    own = {"late": {"en": "Hey {first_name}! {order} is late, sorry."}}
    assert suggested_reply("late", "en-GB", {"first_name": "Sam", "order": "#5"}, overrides=own) == ("en", "Hey Sam! #5 is late, sorry.")
    assert suggested_reply("late", "de", {"first_name": "Jan", "order": "#5"}, overrides=own)[1].startswith("Hallo Jan")
    shown = library(own)
    assert shown["late"]["en"] == {"text": "Hey {first_name}! {order} is late, sorry.", "edited": True}
    assert shown["late"]["fr"]["edited"] is False and set(shown) >= {"wrong_item", "address_change", "cancellation", "pickup_waiting"}
