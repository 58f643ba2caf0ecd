"""The Flask app factory. No app is created at import time: jobs never need Flask."""
from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import OperationalError

from core.settings import Settings
from jobs import runtime as runtime_module
from jobs.runtime import Runtime

log = logging.getLogger(__name__)


def create_app(test_config: dict[str, Any] | None = None, runtime: Runtime | None = None) -> Flask:
    app = Flask(__name__)
    # Bodies are read before their signature can be checked: bound what an anonymous sender can make us hold.
    app.config["MAX_CONTENT_LENGTH"] = 5 * 1024 * 1024
    app.config.from_mapping(test_config or {})
    if runtime is None:
        runtime = Runtime.build(Settings.from_env(os.environ))
    runtime_module.install(runtime)
    app.extensions["forewarn"] = runtime
    if runtime.settings.proxy_hops:  # behind a load balancer: the client's address and scheme as it saw them
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = runtime.settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.config["SECRET_KEY"] = runtime.settings.secret_key or os.urandom(32)
    # The OAuth state cookie must come back on Shopify's top-level redirect to the callback.
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    app.config.setdefault("SESSION_COOKIE_SECURE", runtime.settings.base_url.startswith("https://"))

    from web import admin, api, customer, health, install, report, wix, woocommerce
    from webhooks import carriers, shopify
    from webhooks import channels as channel_webhooks
    from webhooks import wix as wix_webhooks
    from webhooks import woocommerce as woocommerce_webhooks

    app.register_blueprint(shopify.bp)
    app.register_blueprint(carriers.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(install.bp)
    app.register_blueprint(admin.bp)
    # these add their routes to api.bp (/api/v1/messaging, /templates, /rules, settings): import before registering it
    from web import api_messaging, api_rules, api_settings  # noqa: F401

    app.register_blueprint(api.bp)
    app.register_blueprint(report.bp)
    app.register_blueprint(customer.bp)
    from web import demo_outbox

    app.register_blueprint(demo_outbox.bp)
    app.register_blueprint(woocommerce.bp)
    app.register_blueprint(woocommerce_webhooks.bp)
    app.register_blueprint(wix.bp)
    app.register_blueprint(wix_webhooks.bp)
    app.register_blueprint(channel_webhooks.bp)

    @app.errorhandler(OperationalError)
    def database_unavailable(exc: OperationalError) -> ResponseReturnValue:
        # Nothing was stored; a 503 makes the platform deliver again later.
        log.error("database unavailable: %s", exc.orig)
        return jsonify(error="database unavailable, try again"), 503

    @app.get("/")
    def index() -> ResponseReturnValue:
        return jsonify(app="forewarn", admin="/admin", health="/healthz")

    return app
