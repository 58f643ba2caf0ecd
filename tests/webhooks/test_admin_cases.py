"""The admin's cases pages: the list (urgency order, the SLA in words, filters, counts, pages, empty states),
one case's page (timeline, reply, actions), what resolving and reopening do, and one shop never seeing
another's case. The clock is fixed (jobs.runtime.install_clock): nothing here reads the wall clock."""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from rq import Queue
from sqlalchemy import select

from core.adapters import links
from core.domain.model import Case, CaseNote, Order
from core.domain.policy import Policy
from core.domain.sla import duration_words
from core.services.cases import sla_due
from jobs import queues
from jobs.runtime import Runtime, install_clock
from tests.support import SHOP, damaged_parcel, install_shop, run_jobs, session_token

OTHER = "othershop.myshopify.com"
NOW = datetime(2025, 3, 12, 10, 0, tzinfo=timezone.utc)  # a Wednesday
SCRIPT = "<script>alert(1)</script>"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def clock():
    now = [NOW]
    install_clock(lambda: now[0])
    yield now
    install_clock(None)


def bearer(shop: str = SHOP) -> dict[str, str]:
    return {"Authorization": f"Bearer {session_token(shop)}"}


def page(client, path: str = "/admin/cases", shop: str = SHOP, **params):  # type: ignore[no-untyped-def]
    return client.get(path, query_string={"shop": shop, "id_token": session_token(shop), **params})


def add_case(rt: Runtime, shop_id: int, name: str, *, due: timedelta, status: str = "open", priority: str = "normal",
             problem: str = "late", responded: bool = False, breached: bool = False, assignee: str | None = None,
             labels: list[str] | None = None, first_name: str = "Ada") -> int:
    """A case as the services leave it, straight in the database (the list reads rows, whatever wrote them)."""
    with rt.uow() as uow:
        order = Order(shop_id=shop_id, platform_order_id=name, name=name, placeholder=False, created_at=NOW, updated_at=NOW,
                      customer_first_name=first_name, customer_last_name="Lovelace")
        uow.repo.add(order)
        uow.repo.flush()
        case = Case(shop_id=shop_id, order_id=order.id, problem=problem, subject=f"Order {name} — {problem}",
                    priority=priority, opened_at=NOW - timedelta(days=1), sla_due_at=NOW + due, status=status,
                    kinds=[problem], labels=labels or [], assignee=assignee, sla_breached=breached,
                    first_response_at=NOW - timedelta(hours=1) if responded else None,
                    resolved_at=NOW - timedelta(hours=2) if status in ("resolved", "closed") else None)
        uow.repo.add(case)
        uow.repo.flush()
        uow.repo.add(CaseNote(case_id=case.id, author="Forewarn", body=f"{problem}: the reason", created_at=NOW - timedelta(days=1)))
        uow.commit()
        return case.id


def rows(html: str) -> list[str]:
    """The orders of the list's rows, in order."""
    return re.findall(r'data-case-id="\d+">\s*<td class="case-cell"><a class="case-link" href="[^"]+">Order (#[^ ]+)', html)


def test_the_list_puts_breached_cases_first_then_the_soonest_due_and_says_the_sla_in_words(client, rt: Runtime, clock) -> None:
    shop_id = install_shop(rt)
    add_case(rt, shop_id, "#A", due=timedelta(hours=3))
    add_case(rt, shop_id, "#B", due=-timedelta(hours=2))  # overdue, not flagged yet by the hourly job
    add_case(rt, shop_id, "#C", due=timedelta(hours=30), priority="urgent")
    add_case(rt, shop_id, "#D", due=timedelta(hours=1), status="pending", responded=True)
    add_case(rt, shop_id, "#E", due=-timedelta(hours=5), status="resolved", responded=True)
    add_case(rt, shop_id, "#F", due=-timedelta(hours=6), breached=True, priority="high")
    html = page(client).get_data(as_text=True)
    assert rows(html) == ["#F", "#B", "#A", "#C", "#D"]  # resolved cases are not in the default view
    assert "overdue by 6 h" in html and "overdue by 2 h" in html and "due in 3 h" in html and "due in 30 h" in html
    assert 'data-sla="met">met<' in html
    assert re.search(r'data-tab="active"[^>]*>Open and pending <span class="count">5<', html)
    assert re.search(r'data-tab="resolved">Resolved <span class="count">1<', html)
    counts = re.search(r"Past their SLA</span><span class=\"value[^\"]*\">(\d+)<", html)
    assert counts and counts.group(1) == "2"
    assert 'class="badge priority-urgent">Urgent<' in html and "Ada Lovelace" in html
    resolved = page(client, status="resolved").get_data(as_text=True)
    assert rows(resolved) == ["#E"] and 'data-sla="breached">breached<' in resolved  # answered after its due time
    assert rows(page(client, status="all").get_data(as_text=True)) == ["#F", "#B", "#A", "#C", "#D", "#E"]


def test_the_filters_narrow_the_list_and_keep_the_platforms_parameters(client, rt: Runtime, clock) -> None:
    shop_id = install_shop(rt)
    add_case(rt, shop_id, "#A", due=timedelta(hours=3), assignee="ana", labels=["vip"])
    add_case(rt, shop_id, "#B", due=-timedelta(hours=2), problem="stuck", priority="urgent")
    add_case(rt, shop_id, "#C", due=timedelta(hours=30), assignee="bo")
    add_case(rt, shop_id, "#D", due=timedelta(hours=1), status="pending", responded=True)  # answered: not "due soon"
    assert rows(page(client, sla="due_soon").get_data(as_text=True)) == ["#A"]
    assert rows(page(client, sla="breached").get_data(as_text=True)) == ["#B"]
    assert rows(page(client, priority="urgent").get_data(as_text=True)) == ["#B"]
    assert rows(page(client, problem="stuck").get_data(as_text=True)) == ["#B"]
    assert rows(page(client, assignee="ana").get_data(as_text=True)) == ["#A"]
    assert rows(page(client, assignee="-").get_data(as_text=True)) == ["#B", "#D"]
    html = page(client, assignee="ana").get_data(as_text=True)
    assert '<input type="hidden" name="shop" value="teashop.myshopify.com">' in html  # the form keeps the shop
    assert '<option value="ana" selected>ana</option>' in html and '<option value="bo">bo</option>' in html
    assert 'class="badge label">vip<' in html and "Clear filters" in html
    assert re.search(r'href="/admin/cases\?shop=teashop\.myshopify\.com&amp;status=resolved&amp;assignee=ana"', html)
    bad = page(client, status="lost", sla="whenever")
    assert bad.status_code == 200
    text = bad.get_data(as_text=True)
    assert "unknown status lost" in text and "unknown sla whenever" in text and rows(text) == ["#B", "#A", "#C", "#D"]
    none = page(client, priority="high").get_data(as_text=True)
    assert 'data-empty="no-match"' in none and "No case matches these filters" in none


def test_a_long_list_comes_a_page_at_a_time(client, rt: Runtime, clock) -> None:
    shop_id = install_shop(rt)
    for i in range(53):
        add_case(rt, shop_id, f"#{1000 + i}", due=timedelta(hours=1 + i))
    first = page(client).get_data(as_text=True)
    assert len(rows(first)) == 50 and rows(first)[0] == "#1000" and "Page 1 of 2 · 53 cases" in first
    assert 'href="/admin/cases?shop=teashop.myshopify.com&amp;page=2" rel="next"' in first
    second = page(client, page="2").get_data(as_text=True)
    assert rows(second) == ["#1050", "#1051", "#1052"] and 'rel="prev"' in second
    assert rows(page(client, page="9").get_data(as_text=True)) == ["#1050", "#1051", "#1052"]  # past the end: the last


def test_a_shop_without_cases_is_told_what_opens_one(client, rt: Runtime, clock) -> None:
    install_shop(rt)
    html = page(client).get_data(as_text=True)
    assert 'data-empty="no-case"' in html and "Forewarn opens a case when a parcel needs your team" in html
    assert "data-report-page" in html and "/report?shop=teashop.myshopify.com" in html
    replies = page(client, "/admin/cases/replies").get_data(as_text=True)
    assert 'form class="reply-form" data-problem="late" data-language="es"' in replies


def reported_case(client, rt: Runtime) -> tuple[int, int]:
    """Shopify's sample order (its customer named `<script>…`) reported damaged by UPS, then by the customer
    with a photo and words of her own: (shop id, case id)."""
    install_shop(rt)
    install_shop(rt, OTHER, token="shpat_other")
    order_id, _ = damaged_parcel(client, rt, financial_status="pending",
                                 customer={"id": 1, "first_name": SCRIPT, "last_name": "Smith", "email": "jon@example.com"})
    run_jobs(rt.redis)
    with rt.uow() as uow:
        shop_id = uow.repo.order_by_id(order_id).shop_id
        [case_id] = [c.id for c in uow.repo.cases(shop_id)]
    token = links.sign_report(rt.settings.secret_key, shop_id, order_id, "message")
    sent = client.post(f"/report/{token}", data={"kind": "damaged", "details": f"Crushed box {SCRIPT}",
                                                 "photos": [(io.BytesIO(PNG), "box.png")]},
                       content_type="multipart/form-data")
    assert sent.status_code == 303
    return shop_id, case_id


def test_a_cases_page_shows_its_timeline_reply_and_parcels_and_escapes_what_others_wrote(client, rt: Runtime) -> None:
    _, case_id = reported_case(client, rt)
    noted = client.patch(f"/api/v1/cases/{case_id}", headers=bearer(), json={"note": f"Called UPS {SCRIPT}"})
    assert noted.status_code == 200
    response = page(client, f"/admin/cases/{case_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Called UPS &lt;script&gt;" in html and "Crushed box &lt;script&gt;" in html  # note, customer's words
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Smith" in html  # the customer's name
    entries = re.findall(r'data-entry="(\w+)"', html)
    # (the customer's message may be deferred to their morning, so it can come last: it is not placed here)
    assert entries[0] == "forewarn" and "report" in entries and entries.index("team") > entries.index("report")
    assert entries.count("report") == 1  # the report's own note is not shown a second time
    assert "damaged: UPS reports the parcel damaged" in html and "It arrived damaged" in html
    assert re.search(rf'data-photo-src="/api/v1/cases/{case_id}/photos/\d+"', html)
    assert "Order #9999 — UPS parcel damaged" in html and 'data-sla="' in html and "Urgent priority" in html
    assert re.search(r'href="/admin/shipments/\d+\?shop=teashop\.myshopify\.com', html)  # its parcel's page
    assert 'id="reply-text" readonly' in html and 'data-copy="reply-text"' in html
    assert 'data-set-status="resolved">Resolve<' in html and 'id="note-form"' in html
    assert "data-report-link" in html
    listed = page(client).get_data(as_text=True)
    assert SCRIPT not in listed and "It arrived damaged: “Crushed box &lt;script&gt;" in listed


def test_another_shops_case_is_not_found_on_the_page_or_the_api(client, rt: Runtime) -> None:
    _, case_id = reported_case(client, rt)
    other = page(client, f"/admin/cases/{case_id}", shop=OTHER)
    assert other.status_code == 404 and "Order #9999" not in other.get_data(as_text=True)
    assert page(client, "/admin/cases/999999").status_code == 404
    assert client.patch(f"/api/v1/cases/{case_id}", headers=bearer(OTHER), json={"status": "resolved"}).status_code == 404
    assert 'data-case="damaged"' not in page(client, shop=OTHER).get_data(as_text=True)
    assert client.get("/api/v1/cases", headers=bearer(OTHER)).get_json()["cases"] == []
    with rt.uow() as uow:
        assert uow.repo.case(case_id).status == "open"


def test_resolving_then_reopening_restarts_the_response_time_and_counts_the_reopen(client, rt: Runtime, clock) -> None:
    _, case_id = reported_case(client, rt)
    queue = Queue(queues.DEFAULT, connection=rt.redis)
    before = set(queue.job_ids)
    clock[0] = T1 = NOW + timedelta(hours=1)
    resolved = client.patch(f"/api/v1/cases/{case_id}", headers=bearer(), json={"status": "resolved", "note": "Refunded"})
    assert resolved.status_code == 200 and resolved.get_json()["status"] == "resolved"
    new = [queue.fetch_job(i) for i in set(queue.job_ids) - before]
    assert [(j.func_name, j.args) for j in new] == [("jobs.helpdesk.sync_case", (case_id,))]  # the ticket follows
    with rt.uow() as uow:
        case = uow.repo.case(case_id)
        assert case.resolved_at == T1 and case.first_response_at == T1 and case.customer_reported_at is None
        first_due = case.sla_due_at
        assert [n.body for n in uow.repo.case_notes(case_id)][-2:] == ["Resolved", "Refunded"]
    again = client.patch(f"/api/v1/cases/{case_id}", headers=bearer(), json={"status": "resolved"})
    assert [t["body"] for t in again.get_json()["timeline"]].count("Resolved") == 1  # nothing new to say
    clock[0] = T2 = NOW + timedelta(days=1)  # Thursday: the customer writes back, the team reopens it
    reopened = client.patch(f"/api/v1/cases/{case_id}", headers=bearer(), json={"status": "open"})
    view = reopened.get_json()
    assert reopened.status_code == 200 and view["status"] == "open" and view["reopened"] == 1 and view["resolved_at"] is None
    with rt.uow() as uow:
        case = uow.repo.case(case_id)
        assert case.first_response_at is None and not case.sla_breached  # a new response is owed…
        shop = uow.repo.shop_by_id(case.shop_id)
        due = sla_due(uow, case.order_id, "urgent", T2, Policy.from_dict(shop.policy))  # urgent: 4 working hours
        assert case.sla_due_at == due and due > first_due and due >= T2 + timedelta(hours=4)  # …from the reopen
        assert case.customer_reported_at == T2  # a person resolves it, not a delivery scan
        assert uow.repo.case_notes(case_id)[-1].body == f"Reopened: a response is due by {due:%a %d %b %H:%M} UTC"
    html = page(client, f"/admin/cases/{case_id}").get_data(as_text=True)
    assert "reopened 1×" in html and 'data-set-status="resolved"' in html and f"due in {duration_words(due - T2)}" in html
    assert 'data-entry="status"' in html
    client.patch(f"/api/v1/cases/{case_id}", headers=bearer(), json={"status": "closed"})
    client.patch(f"/api/v1/cases/{case_id}", headers=bearer(), json={"status": "pending"})
    with rt.uow() as uow:
        case = uow.repo.case(case_id)
        assert case.status == "pending" and case.reopened_count == 2


def test_a_note_assignee_and_labels_are_saved_and_a_bad_change_names_its_fields(client, rt: Runtime, clock) -> None:
    _, case_id = reported_case(client, rt)
    url = f"/api/v1/cases/{case_id}"
    worked = client.patch(url, headers=bearer(), json={"assignee": "  ana ", "labels": ["vip", " refund", "vip"]}).get_json()
    assert worked["assignee"] == "ana" and worked["labels"] == ["vip", "refund"]
    assert client.patch(url, headers=bearer(), json={"assignee": ""}).get_json()["assignee"] is None
    for body, field in (({}, "_schema"), ({"note": "   "}, "note"), ({"labels": ["x" * 41]}, "labels"),
                        ({"labels": [str(i) for i in range(21)]}, "labels"), ({"status": "lost"}, "status"),
                        ({"assignee": "a" * 81}, "assignee")):
        refused = client.patch(url, headers=bearer(), json=body)
        assert refused.status_code == 400 and field in refused.get_json()["fields"], body
    assert client.get("/api/v1/cases", headers=bearer(), query_string={"status": "lost"}).status_code == 400
    listed = client.get("/api/v1/cases", headers=bearer(), query_string={"assignee": "-"}).get_json()
    assert listed["cases"] and listed["total"] == 1


def test_the_case_list_reads_a_page_in_a_fixed_number_of_queries(client, rt: Runtime, clock) -> None:
    from sqlalchemy import event

    from core.services.case_list import CaseFilters, cases_page

    shop_id = install_shop(rt)
    for i in range(30):
        add_case(rt, shop_id, f"#{i}", due=timedelta(hours=i + 1))
    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(rt.engine, "before_cursor_execute", listen)
    try:
        with rt.uow() as uow:
            result = cases_page(uow.session, shop_id, CaseFilters(), NOW)
    finally:
        event.remove(rt.engine, "before_cursor_execute", listen)
    assert len(result.rows) == 30 and len(statements) <= 3  # count, rows (with order and ticket), reports
    with rt.uow() as uow:
        assert uow.session.scalars(select(Case.id).where(Case.shop_id == shop_id)).all()


# labels that a LIKE on the JSON text would get wrong: wildcards, quotes, a backslash, non-ASCII (stored escaped)
TRICKY = ["50%", "5_0", 'say "hi"', "o'brien", "a\\b", "café", SCRIPT]


def tabs(html: str) -> dict[str, int]:
    """The status tabs' counts."""
    return {k: int(n) for k, n in re.findall(r'data-tab="(\w+)">[^<]*<span class="count"[^>]*>(\d+)<', html)}


def test_the_label_filter_matches_one_label_exactly_whatever_characters_it_holds(client, rt: Runtime, clock) -> None:
    shop_id = install_shop(rt)
    other_id = install_shop(rt, OTHER, token="shpat_other")
    for i, label in enumerate(TRICKY):
        add_case(rt, shop_id, f"#T{i}", due=timedelta(hours=10 + i), labels=[label, "common"])
    add_case(rt, shop_id, "#L1", due=timedelta(hours=1), labels=["500", "5x0", "say hi", "ab", "cafe", "vip-2"])
    add_case(rt, shop_id, "#L2", due=timedelta(hours=2), labels=["vip"], status="resolved", responded=True)
    add_case(rt, shop_id, "#L3", due=timedelta(hours=3))  # no label
    add_case(rt, other_id, "#O1", due=timedelta(hours=1), labels=["vip", "50%", "theirs-only"])
    for i, label in enumerate(TRICKY):
        assert rows(page(client, label=label).get_data(as_text=True)) == [f"#T{i}"], label
        listed = client.get("/api/v1/cases", headers=bearer(), query_string={"label": label}).get_json()
        assert [c["order"] for c in listed["cases"]] == [f"#T{i}"] and listed["total"] == 1, label
    assert rows(page(client, label=" common ").get_data(as_text=True)) == [f"#T{i}" for i in range(len(TRICKY))]
    assert rows(page(client, label="vip").get_data(as_text=True)) == []  # resolved: not in the default view…
    assert rows(page(client, label="vip", status="all").get_data(as_text=True)) == ["#L2"]  # …and not "vip-2"
    assert rows(page(client, label="VIP", status="all").get_data(as_text=True)) == []  # exact, case included
    # one shop never sees another's cases or labels, through the page or the API
    theirs = client.get("/api/v1/cases", headers=bearer(OTHER), query_string={"label": "50%"}).get_json()
    assert [c["order"] for c in theirs["cases"]] == ["#O1"]
    assert client.get("/api/v1/cases", headers=bearer(OTHER), query_string={"label": "common"}).get_json()["cases"] == []
    html = page(client, label="50%").get_data(as_text=True)
    options = re.search(r'<select id="f-label" name="label">(.*?)</select>', html, re.S).group(1)
    offered = re.findall(r'<option value="([^"]*)"', options)
    assert offered[0] == "" and sorted(offered[1:]) == sorted([  # each once, as the database sorts them
        "5_0", "50%", "500", "5x0", "&lt;script&gt;alert(1)&lt;/script&gt;", "a\\b", "ab", "cafe", "café", "common",
        "o&#39;brien", "say &#34;hi&#34;", "say hi", "vip", "vip-2"])
    assert '<option value="50%" selected>50%</option>' in options and "theirs-only" not in html
    assert SCRIPT not in html  # the label, escaped wherever it shows
    assert "label=50%25" in html and "Clear filters" in html  # the tabs and pages keep the label
    none = page(client, label="nobody-has-this").get_data(as_text=True)
    assert 'data-empty="no-match"' in none and '<option value="nobody-has-this" selected>' in none
    long = page(client, label="x" * 41).get_data(as_text=True)
    assert "a label is 1 to 40 characters" in long and len(rows(long)) == len(TRICKY) + 2  # left out, said so
    refused = client.get("/api/v1/cases", headers=bearer(), query_string={"label": "x" * 41})
    assert refused.status_code == 400 and "label" in refused.get_json()["fields"]


def test_a_shop_whose_cases_have_no_label_is_offered_no_label_filter(client, rt: Runtime, clock) -> None:
    shop_id = install_shop(rt)
    add_case(rt, shop_id, "#A", due=timedelta(hours=3))
    html = page(client).get_data(as_text=True)
    assert rows(html) == ["#A"] and 'id="f-label"' not in html and 'id="f-assignee"' in html


def test_the_status_tabs_count_the_cases_the_other_filters_match(client, rt: Runtime, clock) -> None:
    shop_id = install_shop(rt)
    other_id = install_shop(rt, OTHER, token="shpat_other")
    add_case(rt, shop_id, "#A", due=timedelta(hours=3), priority="urgent", labels=["vip"], assignee="ana")
    add_case(rt, shop_id, "#B", due=-timedelta(hours=2), priority="urgent")  # overdue
    add_case(rt, shop_id, "#C", due=timedelta(hours=30), labels=["vip"])
    add_case(rt, shop_id, "#D", due=timedelta(hours=1), status="pending", responded=True, priority="urgent", labels=["vip"])
    add_case(rt, shop_id, "#E", due=-timedelta(hours=5), status="resolved", responded=True, priority="urgent", labels=["vip"])
    add_case(rt, shop_id, "#F", due=-timedelta(hours=6), status="closed", responded=True, assignee="ana")
    add_case(rt, other_id, "#O", due=timedelta(hours=3), priority="urgent", labels=["vip"])
    everything = page(client).get_data(as_text=True)
    assert tabs(everything) == {"active": 4, "open": 3, "pending": 1, "resolved": 1, "closed": 1, "all": 6}
    assert "matching the filters" not in everything
    urgent = page(client, priority="urgent").get_data(as_text=True)
    assert tabs(urgent) == {"active": 3, "open": 2, "pending": 1, "resolved": 1, "closed": 0, "all": 4}
    assert 'title="cases matching the filters"' in urgent and "matching the filters</span>" in urgent
    # the stats above the list stay the shop's: "Open" is every open case, "Past their SLA" every late one
    assert re.search(r'<span class="label">Open</span><span class="value">3<', urgent)
    assert re.search(r'Past their SLA</span><span class="value[^"]*">1<', urgent)
    assert tabs(page(client, priority="urgent", label="vip").get_data(as_text=True)) == {
        "active": 2, "open": 1, "pending": 1, "resolved": 1, "closed": 0, "all": 3}
    assert tabs(page(client, label="vip", status="resolved").get_data(as_text=True))["all"] == 4
    assert tabs(page(client, assignee="ana").get_data(as_text=True)) == {
        "active": 1, "open": 1, "pending": 0, "resolved": 0, "closed": 1, "all": 2}
    assert tabs(page(client, sla="breached").get_data(as_text=True)) == {
        "active": 1, "open": 1, "pending": 0, "resolved": 0, "closed": 0, "all": 1}
    assert tabs(page(client, problem="stuck").get_data(as_text=True)) == {
        "active": 0, "open": 0, "pending": 0, "resolved": 0, "closed": 0, "all": 0}


def test_the_counts_and_a_label_filtered_page_take_a_fixed_number_of_queries(client, rt: Runtime, clock) -> None:
    from sqlalchemy import event

    from core.services.case_list import CaseFilters, cases_page, status_counts

    shop_id = install_shop(rt)
    for i in range(30):
        add_case(rt, shop_id, f"#{i}", due=timedelta(hours=i + 1), labels=["vip"] if i % 3 == 0 else ["other"],
                 status="resolved" if i % 5 == 0 else "open", priority="urgent" if i % 2 else "normal")
    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(rt.engine, "before_cursor_execute", listen)
    try:
        with rt.uow() as uow:
            filters = CaseFilters(label="vip", priority="normal")
            result = cases_page(uow.session, shop_id, filters, NOW)
            counted = len(statements)
            counts, matching = status_counts(uow.session, shop_id, NOW, filters)
    finally:
        event.remove(rt.engine, "before_cursor_execute", listen)
    # vip: 0, 3, …, 27; normal: even; so 0, 6, 12, 18, 24 — of which 0 is resolved
    assert len(result.rows) == 4 and result.total == 4 and counted <= 3
    assert len(statements) == counted + 1  # the counts: one grouped query
    assert matching == {"open": 4, "pending": 0, "resolved": 1, "closed": 0, "all": 5}
    assert counts["all"] == 30 and counts["resolved"] == 6 and counts["open"] == 24


def test_the_label_filter_is_written_for_postgresql_too() -> None:
    """The Flask tests run on SQLite; the PostgreSQL form is checked as SQL here (this file's tests were also run
    by hand against a PostgreSQL 15 when it was written)."""
    from sqlalchemy.dialects import postgresql

    from core.services.case_list import has_label

    sql = str(select(Case.id).where(has_label(Case.labels, '5_0%"')).compile(dialect=postgresql.dialect()))
    assert re.search(r"CAST\(cases\.labels AS JSONB\) @> jsonb_build_array\(CAST\(%\(has_label_1\)s(::VARCHAR)? AS TEXT\)\)", sql)


def test_a_resolved_case_is_closed_from_its_page_and_can_still_be_reopened(client, rt: Runtime, clock) -> None:
    _, case_id = reported_case(client, rt)
    url = f"/api/v1/cases/{case_id}"
    open_page = page(client, f"/admin/cases/{case_id}").get_data(as_text=True)
    assert 'data-set-status="closed"' not in open_page  # open work is resolved first
    clock[0] = T1 = NOW + timedelta(hours=1)
    assert client.patch(url, headers=bearer(), json={"status": "resolved"}).status_code == 200
    resolved = page(client, f"/admin/cases/{case_id}").get_data(as_text=True)
    assert 'data-set-status="closed">Close<' in resolved and 'data-set-status="open">Reopen<' in resolved
    assert "no more work and the customer is done" in resolved
    queue = Queue(queues.DEFAULT, connection=rt.redis)
    before = set(queue.job_ids)
    clock[0] = NOW + timedelta(hours=2)
    closed = client.patch(url, headers=bearer(), json={"status": "closed"})
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    new = [queue.fetch_job(i) for i in set(queue.job_ids) - before]
    assert [(j.func_name, j.args) for j in new] == [("jobs.helpdesk.sync_case", (case_id,))]  # the ticket follows
    with rt.uow() as uow:
        case = uow.repo.case(case_id)
        assert case.status == "closed" and case.resolved_at == T1 and case.first_response_at == T1  # as resolved
        assert case.reopened_count == 0 and uow.repo.case_notes(case_id)[-1].body == "Closed"
    html = page(client, f"/admin/cases/{case_id}").get_data(as_text=True)
    assert 'class="badge b-closed" data-status>Closed<' in html and 'data-set-status="closed"' not in html
    assert 'data-set-status="open">Reopen<' in html and "if the customer comes back" in html
    assert re.search(r'data-status-change><strong>Closed<', html)
    assert client.patch(url, headers=bearer(), json={"status": "closed"}).get_json()["timeline"][-1]["body"] == "Closed"
    listed = page(client, status="closed").get_data(as_text=True)
    assert rows(listed) == ["#9999"] and tabs(listed)["closed"] == 1 and tabs(listed)["resolved"] == 0
    assert rows(page(client, status="resolved").get_data(as_text=True)) == []
    clock[0] = T3 = NOW + timedelta(days=1)  # the customer came back after all
    reopened = client.patch(url, headers=bearer(), json={"status": "open"}).get_json()
    assert reopened["status"] == "open" and reopened["reopened"] == 1 and reopened["resolved_at"] is None
    with rt.uow() as uow:
        case = uow.repo.case(case_id)
        assert case.first_response_at is None and case.sla_due_at > T3 and case.customer_reported_at == T3
        assert uow.repo.case_notes(case_id)[-1].body.startswith("Reopened: a response is due by")
