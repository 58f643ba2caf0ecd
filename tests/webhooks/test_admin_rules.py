"""/api/v1/rules and /admin/rules: a merchant reads, changes and previews the shop's rules; the form is generated
from the schema that validates them; a bad value is a 400 naming the field and stores nothing; one shop never
sees or changes another's."""
from __future__ import annotations

import re
import time

from core.domain.policy import DEFAULTS, Policy
from core.domain.policy_schema import THRESHOLDS
from jobs.runtime import Runtime
from tests.support import SHOP, install_shop, session_token
from tests.unit.test_backtest import seed

OTHER = "othershop.myshopify.com"


def bearer(shop: str = SHOP) -> dict[str, str]:
    return {"Authorization": f"Bearer {session_token(shop)}"}


def stored(rt: Runtime, shop: str = SHOP) -> tuple[dict | None, dict | None]:
    with rt.uow() as uow:
        row = uow.repo.shop("shopify", shop)
        return row.policy, row.messaging


def page(client, shop: str = SHOP) -> str:  # type: ignore[no-untyped-def]
    response = client.get("/admin/rules", query_string={"shop": shop, "id_token": session_token(shop)})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_rules_start_from_forewarns_defaults(client, rt: Runtime) -> None:
    install_shop(rt)
    answer = client.get("/api/v1/rules", headers=bearer()).get_json()
    assert answer["values"] == answer["defaults"]
    assert answer["values"]["thresholds"]["stuck.domestic_ground"] == 3
    assert answer["values"]["messaging"] == {"channels": ["email"], "quiet_hours": ["21:00", "08:00"],
                                             "per_order_per_day": 2, "per_customer_per_day": 3, "followup_days": 2}
    assert {"code": "ups", "name": "UPS"} in answer["carriers"]


def test_a_merchant_saves_rules_and_gets_them_back(client, rt: Runtime) -> None:
    install_shop(rt)
    install_shop(rt, OTHER, token="shpat_other")
    body = client.get("/api/v1/rules", headers=bearer()).get_json()["values"]
    body["thresholds"]["stuck.domestic_ground"] = 2
    body["overrides"] = [{"threshold": "stuck.cross_border", "carrier": "dhl_express", "value": 8}]
    body["calendar"] = {"origin_country": "GB", "closed_days": ["2026-12-24"]}
    body["case_kinds"] = ["late", "stuck", "damaged"]
    body["messaging"] = {**body["messaging"], "channels": ["email", "sms", "email"], "quiet_hours": None,
                         "per_order_per_day": 1}
    response = client.put("/api/v1/rules", json=body, headers=bearer())
    assert response.status_code == 200 and response.get_json()["saved"] is True
    again = client.get("/api/v1/rules", headers=bearer()).get_json()["values"]
    assert again["thresholds"]["stuck.domestic_ground"] == 2 and again["case_kinds"] == ["stuck", "late", "damaged"]
    assert again["overrides"] == [{"threshold": "stuck.cross_border", "carrier": "dhl_express", "value": 8.0}]
    assert again["messaging"]["channels"] == ["email", "sms"] and again["messaging"]["quiet_hours"] is None
    policy_json, messaging = stored(rt)
    policy = Policy.from_dict(policy_json)
    assert policy.threshold("stuck.domestic_ground") == 2 and policy.threshold("stuck.cross_border", "dhl_express") == 8
    assert policy.origin_country == "GB" and policy.case_kinds == {"late", "stuck", "damaged"}
    assert messaging["per_order_per_day"] == 1
    assert stored(rt, OTHER) == (None, None)  # the other shop is untouched
    assert client.get("/api/v1/rules", headers=bearer(OTHER)).get_json()["values"]["thresholds"]["stuck.domestic_ground"] == 3


def test_a_bad_value_is_a_400_naming_each_field_and_nothing_is_stored(client, rt: Runtime) -> None:
    install_shop(rt)
    response = client.put("/api/v1/rules", headers=bearer(), json={
        "thresholds": {"stuck.domestic_ground": -1},
        "overrides": [{"threshold": "stuck.cross_border", "carrier": "UPS!", "value": 3}],
        "messaging": {"quiet_hours": ["25:00", "08:00"], "per_order_per_day": 99, "channels": ["pigeon"]},
        "notify_kinds": ["not_picked_up"],
    })
    assert response.status_code == 400
    answer = response.get_json()
    assert answer["error"] == "invalid rules"
    assert answer["fields"]["thresholds"] == {"stuck.domestic_ground": ["between 0.5 and 60 business days"]}
    assert answer["fields"]["overrides"] == {"0": {"carrier": ["a carrier code like ups or royalmail"]}}
    assert answer["fields"]["messaging"]["quiet_hours"] == {"0": ["a time is HH:MM, 00:00 to 23:59"]}
    assert set(answer["fields"]["messaging"]) == {"quiet_hours", "per_order_per_day", "channels"}
    assert answer["fields"]["notify_kinds"] == {"0": ["not an incident kind: not_picked_up"]}
    assert stored(rt) == (None, None)


def test_the_rules_api_needs_a_session_and_an_installed_shop(client, rt: Runtime) -> None:
    assert client.get("/api/v1/rules").status_code == 401
    assert client.put("/api/v1/rules", json={}, headers={"Authorization": "Bearer forged"}).status_code == 401
    assert client.get("/api/v1/rules", headers=bearer("nobody.myshopify.com")).status_code == 404
    assert client.post("/api/v1/rules/backtest", json={}, headers=bearer("nobody.myshopify.com")).status_code == 404


def test_the_backtest_answers_the_draft_and_the_current_rules(client, rt: Runtime) -> None:
    from jobs.runtime import install_clock
    from tests.unit.test_backtest import at

    shop_id = seed(rt)  # a shop "bt.myshopify.com" with two orders, one of which goes silent
    with rt.uow() as uow:
        domain = uow.repo.shop_by_id(shop_id).domain
    install_shop(rt, domain)  # the seeded shop, installed (same row)
    install_clock(lambda: at(2026, 11, 13, 12))
    try:
        draft = {"thresholds": {**DEFAULTS, "stuck.domestic_ground": 0.5}, "messaging": {"channels": ["email", "sms"]}}
        response = client.post("/api/v1/rules/backtest", json=draft, headers=bearer(domain))
        refused = client.post("/api/v1/rules/backtest", json={"thresholds": {"stuck.domestic_ground": "x"}},
                              headers=bearer(domain))
    finally:
        install_clock(None)
    assert response.status_code == 200, response.get_data(as_text=True)
    answer = response.get_json()
    assert (answer["current"]["cases"], answer["current"]["messages"]) == (1, 3)
    assert (answer["draft"]["cases"], answer["draft"]["messages"]) == (2, 8)  # 4 notices on two channels
    assert answer["difference"]["cases"] == 1 and answer["difference"]["messages"] == 5
    assert answer["summary"].startswith("last 90 days: 2 cases, 8 messages (+1 case, +5 messages against your current rules)")
    assert answer["sampled"] is False and answer["draft"]["orders"] == 2
    assert stored(rt, domain)[0] is None  # a preview stores nothing
    assert refused.status_code == 400 and refused.get_json()["fields"] == {"thresholds": {"stuck.domestic_ground": ["Not a valid number."]}}


def test_the_page_is_the_form_generated_from_the_schema(client, rt: Runtime) -> None:
    install_shop(rt)
    html = page(client)
    for key, (label, _) in THRESHOLDS.items():  # every threshold has a labelled number input with its limits
        field = re.search(rf'<div class="field" data-field="thresholds/{re.escape(key)}".*?</div>\s*<span', html, re.S)
        assert field, key
        [input_id] = re.findall(r'<input type="number" id="([^"]+)"', field.group(0))
        assert f'<label for="{input_id}">{label}</label>' in field.group(0).replace("&#39;", "'")
        assert 'min="0.5"' in field.group(0) and 'max="60"' in field.group(0) and "business days" in field.group(0)
    assert 'data-field="thresholds/stuck.domestic_ground"' in html and 'value="3"' in html
    for section in ("Per-carrier thresholds", "Business calendar", "Lane learning", "Problems that open a case",
                    "Problems the customer is told of", "Customer messages"):
        assert f">{section}</h2>" in html
    assert 'type="time"' in html and 'data-widget="checkboxes"' in html and "Add an override" in html
    assert '<option value="ups">UPS</option>' in html  # carrier choices for an override
    assert "Reset to Forewarn&#39;s defaults" in html or "Reset to Forewarn's defaults" in html
    assert "<script>" not in html.replace('<script type="application/json"', "")  # CSP: no inline script
    assert 'style="' not in html


def test_saved_values_show_on_the_page_and_merchant_text_is_escaped(client, rt: Runtime) -> None:
    install_shop(rt)
    with rt.uow() as uow:
        shop = uow.repo.shop("shopify", SHOP)
        shop.policy = {"thresholds": {"stuck.domestic_ground": 2, "stuck.cross_border@<script>alert(1)</script>": 4}}
        uow.commit()
    html = page(client)
    field = re.search(r'data-field="thresholds/stuck.domestic_ground".*?</div>', html, re.S).group(0)
    assert 'value="2"' in field and "Reset to 3<span" in field

    def reset_button(key: str) -> str:
        return re.search(rf'<button[^>]*data-reset="thresholds/{re.escape(key)}"[^>]*>', html).group(0)

    assert " hidden" not in reset_button("stuck.domestic_ground")  # changed: its reset is offered
    assert " hidden" in reset_button("stuck.domestic_express")  # at Forewarn's default: nothing to reset
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_page_renders_for_a_shop_not_installed(client, rt: Runtime) -> None:
    with client.session_transaction() as session:  # a WooCommerce sign-in for a store Forewarn has no row for
        session["woo_shop"], session["woo_since"] = "notyet.example", time.time()
    response = client.get("/admin/rules")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Forewarn is not installed on notyet.example yet" in html
    assert "Once Forewarn is installed and orders come in" in html
    assert 'data-field="thresholds/stuck.domestic_ground"' in html and 'id="rules-save"' not in html


def test_previews_are_bounded_per_shop(client, rt) -> None:  # type: ignore[no-untyped-def]
    from web.api_rules import BACKTESTS_PER_MINUTE

    install_shop(rt)
    answers = [client.post("/api/v1/rules/backtest", headers=bearer(), json={}).status_code
               for _ in range(BACKTESTS_PER_MINUTE + 1)]
    assert answers[:-1] == [200] * BACKTESTS_PER_MINUTE and answers[-1] == 429
