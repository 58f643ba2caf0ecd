"""Message hygiene with a frozen `now`: the customer's zone from the address, quiet hours across zones and DST
changes, half-hour offsets, daily caps, consent, opt-outs, duplicates and the order of the checks."""
from __future__ import annotations

import dataclasses
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from core.domain import hygiene
from core.domain.hygiene import (Candidate, Consent, Decision, History, HygienePolicy, cap_reached, customer_timezone,
                                 decide, followup_due, quiet_until, survey_score_valid)

UTC = timezone.utc
LA, NEW_YORK, BERLIN = ZoneInfo("America/Los_Angeles"), ZoneInfo("America/New_York"), ZoneInfo("Europe/Berlin")
KOLKATA = ZoneInfo("Asia/Kolkata")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(tz: ZoneInfo, *args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=tz, fold=fold)


def zone(country: str | None, region: str | None = None, postal: str | None = None) -> str:
    return customer_timezone(country, region, postal).key


# --- The customer's time zone -------------------------------------------------------------------------------

@pytest.mark.parametrize(("country", "expected"), [
    ("GB", "Europe/London"), ("IE", "Europe/Dublin"), ("FR", "Europe/Paris"), ("DE", "Europe/Berlin"),
    ("ES", "Europe/Madrid"), ("PT", "Europe/Lisbon"), ("IT", "Europe/Rome"), ("NL", "Europe/Amsterdam"),
    ("BE", "Europe/Brussels"), ("AT", "Europe/Vienna"), ("CH", "Europe/Zurich"), ("SE", "Europe/Stockholm"),
    ("DK", "Europe/Copenhagen"), ("NO", "Europe/Oslo"), ("FI", "Europe/Helsinki"), ("PL", "Europe/Warsaw"),
    ("CZ", "Europe/Prague"), ("NZ", "Pacific/Auckland"), ("IN", "Asia/Kolkata"), ("BD", "Asia/Dhaka"),
    ("AE", "Asia/Dubai"), ("SA", "Asia/Riyadh"), ("EG", "Africa/Cairo"), ("JP", "Asia/Tokyo"),
])
def test_a_single_zone_country_has_its_zone_whatever_the_region(country: str, expected: str) -> None:
    assert zone(country, None) == expected
    assert zone(country.lower(), "anything", "12345") == expected


def test_a_multi_zone_country_without_a_region_gets_its_most_populous_zone() -> None:
    assert zone("US", None) == "America/New_York"
    assert zone("CA", "") == "America/Toronto"
    assert zone("AU", None) == "Australia/Sydney"
    assert zone("BR", None) == "America/Sao_Paulo"
    assert zone("MX", "??") == "America/Mexico_City"


@pytest.mark.parametrize(("region", "expected"), [
    ("NY", "America/New_York"), ("CA", "America/Los_Angeles"), ("TX", "America/Chicago"), ("CO", "America/Denver"),
    ("AZ", "America/Phoenix"), ("HI", "Pacific/Honolulu"), ("AK", "America/Anchorage"), ("WA", "America/Los_Angeles"),
    ("IL", "America/Chicago"), ("FL", "America/New_York"), ("ID", "America/Boise"), ("PR", "America/Puerto_Rico"),
    ("us-ca", "America/Los_Angeles"), (" nv ", "America/Los_Angeles"),
])
def test_us_states_have_their_own_zones_however_the_platform_spells_them(region: str, expected: str) -> None:
    assert zone("US", region) == expected


def test_arizona_keeps_standard_time_all_year_while_hawaii_and_alaska_are_their_own() -> None:
    arizona = customer_timezone("US", "AZ")
    assert at(2024, 1, 15, 12).astimezone(arizona).utcoffset() == timedelta(hours=-7)
    assert at(2024, 7, 15, 12).astimezone(arizona).utcoffset() == timedelta(hours=-7)
    assert at(2024, 7, 15, 12).astimezone(customer_timezone("US", "HI")).utcoffset() == timedelta(hours=-10)
    assert at(2024, 7, 15, 12).astimezone(customer_timezone("US", "AK")).utcoffset() == timedelta(hours=-8)


def test_the_zip_code_moves_a_customer_only_within_a_state_that_spans_zones() -> None:
    assert zone("US", "TX", "79901") == "America/Denver"  # El Paso
    assert zone("US", "TX", "75201") == "America/Chicago"  # Dallas
    assert zone("US", "FL", "32501") == "America/Chicago"  # Pensacola
    assert zone("US", "TN", "37902") == "America/New_York"  # Knoxville
    assert zone("US", "ID", "83814") == "America/Los_Angeles"  # Coeur d'Alene
    assert zone("US", "TX", "90210") == "America/Chicago"  # a mistyped ZIP never moves a Texan to California
    assert zone("US", "CA", "79901") == "America/Los_Angeles"


def test_the_zip_code_alone_places_a_us_customer_when_the_state_is_missing() -> None:
    assert zone("US", None, "94105-1234") == "America/Los_Angeles"
    assert zone("US", None, "10001") == "America/New_York"
    assert zone("US", None, "60601") == "America/Chicago"
    assert zone("US", None, "85004") == "America/Phoenix"
    assert zone("US", None, "96813") == "Pacific/Honolulu"
    assert zone("US", None, "09012") == "America/New_York"  # military mail: no local time, the default


@pytest.mark.parametrize(("country", "region", "postal", "expected"), [
    ("CA", "BC", None, "America/Vancouver"), ("CA", "AB", None, "America/Edmonton"), ("CA", "SK", None, "America/Regina"),
    ("CA", "MB", None, "America/Winnipeg"), ("CA", "QC", None, "America/Toronto"), ("CA", "NS", None, "America/Halifax"),
    ("CA", "NL", None, "America/St_Johns"), ("CA", "YT", None, "America/Whitehorse"),
    ("CA", None, "V6B 1A1", "America/Vancouver"), ("CA", "ON", "P9N 1A1", "America/Winnipeg"),
    ("CA", "ON", "M5V 2T6", "America/Toronto"),
    ("AU", "NSW", None, "Australia/Sydney"), ("AU", "VIC", None, "Australia/Melbourne"),
    ("AU", "QLD", None, "Australia/Brisbane"), ("AU", "SA", None, "Australia/Adelaide"),
    ("AU", "WA", None, "Australia/Perth"), ("AU", "TAS", None, "Australia/Hobart"), ("AU", "NT", None, "Australia/Darwin"),
    ("AU", "NSW", "2880", "Australia/Broken_Hill"), ("AU", None, "6000", "Australia/Perth"),
    ("BR", "SP", None, "America/Sao_Paulo"), ("BR", "RJ", None, "America/Sao_Paulo"), ("BR", "AM", None, "America/Manaus"),
    ("BR", "AC", None, "America/Rio_Branco"), ("BR", "MT", None, "America/Cuiaba"), ("BR", "BA", None, "America/Bahia"),
    ("MX", "JAL", None, "America/Mexico_City"), ("MX", "CDMX", None, "America/Mexico_City"),
    ("MX", "BC", None, "America/Tijuana"), ("MX", "BCN", None, "America/Tijuana"), ("MX", "SON", None, "America/Hermosillo"),
    ("MX", "SIN", None, "America/Mazatlan"), ("MX", "Q ROO", None, "America/Cancun"), ("MX", "MX-ROO", None, "America/Cancun"),
    ("MX", "QR", None, "America/Cancun"), ("MX", "CHIH", "32000", "America/Ciudad_Juarez"), ("MX", None, "22000", "America/Tijuana"),
    ("ES", None, "35001", "Atlantic/Canary"), ("ES", "TF", None, "Atlantic/Canary"), ("ES", "M", "28001", "Europe/Madrid"),
    ("PT", None, "9500-123", "Atlantic/Azores"), ("FR", None, "97400", "Indian/Reunion"), ("UK", None, None, "Europe/London"),
])
def test_regions_and_postal_codes_of_the_markets_with_several_zones(country: str, region: str | None,
                                                                    postal: str | None, expected: str) -> None:
    assert zone(country, region, postal) == expected


def test_utc_only_when_the_country_is_unknown() -> None:
    assert zone("ZZ", "CA", "94105") == "UTC"
    assert zone(None, None) == "UTC"
    assert zone("", "NY") == "UTC"
    assert zone("US", "XX") == "America/New_York"  # a known country with an odd region keeps its default


def test_every_zone_in_the_tables_exists_in_the_tz_database() -> None:
    names = set(hygiene._COUNTRIES.values())
    names |= {z for table in hygiene._REGIONS.values() for z in table.values()}
    names |= {z for table in hygiene._POSTAL.values() for z in table.values() if z}
    names |= {z for splits in hygiene._SPLITS.values() for zones in splits.values() for z in zones}
    assert [n for n in sorted(names) if hygiene._zone(n) is None] == []


# --- Quiet hours ------------------------------------------------------------------------------------------------

def test_three_in_the_morning_in_los_angeles_is_deferred_to_eight_there() -> None:
    now = at(2024, 6, 15, 10)  # 03:00 PDT
    until = quiet_until(now, LA)
    assert until == at(2024, 6, 15, 15)
    assert until is not None and until.astimezone(LA).time() == time(8, 0)
    assert quiet_until(at(2024, 6, 15, 12), LA) == at(2024, 6, 15, 15)  # noon UTC is 05:00 in LA: still quiet
    assert quiet_until(at(2024, 6, 15, 12), BERLIN) is None  # while it is 14:00 in Berlin


def test_the_edges_of_the_window_and_an_evening_deferred_to_the_next_morning() -> None:
    assert quiet_until(local(LA, 2024, 6, 15, 8, 0).astimezone(UTC), LA) is None
    assert quiet_until(local(LA, 2024, 6, 15, 20, 59, 59).astimezone(UTC), LA) is None
    assert quiet_until(local(LA, 2024, 6, 15, 21, 0).astimezone(UTC), LA) == local(LA, 2024, 6, 16, 8, 0)
    assert quiet_until(local(LA, 2024, 6, 15, 23, 45).astimezone(UTC), LA) == local(LA, 2024, 6, 16, 8, 0)
    assert quiet_until(local(LA, 2024, 6, 15, 7, 59).astimezone(UTC), LA) == local(LA, 2024, 6, 15, 8, 0)


def test_the_answer_is_in_utc() -> None:
    until = quiet_until(at(2024, 6, 15, 10), LA)
    assert until is not None and until.utcoffset() == timedelta(0)


def test_new_york_spring_forward_night_ends_at_eight_daylight_time() -> None:
    evening = local(NEW_YORK, 2024, 3, 9, 22, 0)  # EST, the night the clocks jump
    assert quiet_until(evening.astimezone(UTC), NEW_YORK) == at(2024, 3, 10, 12)  # 08:00 EDT
    assert quiet_until(at(2024, 3, 10, 7, 30), NEW_YORK) == at(2024, 3, 10, 12)  # 03:30 EDT, just after the jump


def test_new_york_fall_back_night_ends_at_eight_standard_time_even_from_the_repeated_hour() -> None:
    evening = local(NEW_YORK, 2024, 11, 2, 22, 0)  # EDT
    assert quiet_until(evening.astimezone(UTC), NEW_YORK) == at(2024, 11, 3, 13)  # 08:00 EST
    assert quiet_until(at(2024, 11, 3, 5, 30), NEW_YORK) == at(2024, 11, 3, 13)  # 01:30 EDT, first pass
    assert quiet_until(at(2024, 11, 3, 6, 30), NEW_YORK) == at(2024, 11, 3, 13)  # 01:30 EST, second pass


def test_berlin_dst_change_days() -> None:
    assert quiet_until(at(2024, 3, 31, 0, 30), BERLIN) == at(2024, 3, 31, 6)  # 01:30 CET → 08:00 CEST
    assert quiet_until(at(2024, 3, 30, 20, 0), BERLIN) == at(2024, 3, 31, 6)  # 21:00 CET the evening before
    assert quiet_until(at(2024, 10, 27, 0, 30), BERLIN) == at(2024, 10, 27, 7)  # 02:30 CEST → 08:00 CET
    assert quiet_until(at(2024, 10, 27, 1, 30), BERLIN) == at(2024, 10, 27, 7)  # 02:30 CET, the repeat


def test_quiet_hours_ending_in_the_skipped_hour_end_when_the_clocks_jump() -> None:
    # 02:30 never happens in New York on 10 March 2024: the first moment at or past it is 03:00 EDT.
    until = quiet_until(at(2024, 3, 10, 6, 30), NEW_YORK, time(0, 0), time(2, 30))  # 01:30 EST
    assert until == at(2024, 3, 10, 7)
    assert until.astimezone(NEW_YORK).time() == time(3, 0)


def test_quiet_hours_ending_in_the_repeated_hour_end_at_the_next_pass_of_that_time() -> None:
    start, end = time(0, 0), time(1, 30)
    assert quiet_until(at(2024, 11, 3, 5, 10), NEW_YORK, start, end) == at(2024, 11, 3, 5, 30)  # 01:10 EDT
    assert quiet_until(at(2024, 11, 3, 6, 10), NEW_YORK, start, end) == at(2024, 11, 3, 6, 30)  # 01:10 EST


def test_half_hour_offsets_kolkata_and_adelaide() -> None:
    assert quiet_until(at(2024, 6, 15, 15, 29), KOLKATA) is None  # 20:59 IST
    assert quiet_until(at(2024, 6, 15, 15, 30), KOLKATA) == at(2024, 6, 16, 2, 30)  # 21:00 IST → 08:00 IST
    assert quiet_until(at(2024, 6, 15, 22, 0), KOLKATA) == at(2024, 6, 16, 2, 30)  # 03:30 IST
    adelaide = ZoneInfo("Australia/Adelaide")  # +10:30 in January (southern summer)
    assert quiet_until(at(2024, 1, 15, 12, 0), adelaide) == at(2024, 1, 15, 21, 30)  # 22:30 → 08:00 ACDT


def test_a_window_that_does_not_cross_midnight_and_no_window_at_all() -> None:
    siesta = (time(13, 0), time(15, 0))
    assert quiet_until(local(BERLIN, 2024, 6, 15, 14, 0).astimezone(UTC), BERLIN, *siesta) == local(BERLIN, 2024, 6, 15, 15)
    assert quiet_until(local(BERLIN, 2024, 6, 15, 23, 0).astimezone(UTC), BERLIN, *siesta) is None
    assert quiet_until(local(BERLIN, 2024, 6, 15, 3, 0).astimezone(UTC), BERLIN, time(8), time(8)) is None


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        quiet_until(datetime(2024, 6, 15, 10), LA)


@pytest.mark.parametrize("name", ["America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe",
                                  "America/St_Johns", "Pacific/Chatham"])
def test_the_answer_is_always_the_first_moment_a_message_may_go(name: str) -> None:
    tz = ZoneInfo(name)
    now = at(2024, 1, 1)
    while now < at(2025, 1, 1):  # every 53 minutes of a year, through both DST changes
        until = quiet_until(now, tz)
        if until is not None:
            assert until > now
            assert quiet_until(until, tz) is None
            assert quiet_until(until - timedelta(seconds=1), tz) is not None
        now += timedelta(minutes=53)


# --- Caps ----------------------------------------------------------------------------------------------------

def test_two_messages_for_an_order_today_reach_the_order_cap() -> None:
    now = local(LA, 2024, 6, 15, 15, 0)
    one = [local(LA, 2024, 6, 15, 9, 0)]
    two = one + [local(LA, 2024, 6, 15, 12, 0)]
    assert cap_reached(one, one, now, local_tz=LA) is None
    assert cap_reached(two, two, now, local_tz=LA) == "cap"
    assert cap_reached(two, two, now, local_tz=LA, per_order_per_day=3) is None


def test_three_messages_to_a_customer_today_across_orders_reach_the_customer_cap() -> None:
    now = local(LA, 2024, 6, 15, 15, 0)
    customer = [local(LA, 2024, 6, 15, h, 0) for h in (9, 10, 11)]
    assert cap_reached([], customer, now, local_tz=LA) == "cap"
    assert cap_reached([], customer[:2], now, local_tz=LA) is None


def test_the_day_is_the_customers_local_day_not_the_utc_day() -> None:
    # 22:00 and 23:00 PDT on the 14th share the UTC date of `now` (09:00 PDT on the 15th) but not its local day.
    yesterday_evening = [at(2024, 6, 15, 5), at(2024, 6, 15, 6)]
    assert cap_reached(yesterday_evening, yesterday_evening, at(2024, 6, 15, 16), local_tz=LA) is None
    assert cap_reached(yesterday_evening, yesterday_evening, at(2024, 6, 15, 6, 30), local_tz=LA) == "cap"


def test_a_dst_change_day_counts_all_its_25_hours() -> None:
    early = local(NEW_YORK, 2024, 11, 3, 0, 30).astimezone(UTC)  # EDT
    late = local(NEW_YORK, 2024, 11, 3, 23, 30).astimezone(UTC)  # EST, 24 real hours later, the same local day
    assert late - early == timedelta(hours=24)
    assert cap_reached([early], [early], late, per_order_per_day=1, local_tz=NEW_YORK) == "cap"


def test_only_messages_sent_before_now_count_and_naive_times_are_refused() -> None:
    now = local(LA, 2024, 6, 15, 9, 0)
    later_that_day = [local(LA, 2024, 6, 15, 18), local(LA, 2024, 6, 15, 19)]
    assert cap_reached(later_that_day, later_that_day, now, local_tz=LA) is None
    with pytest.raises(ValueError):
        cap_reached([datetime(2024, 6, 15, 8)], [], now, local_tz=LA)


# --- The decision --------------------------------------------------------------------------------------------

NOON_LA = local(LA, 2024, 6, 15, 12, 0)
THREE_AM_LA = local(LA, 2024, 6, 15, 3, 0)
EIGHT_AM_LA = local(LA, 2024, 6, 15, 8, 0).astimezone(UTC)


def candidate(**kw: object) -> Candidate:
    values: dict[str, object] = dict(idempotency_key="incident:7:late:email", kind="late", channel="email",
                                     recipient="ana@example.com", tz=LA, order_id=42, customer_key="ana@example.com")
    values.update(kw)
    return Candidate(**values)  # type: ignore[arg-type]


def test_a_message_with_nothing_against_it_is_sent() -> None:
    assert decide(candidate(), History(), Consent(), NOON_LA) == Decision("send", None, None)


def test_quiet_hours_defer_to_eight_in_the_customers_time_and_never_drop() -> None:
    decision = decide(candidate(), History(), Consent(), THREE_AM_LA.astimezone(UTC))
    assert decision == Decision("defer", "quiet_hours", EIGHT_AM_LA)
    assert decide(candidate(tz=BERLIN), History(), Consent(), THREE_AM_LA).action == "send"  # noon in Berlin


@pytest.mark.parametrize(("channel", "recipient"), [
    ("email", None), ("email", ""), ("email", "   "), ("email", "ana.example.com"), ("email", "@example.com"),
    ("sms", None), ("sms", "n/a"), ("whatsapp", "+44"),
])
def test_no_usable_address_or_phone_is_no_contact(channel: str, recipient: str | None) -> None:
    decision = decide(candidate(channel=channel, recipient=recipient), History(), Consent(), NOON_LA)
    assert decision == Decision("suppress", "no_contact")


def test_a_phone_is_contact_for_sms_and_whatsapp() -> None:
    for channel in ("sms", "whatsapp"):
        assert decide(candidate(channel=channel, recipient="+1 (415) 555-0100"), History(), Consent(), NOON_LA).action == "send"


def test_one_unsubscribe_is_honoured_on_every_channel() -> None:
    stopped_by_sms = Consent(opted_in=frozenset({"email", "sms", "whatsapp"}), opted_out_on=frozenset({"sms"}))
    for channel, recipient in (("email", "ana@example.com"), ("sms", "+14155550100"), ("whatsapp", "+14155550100")):
        decision = decide(candidate(channel=channel, recipient=recipient), History(), stopped_by_sms, NOON_LA)
        assert decision == Decision("suppress", "opted_out")


def test_a_shop_requiring_opt_in_sends_only_on_the_channels_the_customer_chose() -> None:
    email_only = Consent(mode="opt_in_required", opted_in=frozenset({"email"}))
    assert decide(candidate(), History(), email_only, NOON_LA).action == "send"
    sms = candidate(channel="sms", recipient="+14155550100")
    assert decide(sms, History(), email_only, NOON_LA) == Decision("suppress", "no_consent")
    assert decide(sms, History(), Consent(mode="opt_in_required"), NOON_LA) == Decision("suppress", "no_consent")
    assert decide(sms, History(), Consent(mode="allowed"), NOON_LA).action == "send"


def test_a_message_already_sent_or_planned_is_a_duplicate_even_at_night() -> None:
    history = History(keys=frozenset({"incident:7:late:email"}))
    assert decide(candidate(), history, Consent(), NOON_LA) == Decision("suppress", "duplicate")
    assert decide(candidate(), history, Consent(), THREE_AM_LA) == Decision("suppress", "duplicate")
    assert decide(candidate(idempotency_key="incident:7:late:sms", channel="sms", recipient="+14155550100"),
                  history, Consent(), NOON_LA).action == "send"


def test_a_used_up_day_suppresses_with_cap() -> None:
    sent = (local(LA, 2024, 6, 15, 9), local(LA, 2024, 6, 15, 10))
    assert decide(candidate(), History(order_sent_at=sent), Consent(), NOON_LA) == Decision("suppress", "cap")
    assert decide(candidate(), History(order_sent_at=sent[:1]), Consent(), NOON_LA).action == "send"
    three = sent + (local(LA, 2024, 6, 15, 11),)
    assert decide(candidate(), History(customer_sent_at=three), Consent(), NOON_LA) == Decision("suppress", "cap")


def test_an_evening_message_after_a_busy_day_is_deferred_to_the_next_mornings_allowance() -> None:
    busy_day = tuple(local(LA, 2024, 6, 15, h) for h in (9, 12, 18))
    late_evening = local(LA, 2024, 6, 15, 22, 0)
    history = History(order_sent_at=busy_day[:2], customer_sent_at=busy_day)
    decision = decide(candidate(), history, Consent(), late_evening)
    assert decision == Decision("defer", "quiet_hours", local(LA, 2024, 6, 16, 8).astimezone(UTC))
    # decided again when quiet hours end, with the history of that morning
    assert decide(candidate(), history, Consent(), decision.send_at).action == "send"  # type: ignore[arg-type]


def test_the_checks_go_in_their_documented_order() -> None:
    at_night = THREE_AM_LA
    sent_tonight = (local(LA, 2024, 6, 15, 0, 10), local(LA, 2024, 6, 15, 0, 20))  # quiet hours were off then
    everything = dict(history=History(keys=frozenset({"incident:7:late:email"}), order_sent_at=sent_tonight),
                      consent=Consent(mode="opt_in_required", opted_out_on=frozenset({"email"})))
    steps = [
        (candidate(recipient=None), everything["consent"], everything["history"], "no_contact"),
        (candidate(), everything["consent"], everything["history"], "opted_out"),
        (candidate(), Consent(mode="opt_in_required"), everything["history"], "no_consent"),
        (candidate(), Consent(), everything["history"], "duplicate"),
        (candidate(), Consent(), History(order_sent_at=sent_tonight), "cap"),
        (candidate(), Consent(), History(), "quiet_hours"),
    ]
    for cand, consent, history, reason in steps:
        assert decide(cand, history, consent, at_night).reason == reason  # type: ignore[arg-type]


def test_only_quiet_hours_defer_and_only_a_deferral_has_a_send_time() -> None:
    assert decide(candidate(recipient=None), History(), Consent(), THREE_AM_LA).send_at is None
    deferred = decide(candidate(), History(), Consent(), THREE_AM_LA)
    assert deferred.action == "defer" and deferred.send_at is not None and deferred.send_at > THREE_AM_LA


def test_a_shops_own_quiet_hours_and_caps_from_its_messaging_settings() -> None:
    policy = HygienePolicy.from_dict({"quiet_hours": ["22:00", "07:30"], "per_order_per_day": 1, "channels": ["sms"]})
    assert policy.quiet_hours == (time(22, 0), time(7, 30))
    assert decide(candidate(), History(), Consent(), local(LA, 2024, 6, 15, 21, 30), policy=policy).action == "send"
    assert decide(candidate(), History(), Consent(), local(LA, 2024, 6, 15, 7, 0), policy=policy).send_at == \
        local(LA, 2024, 6, 15, 7, 30)
    one = History(order_sent_at=(local(LA, 2024, 6, 15, 9),))
    assert decide(candidate(), one, Consent(), NOON_LA, policy=policy) == Decision("suppress", "cap")
    no_quiet = HygienePolicy.from_dict({"quiet_hours": None})
    assert decide(candidate(), History(), Consent(), THREE_AM_LA, policy=no_quiet).action == "send"
    assert HygienePolicy.from_dict(None) == HygienePolicy()
    with pytest.raises(ValueError):
        HygienePolicy(per_customer_per_day=0)


def test_inputs_are_frozen_and_validated() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        candidate().channel = "sms"  # type: ignore[misc]
    with pytest.raises(ValueError):
        candidate(channel="pigeon")
    with pytest.raises(ValueError):
        Consent(mode="maybe")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        decide(candidate(), History(), Consent(), datetime(2024, 6, 15, 12))


# --- Follow-ups and surveys --------------------------------------------------------------------------------------

def test_the_follow_up_is_due_two_days_after_delivery_or_resolution() -> None:
    delivered = at(2024, 6, 15, 12)
    assert not followup_due(delivered, delivered + timedelta(days=2) - timedelta(seconds=1))
    assert followup_due(delivered, delivered + timedelta(days=2))
    assert followup_due(delivered, delivered + timedelta(days=1), delay=timedelta(hours=24))
    assert not followup_due(None, delivered)
    with pytest.raises(ValueError):
        followup_due(datetime(2024, 6, 15), delivered)


@pytest.mark.parametrize(("score", "valid"), [
    (1, True), (3, True), (5, True), (0, False), (6, False), (-1, False), (True, False), (3.0, False), ("3", False),
    (None, False),
])
def test_a_survey_score_is_a_whole_number_from_one_to_five(score: object, valid: bool) -> None:
    assert survey_score_valid(score) is valid
