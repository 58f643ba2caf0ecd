"""The customer's own links from their messages: unsubscribe (one click, honoured on every channel) and the
satisfaction survey (1–5 and a comment, one answer per order). Both are signed; a tampered or expired link
is refused without revealing anything; the pages speak the customer's language where the page has it."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from core.adapters import links
from core.domain import customer_pages
from core.domain.model import Case, SurveyAnswer
from jobs.messages import record_opt_out
from jobs.runtime import Runtime, utcnow

bp = Blueprint("customer", __name__)
HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
           "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _rt() -> Runtime:
    return current_app.extensions["forewarn"]


def _browser_language() -> str | None:
    return request.accept_languages.best_match(list(customer_pages.PAGE_LANGUAGES))


def _page(lang: str, title: str, text: str, status: int = 200, values: dict[str, object] | None = None,
          **context: object) -> ResponseReturnValue:
    """`title` and `text` are keys of customer_pages.TEXTS (trusted); `values` fill their placeholders and may
    be customer data — the template escapes the result."""
    words = customer_pages.texts(lang)
    values = values or {}
    return render_template("customer_page.html", lang=lang, t=words, title=words[title].format(**values),
                           text=words[text].format(**values), **context), status, HEADERS


@bp.route("/u/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> ResponseReturnValue:
    """GET asks to confirm (mail scanners open links); POST — the button, or a mail client's one-click
    `List-Unsubscribe-Post` — records it."""
    rt = _rt()
    lang = customer_pages.language(None, _browser_language())  # the link names no order: the browser's language
    try:
        link = links.read_unsubscribe(rt.settings.secret_key or "", token, datetime.now(timezone.utc))
    except (links.LinkExpired, links.LinkInvalid):
        return _page(lang, "link_broken_title", "unsubscribe_link_broken", 404)
    with rt.uow() as uow:
        shop = uow.repo.shop_by_id(link.shop_id)
        name = (shop.name or shop.domain) if shop else customer_pages.texts(lang)["the_shop"]
        if request.method == "GET":
            return _page(lang, "unsubscribe_title", "unsubscribe_text", values={"shop": name, "address": link.address},
                         confirm=True)
        if shop is not None:
            record_opt_out(uow, shop.id, link.address, "link", utcnow())
            uow.commit()
    return _page(lang, "unsubscribed_title", "unsubscribed_text", values={"shop": name})


@bp.route("/survey/<token>", methods=["GET", "POST"])
def survey(token: str) -> ResponseReturnValue:
    rt = _rt()
    browser = _browser_language()
    try:
        link = links.read_survey(rt.settings.secret_key or "", token, datetime.now(timezone.utc))
    except (links.LinkExpired, links.LinkInvalid):
        return _page(customer_pages.language(None, browser), "link_broken_title", "survey_link_broken", 404)
    with rt.uow() as uow:
        order = uow.repo.order_by_id(link.order_id)
        if order is None or order.shop_id != link.shop_id:
            return _page(customer_pages.language(None, browser), "link_broken_title", "survey_link_broken", 404)
        lang = customer_pages.language(order.locale, browser)
        values = {"order": order.name}
        answered = uow.session.scalars(select(SurveyAnswer).where(SurveyAnswer.order_id == order.id)).first()
        if answered is not None:
            return _page(lang, "already_answered_title", "already_answered_text", values={"score": answered.score})
        if request.method == "GET":
            return _page(lang, "survey_title", "survey_text", values=values, survey=True, token=token)
        try:
            score = int(request.form.get("score", ""))
        except ValueError:
            score = 0
        if not 1 <= score <= 5:
            return _page(lang, "survey_title", "survey_choose_score", 422, values=values, survey=True, token=token)
        comment = "".join(c for c in (request.form.get("comment") or "") if c.isprintable() or c in "\n\r\t").strip()[:2000]
        case = uow.session.scalars(select(Case).where(Case.order_id == order.id).order_by(Case.id.desc())).first()
        uow.repo.add(SurveyAnswer(shop_id=order.shop_id, order_id=order.id, case_id=case.id if case else None,
                                  score=score, comment=comment or None, created_at=utcnow()))
        if case is not None:
            from core.services.cases import note

            note(uow, case, f"Customer rated the delivery {score}/5" + (f": “{comment}”" if comment else ""), utcnow(),
                 author="Customer")
        uow.commit()
    return _page(lang, "thanks_title", "thanks_text")
