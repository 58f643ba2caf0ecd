"""A WooCommerce store for `forewarn demo` and the tests: it answers the part of the REST API v3 that
connectors/woocommerce/client.py uses, in WooCommerce's wire format (bodies, X-WP-Total/X-WP-TotalPages,
`{"code", "message", "data": {"status"}}` errors with WooCommerce's codes), so the real client runs end to end.
Orders (full v3 order dicts, seeded by the demo), webhooks and order notes live in memory; `GET /` lists them
for a person, with each webhook's status, and `disable_webhook` does what WooCommerce does after repeated
failed deliveries, so the demo can show the health job turning it back on.

Authentication as WooCommerce checks it (includes/class-wc-rest-authentication.php): HTTP Basic auth or the
consumer_key/consumer_secret query (what a store behind https accepts), or one-legged OAuth 1.0a (what it
demands over plain http, and what the `woocommerce` package sends to an http:// address like this one's).

Never selected by production configuration; nothing here sends webhooks (no ping on creation either).
"""
from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import itertools
import math
import re
import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from flask import Flask, has_request_context, jsonify, render_template_string, request
from flask.typing import ResponseReturnValue

PREFIX = "/wp-json/wc/v3"
DATE = "%Y-%m-%dT%H:%M:%S"
RESOURCES = ("coupon", "customer", "order", "product")
EVENTS = ("created", "updated", "deleted", "restored")
STATUSES = ("active", "paused", "disabled")
HOOKS = {  # WC_Webhook::get_topic_hooks() for the order topics
    "order.created": ["woocommerce_new_order"],
    "order.updated": ["woocommerce_update_order", "woocommerce_order_refunded"],
    "order.deleted": ["wp_trash_post"],
    "order.restored": ["untrashed_post"],
}
ORDERBY = ("date", "id", "include", "title", "slug", "modified")
OAUTH_WINDOW = 15 * 60  # seconds either side of now, as WooCommerce allows
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|z|[+-]\d{2}(:?\d{2})?)?")


class ApiError(Exception):
    """A WordPress REST error: becomes `{"code", "message", "data": {"status", ...}}` with that status."""

    def __init__(self, status: int, code: str, message: str, **data: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.data = status, code, message, data

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "data": {"status": self.status, **self.data}}


def auth_error(message: str) -> ApiError:
    return ApiError(401, "woocommerce_rest_authentication_error", message)


def invalid_param(name: str, why: str) -> ApiError:
    return ApiError(400, "rest_invalid_param", f"Invalid parameter(s): {name}", params={name: why})


class WooStoreSimulator:
    def __init__(self, consumer_key: str = "ck_demo", consumer_secret: str = "cs_demo", *,
                 key_permissions: str = "read_write", now: Callable[[], datetime] | None = None) -> None:
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.key_permissions = key_permissions  # read | write | read_write, as the key was granted
        self.now = now or (lambda: datetime.now(timezone.utc))
        self.orders: dict[int, dict[str, Any]] = {}
        self.webhooks: dict[int, dict[str, Any]] = {}
        self.notes: dict[int, list[dict[str, Any]]] = {}
        self._secrets: dict[int, str] = {}
        self._nonces: dict[str, float] = {}
        self._webhook_ids = itertools.count(140)
        self._note_ids = itertools.count(280)
        self._lock = threading.RLock()

    def _stamp(self) -> str:
        return self.now().astimezone(timezone.utc).strftime(DATE)  # the simulated site runs on UTC

    # -- orders --------------------------------------------------------------------------------------

    def add_order(self, order: dict[str, Any]) -> dict[str, Any]:
        """Seed a full v3 order dict (kept as given; missing dates are set to now)."""
        with self._lock:
            row = copy.deepcopy(order)
            row["id"] = int(row["id"])
            stamp = self._stamp()
            for field in ("date_created", "date_modified"):
                row.setdefault(f"{field}_gmt", row.get(field) or stamp)
                row.setdefault(field, row[f"{field}_gmt"])
            self.orders[row["id"]] = row
            self.notes.setdefault(row["id"], [])
            return copy.deepcopy(row)

    def update_order(self, order_id: int, **changes: Any) -> dict[str, Any]:
        """Change an order as the shop would (e.g. status="completed", meta_data=[…]); its modified date moves."""
        with self._lock:
            row = self.orders[int(order_id)]
            row.update(copy.deepcopy(changes))
            row["date_modified"] = row["date_modified_gmt"] = self._stamp()
            return copy.deepcopy(row)

    def order(self, order_id: int) -> dict[str, Any]:
        with self._lock:
            row = self.orders.get(order_id)
            if row is None:
                raise ApiError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
            return copy.deepcopy(row)

    def list_orders(self, args: dict[str, str]) -> tuple[list[dict[str, Any]], int, int]:
        """One page of orders as GET /orders answers it: (orders, X-WP-Total, X-WP-TotalPages)."""
        page, per_page = _paging(args)
        column = "date_modified_gmt" if _boolean(args.get("dates_are_gmt", "false")) else "date_modified"
        after = _date_param(args, "modified_after")
        orderby = args.get("orderby", "date")
        if orderby not in ORDERBY:
            raise invalid_param("orderby", f"orderby is not one of {', '.join(ORDERBY)}.")
        field = {"modified": column, "id": "id"}.get(orderby, "date_created_gmt")
        with self._lock:
            rows = [o for o in self.orders.values() if o.get("status") != "trash"
                    and (after is None or str(o.get(column) or "") > after)]
            return _page(rows, field, args.get("order", "desc"), page, per_page)

    # -- webhooks ------------------------------------------------------------------------------------

    def create_webhook(self, body: dict[str, Any]) -> dict[str, Any]:
        topic = str(body.get("topic") or "").lower()
        if not _valid_topic(topic):
            raise ApiError(400, "woocommerce_rest_shop_webhook_invalid_topic",
                           "Webhook topic is required and must be valid.")
        delivery_url = str(body.get("delivery_url") or "")
        if not delivery_url.startswith(("http://", "https://")):
            raise ApiError(400, "woocommerce_rest_shop_webhook_invalid_delivery_url",
                           "Webhook delivery URL must be a valid URL starting with http:// or https://.")
        status = str(body.get("status") or "active")
        if status not in STATUSES:
            raise ApiError(400, "woocommerce_rest_shop_webhook_invalid_status", "Webhook status must be valid.")
        with self._lock:
            webhook_id = next(self._webhook_ids)
            stamp = self._stamp()
            resource, event = topic.split(".", 1)
            self.webhooks[webhook_id] = {
                "id": webhook_id, "name": str(body.get("name") or f"Webhook created on {stamp}"), "status": status,
                "topic": topic, "resource": resource, "event": event, "hooks": HOOKS.get(topic, []),
                "delivery_url": delivery_url, "date_created": stamp, "date_created_gmt": stamp,
                "date_modified": stamp, "date_modified_gmt": stamp,
            }
            # without a secret WooCommerce generates one (wp_generate_password(50)), never shown again
            self._secrets[webhook_id] = str(body.get("secret") or secrets.token_urlsafe(37))
            return self._webhook_view(webhook_id)

    def update_webhook(self, webhook_id: int, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            row = self.webhooks.get(webhook_id)
            if row is None:  # sic: WooCommerce answers 400 here, not 404
                raise ApiError(400, "woocommerce_rest_shop_webhook_invalid_id", "ID is invalid.")
            if body.get("topic"):
                topic = str(body["topic"]).lower()
                if not _valid_topic(topic):
                    raise ApiError(400, "woocommerce_rest_shop_webhook_invalid_topic", "Webhook topic must be valid.")
                row.update(topic=topic, resource=topic.split(".", 1)[0], event=topic.split(".", 1)[1],
                           hooks=HOOKS.get(topic, []))
            if body.get("delivery_url"):
                if not str(body["delivery_url"]).startswith(("http://", "https://")):
                    raise ApiError(400, "woocommerce_rest_shop_webhook_invalid_delivery_url",
                                   "Webhook delivery URL must be a valid URL starting with http:// or https://.")
                row["delivery_url"] = str(body["delivery_url"])
            if body.get("status"):
                if str(body["status"]).lower() not in STATUSES:
                    raise ApiError(400, "woocommerce_rest_shop_webhook_invalid_status", "Webhook status must be valid.")
                row["status"] = str(body["status"]).lower()
            if body.get("secret"):
                self._secrets[webhook_id] = str(body["secret"])
            if body.get("name"):
                row["name"] = str(body["name"])
            row["date_modified"] = row["date_modified_gmt"] = self._stamp()
            return self._webhook_view(webhook_id)

    def disable_webhook(self, webhook_id: int) -> dict[str, Any]:
        """What WooCommerce does after consecutive failed deliveries (WC_Webhook::failed_delivery)."""
        with self._lock:
            self.webhooks[webhook_id]["status"] = "disabled"
            return self._webhook_view(webhook_id)

    def webhook_secret(self, webhook_id: int) -> str | None:
        """The secret deliveries are signed with (write-only on the wire; for a demo that delivers)."""
        with self._lock:
            return self._secrets.get(webhook_id)

    def list_webhooks(self, args: dict[str, str]) -> tuple[list[dict[str, Any]], int, int]:
        page, per_page = _paging(args)
        status = args.get("status", "all")
        if status not in ("all", *STATUSES):
            raise invalid_param("status", f"status is not one of all, {', '.join(STATUSES)}.")
        field = "id" if args.get("orderby") == "id" else "date_created_gmt"
        with self._lock:
            rows = [self._webhook_view(i) for i, w in self.webhooks.items() if status in ("all", w["status"])]
        return _page(rows, field, args.get("order", "desc"), page, per_page)

    def _webhook_view(self, webhook_id: int) -> dict[str, Any]:
        row = copy.deepcopy(self.webhooks[webhook_id])
        row["_links"] = {"self": [{"href": _url(f"webhooks/{webhook_id}")}], "collection": [{"href": _url("webhooks")}]}
        return row

    # -- notes ---------------------------------------------------------------------------------------

    def add_note(self, order_id: int, note: str, *, customer_note: bool = False,
                 added_by_user: bool = False) -> dict[str, Any]:
        with self._lock:
            if order_id not in self.orders:
                raise ApiError(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
            stamp = self._stamp()
            row = {"id": next(self._note_ids), "author": "Demo shop manager" if added_by_user else "system",
                   "date_created": stamp, "date_created_gmt": stamp, "note": note, "customer_note": customer_note}
            self.notes[order_id].append(row)
            return self._note_view(order_id, row)

    def notes_of(self, order_id: int) -> list[dict[str, Any]]:
        """Newest first, as WooCommerce lists them."""
        with self._lock:
            if order_id not in self.orders:
                raise ApiError(404, "woocommerce_rest_shop_order_invalid_id", "Invalid order ID.")
            return [self._note_view(order_id, n) for n in sorted(self.notes[order_id], key=lambda n: -n["id"])]

    @staticmethod
    def _note_view(order_id: int, row: dict[str, Any]) -> dict[str, Any]:
        base = f"orders/{order_id}/notes"
        return {**row, "_links": {"self": [{"href": _url(f"{base}/{row['id']}")}], "collection": [{"href": _url(base)}],
                                  "up": [{"href": _url(f"orders/{order_id}")}]}}

    # -- authentication ------------------------------------------------------------------------------

    def authenticate(self, method: str) -> None:
        """Raise ApiError unless the request carries this store's key pair, the way WooCommerce checks it."""
        auth = request.authorization
        key, secret = request.args.get("consumer_key"), request.args.get("consumer_secret")
        if auth is not None and auth.type == "basic" and not key:
            key, secret = auth.username, auth.password
        if key:
            if not _same(key, self.consumer_key):
                raise _cannot(method)  # an unknown key authenticates nobody
            if not _same(secret or "", self.consumer_secret):
                raise auth_error("Consumer secret is invalid.")
        elif "oauth_consumer_key" in request.args or "oauth_signature" in request.args:
            self._check_oauth(method)
        else:
            raise _cannot(method)
        if method == "GET" and "read" not in self.key_permissions:
            raise auth_error("The API key provided does not have read permissions.")
        if method in ("POST", "PUT") and "write" not in self.key_permissions:
            raise auth_error("The API key provided does not have write permissions.")

    def _check_oauth(self, method: str) -> None:
        params = request.args.to_dict()  # first of repeated names; the package repeats its query after signing
        names = ("oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature", "oauth_signature_method")
        missing = [n for n in names if not params.get(n)]
        if missing:
            raise ApiError(401, "woocommerce_rest_authentication_missing_parameter",
                           f"Missing OAuth parameter{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        if not _same(params["oauth_consumer_key"], self.consumer_key):
            raise auth_error("Consumer key is invalid.")
        given = params.pop("oauth_signature").replace(" ", "+")
        algorithm = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}.get(params["oauth_signature_method"])
        if algorithm is None:
            raise auth_error("Invalid signature - signature method is invalid.")
        pairs = [f"{_rfc3986(k)}={_rfc3986(v)}" for k, v in sorted(params.items())]
        base = f"{method}&{_rfc3986(request.base_url)}&{'%26'.join(_rfc3986(p) for p in pairs)}"
        expected = base64.b64encode(hmac.new(f"{self.consumer_secret}&".encode(), base.encode(), algorithm).digest())
        if not _same(expected.decode(), given):
            raise auth_error("Invalid signature - provided signature does not match.")
        try:
            stamp = int(params["oauth_timestamp"])
        except ValueError:
            stamp = 0
        if abs(time.time() - stamp) > OAUTH_WINDOW:  # the wall clock: the client signs with it
            raise auth_error("Invalid timestamp.")
        with self._lock:
            self._nonces = {n: t for n, t in self._nonces.items() if t > time.time() - OAUTH_WINDOW}
            if params["oauth_nonce"] in self._nonces:
                raise auth_error("Invalid nonce - nonce has already been used.")
            self._nonces[params["oauth_nonce"]] = time.time()


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def _cannot(method: str) -> ApiError:
    """What the permission callbacks answer when no key authenticated the request (status 401 for a guest)."""
    if method == "POST":
        return ApiError(401, "woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources.")
    if method == "PUT":
        return ApiError(401, "woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource.")
    return ApiError(401, "woocommerce_rest_cannot_view", "Sorry, you cannot list resources.")


def _rfc3986(text: str) -> str:
    """PHP's rawurlencode."""
    return quote(text, safe="~")


def _url(path: str) -> str:
    """An absolute link inside a request (as WooCommerce's `_links`), a path outside one (the demo's own calls)."""
    host = request.host_url.rstrip("/") if has_request_context() else ""
    return f"{host}{PREFIX}/{path}"


def _valid_topic(topic: str) -> bool:
    resource, _, event = topic.partition(".")
    return (resource in RESOURCES and event in EVENTS) or (resource == "action" and bool(event))


def _boolean(value: str) -> bool:
    if value.lower() in ("1", "true"):
        return True
    if value.lower() in ("0", "false", ""):
        return False
    raise invalid_param("dates_are_gmt", "dates_are_gmt is not of type boolean.")


def _paging(args: dict[str, str]) -> tuple[int, int]:
    try:
        page, per_page = int(args.get("page", "1")), int(args.get("per_page", "10"))
    except ValueError:
        raise invalid_param("per_page", "page and per_page are not of type integer.") from None
    if not 1 <= per_page <= 100:
        raise invalid_param("per_page", "per_page must be between 1 (inclusive) and 100 (inclusive)")
    if page < 1:
        raise invalid_param("page", "page must be greater than or equal to 1")
    return page, per_page


def _date_param(args: dict[str, str], name: str) -> str | None:
    """The date as WordPress compares it with a date column: `YYYY-MM-DD HH:MM:SS`; a value with an offset is
    converted to the site's timezone (UTC here)."""
    value = args.get(name)
    if value is None:
        return None
    if not RFC3339.fullmatch(value):
        raise invalid_param(name, "Invalid date.")
    parsed = datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00").replace(" ", "T"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc)
    return parsed.strftime(DATE)


def _page(rows: list[dict[str, Any]], field: str, order: str, page: int, per_page: int
          ) -> tuple[list[dict[str, Any]], int, int]:
    if order not in ("asc", "desc"):
        raise invalid_param("order", "order is not one of asc, desc.")
    rows = sorted(rows, key=lambda r: (str(r.get(field) or "") if field != "id" else r["id"], r["id"]),
                  reverse=order == "desc")
    total = len(rows)
    return rows[(page - 1) * per_page: page * per_page], total, math.ceil(total / per_page)


PAGE = """<!doctype html><meta charset="utf-8"><title>Simulated WooCommerce store</title>
<style>body{font:14px system-ui;margin:2em}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}.disabled{color:#b00;font-weight:bold}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.4em;margin:.2em 0}</style>
<h1>Simulated WooCommerce store (REST API wc/v3)</h1>
<h2>Webhooks ({{ webhooks|length }})</h2>
<table><tr><th>id</th><th>name</th><th>topic</th><th>status</th><th>delivery URL</th><th>modified (GMT)</th></tr>
{% for w in webhooks %}<tr data-webhook="{{ w.id }}"><td>{{ w.id }}</td><td>{{ w.name }}</td><td>{{ w.topic }}</td>
<td data-status class="{{ w.status }}">{{ w.status }}</td><td>{{ w.delivery_url }}</td>
<td>{{ w.date_modified_gmt }}</td></tr>
{% endfor %}</table>
<h2>Orders ({{ orders|length }})</h2>
{% for o in orders %}<article data-order="{{ o.id }}"><h3>#{{ o.number or o.id }} · {{ o.status }} · {{ o.total }}
{{ o.currency }} · modified {{ o.date_modified_gmt }} GMT</h3>
{% for n in notes.get(o.id, [])|reverse %}<pre>{{ n.date_created_gmt }} {{ "to the customer" if n.customer_note
else "private" }} ({{ n.author }}): {{ n.note }}</pre>{% endfor %}</article>{% endfor %}"""


def create_app(sim: WooStoreSimulator) -> Flask:
    app = Flask("forewarn-woocommerce-simulator")

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> ResponseReturnValue:
        return jsonify(error.body()), error.status

    @app.errorhandler(404)
    @app.errorhandler(405)
    def no_route(error: Exception) -> ResponseReturnValue:
        if request.path.startswith("/wp-json/"):
            return jsonify(code="rest_no_route", message="No route was found matching the URL and request method.",
                           data={"status": 404}), 404
        return "Not found", 404  # the demo page has one route

    @app.before_request
    def authenticate() -> None:
        if request.path.startswith(f"{PREFIX}/"):
            sim.authenticate(request.method)

    def listed(rows: list[dict[str, Any]], total: int, pages: int) -> ResponseReturnValue:
        return jsonify(rows), 200, {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}

    def body() -> dict[str, Any]:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise ApiError(400, "rest_invalid_json", "Invalid JSON body passed.")
        return data

    @app.get(f"{PREFIX}/webhooks")
    def list_webhooks() -> ResponseReturnValue:
        return listed(*sim.list_webhooks(request.args.to_dict()))

    @app.post(f"{PREFIX}/webhooks")
    def create_webhook() -> ResponseReturnValue:
        row = sim.create_webhook(body())
        return jsonify(row), 201, {"Location": row["_links"]["self"][0]["href"]}

    @app.put(f"{PREFIX}/webhooks/<int:webhook_id>")
    def update_webhook(webhook_id: int) -> ResponseReturnValue:
        return jsonify(sim.update_webhook(webhook_id, body()))

    @app.get(f"{PREFIX}/orders")
    def list_orders() -> ResponseReturnValue:
        return listed(*sim.list_orders(request.args.to_dict()))

    @app.get(f"{PREFIX}/orders/<int:order_id>")
    def get_order(order_id: int) -> ResponseReturnValue:
        return jsonify(sim.order(order_id))

    @app.get(f"{PREFIX}/orders/<int:order_id>/notes")
    def list_notes(order_id: int) -> ResponseReturnValue:
        return jsonify(sim.notes_of(order_id))

    @app.post(f"{PREFIX}/orders/<int:order_id>/notes")
    def add_note(order_id: int) -> ResponseReturnValue:
        data = body()
        if not data.get("note"):
            raise ApiError(400, "rest_missing_callback_param", "Missing parameter(s): note", params=["note"])
        row = sim.add_note(order_id, str(data["note"]), customer_note=bool(data.get("customer_note")),
                           added_by_user=bool(data.get("added_by_user")))
        return jsonify(row), 201, {"Location": row["_links"]["self"][0]["href"]}

    @app.get("/")
    def page() -> ResponseReturnValue:
        with sim._lock:
            orders = sorted(copy.deepcopy(list(sim.orders.values())), key=lambda o: o["date_modified_gmt"],
                            reverse=True)
            webhooks = [copy.deepcopy(w) for w in sorted(sim.webhooks.values(), key=lambda w: w["id"])]
            notes = copy.deepcopy(sim.notes)
        return render_template_string(PAGE, orders=orders, webhooks=webhooks, notes=notes)

    return app
