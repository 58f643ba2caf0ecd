"""A Wix site installs the app and opens its dashboard page.

Install: Wix opens the app's install URL (`/install/wix?token=…`), which sends the merchant to Wix's installer;
Wix then redirects to `/install/wix/callback` with the site's `instanceId`. Wix's OAuth gives the app an
access token for that instance from the app's own id and secret — getting one is the proof that the app is
installed there — and the site is recorded (jobs/wix.py). The dashboard page does the same on its first
open, so a site whose callback was missed is installed all the same.

Dashboard page (`/admin/wix?instance=…`): Wix embeds it in the site's dashboard with a signed `instance`
parameter; it is verified on every open (no cookie: a third-party iframe may not keep one) and the page's
API calls get a token for that one site.
"""
from __future__ import annotations

import logging
from urllib.parse import urlencode

from flask import Blueprint, current_app, redirect, request
from flask.typing import ResponseReturnValue

from connectors.wix import verify
from core.errors import ConnectorError
from jobs.runtime import Runtime, utcnow
from web.install import problem

log = logging.getLogger(__name__)
bp = Blueprint("wix", __name__)
INSTALLER = "https://www.wix.com/installer/install"
CLOSE_WINDOW = "https://www.wix.com/installer/close-window"
#: Wix's dashboard (and its editor) may frame the page; nobody else.


def _rt() -> Runtime:
    return current_app.extensions["forewarn"]


def _configured(rt: Runtime) -> bool:
    return bool(rt.settings.wix_app_id and rt.settings.wix_app_secret)


def _install(rt: Runtime, instance_id: str) -> str | None:
    """Get a token for the instance (proof the app is installed there) and record the site; the reason on failure."""
    from jobs.wix import client_for, install_site

    try:
        client = client_for(rt, instance_id)
        client.token()
    except ConnectorError as exc:
        log.warning("Wix instance %s could not be installed: %s", instance_id, exc)
        return str(exc)
    site_name = None
    try:
        site_name = (client.app_instance().get("site") or {}).get("siteDisplayName")
    except (ConnectorError, AttributeError, KeyError):
        pass  # the name is a nicety; the install stands without it
    install_site(instance_id, utcnow(), site_name)
    return None


@bp.get("/install/wix")
def install() -> ResponseReturnValue:
    rt = _rt()
    if not _configured(rt):
        return problem(503, "Forewarn is not configured", "WIX_APP_ID and WIX_APP_SECRET must be set.")
    token = request.args.get("token", "")
    if not token or len(token) > 4096:
        return problem(400, "Open Forewarn from the Wix App Market", "The install link from Wix is missing its token.")
    query = urlencode({"token": token, "appId": rt.settings.wix_app_id,
                       "redirectUrl": f"{rt.settings.base_url}/install/wix/callback"})
    return redirect(f"{INSTALLER}?{query}", code=302)


@bp.get("/install/wix/callback")
def install_callback() -> ResponseReturnValue:
    rt = _rt()
    if not _configured(rt):
        return problem(503, "Forewarn is not configured", "WIX_APP_ID and WIX_APP_SECRET must be set.")
    instance_id = (request.args.get("instanceId") or "").strip()
    if not verify.valid_instance_id(instance_id):
        return problem(400, "Installation incomplete", "Wix did not say which site installed Forewarn.")
    with rt.uow() as uow:
        installation = uow.repo.wix_installation(instance_id)
        already = installation is not None and installation.status == "installed"
    error = None if already else _install(rt, instance_id)
    if error is not None:
        return problem(502, "Forewarn could not finish installing", f"Wix did not give access to this site: {error}. "
                       "Try again from the site's dashboard.")
    return redirect(CLOSE_WINDOW, code=302)


@bp.get("/admin/wix")
def dashboard() -> ResponseReturnValue:
    from web.admin.context import PageRefused, wix_context
    from web.admin.overview import overview_page

    rt = _rt()
    try:
        site = wix_context(rt, request.args.get("instance", ""))
    except PageRefused as refused:
        return refused.response
    with rt.uow() as uow:
        installation = uow.repo.wix_installation(site.shop_domain)
        installed = installation is not None and installation.status == "installed"
    if not installed:
        error = _install(rt, site.shop_domain)
        if error is not None:
            return problem(502, "Forewarn could not reach Wix", f"{error}. Reload the page in a moment.")
    return overview_page()  # the overview, bound to this site by the same instance (web/admin/context.py)
