"""A WooCommerce store connects and its merchant signs in.

Install (`/install/woocommerce`): the merchant enters their store's address; Forewarn records a pending
installation whose random public id is WooCommerce's `user_id`, and sends them to the store's own
`/wc-auth/v1/authorize` page. When they approve, the store POSTs the new REST keys to the callback: they are
taken only for a pending installation of the last hour and stored encrypted, but trusted only once the
store itself accepts them (the connect job asks it); then the installation becomes the store's, the job
registers the webhooks (with a secret of their own) and fetches recent orders. The store then sends the merchant back to
`return_url`, which signs them in — only in the browser that started the install (a signed cookie).

Admin access: WooCommerce has no embedded admin page, so the merchant signs in with a link instead: one is
used at a store's first install; later (and after a reconnection, which signs nobody in by itself),
`/login/woocommerce` emails a 15-minute, single-use link to the address on file. A sign-in opens a cookie session for that one store (12 h), and its admin page gives its API calls
a token for that store only (web/auth.py).
"""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from datetime import timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, redirect, render_template, request, session
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from itsdangerous import BadSignature, URLSafeTimedSerializer

from connectors.woocommerce.client import normalize_store_url
from core.domain.model import ShopStatus, WooInstallation, WooStatus
from core.errors import ConnectorError
from jobs import queues
from jobs.runtime import Runtime, utcnow
from web.install import problem

log = logging.getLogger(__name__)
bp = Blueprint("woocommerce", __name__)

PENDING_FOR = timedelta(hours=1)
SESSION_SECONDS = 12 * 3600
LOGIN_LINK_SECONDS = 15 * 60
APP_NAME = "Forewarn"


def _rt() -> Runtime:
    return current_app.extensions["forewarn"]


def shop_domain(store_url: str) -> str:
    """A store's key among Forewarn's shops: its address without the scheme (`shop.example.com/store`)."""
    return store_url.split("://", 1)[1]


def _login_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="forewarn-woo-login")


def login_link(domain: str) -> str:
    """A single-use sign-in link for one store's admin page, valid 15 minutes."""
    token = _login_serializer().dumps({"shop": domain, "n": secrets.token_hex(8)})
    return f"{_rt().settings.base_url}/login/woocommerce/{token}"


def _sign_in(domain: str) -> None:
    session.clear()
    session["woo_shop"], session["woo_since"] = domain, int(time.time())
    session.permanent = False


def _configured(rt: Runtime) -> bool:
    return bool(rt.settings.secret_key)


# -- install -------------------------------------------------------------------------------------------------


@bp.get("/install/woocommerce")
def install_form() -> ResponseReturnValue:
    return render_template("woo_install.html", error=None, store_url="", email="")


@bp.post("/install/woocommerce")
def install_start() -> ResponseReturnValue:
    rt = _rt()
    if not _configured(rt):
        return problem(503, "Forewarn is not configured", "FOREWARN_SECRET_KEY must be set.")
    raw, email = (request.form.get("store_url") or "").strip(), (request.form.get("email") or "").strip()[:320]
    try:
        store_url = normalize_store_url(raw, allow_http=rt.settings.demo, allow_private=rt.settings.allow_private_network)
    except (ValueError, ConnectorError) as exc:
        return render_template("woo_install.html", error=str(exc), store_url=raw, email=email), 400
    if email and ("@" not in email or any(c in email for c in "\r\n <>")):
        return render_template("woo_install.html", error="That email address does not look right.", store_url=raw,
                               email=email), 400
    from core.adapters import ratelimit

    if not ratelimit.allow(rt.redis, f"woo-install:{request.remote_addr}", 20, 3600):
        return render_template("woo_install.html", error="Too many attempts; try again in an hour.", store_url=raw,
                               email=email), 429
    public_id = secrets.token_hex(16)
    with rt.uow() as uow:
        uow.repo.add(WooInstallation(public_id=public_id, store_url=store_url, admin_email=email or None,
                                     created_at=utcnow(), webhooks={}))
        uow.commit()
    session["woo_install"] = public_id  # only this browser is signed in when the store sends it back
    base = rt.settings.base_url
    query = urlencode({
        "app_name": APP_NAME, "scope": "read_write", "user_id": public_id,
        "return_url": f"{base}/install/woocommerce/return", "callback_url": f"{base}/install/woocommerce/callback",
    })
    return redirect(f"{store_url}/wc-auth/v1/authorize?{query}", code=303)


@bp.post("/install/woocommerce/callback")
def install_callback() -> ResponseReturnValue:
    """The store POSTs the keys (JSON) server to server; only a pending installation of ours takes them."""
    rt = _rt()
    body: Any = request.get_json(silent=True, force=True)
    if not isinstance(body, dict):
        return {"error": "the body must be the JSON object WooCommerce sends"}, 400
    user_id, key, secret = str(body.get("user_id") or ""), body.get("consumer_key"), body.get("consumer_secret")
    if not (isinstance(key, str) and key.startswith("ck_") and isinstance(secret, str) and secret.startswith("cs_")):
        return {"error": "consumer_key and consumer_secret are missing or malformed"}, 400
    if body.get("key_permissions") != "read_write":
        return {"error": "Forewarn needs read_write access (to register webhooks and add order notes)"}, 400
    now = utcnow()
    with rt.uow() as uow:
        installation = uow.session.scalars(
            select(WooInstallation).where(WooInstallation.public_id == user_id[:40]).with_for_update()
        ).one_or_none() if user_id else None
        if installation is None or installation.status != WooStatus.PENDING \
                or now - installation.created_at > PENDING_FOR:
            log.warning("refused a wc-auth callback for unknown or expired installation %r", user_id[:40])
            return {"error": "unknown or expired installation"}, 404
        # nothing is trusted yet: the connect job first asks the store itself to accept these keys, and only
        # then does this installation replace another or sign anyone in
        installation.status, installation.key_permissions = WooStatus.VERIFYING, body["key_permissions"]
        installation.credentials_ciphertext = rt.cipher.encrypt(json.dumps(
            {"consumer_key": key, "consumer_secret": secret, "key_id": body.get("key_id")}))
        installation.webhook_secret_ciphertext = rt.cipher.encrypt(secrets.token_urlsafe(32))
        installation_id, domain = installation.id, shop_domain(installation.store_url)
        uow.after_commit(lambda: queues.enqueue(rt.redis, queues.DEFAULT, "jobs.woocommerce.connect", installation_id,
                                                job_id=queues.job_id("woo-connect", installation_id),
                                                description=f"connect WooCommerce installation {installation_id}"))
        uow.commit()
    log.info("WooCommerce store %s sent its keys (installation %s); verifying them", domain, installation_id)
    return {"ok": True}, 200


@bp.get("/install/woocommerce/return")
def install_return() -> ResponseReturnValue:
    rt = _rt()
    public_id = session.get("woo_install")
    if request.args.get("success") != "1":
        return problem(400, "Nothing was connected", "The store did not grant access. You can start again from "
                       "/install/woocommerce whenever you like.")
    if not public_id or request.args.get("user_id") != public_id:
        return problem(401, "Sign in to continue", "This browser did not start the installation. Use the sign-in "
                       "link from /login/woocommerce.")
    with rt.uow() as uow:
        installation = uow.repo.woo_installation(public_id)
        if installation is not None and installation.status == WooStatus.REFUSED:
            return problem(400, "Your store did not accept the connection", installation.health_error or "")
        if installation is None or installation.status != WooStatus.ACTIVE:
            return problem(409, "Still connecting", "Your store has not confirmed Forewarn's keys yet. Reload this page "
                           "in a few seconds.")
        domain, reconnected, email = shop_domain(installation.store_url), installation.reconnect_of, installation.admin_email
    session.pop("woo_install", None)
    if reconnected is not None:
        # a store already connected signs in through the address on file, never through this redirect alone:
        # whoever started this install may not be the store's owner who approved it
        if email and rt.settings.smtp_url:
            _send_login(rt, email, domain)
        return problem(200, "Your store is connected again",
                       "Sign in with the link emailed to the address on file for this store, or ask for one at "
                       "/login/woocommerce.")
    _sign_in(domain)
    return redirect("/admin/woocommerce", code=303)


# -- sign-in ---------------------------------------------------------------------------------------------------


@bp.get("/login/woocommerce")
def login_form() -> ResponseReturnValue:
    return render_template("woo_login.html", sent=False, error=None)


@bp.post("/login/woocommerce")
def login_request() -> ResponseReturnValue:
    """Email a sign-in link to the store's admin address. The answer is the same whether or not the store
    uses Forewarn, so the form tells nobody which stores do."""
    from core.adapters import ratelimit

    rt = _rt()
    raw = (request.form.get("store_url") or "").strip()
    if not ratelimit.allow(rt.redis, f"woo-login:{request.remote_addr}", 10, 3600):
        return render_template("woo_login.html", sent=False, error="Too many attempts; try again in an hour."), 429
    if not rt.settings.smtp_url:
        return render_template("woo_login.html", sent=False, error="Sign-in by email is not available here "
                               "(FOREWARN_SMTP_URL is not set). Connect the store again from /install/woocommerce."), 503
    try:
        domain = shop_domain(normalize_store_url(raw, allow_http=rt.settings.demo, allow_private=True))
    except (ValueError, ConnectorError):
        return render_template("woo_login.html", sent=True, error=None)
    with rt.uow() as uow:
        shop = uow.repo.shop("woocommerce", domain)
        installation = uow.repo.woo_installation_of_shop(shop.id) if shop else None
        email = installation.admin_email if installation else None
    if email and ratelimit.allow(rt.redis, f"woo-login-store:{domain}", 5, 3600):
        _send_login(rt, email, domain)
    return render_template("woo_login.html", sent=True, error=None)


def _send_login(rt: Runtime, email: str, domain: str) -> None:
    from connectors.mail import Mailer, SmtpConfig

    message = EmailMessage()
    message["To"], message["Subject"] = email, f"Sign in to Forewarn for {domain}"
    message.set_content(f"Open this link within 15 minutes to sign in to Forewarn for {domain}:\n\n"
                        f"{login_link(domain)}\n\nIf you did not ask for it, ignore this email.")
    try:
        Mailer(SmtpConfig.from_url(rt.settings.smtp_url or "")).send(message)
    except (ConnectorError, ValueError) as exc:
        log.error("could not email a sign-in link for %s: %s", domain, exc)


@bp.route("/login/woocommerce/<token>", methods=["GET", "POST"])
def login_with_link(token: str) -> ResponseReturnValue:
    """GET shows which store the link signs into and a button; only the POST uses the link up — mail
    scanners that open links do not spend it, and nobody is signed into a store they did not see named."""
    rt = _rt()
    try:
        data = _login_serializer().loads(token, max_age=LOGIN_LINK_SECONDS)
    except BadSignature:
        return problem(401, "This sign-in link has expired", "Ask for a new one at /login/woocommerce.")
    # the link's own random part marks it used (not the token's text, which decodes in more than one spelling)
    used = f"forewarn:woo-login-used:{hashlib.sha256(str(data.get('n')).encode()).hexdigest()}"
    if request.method == "GET":
        if rt.redis.exists(used):
            return problem(401, "This sign-in link was already used", "Ask for a new one at /login/woocommerce.")
        return render_template("woo_signin.html", store=data["shop"], token=token)
    if not rt.redis.set(used, "1", nx=True, ex=LOGIN_LINK_SECONDS + 60):
        return problem(401, "This sign-in link was already used", "Ask for a new one at /login/woocommerce.")
    _sign_in(data["shop"])
    return redirect("/admin/woocommerce", code=303)


def signed_in_store() -> str | None:
    """The store this browser signed in to, while its sign-in lasts (SESSION_SECONDS); an expired one is dropped.
    Every admin page reads it (web/admin/context.py)."""
    domain, since = session.get("woo_shop"), session.get("woo_since", 0)
    if domain and time.time() - since <= SESSION_SECONDS:
        return domain  # type: ignore[no-any-return]
    if domain:
        session.pop("woo_shop", None)
    return None


@bp.get("/admin/woocommerce")
def admin_page() -> ResponseReturnValue:
    rt = _rt()
    domain = signed_in_store()
    if domain is None:
        return problem(401, "Sign in to Forewarn", "Your store's Forewarn page opens with a sign-in link: ask for "
                       "one at /login/woocommerce.")
    with rt.uow() as uow:
        shop = uow.repo.shop("woocommerce", domain)
        if shop is None or shop.status == ShopStatus.REDACTED:
            session.pop("woo_shop", None)
            return problem(404, "No such store", "Forewarn is not connected to this store.")
    from web.admin.overview import overview_page

    return overview_page()  # every admin page reads the same cookie session (web/admin/context.py)
