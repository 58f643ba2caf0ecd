"""Repositories: the only place that builds queries for the domain classes."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.domain.model import (
    Case,
    CaseNote,
    CaseTicket,
    HelpdeskAccount,
    IncidentCluster,
    Incident,
    CarrierAccount,
    TrackingPoll,
    ComplianceRequest,
    OAuthState,
    Order,
    Shipment,
    Shop,
    TrackingEvent,
    WebhookReceipt,
    WixInstallation,
    WooInstallation,
    WriteBack,
)


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, entity: object) -> None:
        self.session.add(entity)

    def flush(self) -> None:
        self.session.flush()

    # shops
    def shop(self, platform: str, domain: str) -> Shop | None:
        return self.session.scalars(select(Shop).filter_by(platform=platform, domain=domain)).one_or_none()

    def shop_by_id(self, shop_id: int) -> Shop | None:
        return self.session.get(Shop, shop_id)

    def shops(self) -> Sequence[Shop]:
        return self.session.scalars(select(Shop).order_by(Shop.id)).all()

    # orders
    def order(self, shop_id: int, platform_order_id: str, *, lock: bool = False) -> Order | None:
        """With `lock`, the row stays locked until the transaction ends (SELECT … FOR UPDATE on PostgreSQL;
        SQLite has one writer at a time anyway), so two workers never merge states of one order at once."""
        query = select(Order).filter_by(shop_id=shop_id, platform_order_id=platform_order_id)
        if lock:
            query = query.with_for_update()
        return self.session.scalars(query).one_or_none()

    def order_by_id(self, order_id: int) -> Order | None:
        return self.session.get(Order, order_id)

    def orders(self, shop_id: int | None = None, limit: int = 200) -> Sequence[Order]:
        query = select(Order).order_by(Order.id.desc()).limit(limit)
        if shop_id is not None:
            query = query.filter_by(shop_id=shop_id)
        return self.session.scalars(query).all()

    # shipments
    def shipments_of_fulfillment(self, shop_id: int, platform_fulfillment_id: str) -> Sequence[Shipment]:
        return self.session.scalars(
            select(Shipment)
            .filter_by(shop_id=shop_id, platform_fulfillment_id=platform_fulfillment_id)
            .order_by(Shipment.id)
        ).all()

    def shipment_by_id(self, shipment_id: int) -> Shipment | None:
        return self.session.get(Shipment, shipment_id)

    def shipments_of_order(self, order_id: int) -> Sequence[Shipment]:
        return self.session.scalars(select(Shipment).filter_by(order_id=order_id).order_by(Shipment.id)).all()

    def shipments(self, shop_id: int | None = None, limit: int = 200) -> Sequence[Shipment]:
        query = select(Shipment).order_by(Shipment.id.desc()).limit(limit)
        if shop_id is not None:
            query = query.filter_by(shop_id=shop_id)
        return self.session.scalars(query).all()

    def tracking_events(self, shipment_id: int) -> Sequence[TrackingEvent]:
        return self.session.scalars(
            select(TrackingEvent).filter_by(shipment_id=shipment_id).order_by(TrackingEvent.occurred_at)
        ).all()

    # receipts
    def receipt(self, receipt_id: int) -> WebhookReceipt | None:
        return self.session.get(WebhookReceipt, receipt_id)

    def receipt_by_delivery(self, platform: str, delivery_id: str) -> WebhookReceipt | None:
        return self.session.scalars(
            select(WebhookReceipt).filter_by(platform=platform, delivery_id=delivery_id)
        ).one_or_none()

    def receipts(
        self, limit: int = 100, status: str | None = None, shop_domain: str | None = None
    ) -> Sequence[WebhookReceipt]:
        query = select(WebhookReceipt).order_by(WebhookReceipt.id.desc()).limit(limit)
        if status is not None:
            query = query.filter_by(status=status)
        if shop_domain is not None:
            query = query.filter_by(shop_domain=shop_domain)
        return self.session.scalars(query).all()

    # install nonces
    def oauth_state(self, nonce: str) -> OAuthState | None:
        return self.session.scalars(select(OAuthState).filter_by(nonce=nonce)).one_or_none()

    # compliance
    def compliance_requests(self, shop_domain: str | None = None, limit: int = 100) -> Sequence[ComplianceRequest]:
        query = select(ComplianceRequest).order_by(ComplianceRequest.id.desc()).limit(limit)
        if shop_domain is not None:
            query = query.filter_by(shop_domain=shop_domain)
        return self.session.scalars(query).all()

    # write-back
    def write_back(self, write_back_id: int) -> WriteBack | None:
        return self.session.get(WriteBack, write_back_id)

    def write_back_by_key(self, shop_id: int, key: str) -> WriteBack | None:
        return self.session.scalars(select(WriteBack).filter_by(shop_id=shop_id, key=key)).one_or_none()

    def write_backs(self, shop_id: int | None = None, limit: int = 100) -> Sequence[WriteBack]:
        query = select(WriteBack).order_by(WriteBack.id.desc()).limit(limit)
        if shop_id is not None:
            query = query.filter_by(shop_id=shop_id)
        return self.session.scalars(query).all()

    # carrier tracking
    def carrier_account(self, shop_id: int, carrier: str) -> CarrierAccount | None:
        """The shop's account for this carrier, else its account for every carrier ("*")."""
        accounts = {
            a.carrier: a
            for a in self.session.scalars(
                select(CarrierAccount).where(CarrierAccount.shop_id == shop_id, CarrierAccount.carrier.in_([carrier, "*"]))
            )
        }
        return accounts.get(carrier) or accounts.get("*")

    def polls(self, shipment_id: int) -> Sequence[TrackingPoll]:
        return self.session.scalars(
            select(TrackingPoll).filter_by(shipment_id=shipment_id).order_by(TrackingPoll.id)
        ).all()

    # incidents
    def open_incidents(self, order_id: int) -> Sequence[Incident]:
        return self.session.scalars(
            select(Incident).filter_by(order_id=order_id, status="open").order_by(Incident.id)
        ).all()

    def incidents(self, shop_id: int, limit: int = 100) -> Sequence[Incident]:
        return self.session.scalars(
            select(Incident).filter_by(shop_id=shop_id).order_by(Incident.status.desc(), Incident.id.desc()).limit(limit)
        ).all()

    def open_clusters(self, shop_id: int) -> Sequence[IncidentCluster]:
        return self.session.scalars(
            select(IncidentCluster).filter_by(shop_id=shop_id, status="open").order_by(IncidentCluster.size.desc())
        ).all()

    # cases
    def cases(self, shop_id: int, limit: int = 100) -> Sequence[Case]:
        return self.session.scalars(select(Case).filter_by(shop_id=shop_id).order_by(Case.id.desc()).limit(limit)).all()

    def active_case_ids(self, shop_id: int) -> Sequence[int]:
        """Open and pending cases, every one of them."""
        return self.session.scalars(
            select(Case.id).where(Case.shop_id == shop_id, Case.status.in_(("open", "pending"))).order_by(Case.id)
        ).all()

    def case(self, case_id: int) -> Case | None:
        return self.session.get(Case, case_id)

    def case_notes(self, case_id: int) -> Sequence[CaseNote]:
        return self.session.scalars(select(CaseNote).filter_by(case_id=case_id).order_by(CaseNote.id)).all()

    def case_ticket(self, case_id: int) -> CaseTicket | None:
        return self.session.scalars(select(CaseTicket).filter_by(case_id=case_id)).one_or_none()

    def helpdesk_account(self, shop_id: int) -> HelpdeskAccount | None:
        return self.session.scalars(select(HelpdeskAccount).filter_by(shop_id=shop_id)).one_or_none()

    # WooCommerce
    def woo_installation(self, public_id: str) -> WooInstallation | None:
        return self.session.scalars(select(WooInstallation).filter_by(public_id=public_id)).one_or_none()

    def woo_installation_of_shop(self, shop_id: int) -> WooInstallation | None:
        """The shop's current connection (the newest active or needing re-authorization)."""
        return self.session.scalars(
            select(WooInstallation).where(WooInstallation.shop_id == shop_id,
                                          WooInstallation.status.in_(("active", "needs_reauth")))
            .order_by(WooInstallation.id.desc())
        ).first()

    def active_woo_installations(self) -> Sequence[WooInstallation]:
        return self.session.scalars(select(WooInstallation).filter_by(status="active").order_by(WooInstallation.id)).all()

    # Wix
    def wix_installation(self, instance_id: str) -> WixInstallation | None:
        return self.session.scalars(select(WixInstallation).filter_by(instance_id=instance_id)).one_or_none()

    def installed_wix_sites(self) -> Sequence[WixInstallation]:
        return self.session.scalars(select(WixInstallation).filter_by(status="installed").order_by(WixInstallation.id)).all()
