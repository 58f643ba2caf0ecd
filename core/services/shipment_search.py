"""The admin's shipments list: one shop's parcels, newest shipped first, narrowed by status, open problem, carrier,
platform, shipped dates and a search over order name, tracking number and customer name.

Built for shops with hundreds of thousands of parcels: filtering, ordering and paging happen in SQL (LIMIT/OFFSET),
the count uses the same filters, and a page's open incidents and cases come in one query each (never one per row).
The indexes these queries use are created by migrations 0008 (carrier, status, shipped date) and 0009
(pg_trgm for the search box, PostgreSQL only).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, false, func, literal_column, select, union_all
from sqlalchemy.orm import aliased

from core.domain.model import Case, Incident, Order, Shipment
from core.domain.status import ShipmentStatus

PAGE_SIZE = 50
#: Incident kinds (DESIGN.md §4), in the order a merchant meets them.
INCIDENT_KINDS: tuple[str, ...] = ("not_picked_up", "stuck", "late", "running_late", "needs_action", "damaged",
                                   "returning", "presumed_lost", "unfulfilled", "partial")
STATUSES: tuple[str, ...] = tuple(s.value for s in ShipmentStatus)
PLATFORMS: tuple[str, ...] = ("shopify", "woocommerce", "wix")
ANY_PROBLEM = "any"
#: The carrier filter's value for parcels whose carrier nobody recognised.
NO_CARRIER = "none"
ACTIVE_CASE = ("open", "pending")

#: What these queries want from PostgreSQL (the migration is another module's): the newest-first walk per shop,
#: the same walk within one status or one carrier, and the lookups of a page's incidents and cases.


@dataclass(frozen=True)
class ShipmentFilters:
    status: str | None = None
    problem: str | None = None  # ANY_PROBLEM or an incident kind
    carrier: str | None = None  # a carrier code, or NO_CARRIER
    platform: str | None = None
    shipped_from: date | None = None
    shipped_to: date | None = None  # inclusive
    q: str | None = None

    @property
    def active(self) -> bool:
        return any(v not in (None, "") for v in (self.status, self.problem, self.carrier, self.platform,
                                                 self.shipped_from, self.shipped_to, self.q))


@dataclass(frozen=True)
class Row:
    shipment: Shipment
    order: Order
    open_incidents: list[Incident]
    case: Case | None


@dataclass(frozen=True)
class Listing:
    rows: list[Row]
    total: int
    with_problem: int
    page: int
    pages: int


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def _contains(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _order_text() -> ColumnElement[str]:
    """What the search box looks through on an order: its name and the customer's name, as one lower-case text —
    the very expression of the trigram index of migration 0009 (inline constants, so PostgreSQL matches the index)."""
    space, empty = literal_column("' '"), literal_column("''")
    return func.lower(Order.name + space + func.coalesce(Order.customer_first_name, empty) + space
                      + func.coalesce(Order.customer_last_name, empty))


def _open_problem(shop_id: int, kind: str | None = None) -> ColumnElement[bool]:
    """The parcel has an open incident of its own, or its order has one no parcel carries (unfulfilled, partial).

    Written as one IN over a small set of ids (open incidents are few) so the database can start from them."""
    wanted = [Incident.shop_id == shop_id, Incident.status == "open"]
    if kind:
        wanted.append(Incident.kind == kind)
    other = aliased(Shipment)
    own = select(Incident.shipment_id).where(*wanted, Incident.shipment_id.is_not(None))
    of_order = select(other.id).join(Incident, Incident.order_id == other.order_id).where(*wanted, Incident.shipment_id.is_(None))
    return Shipment.id.in_(union_all(own, of_order))


def _search(shop_id: int, text: str) -> ColumnElement[bool]:
    """Order name, tracking number or customer name contains the text (any case; % and _ are plain characters)."""
    needle = _contains(text)
    other = aliased(Shipment)
    by_number = select(other.id).where(other.shop_id == shop_id,
                                       func.lower(other.tracking_number).like(needle, escape="\\"))
    by_order = select(other.id).join(Order, Order.id == other.order_id).where(
        Order.shop_id == shop_id, _order_text().like(needle, escape="\\"))
    return Shipment.id.in_(union_all(by_number, by_order))


def conditions(shop_id: int, shop_platform: str, f: ShipmentFilters) -> list[ColumnElement[bool]]:
    """The WHERE clauses of these filters, on the shipments table alone."""
    where: list[ColumnElement[bool]] = [Shipment.shop_id == shop_id]
    if f.platform and f.platform != shop_platform:  # a session sees one shop, hence one platform
        where.append(false())
    if f.status:
        where.append(Shipment.status == f.status)
    if f.carrier == NO_CARRIER:
        where.append(Shipment.carrier.is_(None))
    elif f.carrier:
        where.append(Shipment.carrier == f.carrier)
    if f.shipped_from:
        where.append(Shipment.shipped_at >= _day_start(f.shipped_from))
    if f.shipped_to:
        where.append(Shipment.shipped_at < _day_start(f.shipped_to + timedelta(days=1)))
    if f.problem:
        where.append(_open_problem(shop_id, None if f.problem == ANY_PROBLEM else f.problem))
    if f.q:
        where.append(_search(shop_id, f.q))
    return where


def carriers(session: Any, shop_id: int) -> list[str | None]:
    """The carriers this shop's parcels actually went with, None last for a carrier nobody recognised.

    One index probe per carrier (a "loose index scan") rather than a DISTINCT over every parcel of the shop."""
    found: list[str | None] = []
    while len(found) < 200:
        query = select(func.min(Shipment.carrier)).where(Shipment.shop_id == shop_id)
        if found:
            query = query.where(Shipment.carrier > found[-1])
        following = session.scalar(query)
        if following is None:
            break
        found.append(following)
    if session.scalar(select(Shipment.id).where(Shipment.shop_id == shop_id, Shipment.carrier.is_(None)).limit(1)):
        found.append(None)
    return found


def search(session: Any, shop_id: int, shop_platform: str, f: ShipmentFilters, page: int = 1,
           page_size: int = PAGE_SIZE) -> Listing:
    """One page of the shop's parcels matching `f` (a page past the end shows the last one).

    The page's ids are chosen on the shipments table alone (an index walk, however deep the page); only those
    rows are then read with their orders, open incidents and cases."""
    where = conditions(shop_id, shop_platform, f)
    total = session.scalar(select(func.count()).select_from(Shipment).where(*where))
    if f.problem == ANY_PROBLEM:
        with_problem = total
    else:
        with_problem = session.scalar(select(func.count()).select_from(Shipment).where(*where, _open_problem(shop_id)))
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    ids = session.scalars(
        select(Shipment.id).where(*where).order_by(Shipment.shipped_at.desc().nulls_last(), Shipment.id.desc())
        .limit(page_size).offset((page - 1) * page_size)
    ).all()
    found = session.execute(select(Shipment, Order).join(Order, Order.id == Shipment.order_id)
                            .where(Shipment.id.in_(ids))).all() if ids else []
    position = {shipment_id: n for n, shipment_id in enumerate(ids)}
    found = sorted(found, key=lambda pair: position[pair[0].id])
    return Listing(_rows(session, shop_id, found), total, with_problem, page, pages)


def _rows(session: Any, shop_id: int, found: Sequence[Any]) -> list[Row]:
    """The page's rows with their open incidents and case: one query for each, whatever the page's size."""
    order_ids = sorted({order.id for _, order in found})
    if not order_ids:
        return []
    incidents = session.scalars(select(Incident).where(
        Incident.shop_id == shop_id, Incident.order_id.in_(order_ids), Incident.status == "open"
    ).order_by(Incident.opened_at, Incident.id)).all()
    cases = session.scalars(select(Case).where(Case.shop_id == shop_id, Case.order_id.in_(order_ids))
                            .order_by(Case.id.desc())).all()
    case_of: dict[int, Case] = {}
    for c in cases:  # the active case, else the latest
        kept = case_of.get(c.order_id)
        if kept is None or (c.status in ACTIVE_CASE and kept.status not in ACTIVE_CASE):
            case_of[c.order_id] = c
    rows = []
    for shipment, order in found:
        mine = [i for i in incidents if i.shipment_id == shipment.id
                or (i.shipment_id is None and i.order_id == shipment.order_id)]
        rows.append(Row(shipment, order, mine, case_of.get(order.id)))
    return rows


def has_any(session: Any, shop_id: int) -> bool:
    return session.scalar(select(Shipment.id).where(Shipment.shop_id == shop_id).limit(1)) is not None

