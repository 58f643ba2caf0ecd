"""A shop's past, generated: months of finished orders, parcels, scans, incidents, cases, customer messages,
survey answers and a few customer reports, so the admin's overview, shipments and cases pages have a history
to show in the demo, and the admin benchmark has a large shop to measure.

What is generated is the raw history only — scans as carriers write them, what the team did and when. The
incidents are not invented: each problem parcel's scans are replayed through the real detection rules
(core/domain/rules.py, with core/services/detection.py's facts and clearing), at the moments the scheduled
detection would have looked, so their kinds, reasons, evidence, opening and clearing times are what Forewarn
itself would have written. Cases, notes and messages then follow the order the services give them
(core/services/cases.py, messaging.py, jobs/messages.py), messages rendered with the real templates. Every
figure on the admin pages is computed from these rows by the pages' own code.

Everything is in the past and finished — parcels delivered, returned or expired, incidents cleared, cases
resolved or closed, messages final, nothing due for a check — so the live demo's workers, scheduler and
detection never act on it. Generated orders are named `#H1001`, `#H1002`… (the live demo's are #10xx,
#20xx and #300xx) and their customers write from `@…example…` addresses numbered so none is a live one.

Deterministic: the same seed, shop and `now` give the same rows. Written with SQLAlchemy Core bulk inserts
(executemany, RETURNING for the ids the next table needs), in chunks, on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from sqlalchemy import JSON, insert, text
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

from core.adapters import orm
from core.domain import reports, rules, templates
from core.domain.calendar import BusinessCalendar, add_business_hours, calendar_for
from core.domain.policy import Policy
from core.domain.status import ShipmentStatus as S
from core.domain.status import Substatus
from core.domain.values import Address, LineItem, ShipmentItem
from core.services import cases as case_rules
from core.services import messaging
from core.services.detection import clear_reason, parcel_facts

#: The prefix of every generated order's name: "#H1001". The live demo's orders are "#1001…", "#2001…", "#30001…".
NAME_PREFIX = "#H"
CHUNK = 2000  # orders per insert round


# -- the world: carriers, markets, products ---------------------------------------------------------------

@dataclass(frozen=True)
class Carrier:
    code: str
    name: str  # as the platform's fulfillment names it (carrier_raw)
    #: service name → (business days in transit from pickup, at least, at most)
    services: dict[str, tuple[int, int]]
    #: sorting hubs a parcel passes, by origin region
    hubs: tuple[str, ...]
    url: str  # tracking page, {n} the number


CARRIERS: dict[str, Carrier] = {c.code: c for c in (
    Carrier("ups", "UPS", {"UPS Ground": (2, 5), "UPS 2nd Day Air": (2, 2), "UPS Next Day Air Saver": (1, 1)},
            ("Louisville Worldport, KY, US", "Hodgkins, IL, US", "Dallas, TX, US", "Ontario, CA, US", "Atlanta, GA, US",
             "Parsippany, NJ, US"), "https://www.ups.com/track?tracknum={n}"),
    Carrier("usps", "USPS", {"USPS Ground Advantage": (2, 5), "Priority Mail": (1, 3), "Priority Mail Express": (1, 2)},
            ("Louisville, KY Distribution Center", "Chicago, IL Network Distribution Center", "Kearny, NJ Network Distribution Center",
             "Dallas, TX Regional Distribution Center", "San Francisco, CA Network Distribution Center"),
            "https://tools.usps.com/go/TrackConfirmAction?tLabels={n}"),
    Carrier("fedex", "FedEx", {"FedEx Ground": (2, 5), "FedEx Home Delivery": (2, 5), "FedEx 2Day": (2, 2),
                               "FedEx International Priority": (2, 4)},
            ("Memphis, TN, US", "Indianapolis, IN, US", "Oakland, CA, US", "Fort Worth, TX, US", "Newark, NJ, US"),
            "https://www.fedex.com/fedextrack/?trknbr={n}"),
    Carrier("dhl_express", "DHL Express", {"Express Worldwide": (2, 4), "Express 12:00": (1, 2)},
            ("Leipzig hub, DE", "East Midlands hub, GB", "Brussels hub, BE", "Cincinnati hub, US", "Dubai hub, AE",
             "Madrid hub, ES"), "https://www.dhl.com/en/express/tracking.html?AWB={n}"),
    Carrier("royalmail", "Royal Mail", {"Tracked 48": (2, 3), "Tracked 24": (1, 2), "Special Delivery Guaranteed": (1, 1)},
            ("Warrington Mail Centre", "Chelmsford Mail Centre", "Glasgow Mail Centre", "Bristol Mail Centre",
             "National Distribution Centre, Daventry"), "https://www.royalmail.com/track-your-item#/tracking-results/{n}"),
    Carrier("dpd", "DPD", {"DPD Classic": (1, 3), "DPD Predict": (1, 2), "DPD Express": (1, 1)},
            ("Aschaffenburg hub, DE", "Hinckley hub, GB", "Chilly-Mazarin hub, FR", "Oirschot hub, NL", "Madrid hub, ES",
             "Milano hub, IT"), "https://tracking.dpd.de/status/en_US/parcel/{n}"),
    Carrier("postnl", "PostNL", {"Standaard pakket": (1, 2), "Pakket België": (2, 3)},
            ("Sorteercentrum Nieuwegein", "Sorteercentrum Den Haag", "Sorteercentrum Amsterdam", "Sorteercentrum Zwolle"),
            "https://jouw.postnl.nl/track-and-trace/{n}"),
    Carrier("canadapost", "Canada Post", {"Expedited Parcel": (2, 5), "Xpresspost": (1, 2), "Priority": (1, 1)},
            ("Mississauga, ON Gateway", "Montréal, QC Processing Centre", "Vancouver, BC Processing Centre",
             "Winnipeg, MB Processing Centre", "Calgary, AB Processing Centre"),
            "https://www.canadapost-postescanada.ca/track-reperage/en#/details/{n}"),
)}


@dataclass(frozen=True)
class Market:
    country: str
    weight: float
    languages: tuple[str, ...]
    currency: str
    carriers: tuple[tuple[str, float], ...]
    cities: tuple[tuple[str, str, str], ...]  # city, region code ("" where addresses have none), postal code
    first: tuple[str, ...]
    last: tuple[str, ...]
    domain: str
    phone: str  # E.164 country prefix and a pattern of digits


MARKETS: tuple[Market, ...] = (
    Market("US", 0.34, ("en", "en", "en", "es"), "USD", (("ups", 0.4), ("usps", 0.35), ("fedex", 0.25)),
           (("Seattle", "WA", "98101"), ("Denver", "CO", "80202"), ("Chicago", "IL", "60601"), ("Boston", "MA", "02108"),
            ("Atlanta", "GA", "30303"), ("Miami", "FL", "33130"), ("Phoenix", "AZ", "85004"), ("Brooklyn", "NY", "11201"),
            ("San Diego", "CA", "92101"), ("Minneapolis", "MN", "55401"), ("Nashville", "TN", "37203"),
            ("Columbus", "OH", "43215"), ("Houston", "TX", "77002"), ("Salt Lake City", "UT", "84111"),
            ("Raleigh", "NC", "27601"), ("Pittsburgh", "PA", "15222")),
           ("Emma", "Olivia", "Noah", "Liam", "Ava", "Mason", "Sophia", "Ethan", "Isabella", "James", "Mia", "Lucas",
            "Harper", "Daniel", "Camila", "Mateo"),
           ("Smith", "Johnson", "Williams", "Brown", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Lee",
            "Walker", "Nguyen", "Patel", "Kim"), "example.com", "+1"),
    Market("CA", 0.08, ("en", "en", "fr"), "CAD", (("canadapost", 0.6), ("ups", 0.2), ("fedex", 0.2)),
           (("Toronto", "ON", "M5V 2T6"), ("Ottawa", "ON", "K1P 1J1"), ("Québec", "QC", "G1R 4P5"), ("Montréal", "QC", "H2Y 1C6"),
            ("Vancouver", "BC", "V6B 1A1"), ("Calgary", "AB", "T2P 1J9"), ("Halifax", "NS", "B3J 1S9"), ("Winnipeg", "MB", "R3C 0V8")),
           ("Olivia", "Liam", "Charlotte", "Benjamin", "Gabriel", "Léa", "Félix", "Chloé", "Élodie", "Nathan"),
           ("Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "MacDonald", "Wilson", "Campbell", "Singh", "Chen"),
           "example.ca", "+1"),
    Market("GB", 0.07, ("en",), "GBP", (("royalmail", 0.5), ("dpd", 0.3), ("dhl_express", 0.2)),
           (("London", "", "SE1 9SG"), ("Manchester", "", "M1 1AE"), ("Bristol", "", "BS1 4DJ"), ("Edinburgh", "", "EH1 1YZ"),
            ("Cardiff", "", "CF10 1EP"), ("Belfast", "", "BT1 5GS"), ("Brighton", "", "BN1 1AE"), ("Norwich", "", "NR2 1NH")),
           ("Oliver", "Amelia", "George", "Isla", "Harry", "Poppy", "Jack", "Freya", "Arthur", "Ffion", "Callum", "Siobhan"),
           ("Jones", "Taylor", "Evans", "Wright", "Hughes", "Roberts", "Thompson", "Murphy", "Campbell", "Khan"),
           "example.co.uk", "+44"),
    Market("DE", 0.1, ("de",), "EUR", (("dpd", 0.55), ("dhl_express", 0.45)),
           (("Hamburg", "HH", "20095"), ("München", "BY", "80331"), ("Köln", "NW", "50667"), ("Frankfurt am Main", "HE", "60311"),
            ("Stuttgart", "BW", "70173"), ("Leipzig", "SN", "04109"), ("Dresden", "SN", "01067"), ("Bremen", "HB", "28195"),
            ("Hannover", "NI", "30159"), ("Düsseldorf", "NW", "40213")),
           ("Lukas", "Anna", "Jonas", "Lea", "Felix", "Sophie", "Maximilian", "Marie", "Paul", "Hannah", "Jürgen", "Lena"),
           ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Schäfer"),
           "example.de", "+49"),
    Market("FR", 0.08, ("fr",), "EUR", (("dpd", 0.6), ("dhl_express", 0.4)),
           (("Paris", "", "75004"), ("Lyon", "", "69002"), ("Marseille", "", "13001"), ("Toulouse", "", "31000"),
            ("Nantes", "", "44000"), ("Lille", "", "59000"), ("Bordeaux", "", "33000"), ("Strasbourg", "", "67000")),
           ("Camille", "Louis", "Manon", "Hugo", "Inès", "Jules", "Zoé", "Arthur", "Léna", "Théo", "Maëlle", "Noé"),
           ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau"),
           "example.fr", "+33"),
    Market("NL", 0.05, ("nl",), "EUR", (("postnl", 0.7), ("dpd", 0.3)),
           (("Amsterdam", "NH", "1012 JS"), ("Rotterdam", "ZH", "3011 AD"), ("Utrecht", "UT", "3511 LX"),
            ("Eindhoven", "NB", "5611 AZ"), ("Groningen", "GR", "9711 LM"), ("Den Haag", "ZH", "2511 CV")),
           ("Daan", "Emma", "Sem", "Julia", "Bram", "Sanne", "Lotte", "Thijs", "Fleur", "Ruben"),
           ("de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder"),
           "example.nl", "+31"),
    Market("ES", 0.05, ("es",), "EUR", (("dpd", 0.55), ("dhl_express", 0.45)),
           (("Madrid", "M", "28013"), ("Barcelona", "B", "08002"), ("Valencia", "V", "46002"), ("Sevilla", "SE", "41004"),
            ("Bilbao", "BI", "48001"), ("Málaga", "MA", "29015")),
           ("Lucía", "Hugo", "Martina", "Pablo", "Sofía", "Álvaro", "Carmen", "Javier", "Paula", "Diego"),
           ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Ruiz"),
           "example.es", "+34"),
    Market("IT", 0.04, ("it",), "EUR", (("dpd", 0.6), ("dhl_express", 0.4)),
           (("Milano", "MI", "20121"), ("Roma", "RM", "00186"), ("Torino", "TO", "10121"), ("Bologna", "BO", "40121"),
            ("Napoli", "NA", "80133"), ("Firenze", "FI", "50122")),
           ("Giulia", "Leonardo", "Aurora", "Francesco", "Alice", "Lorenzo", "Ginevra", "Matteo", "Chiara", "Tommaso"),
           ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco"),
           "example.it", "+39"),
    Market("PT", 0.02, ("pt",), "EUR", (("dpd", 0.7), ("dhl_express", 0.3)),
           (("Lisboa", "", "1100-148"), ("Porto", "", "4000-322"), ("Braga", "", "4700-435"), ("Coimbra", "", "3000-150")),
           ("Beatriz", "João", "Inês", "Rodrigo", "Mariana", "Tiago", "Leonor", "Duarte"),
           ("Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Martins"), "example.pt", "+351"),
    Market("BE", 0.02, ("nl", "fr"), "EUR", (("postnl", 0.5), ("dpd", 0.5)),
           (("Antwerpen", "VAN", "2000"), ("Gent", "VOV", "9000"), ("Bruxelles", "BRU", "1000"), ("Liège", "WLG", "4000")),
           ("Lars", "Noor", "Louise", "Arthur", "Mila", "Victor", "Elise", "Wout"),
           ("Peeters", "Janssens", "Maes", "Dubois", "Lambert", "Claes", "Goossens", "Wouters"), "example.be", "+32"),
    Market("MX", 0.03, ("es",), "MXN", (("fedex", 0.6), ("dhl_express", 0.4)),
           (("Ciudad de México", "CMX", "06700"), ("Guadalajara", "JAL", "44100"), ("Monterrey", "NLE", "64000"),
            ("Puebla", "PUE", "72000")),
           ("Sofía", "Santiago", "Valentina", "Mateo", "Regina", "Sebastián", "Ximena", "Emiliano"),
           ("Hernández", "García", "Martínez", "López", "González", "Pérez", "Ramírez", "Flores"), "example.mx", "+52"),
    Market("IN", 0.02, ("hi", "en"), "INR", (("dhl_express", 1.0),),
           (("Mumbai", "MH", "400001"), ("Bengaluru", "KA", "560001"), ("New Delhi", "DL", "110001"), ("Chennai", "TN", "600001")),
           ("Aarav", "Ananya", "Vihaan", "Diya", "Arjun", "Isha", "Kabir", "Saanvi"),
           ("Sharma", "Verma", "Iyer", "Gupta", "Reddy", "Nair", "Kapoor", "Mehta"), "example.in", "+91"),
    Market("AE", 0.015, ("ar", "en"), "AED", (("dhl_express", 1.0),),
           (("Dubai", "DU", "00000"), ("Abu Dhabi", "AZ", "00000"), ("Sharjah", "SH", "00000")),
           ("Omar", "Layla", "Yousef", "Mariam", "Khalid", "Noura", "Hamdan", "Fatima"),
           ("Al Mansoori", "Haddad", "Al Nuaimi", "Khoury", "Al Falasi", "Saleh"), "example.ae", "+971"),
    Market("BR", 0.015, ("pt",), "BRL", (("dhl_express", 1.0),),
           (("São Paulo", "SP", "01310-100"), ("Rio de Janeiro", "RJ", "20040-002"), ("Belo Horizonte", "MG", "30130-010"),
            ("Curitiba", "PR", "80010-000")),
           ("Miguel", "Helena", "Arthur", "Alice", "Heitor", "Laura", "Davi", "Valentina"),
           ("Souza", "Lima", "Carvalho", "Almeida", "Ribeiro", "Gomes", "Barbosa", "Rocha"), "example.com.br", "+55"),
    Market("BD", 0.01, ("bn", "en"), "BDT", (("dhl_express", 1.0),),
           (("Dhaka", "13", "1205"), ("Chittagong", "10", "4000"), ("Sylhet", "60", "3100")),
           ("Arif", "Nusrat", "Tanvir", "Farhana", "Rafiq", "Sadia"),
           ("Rahman", "Hossain", "Islam", "Chowdhury", "Akter", "Ahmed"), "example.com.bd", "+880"),
)

PRODUCTS: tuple[tuple[str, str, Decimal], ...] = (
    ("Stoneware mug — sand", "MUG-SAND", Decimal("18.00")), ("Stoneware mug — moss", "MUG-MOSS", Decimal("18.00")),
    ("Linen tea towel", "TOWEL-LIN", Decimal("14.50")), ("Pour-over coffee set", "POUR-SET", Decimal("64.00")),
    ("Walnut serving board", "BOARD-WAL", Decimal("49.00")), ("Beeswax candle, pair", "CANDLE-2", Decimal("22.00")),
    ("Cast-iron teapot", "TEAPOT-CI", Decimal("78.00")), ("Hand-thrown bowl", "BOWL-HT", Decimal("32.00")),
    ("Enamel camp plate", "PLATE-EN", Decimal("12.00")), ("Wool throw — charcoal", "THROW-CH", Decimal("119.00")),
    ("Olive wood spoon set", "SPOON-OW", Decimal("26.00")), ("Glass carafe", "CARAFE-GL", Decimal("35.00")),
)

#: How a parcel's life goes, and how often (of all parcels). Most arrive on time; about one in ten has a
#: problem the rules find (the replay decides which incidents follow).
SCENARIOS: tuple[tuple[str, float], ...] = (
    ("on_time", 0.885), ("late", 0.03), ("stuck", 0.02), ("failed_attempt", 0.014), ("pickup_wait", 0.01),
    ("carrier_delay", 0.01), ("customs_hold", 0.006), ("address_issue", 0.004), ("damaged", 0.005),
    ("returned", 0.006), ("lost", 0.004), ("not_picked_up", 0.006),
)
#: Order-level problems (of all orders): shipped late, or one item following much later.
ORDER_SCENARIOS = {"unfulfilled": 0.008, "partial": 0.006}
TEAM = ("Dana", "Luis", "Mei", "Tomasz")
#: How customers answered the survey after a problem: mostly happy that they were told.
SURVEY_SCORES = (1, 2, 3, 4, 5)
SURVEY_WEIGHTS = (0.07, 0.08, 0.15, 0.3, 0.4)
SURVEY_COMMENTS = (
    None, None, None, "Thanks for letting me know before I had to ask.", "Arrived in the end, all good.",
    "Took far too long.", "Great service, the email was clear.", "Would have liked a refund option sooner.",
)


@dataclass(frozen=True)
class Summary:
    """What one run wrote."""

    orders: int
    shipments: int
    events: int
    incidents: int
    cases: int
    messages: int
    survey_answers: int
    reports: int
    days: int
    seconds: float

    def line(self) -> str:
        return f"history: {self.orders} past orders over {self.days} days (generated)"


# -- one order's life, built in memory --------------------------------------------------------------------

@dataclass
class Ev:
    at: datetime
    status: str
    description: str
    raw_code: str
    location: str | None = None
    substatus: str | None = None


@dataclass
class Parcel:
    index: int  # within the order
    carrier: Carrier
    service: str
    tracking: str
    items: list[ShipmentItem]
    shipped_at: datetime
    estimated: datetime
    events: list[Ev]
    scenario: str
    signed_by: str | None = None
    id: int | None = None


@dataclass
class Found:
    """An incident as the replay found it."""

    parcel: int | None  # Parcel.index, None for an order-level kind
    kind: str
    opened_at: datetime
    reason: str
    evidence: dict[str, Any]
    updated_at: datetime
    cleared_at: datetime | None = None
    clear_reason: str | None = None
    id: int | None = None
    #: the last finding that held: its reason is worded once, when the incident is done (as the last refresh left it)
    last: rules.Finding | None = None


@dataclass
class Plan:
    """One order with everything that happened to it, before any id is known."""

    number: int
    market: Market
    language: str
    first: str
    last: str
    email: str
    phone: str | None
    address: Address
    placed_at: datetime
    line_items: list[LineItem]
    total: Decimal
    parcels: list[Parcel]
    order_scenario: str | None
    incidents: list[Found] = field(default_factory=list)
    story: Story | None = None
    id: int | None = None


# -- building timelines -------------------------------------------------------------------------------------

def _local(cal: BusinessCalendar, day: date, hour: float) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=cal.zone) + timedelta(hours=hour)


def _add_business_days(cal: BusinessCalendar, start: date, days: int) -> date:
    day = start
    while days > 0:
        day += timedelta(days=1)
        if cal.is_business_day(day):
            days -= 1
    return day


def _next_business_day(cal: BusinessCalendar, day: date) -> date:
    return _add_business_days(cal, day, 1)


def _tracking(carrier: str, number: int, k: int, rng: random.Random) -> str:
    serial = number * 10 + k
    if carrier == "ups":
        return f"1Z{rng.choice(('V8', 'A4', 'W2'))}{rng.randrange(1000, 9999)}{rng.choice(('03', '02', '13'))}{serial:08d}"
    if carrier == "usps":
        return f"9400{rng.randrange(10**7, 10**8)}{serial:010d}"
    if carrier == "fedex":
        return f"77{serial:010d}"
    if carrier == "dhl_express":
        return f"4{serial:09d}"
    if carrier == "royalmail":
        return f"{rng.choice(('TT', 'RM', 'JV'))}{serial:09d}GB"
    if carrier == "dpd":
        return f"0150{serial:010d}"
    if carrier == "postnl":
        return f"3SHIST{serial:09d}"
    return f"40{serial:014d}"  # canadapost


def _place(market: Market, address: Address) -> str:
    return f"{address.city}, {address.region + ', ' if address.region else ''}{market.country}"


SCAN_WORDS = {
    "label": ("Shipping label created", "MP"), "pickup": ("Picked up", "PU"), "origin": ("Departed origin facility", "DP"),
    "arrived": ("Arrived at facility", "AR"), "departed": ("Departed facility", "DP"), "local": ("Arrived at local delivery facility", "AL"),
    "ofd": ("Out for delivery", "OF"), "delivered": ("Delivered", "DL"), "attempt": ("Delivery attempted — nobody at home", "AT"),
    "pickup_point": ("Ready for collection at a pickup point", "PP"), "collected": ("Collected from the pickup point", "DL"),
    "delay": ("Delay — the parcel will arrive later than planned", "DE"), "customs": ("Held at customs: documents required", "CH"),
    "released": ("Released by customs", "CR"), "address": ("Address incomplete — held at the depot", "AI"),
    "address_ok": ("Address corrected by the recipient", "AC"), "damaged": ("Parcel damaged in transit", "DM"),
    "refused": ("Refused by the recipient — returning to sender", "RS"), "returning": ("Returning to sender", "RT"),
    "returned": ("Returned to sender", "RD"), "lost": ("Carrier investigation opened: parcel not found", "LO"),
}


def _ev(kind: str, at: datetime, status: str, location: str | None, substatus: str | None = None) -> Ev:
    words, code = SCAN_WORDS[kind]
    return Ev(at, status, words, code, location, substatus)


def build_parcel(rng: random.Random, market: Market, address: Address, cal: BusinessCalendar, carrier: Carrier,
                 number: int, k: int, items: list[ShipmentItem], label_at: datetime, scenario: str) -> Parcel:
    """One parcel's scans, from its label to its end, as the carrier would have written them."""
    service = rng.choice(tuple(carrier.services))
    low, high = carrier.services[service]
    if scenario == "customs_hold" and carrier.code != "dhl_express":
        scenario = "late"  # customs only where a border is crossed
    international = carrier.code == "dhl_express"
    origin = rng.choice(carrier.hubs)
    dest = _place(market, address)
    events = [_ev("label", label_at, S.PRE_TRANSIT, None)]
    if scenario == "not_picked_up":  # the label waited days for a driver
        pickup = label_at + timedelta(days=rng.uniform(5.5, 8), hours=rng.uniform(0, 6))
    else:
        pickup = label_at + timedelta(hours=rng.uniform(2, 20))
    transit = rng.randint(low, high) + (1 if international else 0)
    estimated_day = _add_business_days(cal, cal.local(pickup).date(), transit)
    if scenario == "on_time" and rng.random() < 0.3:  # a generous estimate, beaten by a day
        estimated_day = _next_business_day(cal, estimated_day)
    estimated = cal.end_of_local_day(_local(cal, estimated_day, 12))
    events.append(_ev("pickup", pickup, S.IN_TRANSIT, origin))
    at = pickup + timedelta(hours=rng.uniform(2, 6))
    events.append(_ev("origin", at, S.IN_TRANSIT, origin))
    hubs = [h for h in carrier.hubs if h != origin]
    rng.shuffle(hubs)
    stops = hubs[: rng.randint(1, 2)]
    late_days = 0
    if scenario in ("late", "carrier_delay", "stuck"):
        late_days = rng.randint(1, 3)
    for n, hub in enumerate(stops):
        at += timedelta(hours=rng.uniform(5, 14))
        events.append(_ev("arrived", at, S.IN_TRANSIT, hub))
        if scenario == "stuck" and n == 0:  # the scans stop for longer than the shop's threshold, then resume
            at += timedelta(days=rng.uniform(4.5, 7.5))
        elif scenario == "carrier_delay" and n == 0:
            at += timedelta(hours=rng.uniform(3, 8))
            events.append(_ev("delay", at, S.IN_TRANSIT, hub, Substatus.DELAYED))
            at += timedelta(days=rng.uniform(1, 2))
        elif scenario == "customs_hold" and n == 0:
            at += timedelta(hours=rng.uniform(2, 6))
            events.append(_ev("customs", at, S.EXCEPTION, hub, Substatus.CUSTOMS_HOLD))
            at += timedelta(days=rng.uniform(2, 5))
            events.append(_ev("released", at, S.IN_TRANSIT, hub))
            late_days = rng.randint(1, 3)
        else:
            at += timedelta(hours=rng.uniform(1, 5))
        events.append(_ev("departed", at, S.IN_TRANSIT, hub))
    if scenario == "lost":  # last seen at a hub; the carrier's investigation finds nothing; tracking expires
        at += timedelta(days=rng.uniform(2, 4))
        events.append(_ev("lost", at, S.EXCEPTION, stops[-1] if stops else origin, Substatus.LOST))
        return Parcel(k, carrier, service, _tracking(carrier.code, number, k, rng), items, label_at, estimated, events, scenario)
    if scenario == "damaged" and rng.random() < 0.5:  # damaged beyond delivery: it goes back
        at += timedelta(hours=rng.uniform(2, 10))
        events.append(_ev("damaged", at, S.EXCEPTION, stops[-1] if stops else origin, Substatus.DAMAGED))
        return _returned(rng, carrier, service, number, k, items, label_at, estimated, events, at, origin, scenario, cal)
    # to the local depot, then the last mile on the delivery day (which `late_days` pushes past the estimate)
    day = max(cal.local(at + timedelta(hours=4)).date(), estimated_day if scenario != "on_time" else date.min)
    if scenario == "on_time":
        day = max(cal.local(at + timedelta(hours=6)).date(), _add_business_days(cal, cal.local(pickup).date(), low))
        day = day if cal.is_business_day(day) else _next_business_day(cal, day)
        if day > estimated_day:
            estimated_day = day
            estimated = cal.end_of_local_day(_local(cal, estimated_day, 12))
    else:
        for _ in range(late_days if scenario in ("late", "carrier_delay", "stuck", "customs_hold") else 0):
            day = _next_business_day(cal, day)
    if not cal.is_business_day(day):
        day = _next_business_day(cal, day)
    depot = max(at + timedelta(hours=1), _local(cal, day, rng.uniform(3, 5)) - timedelta(hours=rng.uniform(0, 4)))
    events.append(_ev("local", depot, S.IN_TRANSIT, dest))
    if scenario == "address_issue":
        events.append(_ev("address", depot + timedelta(hours=2), S.EXCEPTION, dest, Substatus.ADDRESS_ISSUE))
        day = _add_business_days(cal, day, rng.randint(1, 2))
        events.append(_ev("address_ok", _local(cal, day, rng.uniform(6, 7)), S.IN_TRANSIT, dest))
    if scenario == "damaged":
        events.append(_ev("damaged", depot + timedelta(hours=1), S.IN_TRANSIT, dest, Substatus.DAMAGED))
    ofd = _local(cal, day, rng.uniform(7, 9))
    events.append(_ev("ofd", ofd, S.OUT_FOR_DELIVERY, dest, Substatus.DAMAGED if scenario == "damaged" else None))
    if scenario in ("failed_attempt", "pickup_wait", "returned"):
        attempt = _local(cal, day, rng.uniform(11, 18))
        events.append(_ev("attempt", attempt, S.ATTEMPT_FAILED, dest))
        if scenario == "returned":
            refused = attempt + timedelta(days=rng.uniform(1, 2))
            events.append(_ev("refused", refused, S.RETURNING, dest, Substatus.REFUSED))
            return _returned(rng, carrier, service, number, k, items, label_at, estimated, events, refused, origin, scenario, cal)
        if scenario == "pickup_wait":
            ready = attempt + timedelta(hours=rng.uniform(14, 20))
            events.append(_ev("pickup_point", ready, S.AVAILABLE_FOR_PICKUP, f"Pickup point, {dest}"))
            collect_day = _add_business_days(cal, cal.local(ready).date(), rng.randint(4, 7))
            events.append(_ev("collected", _local(cal, collect_day, rng.uniform(10, 18)), S.DELIVERED, f"Pickup point, {dest}"))
            return Parcel(k, carrier, service, _tracking(carrier.code, number, k, rng), items, label_at, estimated, events,
                          scenario, signed_by=None)
        day = _next_business_day(cal, day)
        events.append(_ev("ofd", _local(cal, day, rng.uniform(7, 9)), S.OUT_FOR_DELIVERY, dest))
    delivered = _local(cal, day, rng.uniform(10, 19))
    events.append(_ev("delivered", delivered, S.DELIVERED, dest, Substatus.DAMAGED if scenario == "damaged" else None))
    signed = address.name.split()[-1].upper() if address.name and rng.random() < 0.35 else None
    return Parcel(k, carrier, service, _tracking(carrier.code, number, k, rng), items, label_at, estimated, events,
                  scenario, signed_by=signed)


def _returned(rng: random.Random, carrier: Carrier, service: str, number: int, k: int, items: list[ShipmentItem],
              label_at: datetime, estimated: datetime, events: list[Ev], at: datetime, origin: str, scenario: str,
              cal: BusinessCalendar) -> Parcel:
    for hub in rng.sample(carrier.hubs, 2):
        at += timedelta(hours=rng.uniform(10, 30))
        events.append(_ev("returning", at, S.RETURNING, hub))
    at += timedelta(days=rng.uniform(1, 3))
    events.append(_ev("returned", at, S.RETURNED, origin))
    return Parcel(k, carrier, service, _tracking(carrier.code, number, k, rng), items, label_at, estimated, events, scenario)


def parcel_end(p: Parcel) -> datetime:
    """When the parcel's story ends: its last scan, or — a lost parcel — when its tracking expired."""
    last = p.events[-1]
    if p.scenario == "lost":
        return last.at + timedelta(days=30)
    return last.at


def final_state(p: Parcel) -> tuple[str, str | None]:
    if p.scenario == "lost":
        return S.EXPIRED, None
    last = p.events[-1]
    return last.status, last.substatus


def build_order(rng: random.Random, number: int, placed_at: datetime) -> Plan:
    market = rng.choices(MARKETS, weights=[m.weight for m in MARKETS])[0]
    city, region, postal = rng.choice(market.cities)
    first, last = rng.choice(market.first), rng.choice(market.last)
    language = rng.choice(market.languages)
    if market.country == "CA":
        language = "fr" if region == "QC" else "en"
    handle = "".join(ch for ch in f"{first}.{last}".lower().replace(" ", "") if ch.isascii() and (ch.isalnum() or ch == "."))
    email = f"{handle}.h{number}@{market.domain}"
    phone = f"{market.phone}{rng.randrange(10**8, 10**9)}{number % 10}" if rng.random() < 0.55 else None
    address = Address(name=f"{first} {last}", city=city, region=region or None, postal_code=postal, country_code=market.country)
    picks = rng.sample(PRODUCTS, rng.choice((1, 1, 2, 2, 3)))
    line_items = [LineItem(platform_line_item_id=str(90_000_000 + number * 10 + i), title=title, quantity=rng.choice((1, 1, 1, 2)),
                           sku=sku) for i, (title, sku, _) in enumerate(picks)]
    total = sum((price * li.quantity for (_, _, price), li in zip(picks, line_items)), Decimal("0")) + Decimal("6.90")
    r = rng.random()
    order_scenario = "unfulfilled" if r < ORDER_SCENARIOS["unfulfilled"] else \
        "partial" if r < ORDER_SCENARIOS["unfulfilled"] + ORDER_SCENARIOS["partial"] and len(line_items) > 1 else None
    cal = calendar_for(market.country)
    ship_delay = timedelta(days=rng.uniform(4.5, 6.5)) if order_scenario == "unfulfilled" else timedelta(hours=rng.uniform(2, 26))
    label_at = placed_at + ship_delay
    carrier_code = rng.choices([c for c, _ in market.carriers], weights=[w for _, w in market.carriers])[0]
    two = order_scenario == "partial" or (len(line_items) > 1 and rng.random() < 0.25)
    groups = [line_items[:1], line_items[1:]] if two else [line_items]
    parcels = []
    for k, group in enumerate(groups, start=1):
        scenario = rng.choices([s for s, _ in SCENARIOS], weights=[w for _, w in SCENARIOS])[0]
        at = label_at
        if k == 2:
            at = label_at + (timedelta(days=rng.uniform(8.5, 11)) if order_scenario == "partial" else timedelta(hours=rng.uniform(0, 30)))
        items = [ShipmentItem(li.platform_line_item_id, li.title, li.quantity) for li in group]
        parcels.append(build_parcel(rng, market, address, cal, CARRIERS[carrier_code], number, k, items, at, scenario))
    return Plan(number, market, language, first, last, email, phone, address, placed_at, line_items, total, parcels,
                order_scenario)


def on_time_variant(plan: Plan, rng: random.Random) -> Plan:
    """The same order with every parcel on time (for the last days of the window: nothing may be unfinished)."""
    cal = calendar_for(plan.market.country)
    label_at = plan.placed_at + timedelta(hours=rng.uniform(1, 6))
    plan.parcels = [build_parcel(rng, plan.market, plan.address, cal, p.carrier, plan.number, p.index, p.items, label_at, "on_time")
                    for p in plan.parcels]
    plan.order_scenario = None
    return plan


# -- replaying the rules ------------------------------------------------------------------------------------

def _shipment_at(p: Parcel, moment: datetime) -> SimpleNamespace:
    """The parcel as Forewarn knew it at `moment` (what detection.parcel_facts reads)."""
    seen = [e for e in p.events if e.at <= moment]
    last = seen[-1] if seen else None
    status, substatus = (last.status, last.substatus) if last else (S.PRE_TRANSIT, None)
    if p.scenario == "lost" and moment >= parcel_end(p):
        status, substatus = S.EXPIRED, None
    since = last.at if last else None
    for e in reversed(seen):
        if e.status != status:
            break
        since = e.at
    return SimpleNamespace(
        id=p.index, carrier=p.carrier.code, service=p.service, status=status, substatus=substatus, shipped_at=p.shipped_at,
        created_at=p.shipped_at, last_event_at=last.at if last and len(seen) > 1 else None, estimated_delivery_at=p.estimated,
        running_late=substatus == Substatus.DELAYED, carrier_tracked=len(seen) > 1, status_since=since, superseded=False,
        last=SimpleNamespace(description=last.description, location=last.location) if last and len(seen) > 1 else None,
    )


def _order_facts(plan: Plan, moment: datetime) -> rules.OrderFacts:
    shipped: dict[str, int] = {}
    for p in plan.parcels:
        if p.shipped_at <= moment:
            for item in p.items:
                shipped[item.platform_line_item_id] = shipped.get(item.platform_line_item_id, 0) + item.quantity
    times = [p.shipped_at for p in plan.parcels if p.shipped_at <= moment]
    return rules.OrderFacts(
        order_id=plan.number, placed_at=plan.placed_at, paid=True, cancelled=False,
        needs_shipping={li.platform_line_item_id: li.quantity for li in plan.line_items}, shipped=shipped,
        first_shipped_at=min(times) if times else None, titles={li.platform_line_item_id: li.title for li in plan.line_items},
    )


def _findings(plan: Plan, policy: Policy, cal: BusinessCalendar, moment: datetime) -> dict[tuple[int | None, str], rules.Finding]:
    parcels = []
    for p in plan.parcels:
        if p.shipped_at > moment:
            continue
        s = _shipment_at(p, moment)
        parcels.append(parcel_facts(s, s.last, policy, plan.market.country))  # type: ignore[arg-type]
    found = rules.evaluate(_order_facts(plan, moment), parcels, policy, moment, cal)
    return {f.key: f for f in found}


def replay(plan: Plan, policy: Policy, end: datetime) -> list[Found]:
    """The incidents Forewarn would have opened and cleared for this order: its rules evaluated after every scan
    and just before the next (the rules only ever start to hold as time passes without news, so nothing found
    in between is missed), the opening moment narrowed by bisection to the scheduler's 5 minutes; cleared as
    detection.clear_reason says."""
    cal = calendar_for(plan.market.country, policy.closed_days)
    moments = {plan.placed_at, end}
    for p in plan.parcels:
        moments.add(p.shipped_at + timedelta(minutes=1))
        for e in p.events:
            moments.add(e.at - timedelta(minutes=1))
            moments.add(e.at + timedelta(minutes=2))
    moments = {m for m in moments if plan.placed_at <= m <= end}
    open_now: dict[tuple[int | None, str], Found] = {}
    done: list[Found] = []
    previous: datetime | None = None
    for moment in sorted(moments):
        found = _findings(plan, policy, cal, moment)
        for key, finding in found.items():
            incident = open_now.get(key)
            if incident is not None:
                incident.last, incident.evidence, incident.updated_at = finding, finding.evidence, moment
                continue
            opened = moment
            if previous is not None:  # when, between the two looks, did it start to hold?
                low, high = previous, moment
                while high - low > timedelta(minutes=5):
                    mid = low + (high - low) / 2
                    if key in _findings(plan, policy, cal, mid):
                        high = mid
                    else:
                        low = mid
                opened = high
            open_now[key] = Found(key[0], key[1], opened, "", finding.evidence, moment, last=finding)
        for key in [k for k in open_now if k not in found]:
            incident = open_now[key]
            parcel = next((p for p in plan.parcels if p.index == incident.parcel), None)
            shipment = _shipment_at(parcel, moment) if parcel else None
            why = clear_reason(SimpleNamespace(shipment_id=incident.parcel, kind=incident.kind, opened_at=incident.opened_at),  # type: ignore[arg-type]
                               shipment, set(found), moment)  # type: ignore[arg-type]
            if why is not None:
                incident.cleared_at, incident.clear_reason, incident.updated_at = moment, why, moment
                done.append(open_now.pop(key))
        previous = moment
    for incident in open_now.values():
        # A parcel back with the sender keeps its "returning" finding, and an expired parcel is no longer judged:
        # the real detection leaves both open. History is finished: the team closed them with the case.
        parcel = next((p for p in plan.parcels if p.index == incident.parcel), None)
        why = "the parcel was returned to the sender" if parcel and final_state(parcel)[0] == S.RETURNED else \
            "tracking expired without news; the shop replaced the order"
        incident.cleared_at, incident.clear_reason, incident.updated_at = end, why, end
        done.append(incident)
    for incident in done:
        incident.reason = incident.last.reason if incident.last else incident.kind
        incident.last = None
    return sorted(done, key=lambda f: f.opened_at)


# -- rows ---------------------------------------------------------------------------------------------------

def _order_row(shop_id: int, plan: Plan, closed_at: datetime) -> dict[str, Any]:
    refunded = any(p.scenario in ("lost", "returned") for p in plan.parcels)
    return {
        "shop_id": shop_id, "platform_order_id": str(8_100_000_000 + plan.number), "name": f"{NAME_PREFIX}{plan.number}",
        "placeholder": False, "number": f"H{plan.number}", "status": "closed", "placed_at": plan.placed_at,
        "source_updated_at": closed_at, "customer_platform_id": str(7_900_000 + plan.number),
        "customer_first_name": plan.first, "customer_last_name": plan.last, "email": plan.email, "phone": plan.phone,
        "locale": plan.language, "shipping_address": plan.address, "line_items": plan.line_items,
        "currency": plan.market.currency, "total_price": plan.total,
        "financial_status": "refunded" if refunded else "paid", "fulfillment_status": "fulfilled", "cancelled_at": None,
        "cancel_reason": None, "status_url": None, "redacted": False, "created_at": plan.placed_at + timedelta(seconds=3),
        "updated_at": closed_at,
    }


def _shipment_row(shop_id: int, plan: Plan, p: Parcel) -> dict[str, Any]:
    status, substatus = final_state(p)
    last = p.events[-1]
    end = parcel_end(p)
    since = last.at
    for e in reversed(p.events):
        if e.status != last.status:
            break
        since = e.at
    delivered = last.at if status == S.DELIVERED else None
    return {
        "shop_id": shop_id, "order_id": plan.id, "platform_fulfillment_id": str((8_100_000_000 + plan.number) * 10 + p.index),
        "tracking_number": p.tracking, "name": f"{NAME_PREFIX}{plan.number}.{p.index}", "carrier": p.carrier.code,
        "carrier_raw": p.carrier.name, "service": p.service, "tracking_url": p.carrier.url.format(n=p.tracking),
        "items": p.items, "destination": plan.address, "status": status, "substatus": substatus,
        "platform_status": {S.DELIVERED: "delivered", S.RETURNED: "failure"}.get(status), "fulfillment_status": "success",
        "superseded": False, "carrier_tracked": True, "shipped_at": p.shipped_at, "source_updated_at": end,
        "estimated_delivery_at": p.estimated, "delivered_at": delivered, "running_late": False, "signed_by": p.signed_by,
        "last_event_at": last.at, "last_checked_at": end + timedelta(minutes=7), "next_check_at": None, "push_until": None,
        "push_subscribed_until": None, "status_since": end if status == S.EXPIRED else since, "check_error": None,
        "created_at": p.shipped_at + timedelta(seconds=5), "updated_at": end + timedelta(minutes=7),
    }


class Writer:
    """Writes plans chunk by chunk: orders, then what needs their ids, and so on down."""

    def __init__(self, conn: Connection, shop_id: int, shop_name: str, rng: random.Random,
                 links: Callable[[str, int, int, str], str] | None) -> None:
        self.conn, self.shop_id, self.shop_name, self.rng, self.links = conn, shop_id, shop_name, rng, links
        self.counts = dict(orders=0, shipments=0, events=0, incidents=0, cases=0, messages=0, survey_answers=0, reports=0)
        self.opted_out: set[str] = set()

    def _ids(self, table: Any, rows: list[dict[str, Any]]) -> list[int]:
        if not rows:
            return []
        if self.conn.dialect.name == "postgresql":  # ids drawn from the table's own sequence, then one COPY
            ids = list(self.conn.execute(text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
                                         {"t": table.name, "n": len(rows)}).scalars())
            self._copy(table, [{**row, "id": i} for row, i in zip(rows, ids)])
            return ids
        result = self.conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
        return [r[0] for r in result]

    def _many(self, table: Any, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        if self.conn.dialect.name == "postgresql":
            self._copy(table, rows)
        else:
            self.conn.execute(insert(table), rows)

    def _copy(self, table: Any, rows: list[dict[str, Any]]) -> None:
        """PostgreSQL's COPY, each value bound as the table's column type binds it (JSON for value objects, UTC
        for times): an executemany of 100,000 parcels' rows spends its time building statements, COPY does not."""
        columns = list(rows[0])
        dialect = self.conn.dialect
        convert = []
        for name in columns:
            kind = table.c[name].type
            if isinstance(kind, TypeDecorator) and isinstance(kind.impl, JSON) or isinstance(kind, JSON):
                bind = kind.process_bind_param if isinstance(kind, TypeDecorator) else (lambda v, d: v)
                convert.append(lambda v, bind=bind: None if v is None else json.dumps(bind(v, dialect)))
            elif isinstance(kind, orm.UTCDateTime):
                convert.append(lambda v, k=kind: k.process_bind_param(v, dialect) if v is not None else None)
            else:
                convert.append(lambda v: v)
        driver = self.conn.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([f(row[name]) for f, name in zip(convert, columns)])

    def write(self, plans: list[Plan]) -> None:
        rng = self.rng
        ends = {p.number: finished(p) for p in plans}
        for plan, order_id in zip(plans, self._ids(orm.orders, [_order_row(self.shop_id, p, ends[p.number] + timedelta(minutes=10))
                                                                 for p in plans])):
            plan.id = order_id
        parcels = [(plan, p) for plan in plans for p in plan.parcels]
        for (plan, p), shipment_id in zip(parcels, self._ids(orm.shipments, [_shipment_row(self.shop_id, plan, p) for plan, p in parcels])):
            p.id = shipment_id
        self._many(orm.tracking_events, [
            {"shipment_id": p.id, "occurred_at": e.at, "status": e.status, "substatus": e.substatus, "raw_code": e.raw_code,
             "description": e.description, "location": e.location} for _, p in parcels for e in p.events])
        found = [(plan, f) for plan in plans for f in plan.incidents]
        by_index = {(plan.number, p.index): p for plan, p in parcels}
        incident_rows = [{
            "shop_id": self.shop_id, "order_id": plan.id,
            "shipment_id": by_index[(plan.number, f.parcel)].id if f.parcel is not None else None, "kind": f.kind,
            "status": "cleared", "reason": f.reason, "evidence": f.evidence, "opened_at": f.opened_at,
            "cleared_at": f.cleared_at, "clear_reason": f.clear_reason, "updated_at": f.cleared_at, "cluster_id": None,
        } for plan, f in found]
        for (_, f), incident_id in zip(found, self._ids(orm.incidents, incident_rows)):
            f.id = incident_id
        stories = [plan.story for plan in plans if plan.story is not None]
        with_case = [s for s in stories if s.case]
        case_rows = [{**s.case, "shop_id": self.shop_id, "order_id": s.plan.id} for s in with_case]
        for story, case_id in zip(with_case, self._ids(orm.cases, case_rows)):
            story.case_id = case_id
        self._many(orm.case_notes, [{**n, "case_id": s.case_id} for s in with_case for n in s.notes])
        reports_rows = [{**r, "shop_id": self.shop_id, "case_id": s.case_id, "order_id": s.plan.id}
                        for s in with_case for r in s.reports]
        self._many(orm.problem_reports, reports_rows)
        messages = [(s, m) for s in stories for m in s.messages]
        message_rows = [self._message_row(s, m) for s, m in messages]
        ids = self._ids(orm.messages, message_rows)
        attempts = []
        for (s, m), message_id, row in zip(messages, ids, message_rows):
            if row["sent_at"] is not None:
                attempts.append({"message_id": message_id, "attempted_at": row["sent_at"] - timedelta(seconds=1),
                                 "outcome": "sending", "provider_id": None, "error": None})
                attempts.append({"message_id": message_id, "attempted_at": row["sent_at"],
                                 "outcome": "sent", "provider_id": row["provider_id"], "error": None})
            elif row["status"] == "failed":
                attempts.append({"message_id": message_id, "attempted_at": row["updated_at"], "outcome": "failed",
                                 "provider_id": None, "error": row["error"]})
        self._many(orm.message_attempts, attempts)
        opt_outs = []
        for s, m in messages:
            if m.get("suppression_reason") == "opted_out" and s.plan.email not in self.opted_out:
                self.opted_out.add(s.plan.email)
                opt_outs.append({"shop_id": self.shop_id, "address": s.plan.email, "source": "link",
                                 "created_at": s.plan.placed_at - timedelta(days=rng.uniform(5, 60))})
        self._many(orm.opt_outs, opt_outs)
        answers = [{**a, "shop_id": self.shop_id, "order_id": s.plan.id, "case_id": s.case_id} for s in stories for a in s.answers]
        self._many(orm.survey_answers, answers)
        c = self.counts
        c["orders"] += len(plans)
        c["shipments"] += len(parcels)
        c["events"] += sum(len(p.events) for _, p in parcels)
        c["incidents"] += len(found)
        c["cases"] += len(with_case)
        c["messages"] += len(messages)
        c["survey_answers"] += len(answers)
        c["reports"] += len(reports_rows)

    def _message_row(self, s: Story, m: dict[str, Any]) -> dict[str, Any]:
        """A message as the send job leaves it: the idempotency key messaging.plan gives, recipient and copy."""
        plan = s.plan
        m = dict(m)
        incident = m.pop("incident", None)
        about = f"incident:{incident.id}" if incident is not None else f"order:{plan.id}"
        row = {
            "shop_id": self.shop_id, "order_id": plan.id, "incident_id": incident.id if incident else None,
            # the survey a person's resolution planned carries its case (messaging.on_case_resolved)
            "case_id": s.case_id if m["kind"] == "survey" and s.case_resolved_by == "person" else None,
            "idempotency_key": f"{about}:{m['kind']}:{m['channel']}", "recipient": None, "language": None,
            "subject": None, "body": None, "provider": None, "provider_id": None, "error": None, "sent_at": None,
            "send_at": None, "suppression_reason": None, **m,
        }
        if row["status"] != "suppressed" or row["suppression_reason"] != "no_contact":
            row["recipient"] = plan.email if row["channel"] == "email" else plan.phone
        if row["status"] in ("sent", "delivered", "bounced"):
            rendered = self._render(s, row["kind"], row["channel"], row["recipient"] or "")
            row["language"], row["subject"] = rendered.language, rendered.subject
            row["body"] = rendered.body if row["channel"] == "email" else rendered.sms
        return row

    def _render(self, s: Story, kind: str, channel: str, recipient: str) -> templates.RenderedMessage:
        plan = s.plan
        if s.variables is None:  # one order's variables, as jobs/messages._variables gives them
            parcel = plan.parcels[0]
            language = templates.choose_language(plan.language)
            link = self.links or (lambda what, shop_id, value, address: "")
            s.variables = {
                "customer": {"first_name": plan.first},
                "order": {"name": f"{NAME_PREFIX}{plan.number}",
                          "items": [{"title": li.title, "quantity": li.quantity} for li in plan.line_items]},
                "carrier": rules.CARRIER_NAMES.get(parcel.carrier.code, parcel.carrier.name), "tracking_number": parcel.tracking,
                "tracking_url": parcel.carrier.url.format(n=parcel.tracking),
                "new_date": templates.localized_date(parcel.estimated.date(), language), "what_next": "",
                "shop": {"name": self.shop_name},
                "report_url": link("report", self.shop_id, plan.id or 0, ""),
                "unsubscribe_url": link("unsubscribe", self.shop_id, 0, plan.email),
                "survey_url": link("survey", self.shop_id, plan.id or 0, ""),
            }
        variables = s.variables
        if channel != "email":
            variables = {**variables, "unsubscribe_url": (self.links or (lambda *a: ""))("unsubscribe", self.shop_id, 0, recipient)}
        return templates.render_message(kind, plan.language, channel, variables)


@dataclass
class Story:
    plan: Plan
    case: dict[str, Any]
    notes: list[dict[str, Any]]
    reports: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    answers: list[dict[str, Any]]
    case_resolved_by: str
    case_id: int | None = None
    variables: dict[str, Any] | None = None


def _channels(plan: Plan, rng: random.Random) -> list[str]:
    return ["email", "sms"] if plan.phone and rng.random() < 0.2 else ["email"]


def _send(rng: random.Random, plan: Plan, kind: str, channel: str, at: datetime, detected: datetime | None,
          send_at: datetime | None = None) -> dict[str, Any]:
    """One message decided and sent as jobs/messages.py would: deferred past quiet hours (21:00–08:00 in the
    customer's time), sometimes suppressed, mostly sent and confirmed by the provider."""
    zone = calendar_for(plan.market.country).zone
    created = at
    due = send_at or at
    local = due.astimezone(zone)
    row: dict[str, Any] = {"kind": kind, "channel": channel, "created_at": created, "detected_at": detected, "send_at": send_at,
                           "status": "delivered", "suppression_reason": None}
    if channel == "sms" and not plan.phone:
        row.update(status="suppressed", suppression_reason="no_contact", updated_at=due + timedelta(seconds=2))
        return row
    r = rng.random()
    if r < 0.02:
        row.update(status="suppressed", suppression_reason="opted_out", updated_at=due + timedelta(seconds=2))
        return row
    if r < 0.035:
        row.update(status="suppressed", suppression_reason="cap", updated_at=due + timedelta(seconds=2))
        return row
    if r < 0.04:
        row.update(status="suppressed", suppression_reason="duplicate", updated_at=due + timedelta(seconds=2))
        return row
    if local.hour >= 21 or local.hour < 8:  # quiet hours: it waits for the morning, then goes
        morning = local.replace(hour=8, minute=0, second=0, microsecond=0)
        if local.hour >= 21:
            morning += timedelta(days=1)
        due = morning.astimezone(timezone.utc) + timedelta(seconds=rng.uniform(5, 90))
        row["send_at"] = due
    sent = due + timedelta(seconds=rng.uniform(2, 40))
    if r < 0.05:
        row.update(status="failed", error="550 5.1.1 mailbox unavailable" if channel == "email" else "21610: unsubscribed recipient",
                   updated_at=sent)
        return row
    provider = {"email": "smtp", "sms": "twilio"}[channel]
    provider_id = f"<{rng.getrandbits(64):016x}@forewarn>" if channel == "email" else f"SM{rng.getrandbits(128):032x}"
    status = "bounced" if r < 0.06 else "sent" if r < 0.2 else "delivered"
    row.update(status=status, sent_at=sent, provider=provider, provider_id=provider_id,
               updated_at=sent + timedelta(minutes=rng.uniform(0, 3)) if status != "sent" else sent)
    return row


def tell(plan: Plan, policy: Policy, rng: random.Random) -> Story | None:
    """What followed an order's incidents: its case (cases.open_or_join), the customer's messages
    (messaging.on_incident_opened and on_status_changed), the team's work, a report now and then, the survey."""
    name = f"{NAME_PREFIX}{plan.number}"
    by_index = {(plan.number, p.index): p for p in plan.parcels}
    cal = calendar_for(policy.origin_country or plan.market.country, policy.closed_days)
    notes: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    reports_rows: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    channels = _channels(plan, rng)

    def note(body: str, at: datetime, author: str = "Forewarn") -> None:
        notes.append({"author": author, "body": body, "internal": True, "created_at": at})

    case: dict[str, Any] | None = None
    told_delay = False
    told_any = False
    first_message_at: datetime | None = None
    for f in plan.incidents:
        parcel = by_index[(plan.number, f.parcel)] if f.parcel is not None else None
        body = f"{f.kind.replace('_', ' ')}: {f.reason}"
        priority = case_rules.PRIORITY_OF_KIND.get(f.kind, "normal")
        if case is None and f.kind in policy.case_kinds:
            since = max((e.at for e in parcel.events if e.at <= f.opened_at), default=None) if parcel else None
            case = {"problem": f.kind, "priority": priority, "kinds": [f.kind], "opened_at": f.opened_at,
                    "subject": case_rules.subject(name, f.kind, parcel.carrier.code if parcel else None, since),
                    "sla_due_at": add_business_hours(cal, f.opened_at, case_rules.SLA_HOURS[priority])}
            note(body, f.opened_at)
        elif case is not None:
            if f.kind not in case["kinds"]:
                case["kinds"].append(f.kind)
            if case_rules.RANK[priority] > case_rules.RANK[case["priority"]]:
                since = max((e.at for e in parcel.events if e.at <= f.opened_at), default=None) if parcel else None
                case.update(priority=priority, problem=f.kind,
                            subject=case_rules.subject(name, f.kind, parcel.carrier.code if parcel else None, since))
            note(body, f.opened_at)
        # the customer's message, when this kind is one they hear of
        if f.kind in policy.notify_kinds:
            kind = f.kind
            if f.kind == "needs_action":
                state = _shipment_at(parcel, f.opened_at) if parcel else None
                kind = messaging.needs_action_template(state)  # type: ignore[arg-type]
            elif f.kind not in messaging.TEMPLATE_OF_KIND:
                kind = ""
            if kind and not (kind in messaging.DELAY_KINDS and told_delay):
                for channel in channels:
                    m = _send(rng, plan, kind, channel, f.opened_at + timedelta(seconds=rng.uniform(1, 20)), f.opened_at)
                    m["incident"] = f
                    messages.append(m)
                    if m["status"] not in ("suppressed", "failed", "bounced"):
                        told_any = True
                        first_message_at = first_message_at or m["sent_at"]
                        told_delay = told_delay or kind in messaging.DELAY_KINDS
        if case is not None and f.cleared_at is not None:
            note(f"{f.kind.replace('_', ' ')} cleared: {f.clear_reason}", f.cleared_at)
    if case is None and not messages:
        return None
    end = max(parcel_end(p) for p in plan.parcels)
    delivered = all(final_state(p)[0] == S.DELIVERED for p in plan.parcels)
    # the customer's own report, now and then (it joins the case and holds it for a person)
    reported_at: datetime | None = None
    if case is not None and rng.random() < 0.18:
        kinds = {"damaged": "damaged", "presumed_lost": "not_received", "stuck": "not_received", "late": "not_received"}
        kind = kinds.get(case["problem"], rng.choice(("missing_item", "wrong_item", "not_received")))
        reported_at = case["opened_at"] + timedelta(hours=rng.uniform(6, 60))
        reported_at = min(reported_at, end + timedelta(hours=rng.uniform(1, 20)))
        details = {"damaged": "The box was crushed and one item is broken.", "not_received": "Still nothing here, where is my parcel?",
                   "missing_item": "One of the items was not in the box.", "wrong_item": "I received a different colour."}[kind]
        reports_rows.append({"shop_id": None, "kind": kind, "details": details, "locale": plan.language, "photo_count": 0,
                             "created_at": reported_at})
        note(reports.note_text(reports.Report(kind, details, ()), plan.language), reported_at, "Customer")
    # after everything arrived: "delivered after a problem", and the survey later
    survey_at: datetime | None = None
    told_delivery: str | None = None
    if delivered and told_any:
        sent = []
        for channel in channels:
            m = _send(rng, plan, "delivered_after_problem", channel, end + timedelta(seconds=rng.uniform(20, 200)), None)
            m["incident"] = None
            messages.append(m)
            sent.append(m)
        told_delivery = "told" if any(m["status"] in ("sent", "delivered") for m in sent) else "not_told"
        survey_due = end + timedelta(days=float(messaging.DEFAULTS["followup_days"]))
        for channel in channels:
            m = _send(rng, plan, "survey", channel, end + timedelta(seconds=rng.uniform(20, 200)), None, send_at=survey_due)
            m["incident"] = None
            messages.append(m)
            if m["status"] in ("sent", "delivered"):
                survey_at = m["sent_at"]
    if survey_at is not None and rng.random() < 0.4:
        score = rng.choices(SURVEY_SCORES, weights=SURVEY_WEIGHTS)[0]
        answers.append({"score": score, "comment": rng.choice(SURVEY_COMMENTS),
                        "created_at": survey_at + timedelta(hours=rng.uniform(0.2, 50))})
    if case is None:
        return Story(plan, {}, [], [], messages, answers, "none") if messages else None
    # the team: a first response within the SLA most of the time, late some days (flagged by the SLA job)
    assignee = rng.choice(TEAM)
    working = rng.choice((0.5, 1, 1, 2, 3, 5, 7, 10, 14, 30))
    first_response = add_business_hours(cal, case["opened_at"], working)
    breached = first_response > case["sla_due_at"]
    if breached:
        note(f"SLA breached: no first response by {case['sla_due_at']:%a %d %b %H:%M} UTC",
             case["sla_due_at"] + timedelta(minutes=rng.uniform(0.5, 5)))
    carrier = plan.parcels[0].carrier.name
    replies = {
        "late": f"Checked with {carrier}: it is moving, new date given to the customer.",
        "stuck": f"Opened a trace with {carrier}.", "presumed_lost": f"Claim filed with {carrier}; replacement offered.",
        "damaged": "Asked the customer for photos; replacement on its way.", "needs_action": "Sent the customer the pickup details.",
        "returning": "Customer contacted about the return.", "not_picked_up": f"Called {carrier} to collect the parcel.",
        "unfulfilled": "Warehouse reminded; the customer got an apology.", "partial": "The missing item is on its way.",
    }
    note(replies.get(case["problem"], "Looked into it."), first_response, assignee)
    resolved_by = "forewarn"
    if delivered and reported_at is None:
        resolved_at = end + timedelta(minutes=rng.uniform(0.5, 4))
        said = {"told": "; the customer was told", "not_told": "; the customer could not be told (see the send log)"}.get(told_delivery or "", "")
        note(f"resolved by Forewarn: delivered {end:%a %d %b %H:%M} UTC{said}; no problem left on the order", resolved_at)
        status = "resolved"
    else:
        resolved_by = "person"
        resolved_at = max(end, reported_at or end, first_response) + timedelta(hours=rng.uniform(1, 30))
        if delivered:
            note("Resolved", resolved_at, assignee)
            status = "resolved"
        else:
            note("Refund issued" if rng.random() < 0.5 else "Replacement sent", resolved_at - timedelta(minutes=5), assignee)
            note("Closed", resolved_at, assignee)
            status = "closed"
    labels = [label for label, on in (("carrier-claim", case["problem"] in ("presumed_lost", "damaged")),
                                      ("vip", rng.random() < 0.05)) if on]
    row = {
        "shop_id": None, "order_id": None, "problem": case["problem"], "subject": case["subject"], "priority": case["priority"],
        "status": status, "kinds": case["kinds"], "labels": labels, "assignee": assignee, "opened_at": case["opened_at"],
        "sla_due_at": case["sla_due_at"], "first_response_at": min(first_response, resolved_at), "sla_breached": breached,
        "resolved_at": resolved_at, "reopened_count": 0, "updated_at": max(n["created_at"] for n in notes),
        "customer_reported_at": None,
    }
    return Story(plan, row, notes, reports_rows, messages, answers, resolved_by)


def finished(plan: Plan) -> datetime:
    """The last thing that happened to the order: its last scan, or the last step of its story."""
    end = max(parcel_end(p) for p in plan.parcels)
    s = plan.story
    if s is None:
        return end
    moments = [n["created_at"] for n in s.notes] + [r["created_at"] for r in s.reports] + \
        [a["created_at"] for a in s.answers] + [m["updated_at"] for m in s.messages] + \
        [m["sent_at"] for m in s.messages if m.get("sent_at")] + ([s.case["resolved_at"]] if s.case else [])
    return max([end, *moments])


# -- the entry point ----------------------------------------------------------------------------------------

def plans(seed: int, now: datetime, days: int, per_day: tuple[int, int], start_number: int = 1001,
          max_shipments: int | None = None, policy: Policy | None = None) -> Iterator[Plan]:
    """The orders of the `days` before `now`, oldest first, each with its replayed incidents; every one ends at
    least an hour before `now` (the last days' orders are the quick ones: slower ones would still be on their way)."""
    rng = random.Random(seed)
    policy = policy or Policy()
    cutoff = now - timedelta(hours=1)
    number = start_number
    shipments = 0
    first_day = (now - timedelta(days=days)).date()
    for d in range(days):
        day = first_day + timedelta(days=d)
        for _ in range(rng.randint(*per_day)):
            placed = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + timedelta(hours=rng.uniform(0, 24))
            if placed > now - timedelta(days=2):
                continue
            plan = build_order(rng, number, placed)
            if max(parcel_end(p) for p in plan.parcels) <= cutoff and (
                    plan.order_scenario or any(p.scenario != "on_time" for p in plan.parcels)):
                plan.incidents = replay(plan, policy, max(parcel_end(p) for p in plan.parcels))
                plan.story = tell(plan, policy, rng) if plan.incidents else None
            if finished(plan) > cutoff:  # still going on today: the quick, uneventful version of the order
                plan = on_time_variant(plan, rng)
                plan.incidents, plan.story = [], None
                if finished(plan) > cutoff:
                    continue
            number += 1
            shipments += len(plan.parcels)
            yield plan
            if max_shipments is not None and shipments >= max_shipments:
                return


def generate(conn: Connection, shop_id: int, now: datetime, *, days: int = 90, per_day: tuple[int, int] = (4, 6),
             seed: int = 10, shop_name: str = "the shop", policy: Policy | None = None,
             links: Callable[[str, int, int, str], str] | None = None, max_shipments: int | None = None,
             start_number: int = 1001) -> Summary:
    """Write the generated history of shop `shop_id` in the `days` before `now` through `conn` (the caller
    commits). `links(kind, shop_id, order_id, address)` gives the customer links the messages carry."""
    started = time.perf_counter()
    policy = policy or Policy()
    writer = Writer(conn, shop_id, shop_name, random.Random(seed + 1), links)
    chunk: list[Plan] = []
    for plan in plans(seed, now, days, per_day, start_number, max_shipments, policy):
        chunk.append(plan)
        if len(chunk) >= CHUNK:
            writer.write(chunk)
            chunk = []
    if chunk:
        writer.write(chunk)
    c = writer.counts
    return Summary(c["orders"], c["shipments"], c["events"], c["incidents"], c["cases"], c["messages"],
                   c["survey_answers"], c["reports"], days, time.perf_counter() - started)


def signed_links(base_url: str, secret: str) -> Callable[[str, int, int, str], str]:
    """The customer links the messages carried, signed as jobs/messages.py signs them."""
    from core.adapters import links

    def make(kind: str, shop_id: int, order_id: int, address: str) -> str:
        if not secret:
            return ""
        if kind == "report":
            return links.report_url(base_url, secret, shop_id, order_id)
        if kind == "survey":
            return links.survey_url(base_url, secret, shop_id, order_id)
        return links.unsubscribe_url(base_url, secret, shop_id, address)

    return make
