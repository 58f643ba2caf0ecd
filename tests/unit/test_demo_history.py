"""The demo's generated shop history (web/demo_history.py): deterministic, finished and in the past (so the live
demo's jobs never touch it), whole (every row points at rows of the same shop and order), realistic in its
proportions, and honest — its incidents are what the real rules find in its scans."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from core.adapters import orm
from core.domain.model import Shop
from core.domain.policy import Policy
from core.domain.status import FINAL_STATUSES
from core.services import baselines
from core.services.cases import flag_sla_breaches
from core.services.messaging import FINAL
from jobs import detection, messages, tracking
from jobs.runtime import utcnow
from web import demo_history
from web.demo_feed import SCENARIOS as SHOPIFY_PARCELS
from web.demo_wix import SCENARIOS as WIX_PARCELS
from web.demo_woo import SCENARIOS as WOO_PARCELS

NOW = datetime(2026, 3, 18, 15, 30, tzinfo=timezone.utc)


def _shop(rt, domain: str = "history.myshopify.com") -> int:  # type: ignore[no-untyped-def]
    with rt.uow() as uow:
        shop = Shop(platform="shopify", domain=domain, name="History shop", installed_at=NOW - timedelta(days=400))
        uow.repo.add(shop)
        uow.commit()
        return shop.id


def _generate(rt, now: datetime = NOW, **kwargs):  # type: ignore[no-untyped-def]
    shop_id = _shop(rt)
    with rt.engine.begin() as conn:
        summary = demo_history.generate(conn, shop_id, now, **kwargs)
    return shop_id, summary


def _rows(rt, sql: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    with rt.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


@pytest.fixture
def history(rt):  # type: ignore[no-untyped-def]
    """The demo's own size: 90 days of 4–6 orders a day."""
    shop_id, summary = _generate(rt, links=demo_history.signed_links("https://forewarn.example", "test-secret-key"))
    return rt, shop_id, summary


def test_the_same_seed_writes_the_same_history(rt, tmp_path) -> None:
    from core.adapters.db import make_engine
    from migrations import upgrade

    def snapshot(engine) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
        queries = {
            "orders": "select name, placed_at, email, locale, shipping_address, total_price from orders order by id",
            "shipments": "select order_id, tracking_number, carrier, service, status, estimated_delivery_at, delivered_at from shipments order by id",
            "events": "select shipment_id, occurred_at, status, description, location from tracking_events order by id",
            "incidents": "select order_id, shipment_id, kind, reason, opened_at, cleared_at, clear_reason from incidents order by id",
            "cases": "select order_id, problem, priority, status, sla_due_at, first_response_at, resolved_at from cases order by id",
            "messages": "select idempotency_key, status, suppression_reason, subject, sent_at from messages order by id",
            "survey": "select order_id, score, created_at from survey_answers order by id",
        }
        with engine.connect() as conn:
            return {name: [tuple(r) for r in conn.execute(text(sql))] for name, sql in queries.items()}

    _generate(rt, days=30)
    other_url = f"sqlite:///{tmp_path}/other.sqlite3"
    upgrade(other_url)
    other = make_engine(other_url)
    with other.begin() as conn:
        shop_id = conn.execute(orm.shops.insert().values(platform="shopify", domain="history.myshopify.com", status="installed")
                               .returning(orm.shops.c.id)).scalar()
        demo_history.generate(conn, shop_id, NOW, days=30)
    first, second = snapshot(rt.engine), snapshot(other)
    other.dispose()
    assert first == second and len(first["orders"]) > 100 and first["incidents"]
    placed = [p.placed_at for p in demo_history.plans(10, NOW, 30, (4, 6))]
    assert placed != [p.placed_at for p in demo_history.plans(11, NOW, 30, (4, 6))]  # another seed, another past


def test_everything_is_past_and_finished(history) -> None:
    rt, shop_id, summary = history
    now = NOW
    assert summary.orders >= 350 and summary.days == 90
    assert all(status in {str(s) for s in FINAL_STATUSES} for (status,) in _rows(rt, "select status from shipments"))
    assert _rows(rt, "select count(*) from shipments where next_check_at is not null or push_until is not null") == [(0,)]
    assert _rows(rt, "select count(*) from incidents where status != 'cleared' or cleared_at is null") == [(0,)]
    assert {s for (s,) in _rows(rt, "select distinct status from cases")} <= {"resolved", "closed"}
    assert _rows(rt, "select count(*) from cases where resolved_at is null or first_response_at is null") == [(0,)]
    assert {s for (s,) in _rows(rt, "select distinct status from messages")} <= {str(s) for s in FINAL}
    with rt.engine.connect() as conn:
        moments = [
            *conn.execute(select(orm.orders.c.placed_at, orm.orders.c.updated_at)).all(),
            *conn.execute(select(orm.shipments.c.delivered_at, orm.shipments.c.updated_at, orm.shipments.c.last_checked_at)).all(),
            *conn.execute(select(orm.tracking_events.c.occurred_at)).all(),
            *conn.execute(select(orm.incidents.c.opened_at, orm.incidents.c.cleared_at)).all(),
            *conn.execute(select(orm.cases.c.opened_at, orm.cases.c.resolved_at, orm.cases.c.updated_at)).all(),
            *conn.execute(select(orm.case_notes.c.created_at)).all(),
            *conn.execute(select(orm.messages.c.created_at, orm.messages.c.send_at, orm.messages.c.sent_at,
                                 orm.messages.c.updated_at)).all(),
            *conn.execute(select(orm.survey_answers.c.created_at)).all(),
            *conn.execute(select(orm.problem_reports.c.created_at)).all(),
        ]
    latest = max(m for row in moments for m in row if m is not None)
    assert latest < now
    earliest = min(m for row in moments for m in row if m is not None)
    assert earliest >= now - timedelta(days=91)


def test_the_live_jobs_find_nothing_to_do_in_it(rt) -> None:
    """What the demo's scheduler runs every few seconds: no order to judge, parcel to poll, message to send,
    SLA to flag — the history is only read."""
    _generate(rt, now=utcnow(), days=45)
    assert detection.detect_due() == 0
    assert sum(tracking.poll_due().values()) == 0
    assert messages.send_due() == 0
    assert detection.cluster_incidents() == 0
    with rt.uow() as uow:
        assert flag_sla_breaches(uow, None, utcnow()) == 0


def test_every_row_belongs_to_its_shop_and_order(history) -> None:
    rt, shop_id, _ = history
    checks = {
        "shipment of another shop or a missing order": """select count(*) from shipments s left join orders o on o.id = s.order_id
            where o.id is null or o.shop_id != s.shop_id or s.shop_id != :shop""",
        "scan of a missing parcel": "select count(*) from tracking_events e left join shipments s on s.id = e.shipment_id where s.id is null",
        "incident on another order's parcel": """select count(*) from incidents i left join shipments s on s.id = i.shipment_id
            join orders o on o.id = i.order_id where (i.shipment_id is not null and (s.id is null or s.order_id != i.order_id))
            or o.shop_id != i.shop_id""",
        "case on a missing order": "select count(*) from cases c left join orders o on o.id = c.order_id where o.id is null or o.shop_id != c.shop_id",
        "note of a missing case": "select count(*) from case_notes n left join cases c on c.id = n.case_id where c.id is null",
        "message about another order's incident": """select count(*) from messages m left join incidents i on i.id = m.incident_id
            left join orders o on o.id = m.order_id where o.id is null or (m.incident_id is not null and (i.id is null or i.order_id != m.order_id))""",
        "attempt of a missing message": "select count(*) from message_attempts a left join messages m on m.id = a.message_id where m.id is null",
        "report on another order's case": """select count(*) from problem_reports r left join cases c on c.id = r.case_id
            where c.id is null or c.order_id != r.order_id""",
        "answer of a missing order": "select count(*) from survey_answers a left join orders o on o.id = a.order_id where o.id is null",
        "case without an incident": """select count(*) from cases c where not exists (select 1 from incidents i where i.order_id = c.order_id)""",
        "sent message without its copy": """select count(*) from messages where status in ('sent', 'delivered')
            and (subject is null and channel = 'email' or body is null or recipient is null or sent_at is null)""",
    }
    with rt.engine.connect() as conn:
        for what, sql in checks.items():
            assert conn.execute(text(sql), {"shop": shop_id}).scalar() == 0, what
    names = [n for (n,) in _rows(rt, "select name from orders")]
    assert all(n.startswith(demo_history.NAME_PREFIX) for n in names) and len(set(names)) == len(names)
    numbers = {n for (n,) in _rows(rt, "select tracking_number from shipments")}
    assert not numbers & (set(SHOPIFY_PARCELS) | set(WOO_PARCELS) | set(WIX_PARCELS))  # never a live demo parcel
    assert all(subject and "{{" not in subject for (subject,) in _rows(rt, "select subject from messages where subject is not null"))
    assert _rows(rt, "select count(*) from messages where body like '%/report/%'")[0][0] > 0  # signed customer links


def test_proportions_are_those_of_a_real_shop(history) -> None:
    rt, _, summary = history
    parcels = summary.shipments
    with_incident = _rows(rt, "select count(distinct shipment_id) from incidents where shipment_id is not null")[0][0]
    assert 0.05 <= with_incident / parcels <= 0.12
    statuses = Counter(dict(_rows(rt, "select status, count(*) from shipments group by status")))
    assert statuses["delivered"] / parcels >= 0.95 and statuses["returned"] >= 1
    kinds = {k for (k,) in _rows(rt, "select distinct kind from incidents")}
    assert {"late", "stuck", "needs_action"} <= kinds
    assert len(kinds) >= 6
    suppressed = {r for (r,) in _rows(rt, "select distinct suppression_reason from messages where status = 'suppressed'")}
    assert suppressed & {"opted_out", "cap", "duplicate"}
    deferred = _rows(rt, "select count(*) from messages where send_at is not null and sent_at >= send_at and kind != 'survey'")[0][0]
    assert deferred >= 1  # quiet hours: sent the next morning
    languages = {lang for (lang,) in _rows(rt, "select distinct language from messages where language is not null")}
    assert len(languages) >= 4
    scores = Counter(dict(_rows(rt, "select score, count(*) from survey_answers group by score")))
    assert sum(scores.values()) >= 5 and scores[4] + scores[5] > scores[1] + scores[2]
    priorities = {p for (p,) in _rows(rt, "select distinct priority from cases")}
    assert {"normal", "urgent"} <= priorities
    breached, total = _rows(rt, "select sum(case when sla_breached then 1 else 0 end), count(*) from cases")[0]
    assert 0 < breached < total / 2


def test_incidents_are_what_the_rules_find_in_the_scans() -> None:
    """Orders generated without a problem give the rules nothing to find; problem ones are replayed and their
    reasons are the rules' own wording."""
    on_time = problem = 0
    for plan in demo_history.plans(3, NOW, 40, (4, 6)):
        end = max(demo_history.parcel_end(p) for p in plan.parcels)
        if plan.order_scenario is None and all(p.scenario == "on_time" for p in plan.parcels):
            on_time += 1
            assert demo_history.replay(plan, Policy(), end) == [], plan.number
        else:
            problem += 1
            for found in plan.incidents:
                assert found.opened_at < found.cleared_at <= end and found.reason
                if found.kind == "stuck":
                    assert found.reason.startswith("no carrier scan for ")
                if found.kind == "late":
                    assert "the carrier's estimated day" in found.reason
    assert on_time > 100 and problem > 5


def test_the_live_demo_keeps_its_default_thresholds(history) -> None:
    """No lane of the demo-sized history reaches the samples that would make detection adapt its thresholds:
    the live parcels' problems show when the demo script expects them."""
    rt, shop_id, _ = history
    with rt.uow() as uow:
        lanes = baselines.compute(uow, shop_id, NOW)
    assert lanes and max(b.samples for b in lanes) < Policy().lane_min_samples
