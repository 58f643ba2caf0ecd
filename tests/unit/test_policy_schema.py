"""The shop's rules: one schema validates them and describes the form; what it stores is what Policy reads; the
cases, the messages and the backtest follow the shop's choice of kinds."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timezone

import pytest
from marshmallow import ValidationError
from sqlalchemy import func, select

from connectors.shopify.connector import ShopifyConnector
from core.domain import events
from core.domain.model import Case, Message
from core.domain.policy import CASE_KINDS, DEFAULTS, NOTIFY_KINDS, Policy
from core.domain.policy_schema import THRESHOLDS, PolicySchema, defaults, from_stored, to_stored
from core.services import backtest, cases, messaging
from jobs.runtime import Runtime
from tests.support import SHOP, fixture_json, install_shop
from tests.unit.test_backtest import at, seed


def load(body: dict) -> dict:
    return PolicySchema().load(body)


def errors(body: dict) -> dict:
    with pytest.raises(ValidationError) as refused:
        load(body)
    return refused.value.messages  # type: ignore[return-value]


# ---------------------------------------------------------------- the schema

def test_every_threshold_has_a_plain_language_label_in_business_days() -> None:
    assert set(THRESHOLDS) == set(DEFAULTS)
    fields = PolicySchema().fields["thresholds"].schema.fields
    by_key = {f.data_key: f for f in fields.values()}
    assert set(by_key) == set(DEFAULTS)
    assert by_key["stuck.domestic_ground"].metadata["label"] == "Stuck — domestic ground"
    assert by_key["stuck.cross_border"].metadata["label"] == "Stuck — cross-border"
    assert by_key["not_picked_up.express"].metadata["label"] == "Not picked up — express"
    assert {f.metadata["unit"] for f in by_key.values()} == {"business days"}
    assert {f.metadata["default"] for f in by_key.values()} == set(DEFAULTS.values())


def test_the_defaults_are_forewarns_own() -> None:
    values = defaults()
    assert values["thresholds"] == {k: float(v) for k, v in DEFAULTS.items()}
    assert set(values["case_kinds"]) == CASE_KINDS and set(values["notify_kinds"]) == NOTIFY_KINDS
    assert values["overrides"] == [] and values["calendar"] == {"origin_country": None, "closed_days": []}
    assert values["lanes"] == {"min_samples": 30, "factor": 1.5, "lower_bound": 0.5, "upper_bound": 2.0, "late_factor": 1.25}
    assert Policy.from_dict(to_stored(load(values))) == Policy()


def test_the_default_kinds_are_what_cases_and_messages_did_before() -> None:
    assert cases.CASE_KINDS == CASE_KINDS and "running_late" not in CASE_KINDS
    assert NOTIFY_KINDS == set(messaging.TEMPLATE_OF_KIND) | {"needs_action"}
    assert Policy().case_kinds == CASE_KINDS and Policy.from_dict({}).notify_kinds == NOTIFY_KINDS


def test_a_valid_body_round_trips_into_the_policy() -> None:
    stored = to_stored(load({
        "thresholds": {**DEFAULTS, "stuck.domestic_ground": 2},
        "overrides": [{"threshold": "stuck.cross_border", "carrier": "dhl_express", "value": 8}],
        "calendar": {"origin_country": "DE", "closed_days": ["2026-12-24", "2026-12-31"]},
        "lanes": {"min_samples": 50, "factor": 2, "lower_bound": 0.75, "upper_bound": 1.5, "late_factor": 1.5},
        "case_kinds": ["late", "stuck"], "notify_kinds": [],
    }))
    assert stored["thresholds"] == {"stuck.domestic_ground": 2.0, "stuck.cross_border@dhl_express": 8.0}  # defaults unstored
    policy = Policy.from_dict(json.loads(json.dumps(stored)))  # as the JSON column gives it back
    assert policy.threshold("stuck.domestic_ground") == 2 and policy.threshold("stuck.domestic_ground", "ups") == 2
    assert policy.threshold("stuck.cross_border", "dhl_express") == 8 and policy.threshold("stuck.cross_border", "ups") == 5
    assert policy.closed_days == (date(2026, 12, 24), date(2026, 12, 31)) and policy.origin_country == "DE"
    assert (policy.lane_min_samples, policy.lane_factor, policy.lane_bounds, policy.lane_late_factor) == (50, 2, (0.75, 1.5), 1.5)
    assert policy.case_kinds == {"late", "stuck"} and policy.notify_kinds == frozenset()  # none is a choice
    values = from_stored(stored)
    assert values["thresholds"]["stuck.domestic_ground"] == 2 and values["calendar"]["closed_days"] == ["2026-12-24", "2026-12-31"]
    assert values["overrides"] == [{"threshold": "stuck.cross_border", "carrier": "dhl_express", "value": 8.0}]


def test_what_a_body_leaves_out_keeps_its_value_and_what_the_form_does_not_edit_stays() -> None:
    current = {"thresholds": {"stuck.cross_border": 9, "partial": 7}, "case_kinds": ["late"],
               "closed_days": ["2026-12-24"], "something_else": {"kept": True}}
    stored = to_stored(load({"notify_kinds": ["late"], "thresholds": {"partial": 5, "unfulfilled": 2},
                             "calendar": {"origin_country": "FR"}}), current)
    assert stored["thresholds"] == {"stuck.cross_border": 9.0, "unfulfilled": 2.0}  # partial back at its default
    assert stored["case_kinds"] == ["late"] and stored["closed_days"] == ["2026-12-24"] and stored["origin_country"] == "FR"
    assert stored["notify_kinds"] == ["late"] and stored["something_else"] == {"kept": True}


def test_bad_values_are_refused_with_a_message_per_field() -> None:
    found = errors({
        "thresholds": {"stuck.domestic_ground": 0, "stuck.domestic_grund": 2, "partial": "soon"},
        "overrides": [{"threshold": "unfulfilled", "carrier": "D H L", "value": 100}],
        "calendar": {"origin_country": "Germany", "closed_days": ["24/12/2026"]},
        "lanes": {"min_samples": 2.5},
        "case_kinds": ["late", "lost"],
    })
    assert found["thresholds"] == {"stuck.domestic_ground": ["between 0.5 and 60 business days"],
                                   "stuck.domestic_grund": ["Unknown field."], "partial": ["Not a valid number."]}
    assert found["overrides"] == {0: {"threshold": ["not a threshold a carrier can have its own value for"],
                                      "carrier": ["a carrier code like ups or royalmail"],
                                      "value": ["between 0.5 and 60 business days"]}}
    assert found["calendar"] == {"origin_country": ["two capital letters, like US or DE"],
                                 "closed_days": {0: ["a date like 2026-12-24"]}}
    assert found["lanes"] == {"min_samples": ["Not a valid integer."]}
    assert found["case_kinds"] == {1: ["not an incident kind: lost"]}


def test_one_value_per_carrier_and_threshold() -> None:
    row = {"threshold": "stuck.domestic_ground", "carrier": "ups", "value": 4}
    assert errors({"overrides": [row, {**row, "value": 5}]}) == {
        "overrides": {1: {"carrier": ["this carrier already has a value for this threshold"]}}}
    assert load({"overrides": [row, {**row, "carrier": "fedex"}]})["overrides"][1]["carrier"] == "fedex"


def test_learning_may_only_move_a_threshold_around_the_merchants_value() -> None:
    lanes = {"min_samples": 30, "factor": 1.5, "late_factor": 1.25}
    assert load({"lanes": {**lanes, "lower_bound": 1.0, "upper_bound": 1.0}})  # both 1: learning changes nothing
    assert errors({"lanes": {**lanes, "lower_bound": 1.2, "upper_bound": 0.8}}) == {"lanes": {
        "lower_bound": ["Must be greater than or equal to 0.1 and less than or equal to 1.0."],
        "upper_bound": ["Must be greater than or equal to 1.0 and less than or equal to 5.0."]}}


def test_only_notifiable_kinds_can_tell_the_customer() -> None:
    assert errors({"notify_kinds": ["not_picked_up"]}) == {"notify_kinds": {0: ["not an incident kind: not_picked_up"]}}


# ---------------------------------------------------------------- cases and messages follow the shop's kinds

connector = ShopifyConnector()


def order_of(rt: Runtime, policy: dict | None) -> tuple[int, int]:
    """Shopify's sample order (not shipped yet: no other incident opens on it) for a shop with `policy`."""
    install_shop(rt)
    with rt.uow() as uow:
        shop = uow.repo.shop("shopify", SHOP)
        shop.policy = policy
        uow.commit()
    order = fixture_json("shopify/orders_create.json")
    order.update(cancelled_at=None, cancel_reason=None, financial_status="paid")
    rt.bus.handle(connector.to_events(SHOP, "orders/create", connector.parse("orders/create", json.dumps(order).encode())))
    with rt.uow() as uow:
        [stored] = uow.repo.orders()
        return stored.shop_id, stored.id


def counts(rt: Runtime) -> tuple[int, int]:
    with rt.uow() as uow:
        return (uow.session.scalar(select(func.count(Case.id))) or 0,
                uow.session.scalar(select(func.count(Message.id)).where(Message.incident_id.is_not(None))) or 0)


def test_by_default_a_damaged_parcel_opens_a_case_and_tells_the_customer(rt: Runtime) -> None:
    shop_id, order_id = order_of(rt, None)
    rt.bus.handle([events.IncidentOpened(1, shop_id, order_id, None, "damaged", "UPS reports the parcel damaged")])
    assert counts(rt) == (1, 1)


def test_a_kind_switched_off_opens_no_case_and_sends_no_message(rt: Runtime) -> None:
    kinds = sorted(CASE_KINDS - {"damaged"})
    shop_id, order_id = order_of(rt, to_stored(load({"case_kinds": kinds, "notify_kinds": ["late"]})))
    rt.bus.handle([events.IncidentOpened(1, shop_id, order_id, None, "damaged", "UPS reports the parcel damaged")])
    assert counts(rt) == (0, 0)


def test_a_kind_switched_on_opens_a_case_it_did_not_before(rt: Runtime) -> None:
    shop_id, order_id = order_of(rt, {"case_kinds": ["running_late"], "notify_kinds": []})
    rt.bus.handle([events.IncidentOpened(1, shop_id, order_id, None, "running_late", "UPS reports a delay")])
    assert counts(rt) == (1, 0)


# ---------------------------------------------------------------- the backtest counts with the draft's kinds

def test_the_backtest_counts_cases_and_messages_from_the_drafts_kinds(rt: Runtime) -> None:
    shop_id = seed(rt)  # #1 would have been stuck, late and presumed lost; #2 nothing
    now = at(2026, 11, 13, 12)
    with rt.uow() as uow:
        default = backtest.run(uow, shop_id, Policy(), now, days=30)
        quiet = backtest.run(uow, shop_id, Policy(case_kinds=frozenset({"damaged"}), notify_kinds=frozenset({"late"})), now,
                             days=30, channels=("email", "sms"))
        silent = backtest.run(uow, shop_id, Policy(), now, days=30, channels=())
    assert (default.cases, default.messages) == (1, 3)
    assert quiet.incidents == default.incidents  # the same problems are found: only what follows changes
    assert (quiet.cases, quiet.notices, quiet.messages) == (0, 1, 2)  # one notice, on two channels
    assert (silent.cases, silent.messages) == (1, 0)


def test_the_backtest_tells_late_and_running_late_once_per_order(rt: Runtime) -> None:
    shop_id = seed(rt)
    with rt.uow() as uow:
        report = backtest.run(uow, shop_id, Policy(notify_kinds=frozenset({"late", "running_late"})), at(2026, 11, 13, 12), days=30)
    assert report.notices == 1


def test_a_bounded_backtest_replays_the_latest_orders_and_says_it_sampled(rt: Runtime) -> None:
    shop_id = seed(rt)
    with rt.uow() as uow:
        bounded = backtest.run(uow, shop_id, Policy(), at(2026, 11, 13, 12), days=30, max_orders=1)
        whole = backtest.run(uow, shop_id, Policy(), at(2026, 11, 13, 12), days=30, max_orders=2)
    assert (bounded.orders, bounded.orders_in_period, bounded.sampled) == (1, 2, True)
    assert bounded.as_dict()["sampled"] is True and whole.sampled is False
    assert "replayed the latest 1 of 2 orders" in backtest.summary_text(bounded, bounded)


def test_the_comparison_says_what_a_draft_changes_in_words(rt: Runtime) -> None:
    shop_id = seed(rt)
    now = at(2026, 11, 13, 12)
    with rt.uow() as uow:
        strict = backtest.run(uow, shop_id, Policy(overrides={"stuck.domestic_ground": 0.5}), now, days=30)
        current = backtest.run(uow, shop_id, Policy(), now, days=30)
    answer = backtest.compare(strict, current)
    assert answer["difference"]["cases"] == 1 and answer["difference"]["messages"] == 1
    assert answer["difference"]["incidents"]["stuck"] == 1 and answer["draft"]["cases"] == 2
    assert answer["summary"].startswith("last 30 days: 2 cases, 4 messages (+1 case, +1 message against your current rules)")
    assert re.search(r"\); Tuesdays \+\d+ % against the daily mean$", answer["summary"])  # #1 presumed lost, #2 stuck
    assert backtest.compare(current, current)["summary"].startswith(
        "last 30 days: 1 case, 3 messages (the same as your current rules)")


def test_a_shop_without_orders_is_told_what_the_preview_will_show(rt: Runtime) -> None:
    install_shop(rt)
    with rt.uow() as uow:
        shop_id = uow.repo.shop("shopify", SHOP).id
        report = backtest.run(uow, shop_id, Policy(), datetime(2026, 11, 13, tzinfo=timezone.utc))
    assert backtest.summary_text(report, report) == (
        "last 90 days: no orders to replay yet — the preview fills in once orders have come in")


def test_kinds_are_stored_only_where_the_shop_differs_so_new_defaults_reach_it() -> None:
    from core.domain.policy import CASE_KINDS
    from core.domain.policy_schema import to_stored

    assert "case_kinds" not in to_stored({"case_kinds": sorted(CASE_KINDS)}, None)
    assert "notify_kinds" not in to_stored({"thresholds": {}}, None)
    assert to_stored({"case_kinds": ["late"]}, None)["case_kinds"] == ["late"]
    assert "case_kinds" not in to_stored({"case_kinds": sorted(CASE_KINDS)}, {"case_kinds": ["late"]})  # back to ours
