"""Message hygiene: whether one customer message may go now, later or never — the customer's time zone from the
shipping address, quiet hours in that zone, daily caps, consent, opt-outs and duplicates. Pure: `now` is
always an argument, histories are passed in, and every rule is one function the admin page can explain.

`decide` checks, in this order, and stops at the first that applies:
  1. no_contact  (suppress) — no usable address or phone for the channel: nothing else can matter.
  2. opted_out   (suppress) — an unsubscribe on any channel stops every channel.
  3. no_consent  (suppress) — the shop requires an opt-in and the customer gave none for this channel.
  4. duplicate   (suppress) — another message with this idempotency key was already sent or planned.
  5. cap         (suppress) — the order's or the customer's daily allowance is used up on the day the message
                              would go (counted after quiet hours, so an evening message is not dropped for the
                              busy day that is ending: it is deferred and counted on the next morning's day).
  6. quiet_hours (defer)    — it goes when quiet hours end in the customer's time; never dropped for it.
Consent comes before duplicate and cap so that the recorded reason is the strongest one (an opted-out customer
reads "opted_out", not "cap"). A deferred message is decided again at `send_at` with the history of that
moment; messages released together are decided one after another, each seeing the ones sent before it.

Caps count messages sent on the customer's local calendar day (midnight to midnight, 23 or 25 hours on a DST
day), not a rolling 24 h: a capped message is dropped, and a rolling window would drop the next morning's news
("delivered") because of the previous evening's messages; quiet hours already keep the night free.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.domain.calendar import COUNTRY_ZONES

Channel = Literal["email", "sms", "whatsapp"]
ConsentMode = Literal["opt_in_required", "allowed"]
Action = Literal["send", "defer", "suppress"]
Reason = Literal["quiet_hours", "cap", "opted_out", "duplicate", "no_contact", "no_consent"]
CHANNELS: frozenset[str] = frozenset({"email", "sms", "whatsapp"})
CONSENT_MODES: frozenset[str] = frozenset({"opt_in_required", "allowed"})
QUIET_START, QUIET_END = time(21, 0), time(8, 0)

# --- The customer's time zone -------------------------------------------------------------------------------

#: A country's zone when the address says no more: its most populous one. calendar.py counts US business days
#: in Chicago time (the middle of the country); a customer message needs the most likely wall clock instead.
_COUNTRIES: dict[str, str] = {**COUNTRY_ZONES, "US": "America/New_York", **{
    "FI": "Europe/Helsinki", "CZ": "Europe/Prague", "SK": "Europe/Bratislava", "HU": "Europe/Budapest",
    "RO": "Europe/Bucharest", "BG": "Europe/Sofia", "GR": "Europe/Athens", "HR": "Europe/Zagreb",
    "SI": "Europe/Ljubljana", "LU": "Europe/Luxembourg", "EE": "Europe/Tallinn", "LV": "Europe/Riga",
    "LT": "Europe/Vilnius", "IS": "Atlantic/Reykjavik", "MT": "Europe/Malta", "CY": "Asia/Nicosia",
    "UA": "Europe/Kyiv", "TR": "Europe/Istanbul", "RU": "Europe/Moscow", "IL": "Asia/Jerusalem",
    "GI": "Europe/Gibraltar", "JE": "Europe/Jersey", "GG": "Europe/Guernsey", "IM": "Europe/Isle_of_Man",
    "QA": "Asia/Qatar", "KW": "Asia/Kuwait", "BH": "Asia/Bahrain", "OM": "Asia/Muscat", "JO": "Asia/Amman",
    "PK": "Asia/Karachi", "LK": "Asia/Colombo", "NP": "Asia/Kathmandu", "KR": "Asia/Seoul",
    "HK": "Asia/Hong_Kong", "TW": "Asia/Taipei", "MY": "Asia/Kuala_Lumpur", "TH": "Asia/Bangkok",
    "PH": "Asia/Manila", "VN": "Asia/Ho_Chi_Minh", "ID": "Asia/Jakarta", "KE": "Africa/Nairobi",
    "MA": "Africa/Casablanca", "GH": "Africa/Accra", "AR": "America/Argentina/Buenos_Aires",
    "CL": "America/Santiago", "CO": "America/Bogota", "PE": "America/Lima", "UY": "America/Montevideo",
    "EC": "America/Guayaquil", "PR": "America/Puerto_Rico", "GP": "America/Guadeloupe",
    "MQ": "America/Martinique", "GF": "America/Cayenne", "RE": "Indian/Reunion", "YT": "Indian/Mayotte",
}}
_ALIASES = {"UK": "GB", "EL": "GR"}


def _by_zone(table: Mapping[str, str]) -> dict[str, str]:
    """{zone: "CODE CODE …"} read as {CODE: zone} — one line per zone keeps the tables reviewable."""
    return {code: zone for zone, codes in table.items() for code in codes.split()}


#: Regions as the platforms send them: Shopify's province_code, WooCommerce's state, Wix's ISO 3166-2
#: subdivision without the country prefix; Mexico has several code sets in use, all listed.
_REGIONS: dict[str, dict[str, str]] = {
    "US": _by_zone({
        "America/New_York": "CT DE DC FL GA ME MD MA NH NJ NY NC OH PA RI SC VT VA WV",
        "America/Detroit": "MI", "America/Indiana/Indianapolis": "IN", "America/Kentucky/Louisville": "KY",
        "America/Chicago": "AL AR IL IA KS LA MN MS MO NE ND OK SD TN TX WI",
        "America/Denver": "CO MT NM UT WY", "America/Boise": "ID", "America/Phoenix": "AZ",
        "America/Los_Angeles": "CA NV OR WA", "America/Anchorage": "AK", "Pacific/Honolulu": "HI",
        "America/Puerto_Rico": "PR", "America/St_Thomas": "VI", "Pacific/Guam": "GU", "Pacific/Saipan": "MP",
        "Pacific/Pago_Pago": "AS"}),
    "CA": _by_zone({
        "America/Vancouver": "BC", "America/Edmonton": "AB NT", "America/Regina": "SK", "America/Winnipeg": "MB",
        "America/Toronto": "ON QC PQ", "America/Moncton": "NB", "America/Halifax": "NS PE",
        "America/St_Johns": "NL NF", "America/Whitehorse": "YT", "America/Iqaluit": "NU"}),
    "AU": _by_zone({
        "Australia/Sydney": "NSW ACT", "Australia/Melbourne": "VIC", "Australia/Brisbane": "QLD",
        "Australia/Adelaide": "SA", "Australia/Perth": "WA", "Australia/Hobart": "TAS", "Australia/Darwin": "NT"}),
    "BR": _by_zone({
        "America/Sao_Paulo": "SP RJ MG ES PR SC RS GO DF", "America/Bahia": "BA",
        "America/Fortaleza": "CE RN PB MA PI", "America/Recife": "PE", "America/Maceio": "AL SE",
        "America/Belem": "PA AP", "America/Araguaina": "TO", "America/Manaus": "AM", "America/Boa_Vista": "RR",
        "America/Porto_Velho": "RO", "America/Rio_Branco": "AC", "America/Cuiaba": "MT",
        "America/Campo_Grande": "MS"}),
    "MX": _by_zone({  # the rest of Mexico keeps Mexico City's time (no DST since 2022)
        "America/Tijuana": "BC BCN BAJACALIFORNIA BAJACALIFORNIANORTE",
        "America/Mazatlan": "BCS BS SIN SI NAY NA BAJACALIFORNIASUR SINALOA NAYARIT",
        "America/Hermosillo": "SON SO SONORA", "America/Chihuahua": "CHH CHIH CH CHIHUAHUA",
        "America/Cancun": "ROO QROO QR QUINTANAROO"}),
    "ES": _by_zone({"Atlantic/Canary": "GC TF CN CANARIAS LASPALMAS SANTACRUZDETENERIFE"}),
    "PT": _by_zone({"Atlantic/Azores": "20 AC ACORES AZORES", "Atlantic/Madeira": "30 MA MADEIRA"}),
}

#: 3-digit US ZIP prefixes → zone; later lines override earlier ones; None: military mail (no local time).
_US_ZIPS: tuple[tuple[str, str | None], ...] = (
    ("005-499", "America/New_York"), ("006-009", "America/Puerto_Rico"), ("090-098", None), ("340", None),
    ("324-325", "America/Chicago"), ("350-372", "America/Chicago"), ("375", "America/Chicago"),
    ("380-397", "America/Chicago"), ("420-424", "America/Chicago"), ("463-464", "America/Chicago"),
    ("476-477", "America/Chicago"), ("500-589", "America/Chicago"), ("577", "America/Denver"),
    ("586", "America/Denver"), ("590-599", "America/Denver"), ("600-797", "America/Chicago"),
    ("693", "America/Denver"), ("798-885", "America/Denver"), ("832-838", "America/Boise"),
    ("835", "America/Los_Angeles"), ("838", "America/Los_Angeles"), ("850-865", "America/Phoenix"),
    ("889-961", "America/Los_Angeles"), ("962-966", None), ("967-968", "Pacific/Honolulu"),
    ("969", "Pacific/Guam"), ("970-994", "America/Los_Angeles"), ("979", "America/Boise"),
    ("995-999", "America/Anchorage"),
)


def _zip_table(ranges: Iterable[tuple[str, str | None]]) -> dict[str, str | None]:
    table: dict[str, str | None] = {}
    for span, zone in ranges:
        first, _, last = span.partition("-")
        for n in range(int(first), int(last or first) + 1):
            table[f"{n:03d}"] = zone
    return table


#: Postal-code prefixes → zone (longest prefix wins): where the region is missing, or splits a region.
_POSTAL: dict[str, dict[str, str | None]] = {
    "US": _zip_table(_US_ZIPS),
    "CA": {"A": "America/St_Johns", "A0P": "America/Goose_Bay", "A0R": "America/Goose_Bay",
           "A2V": "America/Goose_Bay", "B": "America/Halifax", "C": "America/Halifax", "E": "America/Moncton",
           **dict.fromkeys("GHJKLMNP", "America/Toronto"), "P8": "America/Winnipeg", "P9": "America/Winnipeg",
           "R": "America/Winnipeg", "S": "America/Regina", "S9V": "America/Edmonton", "T": "America/Edmonton",
           "V": "America/Vancouver", "V1C": "America/Edmonton", "V1G": "America/Dawson_Creek",
           "V1J": "America/Dawson_Creek", "X0A": "America/Iqaluit", "X0B": "America/Cambridge_Bay",
           "X0C": "America/Rankin_Inlet", "X0E": "America/Edmonton", "X0G": "America/Edmonton",
           "X1A": "America/Edmonton", "Y": "America/Whitehorse"},
    "AU": {"02": "Australia/Sydney", "08": "Australia/Darwin", "09": "Australia/Darwin", "2": "Australia/Sydney",
           "2880": "Australia/Broken_Hill", "2898": "Australia/Lord_Howe", "3": "Australia/Melbourne",
           "4": "Australia/Brisbane", "5": "Australia/Adelaide", "6": "Australia/Perth", "7": "Australia/Hobart"},
    "NZ": {"8942": "Pacific/Chatham"},
    "MX": {"21": "America/Tijuana", "22": "America/Tijuana", "23": "America/Mazatlan", "63": "America/Mazatlan",
           "80": "America/Mazatlan", "81": "America/Mazatlan", "82": "America/Mazatlan",
           "83": "America/Hermosillo", "84": "America/Hermosillo", "85": "America/Hermosillo",
           "31": "America/Chihuahua", "32": "America/Ciudad_Juarez", "33": "America/Chihuahua",
           "77": "America/Cancun"},
    "BR": {"690": "America/Manaus", "691": "America/Manaus", "692": "America/Manaus", "693": "America/Boa_Vista",
           **dict.fromkeys(("694", "695", "696", "697", "698"), "America/Manaus"), "699": "America/Rio_Branco",
           "768": "America/Porto_Velho", "769": "America/Porto_Velho", "78": "America/Cuiaba",
           "79": "America/Campo_Grande"},
    "ES": {"35": "Atlantic/Canary", "38": "Atlantic/Canary"},
    "PT": {"9": "Atlantic/Madeira", "95": "Atlantic/Azores", "96": "Atlantic/Azores", "97": "Atlantic/Azores",
           "98": "Atlantic/Azores", "99": "Atlantic/Azores"},
    "FR": {"971": "America/Guadeloupe", "972": "America/Martinique", "973": "America/Cayenne",
           "974": "Indian/Reunion", "975": "America/Miquelon", "976": "Indian/Mayotte",
           "977": "America/St_Barthelemy", "978": "America/Marigot", "987": "Pacific/Tahiti",
           "988": "Pacific/Noumea"},
}
#: Regions spanning zones: the postal code may move the customer to one of these (and no other) — a
#: mistyped postal code never moves a Texan to California.
_SPLITS: dict[str, dict[str, frozenset[str]]] = {
    "US": {"TX": frozenset({"America/Denver"}), "FL": frozenset({"America/Chicago"}),
           "KY": frozenset({"America/Chicago"}), "IN": frozenset({"America/Chicago"}),
           "TN": frozenset({"America/New_York"}), "ID": frozenset({"America/Los_Angeles"}),
           "OR": frozenset({"America/Boise"}), "SD": frozenset({"America/Denver"}),
           "NE": frozenset({"America/Denver"}), "ND": frozenset({"America/Denver"})},
    "CA": {"ON": frozenset({"America/Winnipeg"}), "NL": frozenset({"America/Goose_Bay"}),
           "SK": frozenset({"America/Edmonton"}),
           "BC": frozenset({"America/Edmonton", "America/Dawson_Creek"}),
           "NU": frozenset({"America/Cambridge_Bay", "America/Rankin_Inlet"})},
    "AU": {"NSW": frozenset({"Australia/Broken_Hill", "Australia/Lord_Howe"})},
    "MX": {"CHH": frozenset({"America/Ciudad_Juarez"}), "CHIH": frozenset({"America/Ciudad_Juarez"}),
           "CH": frozenset({"America/Ciudad_Juarez"}), "CHIHUAHUA": frozenset({"America/Ciudad_Juarez"})},
}


def _key(text: str) -> str:
    """Upper-case letters and digits only, accents dropped: "Q. Roo" and "Querétaro" compare as codes."""
    plain = unicodedata.normalize("NFKD", text)
    return "".join(c for c in plain if c.isalnum() and not unicodedata.combining(c)).upper()


def _postal_zone(country: str, postal_code: str | None) -> str | None:
    table = _POSTAL.get(country)
    code = _key(postal_code or "")
    if not table or not code:
        return None
    for length in range(min(len(code), 4), 0, -1):
        if code[:length] in table:
            return table[code[:length]]
    return None


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # a system tz database older than the zone
        return None


def customer_timezone(country_code: str | None, region_code: str | None, postal_code: str | None = None) -> ZoneInfo:
    """The customer's local zone from the shipping address: the region's zone, refined by the postal code
    where a region spans zones; the postal code alone when the region is missing or unknown; else the country's
    most populous zone; UTC only when the country is unknown."""
    country = _key(country_code or "")
    country = _ALIASES.get(country, country)
    default = _COUNTRIES.get(country)
    if default is None:
        return ZoneInfo("UTC")
    raw = (region_code or "").strip().upper()
    region = _key(raw[len(country) + 1:] if raw.startswith(f"{country}-") else raw)
    by_region = _REGIONS.get(country, {}).get(region)
    by_postal = _postal_zone(country, postal_code)
    if by_region and not (by_postal and by_postal in _SPLITS.get(country, {}).get(region, ())):
        chosen = by_region
    else:
        chosen = by_postal or by_region or default
    return _zone(chosen) or _zone(default) or ZoneInfo("UTC")


# --- Quiet hours, caps, follow-ups ----------------------------------------------------------------------------

def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (a naive time would be read in the server's zone)")
    return moment


def _first_instant(wall: datetime, tz: tzinfo, after: datetime) -> datetime:
    """The first UTC instant after `after` at which the clock in `tz` shows `wall` or later. A wall time the
    clocks skip (spring forward) is reached at the jump; one they repeat (fall back) at its first pass,
    or its second when the first is already over."""
    early = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    late = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    lo, hi = min(early, late), max(early, late)
    if early.astimezone(tz).replace(tzinfo=None) == wall:
        return lo if lo > after else hi
    # In a gap: `lo` reads before the gap, `hi` after it; find the jump to the second.
    low, high = 0, int((hi - lo).total_seconds())
    while high - low > 1:
        mid = (low + high) // 2
        if (lo + timedelta(seconds=mid)).astimezone(tz).replace(tzinfo=None) >= wall:
            high = mid
        else:
            low = mid
    return lo + timedelta(seconds=high)


def quiet_until(now_utc: datetime, tz: tzinfo, quiet_start: time = QUIET_START,
                quiet_end: time = QUIET_END) -> datetime | None:
    """None when a message may go now; else the UTC moment quiet hours end in the customer's local time.
    Quiet hours are [start, end) on the local wall clock and may cross midnight; start == end means none."""
    _aware(now_utc, "now_utc")
    if quiet_start == quiet_end:
        return None
    local = now_utc.astimezone(tz)
    wall, day = local.time(), local.date()
    if quiet_start > quiet_end:  # crosses midnight: quiet from start until end the next morning
        if quiet_end <= wall < quiet_start:
            return None
        if wall >= quiet_start:
            day += timedelta(days=1)
    elif not quiet_start <= wall < quiet_end:
        return None
    return _first_instant(datetime.combine(day, quiet_end), tz, after=now_utc)


def _sent_on(times: Iterable[datetime], day: date, until: datetime, tz: tzinfo) -> int:
    return sum(1 for t in times if _aware(t, "sent time") <= until and t.astimezone(tz).date() == day)


def cap_reached(sent_times_for_order: Iterable[datetime], sent_times_for_customer: Iterable[datetime],
                now: datetime, *, per_order_per_day: int = 2, per_customer_per_day: int = 3,
                local_tz: tzinfo) -> Literal["cap"] | None:
    """Returns "cap" when the order or the customer already had their day's messages: those sent up to `now`
    on `now`'s calendar day in the customer's zone (the module docstring says why not a rolling 24 h)."""
    day = _aware(now, "now").astimezone(local_tz).date()
    if (_sent_on(sent_times_for_order, day, now, local_tz) >= per_order_per_day
            or _sent_on(sent_times_for_customer, day, now, local_tz) >= per_customer_per_day):
        return "cap"
    return None


def followup_due(delivered_at_or_resolved_at: datetime | None, now: datetime,
                 delay: timedelta = timedelta(days=2)) -> bool:
    """The follow-up (with its survey) is due `delay` after delivery or resolution; never before either."""
    if delivered_at_or_resolved_at is None:
        return False
    return _aware(now, "now") - _aware(delivered_at_or_resolved_at, "delivered_at_or_resolved_at") >= delay


def survey_score_valid(score: object) -> bool:
    """A satisfaction score is a whole number 1–5 (a form's text is parsed by the caller first)."""
    return isinstance(score, int) and not isinstance(score, bool) and 1 <= score <= 5


# --- The decision -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HygienePolicy:
    """A shop's quiet hours and caps: its `messaging` settings (core/services/messaging.py DEFAULTS keys)."""

    quiet_hours: tuple[time, time] | None = (QUIET_START, QUIET_END)  # None: no quiet hours
    per_order_per_day: int = 2
    per_customer_per_day: int = 3
    followup_delay: timedelta = timedelta(days=2)

    def __post_init__(self) -> None:
        if self.per_order_per_day < 1 or self.per_customer_per_day < 1:
            raise ValueError("caps must allow at least one message a day")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> HygienePolicy:
        data = data or {}
        hours = data.get("quiet_hours", ("21:00", "08:00"))
        quiet = (time.fromisoformat(hours[0]), time.fromisoformat(hours[1])) if hours else None
        return cls(quiet_hours=quiet, per_order_per_day=int(data.get("per_order_per_day", 2)),
                   per_customer_per_day=int(data.get("per_customer_per_day", 3)),
                   followup_delay=timedelta(days=float(data.get("followup_days", 2))))


@dataclass(frozen=True)
class Candidate:
    """One message about to go: `tz` from `customer_timezone`, `recipient` the email or phone for `channel`."""

    idempotency_key: str
    kind: str  # the template kind (core/services/messaging.py)
    channel: Channel
    recipient: str | None
    tz: tzinfo
    order_id: int | str
    customer_key: str

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}")


@dataclass(frozen=True)
class History:
    """What went before: idempotency keys of the *other* messages already sent or planned (the one being
    decided is not among them), and when messages went to this order and to this customer (all orders)."""

    keys: frozenset[str] = frozenset()
    order_sent_at: tuple[datetime, ...] = ()
    customer_sent_at: tuple[datetime, ...] = ()


@dataclass(frozen=True)
class Consent:
    """The shop's mode and the customer's choices. `opted_out_on` lists the channels the customer unsubscribed
    on; any one of them stops every channel."""

    mode: ConsentMode = "allowed"
    opted_in: frozenset[str] = frozenset()
    opted_out_on: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.mode not in CONSENT_MODES:
            raise ValueError(f"unknown consent mode {self.mode!r}")

    @property
    def opted_out(self) -> bool:
        return bool(self.opted_out_on)


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: Reason | None = None
    send_at: datetime | None = None  # set for "defer" only: when quiet hours end (UTC)


def _reachable(channel: str, recipient: str | None) -> bool:
    text = (recipient or "").strip()
    if channel == "email":
        local, at, domain = text.rpartition("@")
        return bool(local and at and domain)
    return sum(c.isdigit() for c in text) >= 7


def decide(candidate: Candidate, history: History, consent: Consent, now: datetime, *,
           policy: HygienePolicy = HygienePolicy()) -> Decision:
    """Send, defer or suppress one message, with the reason (the order of checks is the module docstring's)."""
    _aware(now, "now")
    if not _reachable(candidate.channel, candidate.recipient):
        return Decision("suppress", "no_contact")
    if consent.opted_out:
        return Decision("suppress", "opted_out")
    if consent.mode == "opt_in_required" and candidate.channel not in consent.opted_in:
        return Decision("suppress", "no_consent")
    if candidate.idempotency_key in history.keys:
        return Decision("suppress", "duplicate")
    resume = quiet_until(now, candidate.tz, *policy.quiet_hours) if policy.quiet_hours else None
    if cap_reached(history.order_sent_at, history.customer_sent_at, resume or now, local_tz=candidate.tz,
                   per_order_per_day=policy.per_order_per_day, per_customer_per_day=policy.per_customer_per_day):
        return Decision("suppress", "cap")
    if resume is not None:
        return Decision("defer", "quiet_hours", resume)
    return Decision("send")
