"""The customer's own pages (unsubscribe and survey) speak the customer's language: the order's locale for
the survey, the browser's Accept-Language for the unsubscribe link (which names no order); Arabic reads
right to left."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from core.adapters import links
from core.domain import customer_pages
from core.domain.customer_pages import KEYS, TEXTS, language
from core.domain.templates import LANGUAGES
from jobs.runtime import Runtime
from tests.support import damaged_parcel

BASE = "https://forewarn.example"


def html_tag(page: str) -> str:
    return re.search(r"<html[^>]*>", page).group(0)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_every_key_with_the_same_placeholders(lang: str) -> None:
    assert set(TEXTS) == set(LANGUAGES)
    assert set(TEXTS[lang]) == set(KEYS)
    for key in KEYS:
        text = TEXTS[lang][key]
        assert text.strip()
        assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", TEXTS["en"][key])), (lang, key)
        text.format(shop="S", address="a@b.c", order="#1", score=4)
    if lang != "en":
        assert TEXTS[lang]["survey_title"] != TEXTS["en"]["survey_title"]


def test_language_prefers_the_order_then_the_browser_then_english() -> None:
    assert language("es-MX", "de") == "es"
    assert language(None, "de") == "de"
    assert language("ja", None) == "en"
    assert language("ar", "en") == "ar"


def order_and_shop(client, rt: Runtime, **changes) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    order_id, _ = damaged_parcel(client, rt, financial_status="pending", **changes)
    with rt.uow() as uow:
        return order_id, uow.repo.order_by_id(order_id).shop_id


def survey_path(rt: Runtime, shop_id: int, order_id: int) -> str:
    return urlsplit(links.survey_url(BASE, rt.settings.secret_key, shop_id, order_id)).path


def test_the_survey_for_a_spanish_order_is_in_spanish(client, rt: Runtime) -> None:
    order_id, shop_id = order_and_shop(client, rt, customer_locale="es")
    path = survey_path(rt, shop_id, order_id)
    page = client.get(path, headers={"Accept-Language": "de"})  # the order's language wins over the browser's
    assert page.status_code == 200
    assert 'lang="es"' in html_tag(page.text) and 'dir="ltr"' in html_tag(page.text)
    es = TEXTS["es"]
    assert es["survey_text"] in page.text and es["send"] in page.text and es["excellent"] in page.text
    assert "¿Qué tal fue el pedido" in page.text and "How did order" not in page.text
    wrong = client.post(path, data={"score": "9"})
    assert wrong.status_code == 422 and es["survey_choose_score"] in wrong.text
    assert es["thanks_title"] in client.post(path, data={"score": "5"}).text
    again = client.post(path, data={"score": "1"})
    assert TEXTS["es"]["already_answered_text"].format(score=5) in again.text


def test_the_survey_in_arabic_reads_right_to_left(client, rt: Runtime) -> None:
    order_id, shop_id = order_and_shop(client, rt, customer_locale="ar")
    page = client.get(survey_path(rt, shop_id, order_id))
    assert page.status_code == 200
    tag = html_tag(page.text)
    assert 'lang="ar"' in tag and 'dir="rtl"' in tag
    assert TEXTS["ar"]["send"] in page.text and TEXTS["ar"]["comment_label"] in page.text


def test_an_unsubscribe_page_follows_the_browsers_language(client, rt: Runtime) -> None:
    _, shop_id = order_and_shop(client, rt)
    path = urlsplit(links.unsubscribe_url(BASE, rt.settings.secret_key, shop_id, "jon@example.com")).path
    page = client.get(path, headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
    assert page.status_code == 200 and 'lang="de"' in html_tag(page.text)
    assert "Keine Nachrichten mehr von" in page.text and "jon@example.com" in page.text
    assert TEXTS["de"]["unsubscribe_button"] in page.text and "Stop messages" not in page.text
    done = client.post(path, headers={"Accept-Language": "de"})
    assert done.status_code == 200 and TEXTS["de"]["unsubscribed_title"] in done.text
    broken = client.get("/u/tampered-token", headers={"Accept-Language": "de"})
    assert broken.status_code == 404 and TEXTS["de"]["link_broken_title"] in broken.text


def test_customer_data_in_a_placeholder_is_escaped(client, rt: Runtime) -> None:
    _, shop_id = order_and_shop(client, rt)
    path = urlsplit(links.unsubscribe_url(BASE, rt.settings.secret_key, shop_id, "<b>x</b>@example.com")).path
    page = client.get(path)
    assert "<b>x</b>" not in page.text and "&lt;b&gt;x&lt;/b&gt;" in page.text
    assert customer_pages.texts("xx") is TEXTS["en"]
