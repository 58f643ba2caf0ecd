"""A Wix site for `forewarn demo` and the tests: it answers the part of the Wix REST APIs that
connectors/wix/client.py uses, on the same paths and in Wix's wire format (the token endpoint, eCom Get and
Search Orders, Add Activities, List Fulfillments For Single Order, Get App Instance, and errors shaped
`{"message", "details": {"applicationError": {"code", "description"}}}`), so the real client runs end to end.
Orders (eCom order dicts, seeded by the demo), fulfillments and order activities live in memory; `GET /`
lists them for a person.

For the demo to deliver webhooks as Wix does, sign_webhook builds the documented JWT body (RS256; its `data`
claim is a JSON string holding eventType, instanceId, data and identity, the last two JSON strings again)
and generate_key_pair makes the app's key pair. The envelope is the one documented on Wix's webhook pages, e.g.
https://dev.wix.com/docs/rest/api-reference/wix-e-commerce/orders/order-approved; how long Wix lets a webhook
JWT live (`exp` - `iat`) is not documented, so the hour here is a choice.

Never selected by production configuration.
"""
from __future__ import annotations

import base64
import copy
import hmac
import json
import secrets
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify, render_template_string, request
from flask.typing import ResponseReturnValue

TOKEN_LIFETIME = 14400  # seconds, as Wix documents for Create Access Token
MAX_LIMIT = 100
COMPARE = {
    "$eq": lambda a, b: a == b, "$ne": lambda a, b: a != b, "$gt": lambda a, b: a > b,
    "$gte": lambda a, b: a >= b, "$lt": lambda a, b: a < b, "$lte": lambda a, b: a <= b,
    "$in": lambda a, b: a in b, "$nin": lambda a, b: a not in b,
}


class ApiError(Exception):
    """A standard Wix error: `{"message", "details": {"applicationError": {...}}}` with that status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, Any]:
        return {"message": self.message,
                "details": {"applicationError": {"code": self.code, "description": self.message, "data": {}}}}


class WixSiteSimulator:
    def __init__(self, app_id: str, app_secret: str, instance_id: str, *, site_name: str = "Demo Tea Shop",
                 owner_email: str = "owner@demo-tea-shop.example", now: Callable[[], datetime] | None = None) -> None:
        self.app_id, self.app_secret, self.instance_id = app_id, app_secret, instance_id
        self.site_name, self.owner_email = site_name, owner_email
        self.now = now or (lambda: datetime.now(timezone.utc))
        self.orders: dict[str, dict[str, Any]] = {}
        self.fulfillments: dict[str, list[dict[str, Any]]] = {}
        self.tokens: dict[str, datetime] = {}  # issued token -> expiry
        self.token_requests = 0
        self._lock = threading.Lock()

    def _stamp(self) -> str:
        return _iso(self.now())

    # -- OAuth ---------------------------------------------------------------------------------------

    def issue_token(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("grant_type") != "client_credentials":
            raise ApiError(400, "INVALID_ARGUMENT", "grant_type must be client_credentials")
        if not (_same(body.get("client_id"), self.app_id) and _same(body.get("client_secret"), self.app_secret)):
            raise ApiError(401, "UNAUTHENTICATED", "Invalid client credentials")
        if not _same(body.get("instance_id"), self.instance_id):
            raise ApiError(401, "UNAUTHENTICATED", "The app is not installed on this instance")
        with self._lock:
            token = f"OauthNG.JWS.{secrets.token_urlsafe(24)}"
            self.tokens[token] = self.now() + timedelta(seconds=TOKEN_LIFETIME)
            self.token_requests += 1
        return {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME}

    def revoke_tokens(self) -> None:
        """Every token issued so far stops working (what an expiry or a secret reset does)."""
        with self._lock:
            self.tokens.clear()

    def authenticate(self, header: str | None) -> None:
        token = (header or "").removeprefix("Bearer ").strip()
        with self._lock:
            expiry = self.tokens.get(token)
        if expiry is None or expiry <= self.now():
            raise ApiError(401, "UNAUTHENTICATED", "Token is invalid or expired")

    # -- orders --------------------------------------------------------------------------------------

    def add_order(self, order: dict[str, Any]) -> dict[str, Any]:
        row = copy.deepcopy(order)
        row.setdefault("id", str(uuid.uuid4()))
        row.setdefault("createdDate", self._stamp())
        row.setdefault("updatedDate", row["createdDate"])
        row.setdefault("status", "APPROVED")
        row.setdefault("activities", [])
        with self._lock:
            self.orders[row["id"]] = row
            self.fulfillments.setdefault(row["id"], [])
        return copy.deepcopy(row)

    def order(self, order_id: str) -> dict[str, Any]:
        with self._lock:
            if order_id not in self.orders:
                raise ApiError(404, "ORDER_NOT_FOUND", f"Order {order_id} not found")
            return copy.deepcopy(self.orders[order_id])

    def search_orders(self, search: dict[str, Any]) -> dict[str, Any]:
        paging = search.get("cursorPaging") or {}
        limit = paging.get("limit", MAX_LIMIT)
        if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise ApiError(400, "INVALID_ARGUMENT", f"cursorPaging.limit must be between 1 and {MAX_LIMIT}")
        if paging.get("cursor"):
            spec, offset = _read_cursor(paging["cursor"])
        else:
            spec, offset = {"filter": search.get("filter") or {}, "sort": search.get("sort") or []}, 0
        with self._lock:
            rows = [copy.deepcopy(o) for o in self.orders.values()
                    if o.get("status") != "INITIALIZED" and _matches(o, spec["filter"])]
        sort = spec["sort"] or [{"fieldName": "createdDate", "order": "DESC"}]
        for rule in reversed(sort):  # stable sorts, last key first
            field = str(rule.get("fieldName", ""))
            rows.sort(key=lambda o: _sort_key(_field(o, field)), reverse=rule.get("order") == "DESC")
        page = rows[offset:offset + limit]
        more = offset + limit < len(rows)
        cursors = {"next": _cursor(spec, offset + limit)} if more else {}
        return {"orders": page, "metadata": {"count": len(page), "cursors": cursors, "hasNext": more}}

    def add_activities(self, order_id: str, activities: Any) -> dict[str, Any]:
        if not isinstance(activities, list) or not activities or len(activities) > 300:
            raise ApiError(400, "INVALID_ARGUMENT", "orderActivities must hold 1 to 300 activities")
        ids = []
        with self._lock:
            if order_id not in self.orders:
                raise ApiError(404, "ORDER_NOT_FOUND", f"Order {order_id} not found")
            for given in activities:
                comment = (given or {}).get("merchantComment") if isinstance(given, dict) else None
                custom = (given or {}).get("customActivity") if isinstance(given, dict) else None
                if isinstance(comment, dict) and str(comment.get("message") or "").strip():
                    row = {"merchantComment": {"message": str(comment["message"])}, "type": "MERCHANT_COMMENT"}
                elif isinstance(custom, dict) and custom.get("type"):
                    row = {"customActivity": custom, "type": "CUSTOM_ACTIVITY"}
                else:
                    raise ApiError(400, "INVALID_ARGUMENT", "an activity needs a merchantComment.message or a "
                                                            "customActivity")
                row.update(id=str(uuid.uuid4()), createdDate=self._stamp())
                self.orders[order_id]["activities"].append(row)
                ids.append(row["id"])
            self.orders[order_id]["updatedDate"] = self._stamp()
            order = copy.deepcopy(self.orders[order_id])
        return {"order": order, "activityIds": ids}

    # -- fulfillments --------------------------------------------------------------------------------

    def add_fulfillment(self, order_id: str, tracking_number: str, shipping_provider: str, *,
                        tracking_link: str | None = None, line_items: list[dict[str, Any]] | None = None
                        ) -> dict[str, Any]:
        """What the merchant's "Mark as fulfilled" with tracking does; the order's fulfillmentStatus follows."""
        with self._lock:
            order = self.orders[order_id]
            items = line_items if line_items is not None else [
                {"id": li.get("id"), "quantity": li.get("quantity", 1)} for li in order.get("lineItems", [])]
            info = {"trackingNumber": tracking_number, "shippingProvider": shipping_provider}
            if tracking_link:
                info["trackingLink"] = tracking_link
            row = {"id": str(uuid.uuid4()), "createdDate": self._stamp(), "lineItems": items, "trackingInfo": info}
            self.fulfillments[order_id].append(row)
            order["fulfillmentStatus"] = "FULFILLED"
            order["updatedDate"] = self._stamp()
            return copy.deepcopy(row)

    def fulfillments_of(self, order_id: str) -> dict[str, Any]:
        with self._lock:
            if order_id not in self.orders:
                raise ApiError(404, "ORDER_NOT_FOUND", f"Order {order_id} not found")
            return {"orderWithFulfillments": {"orderId": order_id,
                                              "fulfillments": copy.deepcopy(self.fulfillments[order_id])}}

    # -- app instance --------------------------------------------------------------------------------

    def app_instance(self) -> dict[str, Any]:
        return {
            "instance": {"instanceId": self.instance_id, "appName": "Forewarn", "appVersion": "1.0.0",
                         "isFree": True, "permissions": ["SCOPE.DC-STORES.MANAGE-ORDERS"]},
            "site": {"siteDisplayName": self.site_name, "locale": "en", "url": "https://demo-tea-shop.wixsite.com/shop",
                     "ownerEmail": self.owner_email, "ownerInfo": {"email": self.owner_email,
                                                                   "emailStatus": "VERIFIED_OPT_IN"}},
        }


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _same(given: Any, expected: str) -> bool:
    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


def _field(row: dict[str, Any], path: str) -> Any:
    value: Any = row
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _comparable(value: Any) -> Any:
    """Wix dates compare as instants, whatever the precision they are written with."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


def _sort_key(value: Any) -> tuple[int, float, str]:
    """Dates by instant, anything else by its text; a missing value first."""
    parsed = _comparable(value)
    if isinstance(parsed, datetime):
        return (1, parsed.timestamp() if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc).timestamp(), "")
    return (0, 0.0, "") if value is None else (2, 0.0, str(value))


def _matches(row: dict[str, Any], filter_: dict[str, Any]) -> bool:
    for path, condition in filter_.items():
        value = _field(row, path)
        tests = condition if isinstance(condition, dict) else {"$eq": condition}
        for op, operand in tests.items():
            if op not in COMPARE:
                raise ApiError(400, "INVALID_ARGUMENT", f"operator {op} is not supported on {path}")
            left = _comparable(value)
            right = [_comparable(o) for o in operand] if op in ("$in", "$nin") else _comparable(operand)
            try:
                if value is None or not COMPARE[op](left, right):
                    return False
            except TypeError:
                return False
    return True


def _cursor(spec: dict[str, Any], offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({**spec, "offset": offset}).encode()).decode()


def _read_cursor(cursor: str) -> tuple[dict[str, Any], int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return {"filter": data["filter"], "sort": data["sort"]}, int(data["offset"])
    except (ValueError, KeyError, TypeError):
        raise ApiError(400, "INVALID_CURSOR", "cursorPaging.cursor is invalid") from None


# -- webhooks ----------------------------------------------------------------------------------------


def sign_webhook(event_type: str, instance_id: str, domain_event: dict[str, Any], private_key_pem: str, *,
                 identity: dict[str, Any] | None = None, now: datetime | None = None, kid: str | None = None) -> bytes:
    """The body Wix POSTs for an event: a JWT signed RS256 with the app's private key whose `data` claim is
    the JSON string of {eventType, instanceId, data: JSON string of the domain event, identity: JSON string}."""
    issued = int((now or datetime.now(timezone.utc)).timestamp())
    envelope = {
        "eventType": event_type,
        "instanceId": instance_id,
        "data": json.dumps(domain_event),
        "identity": json.dumps(identity or {"identityType": "ANONYMOUS_VISITOR",
                                            "anonymousVisitorId": str(uuid.uuid4())}),
    }
    claims = {"data": json.dumps(envelope), "iat": issued, "exp": issued + 3600}
    headers = {"kid": kid} if kid else None
    return jwt.encode(claims, private_key_pem, algorithm="RS256", headers=headers).encode("ascii")


def domain_event(entity_fqdn: str, slug: str, entity_id: str, *, created: dict[str, Any] | None = None,
                 updated: dict[str, Any] | None = None, action: dict[str, Any] | None = None,
                 now: datetime | None = None) -> dict[str, Any]:
    """An eCom v1 domain event as Wix documents its structure: one of createdEvent.entity,
    updatedEvent.currentEntity or actionEvent.body, with the event id to dedupe on."""
    event: dict[str, Any] = {"id": str(uuid.uuid4()), "entityFqdn": entity_fqdn, "slug": slug, "entityId": entity_id,
                             "eventTime": _iso(now or datetime.now(timezone.utc)),
                             "triggeredByAnonymizeRequest": False, "entityEventSequence": "1"}
    if created is not None:
        event["createdEvent"] = {"entity": created}
    if updated is not None:
        event["updatedEvent"] = {"currentEntity": updated}
    if action is not None:
        event["actionEvent"] = {"body": action}
    return event


def generate_key_pair() -> tuple[str, str]:
    """(private PEM, public PEM) for the demo app: RSA 2048, the public key as the App Dashboard shows one."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


# -- the HTTP face -----------------------------------------------------------------------------------

PAGE = """<!doctype html><meta charset="utf-8"><title>Simulated Wix site</title>
<style>body{font:14px system-ui;margin:2em}article{border:1px solid #ccc;margin:1em 0;padding:.5em 1em}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.4em;margin:.2em 0}</style>
<h1>Simulated Wix site: {{ site }} (eCom Orders API)</h1>
<p>{{ orders|length }} orders</p>
{% for o in orders %}<article data-order="{{ o.id }}"><h2>#{{ o.number or o.id }} · {{ o.status }} ·
{{ o.paymentStatus }} · <span data-fulfillment>{{ o.fulfillmentStatus }}</span> · updated {{ o.updatedDate }}</h2>
{% for f in fulfillments.get(o.id, []) %}<p data-fulfillment-id="{{ f.id }}">Fulfillment {{ f.createdDate }}:
{{ f.trackingInfo.shippingProvider }} {{ f.trackingInfo.trackingNumber }}</p>{% endfor %}
{% for a in o.activities %}<pre data-activity>{{ a.createdDate }} {{ a.type }}: {{ a.merchantComment.message
if a.merchantComment else a.customActivity }}</pre>{% endfor %}</article>{% endfor %}"""


def create_app(sim: WixSiteSimulator) -> Flask:
    app = Flask("forewarn-wix-simulator")

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> ResponseReturnValue:
        return jsonify(error.body()), error.status

    @app.errorhandler(404)
    @app.errorhandler(405)
    def no_route(error: Exception) -> ResponseReturnValue:
        return jsonify(ApiError(404, "NOT_FOUND", "Not Found").body()), 404

    @app.before_request
    def authenticate() -> None:
        if request.path.startswith(("/ecom/", "/apps/")):
            sim.authenticate(request.headers.get("Authorization"))

    def body() -> dict[str, Any]:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise ApiError(400, "INVALID_ARGUMENT", "The request body is not a JSON object")
        return data

    @app.post("/oauth2/token")
    def token() -> ResponseReturnValue:
        return jsonify(sim.issue_token(body()))

    @app.get("/ecom/v1/orders/<order_id>")
    def get_order(order_id: str) -> ResponseReturnValue:
        return jsonify(order=sim.order(order_id))

    @app.post("/ecom/v1/orders/search")
    def search_orders() -> ResponseReturnValue:
        search = body().get("search") or {}
        if not isinstance(search, dict):
            raise ApiError(400, "INVALID_ARGUMENT", "search must be an object")
        return jsonify(sim.search_orders(search))

    @app.post("/ecom/v1/orders/<order_id>/activities/add")
    def add_activities(order_id: str) -> ResponseReturnValue:
        return jsonify(sim.add_activities(order_id, body().get("orderActivities")))

    @app.get("/ecom/v1/fulfillments/orders/<order_id>")
    def list_fulfillments(order_id: str) -> ResponseReturnValue:
        return jsonify(sim.fulfillments_of(order_id))

    @app.get("/apps/v1/instance")
    def app_instance() -> ResponseReturnValue:
        return jsonify(sim.app_instance())

    @app.get("/")
    def page() -> ResponseReturnValue:
        with sim._lock:
            orders = sorted(copy.deepcopy(list(sim.orders.values())), key=lambda o: o["updatedDate"], reverse=True)
            fulfillments = copy.deepcopy(sim.fulfillments)
        return render_template_string(PAGE, site=sim.site_name, orders=orders, fulfillments=fulfillments)

    return app
