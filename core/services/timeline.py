"""One parcel's story for the admin's shipment page: carrier scans, problems found and cleared, what the customer
was told (or why not), the support case and what was written back to the store — merged into one list in time
order, so "what happened to this parcel, and what did we do?" has one answer on one screen.

`entries_of` turns stored rows into typed entries and `merge` orders them; both are pure. `load` reads one
shipment's rows for them and refuses a shipment of another shop (it returns None, as for a missing one).
Wording that needs the shop's settings (why a message was not sent) is the web page's, as on the send log.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import or_, select

from core.domain.model import Case, CaseNote, Incident, Message, Order, Shipment, TrackingEvent, WriteBack
from core.domain.templates import KINDS as MESSAGE_KINDS

PLATFORM_NAMES = {"shopify": "Shopify", "woocommerce": "WooCommerce", "wix": "Wix"}


# -- the entries ---------------------------------------------------------------------------------------------
# `rank` orders entries of the same instant the way they happen: a scan, then what detection made of it, then
# the case, then the customer and the store are told.


@dataclass(frozen=True)
class Shipped:
    at: datetime
    carrier: str | None
    service: str | None
    kind: ClassVar[str] = "shipped"
    rank: ClassVar[int] = 0


@dataclass(frozen=True)
class Scan:
    at: datetime
    status: str
    substatus: str | None
    description: str
    location: str | None
    kind: ClassVar[str] = "scan"
    rank: ClassVar[int] = 1


@dataclass(frozen=True)
class IncidentCleared:
    at: datetime
    incident_id: int | None
    problem: str
    reason: str | None
    kind: ClassVar[str] = "incident_cleared"
    rank: ClassVar[int] = 2


@dataclass(frozen=True)
class IncidentOpened:
    at: datetime
    incident_id: int | None
    problem: str
    reason: str
    #: (label, value) pairs of the incident's evidence, in the order detection recorded them.
    evidence: tuple[tuple[str, str], ...]
    still_open: bool
    kind: ClassVar[str] = "incident_opened"
    rank: ClassVar[int] = 3


@dataclass(frozen=True)
class CaseOpened:
    at: datetime
    case_id: int
    subject: str
    priority: str
    #: The note the case opened with (folded in here rather than shown twice).
    detail: str | None
    kind: ClassVar[str] = "case_opened"
    rank: ClassVar[int] = 4


@dataclass(frozen=True)
class CaseNoted:
    at: datetime
    case_id: int
    author: str
    body: str
    internal: bool
    kind: ClassVar[str] = "case_note"
    rank: ClassVar[int] = 5


@dataclass(frozen=True)
class CaseResolved:
    at: datetime
    case_id: int
    status: str
    detail: str | None
    kind: ClassVar[str] = "case_resolved"
    rank: ClassVar[int] = 6


@dataclass(frozen=True)
class CustomerMessage:
    at: datetime
    message_kind: str
    about: str
    channel: str
    language: str | None
    status: str
    #: Why it waits or was not sent (hygiene's and the send job's codes, e.g. opted_out); the admin words it
    #: the way the send log does (web/admin/messages.reason_words).
    reason: str | None
    error: str | None
    sent_at: datetime | None
    send_at: datetime | None
    kind: ClassVar[str] = "message"
    rank: ClassVar[int] = 7


@dataclass(frozen=True)
class WrittenBack:
    at: datetime
    platform: str
    what: str
    status: str
    error: str | None
    kind: ClassVar[str] = "write_back"
    rank: ClassVar[int] = 8


Entry = Shipped | Scan | IncidentOpened | IncidentCleared | CaseOpened | CaseNoted | CaseResolved | CustomerMessage | WrittenBack


def merge(*streams: Iterable[Entry]) -> list[Entry]:
    """Every entry of every stream, oldest first; entries of one instant in the order things happen (see `rank`),
    and otherwise in the order they were given."""
    flat = [entry for stream in streams for entry in stream]
    return [e for _, e in sorted(enumerate(flat), key=lambda pair: (pair[1].at, pair[1].rank, pair[0]))]


# -- rows → entries (pure) --------------------------------------------------------------------------------


def _plain(value: Any) -> str:
    if isinstance(value, str) and len(value) >= 16 and value[10:11] == "T":  # a moment detection stored as ISO text
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment.strftime("%a %d %b %Y, %H:%M") + (" UTC" if moment.utcoffset() is not None and not moment.utcoffset() else "")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def evidence_pairs(evidence: dict | None) -> tuple[tuple[str, str], ...]:
    return tuple((str(key).replace("_", " "), _plain(value)) for key, value in (evidence or {}).items() if value not in (None, ""))


def _write_back_words(item: WriteBack) -> str:
    payload = item.payload or {}
    if item.kind == "fulfillment_event":
        status = str(payload.get("status") or "").replace("_", " ")
        sub = f" ({str(payload['substatus']).replace('_', ' ')})" if payload.get("substatus") else ""
        return f"tracking event “{status}{sub}” on the fulfillment"
    if item.kind == "order_tag":
        return f"order tag {payload.get('tag', '')}"
    if item.kind == "order_note":
        return f"order note: {payload.get('note', '')}"
    return item.kind.replace("_", " ")


def entries_of(
    shipment: Shipment,
    scans: Sequence[TrackingEvent],
    incidents: Sequence[Incident],
    messages: Sequence[Message],
    cases: Sequence[Case],
    notes: Sequence[CaseNote],
    write_backs: Sequence[WriteBack],
    platform: str,
) -> list[Entry]:
    """The parcel's timeline, oldest first, from the rows `load` reads (or any the caller chose)."""
    out: list[Entry] = []
    if shipment.shipped_at:
        out.append(Shipped(shipment.shipped_at, shipment.carrier_raw or shipment.carrier, shipment.service))
    out += [Scan(s.occurred_at, s.status, s.substatus, s.description, s.location) for s in scans]
    for i in incidents:
        out.append(IncidentOpened(i.opened_at, i.id, i.kind, i.reason, evidence_pairs(i.evidence), i.status == "open"))
        if i.status != "open" and i.cleared_at:
            out.append(IncidentCleared(i.cleared_at, i.id, i.kind, i.clear_reason))
    notes_of: dict[int, list[CaseNote]] = {}
    for n in sorted(notes, key=lambda n: (n.created_at, n.id or 0)):
        notes_of.setdefault(n.case_id, []).append(n)
    for c in cases:
        case_notes = list(notes_of.get(c.id or 0, []))
        first = case_notes[0] if case_notes and case_notes[0].created_at == c.opened_at else None
        closing = None
        if c.status in ("resolved", "closed") and c.resolved_at:
            closing = next((n for n in reversed(case_notes) if n.created_at == c.resolved_at and n is not first), None)
        out.append(CaseOpened(c.opened_at, c.id or 0, c.subject, c.priority, first.body if first else None))
        out += [CaseNoted(n.created_at, n.case_id, n.author, n.body, n.internal) for n in case_notes
                if n is not first and n is not closing]
        if c.status in ("resolved", "closed") and c.resolved_at:
            out.append(CaseResolved(c.resolved_at, c.id or 0, c.status, closing.body if closing else None))
    for m in messages:
        out.append(CustomerMessage(
            m.sent_at or m.created_at, m.kind, MESSAGE_KINDS.get(m.kind, m.kind.replace("_", " ")), m.channel,
            m.language, m.status, m.suppression_reason, m.error, m.sent_at,
            m.send_at,
        ))
    for w in write_backs:
        out.append(WrittenBack(w.sent_at or w.created_at, PLATFORM_NAMES.get(platform, platform), _write_back_words(w),
                               w.status, w.error))
    return merge(out)


# -- the loader --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShipmentStory:
    shipment: Shipment
    order: Order | None
    #: The order's cases, newest first (one per order problem; a case reopens rather than repeats).
    cases: list[Case]
    open_incidents: list[Incident]
    entries: list[Entry]

    @property
    def case(self) -> Case | None:
        """The case to link: the active one, else the latest."""
        return next((c for c in self.cases if c.status in ("open", "pending")), self.cases[0] if self.cases else None)


def load(uow: Any, shop_id: int, shipment_id: int, platform: str) -> ShipmentStory | None:
    """One shipment of this shop with everything its timeline shows; None when the shop has no such shipment.

    The order's own incidents (unfulfilled, partial: no parcel of their own) belong to each of its parcels; another
    parcel's incidents, and messages about them, do not."""
    shipment = uow.session.get(Shipment, shipment_id)
    if shipment is None or shipment.shop_id != shop_id:
        return None
    session = uow.session
    order = session.get(Order, shipment.order_id)
    incidents = list(session.scalars(select(Incident).where(
        Incident.shop_id == shop_id, Incident.order_id == shipment.order_id,
        or_(Incident.shipment_id == shipment.id, Incident.shipment_id.is_(None))).order_by(Incident.id)))
    mine = {i.id for i in incidents}
    messages = [m for m in session.scalars(select(Message).where(
        Message.shop_id == shop_id, Message.order_id == shipment.order_id).order_by(Message.id))
        if m.incident_id is None or m.incident_id in mine]
    cases = list(session.scalars(select(Case).where(
        Case.shop_id == shop_id, Case.order_id == shipment.order_id).order_by(Case.id.desc())))
    notes = list(session.scalars(select(CaseNote).where(
        CaseNote.case_id.in_([c.id for c in cases])).order_by(CaseNote.id))) if cases else []
    write_backs = list(session.scalars(select(WriteBack).where(
        WriteBack.shop_id == shop_id, WriteBack.order_id == shipment.order_id,
        or_(WriteBack.shipment_id == shipment.id, WriteBack.shipment_id.is_(None))).order_by(WriteBack.id)))
    scans = uow.repo.tracking_events(shipment.id)
    entries = entries_of(shipment, scans, incidents, messages, cases, notes, write_backs, platform)
    return ShipmentStory(shipment, order, cases, [i for i in incidents if i.status == "open"], entries)
