"""Incident clusters: many parcels stuck at one facility become one event; thresholds hold."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from core.domain.clustering import Candidate, group
from core.domain.model import Incident, Order, Shipment, Shop
from core.services.detection import cluster_shop
from jobs.runtime import Runtime

T0 = datetime(2026, 11, 2, 6, 10, tzinfo=timezone.utc)


def cands(n: int, place: str = "Worldport, Louisville, KY, US", carrier: str = "ups", kind: str = "stuck",
          spread: timedelta = timedelta(hours=1), start: int = 0) -> list[Candidate]:
    return [Candidate(start + i, carrier, kind, place, T0 + spread * i) for i in range(n)]


def test_five_parcels_stuck_at_one_place_within_a_day_are_one_cluster() -> None:
    [g] = group(cands(5))
    assert (g.carrier, g.kind, len(g.members)) == ("ups", "stuck", 5)
    assert g.summary(g.since) == "UPS, Worldport, Louisville, KY, US: 5 parcels without a scan since Mon 06:10 UTC"


def test_below_the_size_or_spread_over_days_or_places_is_no_cluster() -> None:
    assert group(cands(4)) == []
    assert group(cands(6, spread=timedelta(hours=7))) == []  # 7 hours apart: at most 4 fall inside one day
    assert len(group(cands(6, spread=timedelta(hours=6)))[0].members) == 5  # 6 hours apart: 5 do
    assert group(cands(3) + cands(3, place="Elsewhere", start=10)) == []
    assert group(cands(5, kind="late")) == []  # only stuck and running late cluster


def test_the_largest_run_inside_one_window_is_taken() -> None:
    members = cands(3, spread=timedelta(hours=1)) + [Candidate(100 + i, "ups", "stuck", "Worldport, Louisville, KY, US",
                                                               T0 + timedelta(days=3, hours=i)) for i in range(6)]
    [g] = group(members)
    assert len(g.members) == 6 and g.members[0] == 100


def test_clusters_open_grow_and_close_with_their_incidents(rt: Runtime) -> None:
    with rt.uow() as uow:
        shop = Shop(platform="shopify", domain="c.myshopify.com", installed_at=T0)
        uow.repo.add(shop)
        uow.repo.flush()
        order = Order(shop_id=shop.id, platform_order_id="1", name="#1", created_at=T0, updated_at=T0)
        uow.repo.add(order)
        uow.repo.flush()
        for i in range(6):
            s = Shipment(shop_id=shop.id, order_id=order.id, platform_fulfillment_id=str(i), tracking_number=f"1Z{i}",
                         carrier="ups", created_at=T0, updated_at=T0)
            uow.repo.add(s)
            uow.repo.flush()
            uow.repo.add(Incident(shop_id=shop.id, order_id=order.id, shipment_id=s.id, kind="stuck", reason="stuck",
                                  evidence={"last_place": "Worldport, Louisville, KY, US",
                                            "last_scan_at": (T0 + timedelta(minutes=10 * i)).isoformat()},
                                  opened_at=T0 + timedelta(days=3)))
        uow.commit()
        shop_id = shop.id
    with rt.uow() as uow:
        [opened] = cluster_shop(uow, shop_id, T0 + timedelta(days=3))
        uow.commit()
    assert opened.size == 6 and "6 parcels without a scan since Mon 06:10" in opened.summary
    with rt.uow() as uow:
        assert cluster_shop(uow, shop_id, T0 + timedelta(days=3, hours=1)) == []  # the same cluster, not a new one
        for incident in list(uow.repo.incidents(shop_id))[:2]:
            incident.status = "cleared"
        uow.commit()
    with rt.uow() as uow:
        cluster_shop(uow, shop_id, T0 + timedelta(days=4))
        uow.commit()
        from sqlalchemy import select

        from core.domain.model import IncidentCluster

        [cluster] = uow.session.scalars(select(IncidentCluster)).all()
        assert cluster.status == "closed"  # four left: below the size
