"""Every HTTP call to a WooCommerce store: the REST API v3 (`/wp-json/wc/v3/`) on the official `woocommerce`
package, which hands back raw `requests` responses and never raises. `_call` turns each answer into data or
one of core.errors' types, so the jobs can tell a retry (Transient, RateLimited) from a merchant's problem.

Authentication is the package's: over https the key pair goes as HTTP Basic auth; over plain http (allowed
only for the demo and tests) it signs every request with one-legged OAuth 1.0a instead, which is what
WooCommerce demands there, so the secret never travels in clear.
https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication

The store address is what a merchant typed: normalize_store_url keeps https://host[:port][/path] and nothing
else, and connectors/netguard.py refuses hosts on private networks. Redirects are never followed (WordPress
redirects to its canonical address; following would take the keys wherever a Location header points).
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import requests
from woocommerce import API
from woocommerce import __version__ as WOOCOMMERCE_PACKAGE_VERSION

from connectors.netguard import check_host
from connectors.rest import retry_after
from core.errors import ConnectorError, NotFound, Permanent, RateLimited, Transient, Unauthorized

log = logging.getLogger(__name__)

API_VERSION = "wc/v3"
CONNECT_TIMEOUT = 5.0
MAX_PER_PAGE = 100  # WooCommerce's collection parameters allow 1..100
USER_AGENT = f"Forewarn WooCommerce-Python-REST-API/{WOOCOMMERCE_PACKAGE_VERSION}"
PRINTABLE = re.compile(r"[^\s\x00-\x1f\x7f]+")  # no spaces or control characters (a Unicode host is fine)
LABEL = re.compile(r"[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?")
DEFAULT_PORTS = {"https": 443, "http": 80}
# What merchants paste instead of the store's address: the REST root or an admin page. WordPress lives at
# the part before them (a store in a subdirectory keeps its path).
WORDPRESS_SUFFIXES = ("/wp-json", "/wp-admin", "/wp-login.php")


def normalize_store_url(url: str, *, allow_http: bool = False, allow_private: bool = False) -> str:
    """`https://host[:port][/path]` from what the merchant typed (lower-case host, default port and trailing
    slash dropped, a pasted /wp-json or /wp-admin tail cut off). Raises Unauthorized, as for any address a
    merchant must correct: plain http (unless `allow_http`), a login, query or fragment in it, a host that is
    not a host name, or one on a private network (unless `allow_private`)."""
    text = (url or "").strip()
    if not PRINTABLE.fullmatch(text):
        raise Unauthorized("the store address is empty or has spaces or other characters a web address cannot have")
    if "://" not in text:
        text = f"https://{text}"  # "shop.example.com" is what people type
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and allow_http):
        raise Unauthorized("the store address must start with https:// (WooCommerce sends API keys only over https)")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise Unauthorized("the store address must not contain a login: enter only the address, "
                           "like https://shop.example.com")
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise Unauthorized("the store address must not have a ?query or #fragment: enter only the address")
    try:
        port = parts.port
    except ValueError:
        raise Unauthorized("the store address has a port that is not a number from 1 to 65535") from None
    host = _host(parts.hostname or "")
    path = parts.path
    for suffix in WORDPRESS_SUFFIXES:
        cut = path.lower().find(suffix)
        if cut != -1 and path[cut + len(suffix):][:1] in ("", "/"):
            path = path[:cut]
    path = path.rstrip("/")
    if any(segment in (".", "..") for segment in path.split("/")):
        raise Unauthorized("the store address has a path with . or .. in it")
    check_host(host, allow_private=allow_private)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    return f"{scheme}://{netloc}{path}"


def _host(raw: str) -> str:
    """A DNS name (IDNA-encoded, lower case) or an IP literal; Unauthorized otherwise."""
    host = raw.strip().rstrip(".").lower()
    if ":" in host:  # an IPv6 literal (urlsplit has already taken its brackets off)
        return host
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise Unauthorized(f"{raw!r} is not a host name") from None
    labels = host.split(".")
    if not host or len(host) > 253 or not all(LABEL.fullmatch(label) for label in labels):
        raise Unauthorized(f"{raw!r} is not a host name")
    return host


def _object_id(value: int | str, what: str) -> int:
    """A WooCommerce id, which goes into the URL path: a positive integer and nothing else."""
    text = "" if isinstance(value, bool) else str(value).strip()
    if not text.isdigit() or int(text) < 1:
        raise Permanent(f"{value!r} is not a WooCommerce {what} id")
    return int(text)


class WooClient:
    """One store's REST API v3 with one key pair. Every method raises only core.errors' types."""

    def __init__(
        self,
        store_url: str,
        consumer_key: str,
        consumer_secret: str,
        *,
        http_timeout: float = 20,
        allow_private: bool = False,
        allow_http: bool = False,
    ) -> None:
        self.store_url = normalize_store_url(store_url, allow_http=allow_http, allow_private=allow_private)
        if not consumer_key or not consumer_secret:
            raise Unauthorized("WooCommerce needs both the consumer key (ck_…) and the consumer secret (cs_…)")
        if http_timeout <= 0:
            raise ValueError("http_timeout must be positive")
        self.host = urlsplit(self.store_url).netloc
        self._api = API(
            url=self.store_url,
            consumer_key=consumer_key,
            consumer_secret=consumer_secret,
            version=API_VERSION,
            wp_api=True,
            # the package's default of 5 s is short for shared hosting; connect fast, let a slow page finish
            timeout=(min(CONNECT_TIMEOUT, http_timeout), http_timeout),
            user_agent=USER_AGENT,
        )

    # -- HTTP ----------------------------------------------------------------------------------------

    def _call(
        self, method: str, endpoint: str, *, params: Mapping[str, Any] | None = None, data: Any = None
    ) -> tuple[Any, requests.Response]:
        """The decoded JSON body and the response; every failure typed."""
        # The package signs over http (OAuth 1.0a) with the params it is given: pass them as strings, since
        # it would sign True as "1" while requests sends "True".
        kwargs: dict[str, Any] = {"params": {k: str(v) for k, v in (params or {}).items()}, "allow_redirects": False}
        send: Callable[..., requests.Response] = {
            "GET": lambda: self._api.get(endpoint, **kwargs),
            "POST": lambda: self._api.post(endpoint, data, **kwargs),
            "PUT": lambda: self._api.put(endpoint, data, **kwargs),
        }[method]
        try:
            response = send()
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError) as exc:
            # the exception's text holds the URL, which over http carries the OAuth query: name the type only
            raise Transient(f"the store at {self.host} did not answer ({type(exc).__name__})") from None
        except requests.RequestException as exc:
            raise Permanent(f"the request to {self.host} could not be sent ({type(exc).__name__})") from None
        if response.status_code >= 300:
            raise self._typed_error(response)
        return self._json(response), response

    def _typed_error(self, response: requests.Response) -> ConnectorError:
        status = response.status_code
        code, message = _wordpress_error(response)
        said = f"{code}: {message}" if code else _not_json_hint(response)
        detail = f"WooCommerce at {self.host} answered {status} ({said})"
        if status in (401, 403):
            if code.startswith("woocommerce_rest_cannot_"):  # no key authenticated the request at all
                return Unauthorized(f"{detail}; the key was revoked or its user lacks permission, or the web server "
                                    "drops the Authorization header: reconnect the store")
            if code:  # WooCommerce's own refusal: wrong secret, a read-only key, an unknown key
                return Unauthorized(f"{detail}; reconnect the store or check the API key's permissions")
            return Unauthorized(f"{detail}; a firewall, security plugin or password protection may be blocking "
                                "the REST API")
        if status == 404:
            return NotFound(detail)
        if status == 429:
            return RateLimited(detail, retry_after(response))
        if status >= 500:
            return Transient(detail)
        if status < 400:
            where = urlsplit(response.headers.get("Location", ""))
            moved = f"{where.scheme}://{where.netloc}{where.path}" if where.netloc else "another address"
            return Permanent(f"WooCommerce at {self.host} redirected ({status}) to {moved}; connect the store with "
                             "its canonical address (https, with or without www as WordPress shows it)")
        if code.endswith("_invalid_id"):
            # WooCommerce answers 400, not 404, for some ids that do not exist (PUT webhooks/<id>, GET webhooks/<id>)
            return NotFound(detail)
        return Permanent(detail)

    def _json(self, response: requests.Response) -> Any:
        try:
            return response.json() if response.content else None
        except ValueError:
            raise Transient(f"WooCommerce at {self.host} answered {response.status_code} with a body that is not "
                            f"JSON ({_not_json_hint(response)})") from None

    def _list(self, body: Any, what: str) -> list[dict[str, Any]]:
        if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
            raise Permanent(f"WooCommerce at {self.host} answered {what} with JSON that is not a list of objects")
        return body

    def _object(self, body: Any, what: str) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise Permanent(f"WooCommerce at {self.host} answered {what} with JSON that is not an object")
        return body

    def _pages(self, endpoint: str, params: Mapping[str, Any], per_page: int) -> Iterator[dict[str, Any]]:
        """Every item of a paginated collection, page after page, until X-WP-TotalPages (or, where a cache or
        proxy stripped that header, a short page). An item already yielded unchanged (same id and modified
        date) is skipped: a row edited while we page moves later and would otherwise be seen twice. A page
        that brings nothing new ends the walk, so a server that ignores `page` cannot loop it."""
        seen: set[tuple[Any, Any]] = set()
        page = 1
        while True:
            body, response = self._call("GET", endpoint, params={**params, "per_page": per_page, "page": page})
            items = self._list(body, endpoint)
            fresh = [i for i in items if (i.get("id"), i.get("date_modified_gmt")) not in seen]
            seen.update((i.get("id"), i.get("date_modified_gmt")) for i in fresh)
            yield from fresh
            total_pages = _int_header(response, "X-WP-TotalPages")
            last = page >= total_pages if total_pages is not None else len(items) < per_page
            if last or not items:
                return
            if not fresh:
                log.warning("WooCommerce at %s sent page %d of %s again; stopping", self.host, page, endpoint)
                return
            page += 1

    # -- operations ----------------------------------------------------------------------------------

    def check(self) -> None:
        """Prove the keys work with one cheap authenticated read: the first webhook. It needs only a `read`
        key, and the same capability (manage_woocommerce) as the webhook management Forewarn does later.
        (GET system_status would prove less and costs more: it builds the whole status report, including
        outbound test requests from the store.)"""
        self._list(self._call("GET", "webhooks", params={"per_page": 1})[0], "webhooks")

    def webhooks(self) -> list[dict[str, Any]]:
        """All the store's webhooks, whatever their status (active, paused, disabled)."""
        return list(self._pages("webhooks", {"orderby": "id", "order": "asc"}, MAX_PER_PAGE))

    def create_webhook(self, name: str, topic: str, delivery_url: str, secret: str) -> dict[str, Any]:
        """Subscribe `delivery_url` to `topic` (e.g. order.updated). The secret is required: without one
        WooCommerce invents its own and Forewarn could not check signatures. WooCommerce pings the URL
        (body `webhook_id=N`, unsigned) while creating it."""
        if not secret:
            raise ValueError("a webhook secret is required to verify deliveries")
        body = {"name": name, "topic": topic, "delivery_url": delivery_url, "secret": secret}
        return self._object(self._call("POST", "webhooks", data=body)[0], "the new webhook")

    def update_webhook(self, webhook_id: int | str, **fields: Any) -> dict[str, Any]:
        """Change a webhook, e.g. status="active" to re-enable one WooCommerce disabled after failed deliveries."""
        if not fields:
            raise ValueError("nothing to update")
        wid = _object_id(webhook_id, "webhook")
        return self._object(self._call("PUT", f"webhooks/{wid}", data=fields)[0], f"webhook {wid}")

    def orders_modified_after(self, since: datetime, per_page: int = MAX_PER_PAGE) -> Iterator[dict[str, Any]]:
        """Orders modified strictly after `since` (second precision; fractions are dropped, which can only add
        orders), oldest change first. Page numbers over a changing set can skip an order modified mid-walk:
        it is then modified after the last one seen, so a caller that moves its cursor to the newest
        date_modified_gmt it saw (minus an overlap) gets it on the next pass."""
        if since.tzinfo is None or since.utcoffset() is None:
            raise ValueError("since must be timezone-aware")
        # Naive UTC on purpose: with dates_are_gmt=true WordPress compares this string with the GMT column as it
        # is, while a value with an offset is converted to the site's timezone first (WP_Date_Query).
        params = {
            "modified_after": since.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S"),
            "dates_are_gmt": "true",
            "orderby": "modified",
            "order": "asc",
        }
        return self._pages("orders", params, max(1, min(int(per_page), MAX_PER_PAGE)))

    def order(self, order_id: int | str) -> dict[str, Any]:
        oid = _object_id(order_id, "order")
        return self._object(self._call("GET", f"orders/{oid}")[0], f"order {oid}")

    def order_notes(self, order_id: int | str) -> list[dict[str, Any]]:
        """All notes of an order, newest first (WooCommerce does not paginate them)."""
        oid = _object_id(order_id, "order")
        return self._list(self._call("GET", f"orders/{oid}/notes")[0], f"the notes of order {oid}")

    def add_order_note(self, order_id: int | str, note: str, *, customer_note: bool = False) -> dict[str, Any]:
        """A private note for the shop's staff; customer_note=True shows it to the customer AND emails it."""
        if not note or not note.strip():
            raise ValueError("an order note needs text")
        oid = _object_id(order_id, "order")
        body = {"note": note, "customer_note": bool(customer_note)}
        return self._object(self._call("POST", f"orders/{oid}/notes", data=body)[0], f"the note on order {oid}")


def _wordpress_error(response: requests.Response) -> tuple[str, str]:
    """`code` and `message` of a WordPress REST error body ({"code", "message", "data": {"status"}}), or empty."""
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict) or not isinstance(body.get("code"), str):
        return "", ""
    return body["code"], str(body.get("message") or "")[:300]


def _not_json_hint(response: requests.Response) -> str:
    """What a non-JSON answer probably is, for the admin who reads the error."""
    text = response.text[:2000].lstrip().lower()
    if not text:
        return "an empty body"
    if text.startswith(("<br", "<b>")) or any(f"<b>{w}</b>" in text for w in ("warning", "notice", "deprecated")):
        return "PHP warnings printed before the JSON: the store shows PHP errors (display_errors / WP_DEBUG_DISPLAY)"
    if "<html" in text or "<!doctype" in text:
        return "an HTML page, not WooCommerce's JSON: a maintenance page, a security plugin or a firewall"
    return "a body that is not WooCommerce's JSON"


def _int_header(response: requests.Response, name: str) -> int | None:
    try:
        return int(response.headers[name])
    except (KeyError, ValueError):
        return None


