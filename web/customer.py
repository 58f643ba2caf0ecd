"""The customer's own links from their messages: unsubscribe (one click, honoured on every channel) and the
satisfaction survey (1–5 and a comment, one answer per order). Both are signed; a tampered or expired link
is refused without revealing anything; the pages speak the customer's language where the page has it."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from core.adapters import links
from core.domain.model import Case, SurveyAnswer
from jobs.messages import record_opt_out
from jobs.runtime import Runtime, utcnow

bp = Blueprint("customer", __name__)
HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
           "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _rt() -> Runtime:
    return current_app.extensions["forewarn"]


def _page(title: str, text: str, status: int = 200, **context: object) -> ResponseReturnValue:
    context.setdefault("lang", "en")
    return render_template("customer_page.html", title=title, text=text, **context), status, HEADERS


@bp.route("/u/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> ResponseReturnValue:
    """GET asks to confirm (mail scanners open links); POST — the button, or a mail client's one-click
    `List-Unsubscribe-Post` — records it."""
    rt = _rt()
    try:
        link = links.read_unsubscribe(rt.settings.secret_key or "", token, datetime.now(timezone.utc))
    except (links.LinkExpired, links.LinkInvalid):
        return _page("This link does not work", "Reply to the shop's email and ask to be removed; they will do it.", 404)
    with rt.uow() as uow:
        shop = uow.repo.shop_by_id(link.shop_id)
        name = shop.name or shop.domain if shop else "the shop"
        if request.method == "GET":
            return _page(f"Stop messages from {name}?", f"You will get no more delivery updates from {name} at "
                         f"{link.address}, by email or text message.", confirm=True)
        if shop is not None:
            record_opt_out(uow, shop.id, link.address, "link", utcnow())
            uow.commit()
    return _page("You are unsubscribed", f"{name} will not send you delivery updates any more.")


@bp.route("/survey/<token>", methods=["GET", "POST"])
def survey(token: str) -> ResponseReturnValue:
    rt = _rt()
    try:
        link = links.read_survey(rt.settings.secret_key or "", token, datetime.now(timezone.utc))
    except (links.LinkExpired, links.LinkInvalid):
        return _page("This link does not work", "The survey link may have expired. Thank you all the same.", 404)
    with rt.uow() as uow:
        order = uow.repo.order_by_id(link.order_id)
        if order is None or order.shop_id != link.shop_id:
            return _page("This link does not work", "The survey link may have expired. Thank you all the same.", 404)
        answered = uow.session.scalars(select(SurveyAnswer).where(SurveyAnswer.order_id == order.id)).first()
        if answered is not None:
            return _page("Thank you — you already answered", f"You rated your delivery {answered.score} out of 5.")
        if request.method == "GET":
            return _page(f"How did order {order.name} go?", "One click is enough; a comment helps even more.",
                         survey=True, token=token)
        try:
            score = int(request.form.get("score", ""))
        except ValueError:
            score = 0
        if not 1 <= score <= 5:
            return _page(f"How did order {order.name} go?", "Choose a score from 1 to 5.", 422, survey=True, token=token)
        comment = "".join(c for c in (request.form.get("comment") or "") if c.isprintable() or c in "\n\r\t").strip()[:2000]
        case = uow.session.scalars(select(Case).where(Case.order_id == order.id).order_by(Case.id.desc())).first()
        uow.repo.add(SurveyAnswer(shop_id=order.shop_id, order_id=order.id, case_id=case.id if case else None,
                                  score=score, comment=comment or None, created_at=utcnow()))
        if case is not None:
            from core.services.cases import note

            note(uow, case, f"Customer rated the delivery {score}/5" + (f": “{comment}”" if comment else ""), utcnow(),
                 author="Customer")
        uow.commit()
    return _page("Thank you!", "Your answer helps the shop do better.")
