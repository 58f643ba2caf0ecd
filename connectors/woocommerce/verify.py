"""WooCommerce webhook verification (pure).

`X-WC-Webhook-Signature` is base64(HMAC-SHA256(secret, raw body)), where WooCommerce first passes the secret
through `wp_specialchars_decode($secret, ENT_QUOTES)` (`WC_Webhook::generate_signature`, woocommerce/woocommerce
plugins/woocommerce/includes/class-wc-webhook.php). A secret containing `&amp;` or `&#039;` is therefore
signed with `&` or `'`, and so must ours be. Real deliveries come with lowercase `x-wc-webhook-*` headers
(https://gist.github.com/matiaslopezd/81349f4f6a48cb0efefa0c38f6e2844c), so headers are read in any case.

When a webhook is created, `WC_Webhook::deliver_ping()` POSTs the body `webhook_id=<id>` with no X-WC headers
and no signature, and the webhook is only saved if the answer is exactly 200.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass

PING = re.compile(rb"webhook_id=([0-9]{1,20})")

#: WordPress's wp_specialchars_decode() with ENT_QUOTES (wp-includes/formatting.php): zero-padded numeric
#: entities are first normalized, then exactly these twelve entities are decoded in one pass, so `&amp;lt;`
#: becomes `&lt;` and not `<`. Named entities beyond these (e.g. `&eacute;`) are left as they are.
_PADDED = (
    (re.compile(r"&#0*39;"), "&#039;"),
    (re.compile(r"&#x0*27;", re.IGNORECASE), "&#x27;"),
    (re.compile(r"&#0*34;"), "&#034;"),
    (re.compile(r"&#x0*22;", re.IGNORECASE), "&#x22;"),
    (re.compile(r"&#0*60;"), "&#060;"),
    (re.compile(r"&#0*62;"), "&#062;"),
    (re.compile(r"&#0*38;"), "&#038;"),
    (re.compile(r"&#x0*26;", re.IGNORECASE), "&#x26;"),
)
_ENTITIES = {
    "&#039;": "'", "&#x27;": "'",
    "&quot;": '"', "&#034;": '"', "&#x22;": '"',
    "&lt;": "<", "&#060;": "<", "&gt;": ">", "&#062;": ">",
    "&amp;": "&", "&#038;": "&", "&#x26;": "&",
}
_ENTITY = re.compile("|".join(re.escape(e) for e in _ENTITIES))


def specialchars_decode(text: str) -> str:
    """`wp_specialchars_decode($text, ENT_QUOTES)`, as WooCommerce applies it to a webhook secret."""
    if "&" not in text:
        return text
    for pattern, replacement in _PADDED:
        text = pattern.sub(replacement, text)
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(0)], text)


def webhook_signature(secret: str, body: bytes) -> str:
    key = specialchars_decode(secret).encode("utf-8")
    return base64.b64encode(hmac.new(key, body, hashlib.sha256).digest()).decode("ascii")


def valid_webhook(body: bytes, signature_header: str | None, secret: str | None) -> bool:
    """True when the header is the body's signature under the store's webhook secret (constant-time compare)."""
    if not signature_header or not secret:
        return False
    expected = webhook_signature(secret, body).encode("ascii")
    return hmac.compare_digest(expected, signature_header.strip().encode("utf-8", "replace"))


@dataclass(frozen=True)
class WebhookHeaders:
    topic: str | None  # order.created, order.updated, order.deleted, order.restored, …
    resource: str | None  # order
    event: str | None  # created, updated, deleted, restored
    signature: str | None
    webhook_id: str | None  # the store's id of the webhook subscription
    delivery_id: str | None  # new on every delivery, even of the same change: not a dedupe key
    source: str | None  # the store's home_url('/'), with its trailing slash


def webhook_headers(headers: Mapping[str, str]) -> WebhookHeaders:
    lowered = {k.lower(): v.strip() for k, v in headers.items() if k.lower().startswith("x-wc-webhook-")}

    def get(name: str) -> str | None:
        return lowered.get(f"x-wc-webhook-{name}") or None

    return WebhookHeaders(
        topic=get("topic"),
        resource=get("resource"),
        event=get("event"),
        signature=get("signature"),
        webhook_id=get("id"),
        delivery_id=get("delivery-id"),
        source=get("source"),
    )


def ping_webhook_id(body: bytes, headers: Mapping[str, str]) -> int | None:
    """The webhook id of WooCommerce's creation ping, or None when this is anything else. A body that carries a
    signature header is never a ping: it is verified like any delivery."""
    if any(k.lower() == "x-wc-webhook-signature" for k in headers.keys()):  # werkzeug iterates pairs
        return None
    match = PING.fullmatch(body)
    return int(match.group(1)) if match else None
