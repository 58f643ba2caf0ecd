"""The customer's problem-report page: public, reached from the signed link in every customer message
(`/report/<token>`) or from the shop's own "report a problem" link with an order number and email
(`/report?shop=<domain>`). A report opens or joins the order's case (core/services/cases.py), which reaches
the merchant's helpdesk like any other case change.

Safety: the link is the customer's only credential, so it is signed, names one order and expires; the
lookup answers the same for an unknown order and a wrong email; every form is rate-limited per address and
per order; photos are checked to be images by their bytes and bounded in size and number."""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from babel.dates import format_date
from flask import Blueprint, current_app, redirect, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import or_, select
from werkzeug.exceptions import RequestEntityTooLarge

from core.adapters import links, ratelimit
from core.domain import reports
from core.domain.events import ProblemReported
from core.domain.model import Case, Order, ProblemReport, Shop, ShopStatus
from jobs.runtime import Runtime

log = logging.getLogger(__name__)
bp = Blueprint("report", __name__)

#: Attempts per client address (lookups guess order numbers and emails; reports write to a case).
LOOKUPS_PER_ADDRESS = (10, 15 * 60)
LOOKUPS_PER_ORDER_NUMBER = (10, 60 * 60)
REPORTS_PER_ADDRESS = (20, 60 * 60)
REPORTS_PER_ORDER = (6, 24 * 60 * 60)  # reports taken
#: The shops whose customers can report (not uninstalled, not deleted).
OPEN_SHOPS = (ShopStatus.INSTALLED, ShopStatus.NEEDS_REAUTH)
#: The same report sent twice (a double click, a reload) within this time is taken once.
DUPLICATE_WINDOW = timedelta(minutes=10)
#: Photos plus the form's text fields.
MAX_BODY = reports.MAX_PHOTOS * reports.MAX_PHOTO_BYTES + 64 * 1024
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"


def link_maker(rt: Runtime) -> Callable[[int, int], str] | None:
    """Signed report links for the admin's case views (none without a secret key to sign them)."""
    secret = rt.settings.secret_key
    if not secret:
        return None
    return lambda shop_id, order_id: links.report_url(rt.settings.base_url, secret, shop_id, order_id)


def _rt() -> Runtime:
    return current_app.extensions["forewarn"]


def _page(template: str, lang: str, status: int = 200, **context: Any) -> ResponseReturnValue:
    words = reports.texts(lang)
    html = render_template(template, lang=lang, t=words, kinds=reports.KINDS, **context)
    headers = {"Content-Security-Policy": CSP, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
               "X-Content-Type-Options": "nosniff"}
    return html, status, headers


def _browser_language(order_locale: str | None = None) -> str:
    return reports.language(order_locale, request.accept_languages.best_match(list(reports.TEXTS)))


def _notice(lang: str, key: str, status: int, shop: Shop | None = None) -> ResponseReturnValue:
    words = reports.texts(lang)
    return _page("report_lookup.html", lang, status, notice_title=words[key + "_title"], notice=words[key],
                 shop_domain=shop.domain if shop else request.args.get("shop", ""), failed=False)


def _client() -> str:
    """Who is asking, for rate limits: the client's address (behind a proxy, as FOREWARN_PROXY_HOPS lets
    werkzeug's ProxyFix read it), an IPv6 client by its /64 — one host can hold a whole /64."""
    address = request.remote_addr or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    return str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)


def _clean(value: str | None) -> str:
    """A form field with control characters removed (a NUL is refused by PostgreSQL and means nothing here)."""
    return "".join(ch for ch in (value or "") if ch.isprintable()).strip()


@bp.get("/report")
def lookup_form() -> ResponseReturnValue:
    return _page("report_lookup.html", _browser_language(), shop_domain=request.args.get("shop", ""), failed=False)


@bp.post("/report")
def lookup() -> ResponseReturnValue:
    """Order number + email → a short-lived signed link to that order's report page. An unknown shop, an
    unknown order and a wrong email get the same answer, so the form reveals nothing about who ordered; the
    attempts are counted per address and per order number, so guessing is slow from anywhere."""
    rt, lang = _rt(), _browser_language()
    if not rt.settings.secret_key:
        return _notice(lang, "invalid", 503)
    shop_domain = _clean(request.form.get("shop")).lower()[:255]
    number = _clean(request.form.get("order")).lstrip("#")[:40]
    email = _clean(request.form.get("email")).casefold()[:320]
    if not (ratelimit.allow(rt.redis, f"report-lookup:{_client()}", *LOOKUPS_PER_ADDRESS)
            and ratelimit.allow(rt.redis, f"report-lookup:{shop_domain}:{number}", *LOOKUPS_PER_ORDER_NUMBER)):
        return _notice(lang, "too_many", 429)
    with rt.uow() as uow:
        shop = uow.session.scalars(select(Shop).where(Shop.domain == shop_domain, Shop.status.in_(OPEN_SHOPS))).first()
        order = None
        if shop is not None and number and email:
            order = uow.session.scalars(
                select(Order).where(Order.shop_id == shop.id,
                                    or_(Order.name == f"#{number}", Order.name == number, Order.number == number))
            ).first()
        if order is None or order.redacted or not order.email \
                or not hmac.compare_digest(order.email.casefold().encode(), email.encode()):
            return _page("report_lookup.html", lang, 404, shop_domain=shop_domain, failed=True)
        token = links.sign_report(rt.settings.secret_key, shop.id, order.id, "lookup")
    return redirect(f"/report/{token}", code=303)


def _link(token: str) -> links.ReportLink | ResponseReturnValue:
    """The order a link names, or the page saying why the link does not work. Links live in the real world:
    their age is read on the wall clock, as itsdangerous signs them (never the demo's fast clock)."""
    rt = _rt()
    if not rt.settings.secret_key:
        return _notice(_browser_language(), "invalid", 503)
    try:
        return links.read_report(rt.settings.secret_key, token, datetime.now(timezone.utc))
    except links.LinkExpired as exc:
        with rt.uow() as uow:
            shop = uow.repo.shop_by_id(exc.shop_id) if exc.shop_id else None
            return _notice(_browser_language(), "expired", 410, shop)
    except links.LinkInvalid:
        return _notice(_browser_language(), "invalid", 404)


@bp.route("/report/<token>", methods=["GET", "POST"])
def report(token: str) -> ResponseReturnValue:
    rt = _rt()
    link = _link(token)
    if not isinstance(link, links.ReportLink):
        return link
    with rt.uow() as uow:
        shop = uow.repo.shop_by_id(link.shop_id)
        order = uow.repo.order_by_id(link.order_id)
        # an uninstalled shop takes no reports, and a customer who asked to be forgotten is not recorded again
        if shop is None or order is None or order.shop_id != shop.id or shop.status not in OPEN_SHOPS or order.redacted:
            return _notice(_browser_language(), "invalid", 404)
        lang = _browser_language(order.locale)
        page = {"shop_name": shop.name or shop.domain, "order_name": order.name, "first_name": order.customer_first_name,
                "token": token, "max_photos": reports.MAX_PHOTOS, "photo_mb": reports.MAX_PHOTO_BYTES // (1024 * 1024),
                "photo_kinds": sorted(reports.PHOTO_KINDS), "errors": [], "chosen": None, "details": ""}
        sent = request.args.get("sent", type=int)
        if request.method == "GET" and sent:
            found = uow.session.get(ProblemReport, sent)
            if found is not None and found.order_id == order.id:
                case = uow.session.get(Case, found.case_id) if found.case_id else None
                due = format_date(case.sla_due_at, "EEEE d MMMM", locale=lang) if case else ""
                return _page("report_thanks.html", lang, due=due, **page)
        if request.method == "GET":
            return _page("report.html", lang, **page)
        shop_id, order_id, locale = shop.id, order.id, order.locale

    # every attempt counts against the address; only reports taken count against the order (a customer
    # fixing a too-large photo is not locked out)
    order_key = f"report-order:{order_id}"
    if not ratelimit.allow(rt.redis, f"report-post:{_client()}", *REPORTS_PER_ADDRESS) \
            or ratelimit.used(rt.redis, order_key) >= REPORTS_PER_ORDER[0]:
        return _notice(lang, "too_many", 429)
    request.max_content_length = MAX_BODY
    try:
        kind, details = request.form.get("kind"), request.form.get("details")
        photos = [reports.Photo(f.filename or "photo", f.read(reports.MAX_PHOTO_BYTES + 1))
                  for f in request.files.getlist("photos") if f.filename]
    except RequestEntityTooLarge:
        words = reports.texts(lang)
        error = words["error_photo_size"].format(name="…", max=reports.MAX_PHOTO_BYTES // (1024 * 1024))
        return _page("report.html", lang, 413, **{**page, "errors": [error]})
    parsed, errors = reports.validate(kind, details, photos, lang)
    if parsed is None:
        return _page("report.html", lang, 422, **{**page, "errors": errors, "chosen": kind, "details": details or ""})

    # the same report again within minutes (a reload, a double click, two tabs) is taken once: the first
    # request to claim its fingerprint files it, the others are shown its receipt
    fingerprint = hashlib.sha256("\x00".join([str(order_id), parsed.kind, parsed.details]
                                             + [hashlib.sha256(p.data).hexdigest() for p in parsed.photos]).encode())
    claim = f"forewarn:report-dup:{fingerprint.hexdigest()}"
    if not rt.redis.set(claim, "0", nx=True, ex=int(DUPLICATE_WINDOW.total_seconds())):
        return redirect(f"/report/{token}?sent={int(rt.redis.get(claim) or 0)}", code=303)
    ratelimit.allow(rt.redis, order_key, *REPORTS_PER_ORDER)
    photos_in = tuple((p.filename, reports.image_type(p.data) or "", p.data) for p in parsed.photos)
    try:
        rt.bus.handle([ProblemReported(shop_id, order_id, parsed.kind, parsed.details, locale, photos_in)])
    except Exception:
        rt.redis.delete(claim)  # not filed: the customer may send it again
        raise
    with rt.uow() as uow:
        report_id = uow.session.scalars(
            select(ProblemReport.id).where(ProblemReport.order_id == order_id).order_by(ProblemReport.id.desc())
        ).first()
    rt.redis.set(claim, str(report_id or 0), xx=True, keepttl=True)
    return redirect(f"/report/{token}?sent={report_id}", code=303)
