"""`/api/v1/messaging` and `/api/v1/templates`: a shop's customer-message settings, providers and templates.

The routes are added to web.api's blueprint, so its session-token check and its 400 for a bad body apply here
too. Credentials go in and never come out: a provider is shown as its kind and `connected`. A merchant's
template is checked (core/domain/templates.check_template) before it is stored, and refused with each
problem's line and reason. A test message goes only to the merchant's own address — the reply-to address, or
the sender address of the email provider they connected — and at most 10 an hour per shop: a stolen session
must not turn the shop's name and mail server into a way to write to strangers.
"""
from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import func, select

from connectors import channels
from connectors.mail import SmtpConfig
from core.adapters import ratelimit
from core.domain import templates
from core.domain.model import Message, Order, Shop
from core.errors import ConnectorError, RateLimited, Transient, Unauthorized
from core.services.messaging import DEFAULTS
from jobs import messages as message_jobs
from web.api import _shop, bp, load_body, not_installed

log = logging.getLogger(__name__)

CHANNELS = tuple(templates.CHANNELS)  # email, sms, whatsapp
PARTS = ("subject", "body", "sms")
SETTINGS = (*DEFAULTS, "default_language")
SUMMARY_OVER = 500  # the shop's most recent messages the summary is computed over
LOG_LENGTH = 50
TEST_SENDS_PER_HOUR = 10

_TIME = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d\Z")
#: An E.164 number, or an alphanumeric sender id (up to 11 letters, digits and spaces, at least one letter).
_SMS_SENDER = re.compile(r"(?:\+[1-9]\d{6,14}|(?=[A-Za-z0-9 ]*[A-Za-z])[A-Za-z0-9 ]{1,11})\Z")
_ONE_LINE = re.compile(r"[^\x00-\x1f\x7f]*\Z")


# ---------------------------------------------------------------- views

def _own_templates(shop: Shop) -> dict[str, Any]:
    return (shop.messaging or {}).get("templates") or {}


def providers_view(messaging: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """Never the credentials: per channel only which kind of provider is connected."""
    return {channel: {"kind": conf.get("kind"), "connected": True}
            for channel, conf in ((messaging or {}).get("providers") or {}).items()}


def provider_kinds() -> dict[str, dict[str, Any]]:
    """What the admin's connect form asks for, per provider kind (connectors/channels KINDS)."""
    return {key: {"label": k.label, "channel": key.split("_")[0], "help": k.help,
                  "fields": [{"name": f.name, "label": f.label, "secret": f.secret, "optional": f.optional,
                              "placeholder": f.placeholder} for f in k.fields]}
            for key, k in channels.KINDS.items()}


def message_summary(uow: Any, shop_id: int) -> dict[str, Any]:
    """Median detected → told and counts by status, over the shop's last SUMMARY_OVER messages."""
    recent = uow.session.scalars(select(Message).where(Message.shop_id == shop_id)
                                 .order_by(Message.id.desc()).limit(SUMMARY_OVER)).all()
    return message_jobs.summary(list(recent))


def mask(recipient: str | None) -> str:
    """j***@example.com, +49********89: enough for the merchant to recognise a customer, not to copy an address."""
    if not recipient:
        return ""
    local, at, domain = recipient.partition("@")
    if at:
        return f"{local[:1]}***@{domain}"
    return f"{recipient[:3]}{'*' * (len(recipient) - 5)}{recipient[-2:]}" if len(recipient) > 6 else "***"


#: What the send log can be narrowed down by: the message's attribute for each filter.
LOG_FILTERS = {"status": "status", "channel": "channel", "kind": "kind", "reason": "suppression_reason"}


def _log_conditions(shop_id: int, filters: dict[str, str | None] | None) -> list[Any]:
    return [Message.shop_id == shop_id,
            *(getattr(Message, LOG_FILTERS[key]) == value
              for key, value in (filters or {}).items() if value and key in LOG_FILTERS)]


def send_log(uow: Any, shop_id: int, limit: int = LOG_LENGTH, *, offset: int = 0,
             filters: dict[str, str | None] | None = None) -> list[dict[str, Any]]:
    """The shop's messages, newest first — by when they went, or were recorded if they did not (a survey planned
    days ahead sorts by the day it went) — for the admin page: what went where, or why it did not. `filters`
    narrows by status, channel, kind and suppression reason (LOG_FILTERS); `offset` pages through them."""
    rows = uow.session.execute(
        select(Message, Order.name).join(Order, Order.id == Message.order_id, isouter=True)
        .where(*_log_conditions(shop_id, filters))
        .order_by(func.coalesce(Message.sent_at, Message.created_at).desc(), Message.id.desc())
        .offset(offset).limit(limit)
    ).all()
    return [{"id": m.id, "order": name, "kind": m.kind, "channel": m.channel, "language": m.language,
             "recipient": mask(m.recipient), "status": m.status, "reason": m.suppression_reason, "error": m.error,
             "created_at": m.created_at, "sent_at": m.sent_at, "send_at": m.send_at} for m, name in rows]


def send_log_count(uow: Any, shop_id: int, filters: dict[str, str | None] | None = None) -> int:
    """How many messages `send_log` pages through with these filters."""
    return uow.session.scalars(select(func.count()).select_from(Message)
                               .where(*_log_conditions(shop_id, filters))).one()


def settings_view(uow: Any, shop: Shop) -> dict[str, Any]:
    merged = {**DEFAULTS, "default_language": None, **(shop.messaging or {})}
    return {**{key: merged[key] for key in SETTINGS}, "providers": providers_view(shop.messaging),
            "provider_kinds": provider_kinds(), "summary": message_summary(uow, shop.id)}


def _problems(problems: list[templates.TemplateProblem], part: str | None = None) -> list[dict[str, Any]]:
    return [{"line": p.line, "reason": p.reason, **({"part": part} if part else {})} for p in problems]


def _sample(shop: Shop, language: str) -> dict[str, Any]:
    """The sample order, from the merchant's own shop."""
    return {**templates.sample_variables(language), "shop": {"name": shop.name or shop.domain}}


# ---------------------------------------------------------------- settings

class MessagingSettingsSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    enabled = fields.Boolean()
    channels = fields.List(fields.String(validate=validate.OneOf(CHANNELS)))
    consent = fields.String(validate=validate.OneOf(["allowed", "opt_in_required"]))
    quiet_hours = fields.List(fields.String(validate=validate.Regexp(_TIME, error="a time is HH:MM, 00:00 to 23:59")),
                              validate=validate.Length(equal=2, error="quiet hours are [start, end]"), allow_none=True)
    per_order_per_day = fields.Integer(strict=True, validate=validate.Range(1, 10))
    per_customer_per_day = fields.Integer(strict=True, validate=validate.Range(1, 10))
    followup_days = fields.Integer(strict=True, validate=validate.Range(0, 30))
    sender_name = fields.String(allow_none=True, validate=[
        validate.Length(max=100), validate.Regexp(_ONE_LINE, error="the sender name is one line")])
    reply_to = fields.Email(allow_none=True)
    sms_from = fields.String(allow_none=True, validate=validate.Regexp(
        _SMS_SENDER, error="a number like +14155550100, or a sender id of up to 11 letters and digits"))
    default_language = fields.String(allow_none=True, validate=validate.OneOf(templates.LANGUAGES))
    moments = fields.List(fields.String(validate=validate.OneOf(["shipped", "out_for_delivery"])))

    @validates_schema
    def quiet_hours_differ(self, data: dict[str, Any], **kwargs: Any) -> None:
        hours = data.get("quiet_hours")
        if hours and len(hours) == 2 and hours[0] == hours[1]:
            raise ValidationError("quiet hours start and end at the same time; send null for none", "quiet_hours")


@bp.get("/messaging")
def get_messaging() -> ResponseReturnValue:
    with current_app.extensions["forewarn"].uow() as uow:
        shop = _shop(uow)
        return jsonify(settings_view(uow, shop)) if shop else not_installed()


@bp.patch("/messaging")
def update_messaging() -> ResponseReturnValue:
    changes = load_body(MessagingSettingsSchema(), "invalid message settings")
    if "channels" in changes:
        changes["channels"] = list(dict.fromkeys(changes["channels"]))
    for key in ("sender_name", "reply_to", "sms_from"):
        if isinstance(changes.get(key), str):
            changes[key] = changes[key].strip() or None
    with current_app.extensions["forewarn"].uow() as uow:
        shop = _shop(uow)
        if shop is None:
            return not_installed()
        shop.messaging = {**(shop.messaging or {}), **changes}  # a new value, so the JSON column is saved
        uow.commit()
        return jsonify(settings_view(uow, shop))


# ---------------------------------------------------------------- providers

class ProviderSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    kind = fields.String(required=True)
    credentials = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


def _scrubbed(text: str, kind: str, credentials: dict[str, str]) -> str:
    """An error's words without the kind's secret settings in them (nor an SMTP URL's password on its own)."""
    secrets = {credentials[f.name] for f in channels.KINDS[kind].fields if f.secret and f.name in credentials}
    for value in list(secrets):
        if "://" in value:
            try:
                secrets.add(urlsplit(value).password or "")
            except ValueError:
                pass
    for secret in sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, "…")
    return text


@bp.route("/messaging/providers/<channel>", methods=["PUT", "DELETE"])
def edit_provider(channel: str) -> ResponseReturnValue:
    """Connect the provider a channel sends through (PUT {kind, credentials}), or go back to none (DELETE).
    The settings are built into a channel first (each provider's own checks); only usable ones are stored,
    encrypted."""
    if channel not in CHANNELS:
        return jsonify(error=f"no channel {channel}; channels: {', '.join(CHANNELS)}"), 404
    rt = current_app.extensions["forewarn"]
    conf = None
    if request.method == "PUT":
        data = load_body(ProviderSchema(), "invalid provider")
        with rt.uow() as uow:
            if _shop(uow) is None:
                return not_installed()
        kind = data["kind"]
        kinds = [k for k in channels.KINDS if k.split("_")[0] == channel]
        if kind not in kinds:
            return jsonify(error=f"no {channel} provider {kind!r}; available: {', '.join(kinds)}"), 422
        known = {f.name for f in channels.KINDS[kind].fields}
        credentials = {k: v.strip() for k, v in data["credentials"].items() if k in known and v.strip()}
        try:
            channels.build(kind, credentials, smtp_url=rt.settings.smtp_url,
                           allow_private=rt.settings.allow_private_network)
        except (Unauthorized, ValueError) as exc:
            return jsonify(error=f"these settings cannot work: {_scrubbed(str(exc), kind, credentials)}"), 422
        except ConnectorError as exc:  # Permanent: Forewarn's own mail server is misconfigured
            return jsonify(error=_scrubbed(str(exc), kind, credentials)), 503
        conf = {"kind": kind, "ciphertext": rt.cipher.encrypt(json.dumps(credentials))}
    with rt.uow() as uow:
        shop = _shop(uow)
        if shop is None:
            return not_installed()
        messaging = dict(shop.messaging or {})
        providers = {c: dict(p) for c, p in (messaging.get("providers") or {}).items() if c != channel}
        if conf is not None:
            providers[channel] = conf
        messaging["providers"] = providers
        shop.messaging = messaging
        uow.commit()
        log.info("shop %s: %s provider %s", shop.id, channel, conf["kind"] if conf else "removed")
        return jsonify(channel=channel, **providers_view(messaging).get(channel, {"connected": False}))


# ---------------------------------------------------------------- templates

class TemplateSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    text = fields.String(required=True)


@bp.get("/templates")
def list_templates() -> ResponseReturnValue:
    """Every kind × language × part: the text a message renders from (the shop's, or Forewarn's) and whether
    the shop edited it; `?kind=` and `?language=` narrow it down. With the variables a template may use."""
    kinds = [k for k in templates.KINDS if request.args.get("kind") in (None, k)]
    languages = [lang for lang in templates.LANGUAGES if request.args.get("language") in (None, lang)]
    with current_app.extensions["forewarn"].uow() as uow:
        shop = _shop(uow)
        if shop is None:
            return not_installed()
        own = _own_templates(shop)
    return jsonify(
        kinds=[{"kind": k, "description": templates.KINDS[k]} for k in kinds],
        languages=list(templates.LANGUAGES), channels={c: list(p) for c, p in templates.CHANNELS.items()},
        variables=[{"name": n, "description": d} for n, d in templates.VARIABLES.items()],
        templates={kind: {lang: {part: {"text": templates.template_text(kind, lang, part, own),
                                        "edited": bool(((own.get(kind) or {}).get(lang) or {}).get(part))}
                                 for part in PARTS} for lang in languages} for kind in kinds},
    )


@bp.route("/templates/<kind>/<language>/<part>", methods=["PUT", "DELETE"])
def edit_template(kind: str, language: str, part: str) -> ResponseReturnValue:
    """Set the shop's own text of one part (PUT {"text": …}), checked first; or go back to Forewarn's (DELETE)."""
    if kind not in templates.KINDS or language not in templates.LANGUAGES or part not in PARTS:
        return jsonify(error=f"no template {kind}/{language}/{part}; languages: {', '.join(templates.LANGUAGES)}; "
                             f"parts: {', '.join(PARTS)}"), 404
    text = None
    if request.method == "PUT":
        text = load_body(TemplateSchema(), "invalid template")["text"]
        problems = templates.check_template(text)
        if problems:
            return jsonify(error="the template cannot be saved", problems=_problems(problems)), 422
    with current_app.extensions["forewarn"].uow() as uow:
        shop = _shop(uow)
        if shop is None:
            return not_installed()
        own = {k: {lang: dict(parts or {}) for lang, parts in (langs or {}).items()}
               for k, langs in _own_templates(shop).items()}  # new values all the way down: the JSON column is saved
        if text is None:
            own.get(kind, {}).get(language, {}).pop(part, None)
        else:
            own.setdefault(kind, {}).setdefault(language, {})[part] = text
        own = {k: kept for k, langs in own.items() if (kept := {lang: p for lang, p in langs.items() if p})}
        messaging = {key: value for key, value in (shop.messaging or {}).items() if key != "templates"}
        shop.messaging = {**messaging, **({"templates": own} if own else {})}
        uow.commit()
        return jsonify(kind=kind, language=language, part=part, edited=text is not None,
                       text=templates.template_text(kind, language, part, own))


class RenderSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    kind = fields.String(required=True, validate=validate.OneOf(templates.KINDS))
    language = fields.String(required=True, validate=validate.OneOf(templates.LANGUAGES))
    channel = fields.String(load_default="email", validate=validate.OneOf(CHANNELS))


class PreviewSchema(RenderSchema):
    #: Unsaved texts of this kind and language, {"subject"|"body"|"sms": text}, over the shop's saved ones.
    overrides = fields.Dict(keys=fields.String(validate=validate.OneOf(PARTS)), values=fields.String(),
                            load_default=dict)


class TestSendSchema(RenderSchema):
    to = fields.Email(load_default=None, allow_none=True)


def _render(shop: Shop, kind: str, language: str, channel: str,
            overrides: dict[str, str] | None = None) -> templates.RenderedMessage | list[dict[str, Any]]:
    """The message with the sample order, or the problems (line, reason, part) of every edited part it uses."""
    own = _own_templates(shop)
    if overrides:
        mine = own.get(kind) or {}
        own = {**own, kind: {**mine, language: {**(mine.get(language) or {}), **overrides}}}
    edited = (own.get(kind) or {}).get(language) or {}
    problems = [p for part in templates.CHANNELS[channel] if edited.get(part)
                for p in _problems(templates.check_template(edited[part]), part)]
    if problems:
        return problems
    try:
        return templates.render_message(kind, language, channel, _sample(shop, language), overrides=own)
    except templates.MessageTemplateError as exc:
        return _problems(exc.problems)


@bp.post("/templates/preview")
def preview_template() -> ResponseReturnValue:
    """The message as a customer would get it, with the sample order and any unsaved `overrides`: plain text
    (emails go as text/plain), its language and direction, and for SMS/WhatsApp how it travels (`sms_length`:
    GSM-7 or UCS-2, and in how many parts). A draft that cannot render is a 422 with each problem's line."""
    data = load_body(PreviewSchema(), "invalid preview")
    with current_app.extensions["forewarn"].uow() as uow:
        shop = _shop(uow)
        if shop is None:
            return not_installed()
        rendered = _render(shop, data["kind"], data["language"], data["channel"], data["overrides"])
    if isinstance(rendered, list):
        return jsonify(error="the template cannot be rendered", problems=rendered), 422
    length = templates.measure_sms(rendered.sms) if rendered.sms is not None else None
    return jsonify(subject=rendered.subject, body=rendered.body, sms=rendered.sms, language=rendered.language,
                   direction=rendered.direction,
                   sms_length={"encoding": length.encoding, "units": length.units, "segments": length.segments}
                   if length else None)


def own_addresses(rt: Any, messaging: dict[str, Any]) -> list[str]:
    """The addresses the merchant gave as their own: the reply-to, and the sender of the email provider they
    connected (SendGrid's sender identity, or the From of their own mail server). Never Forewarn's From."""
    addresses = [messaging.get("reply_to")]
    conf = (messaging.get("providers") or {}).get("email") or {}
    if conf.get("ciphertext"):
        credentials = json.loads(rt.cipher.decrypt(conf["ciphertext"]))
        addresses.append(credentials.get("sender_address"))
        if credentials.get("smtp_url"):
            try:
                addresses.append(SmtpConfig.from_url(credentials["smtp_url"]).sender)
            except ValueError:
                pass
    return [a for a in dict.fromkeys(addresses) if a and a != "forewarn@localhost"]


@bp.post("/templates/test-send")
def test_send() -> ResponseReturnValue:
    """A message rendered with the sample order, sent now through the shop's email provider to the merchant's
    own address (the reply-to unless `to` names another of their own), at most 10 an hour."""
    rt = current_app.extensions["forewarn"]
    data = load_body(TestSendSchema(), "invalid test message")
    if data["channel"] != "email":
        return jsonify(error="a test message goes to your own email address; preview SMS and WhatsApp texts"), 422
    with rt.uow() as uow:
        shop = _shop(uow)
        if shop is None:
            return not_installed()
        messaging, shop_id, shop_name = dict(shop.messaging or {}), shop.id, shop.name or shop.domain
        rendered = _render(shop, data["kind"], data["language"], "email")
    if isinstance(rendered, list):
        return jsonify(error="the template cannot be rendered", problems=rendered), 422
    own = own_addresses(rt, messaging)
    if not own:
        return jsonify(error="set your reply-to address first: test messages go only to your own address"), 422
    to = data["to"] or own[0]
    if to.lower() not in {a.lower() for a in own}:
        return jsonify(error="test messages go only to your own address: your reply-to address or your email "
                             "provider's sender address"), 403
    if not ratelimit.allow(rt.redis, f"test-send:{shop_id}", TEST_SENDS_PER_HOUR, 3600):
        return jsonify(error=f"at most {TEST_SENDS_PER_HOUR} test messages an hour; try again later"), 429
    try:
        outgoing = channels.OutgoingMessage(
            to=to, subject=f"[Test] {rendered.subject}", body=rendered.body or "",
            idempotency_key=f"test:{shop_id}:{data['kind']}:{uuid.uuid4().hex}",
            sender_name=messaging.get("sender_name") or shop_name, reply_to=messaging.get("reply_to"),
            language=rendered.language, direction=rendered.direction)  # type: ignore[arg-type]
        result = message_jobs._channel(rt, messaging, "email").send(outgoing)
    except (Transient, RateLimited) as exc:
        return jsonify(error=f"the email provider could not take the message just now; try again: {exc}"), 502
    except (ConnectorError, ValueError) as exc:  # Permanent, Unauthorized, OptedOut; a malformed address
        return jsonify(error=f"the message was refused: {exc}"), 422
    log.info("shop %s: test message %s/%s sent by %s", shop_id, data["kind"], rendered.language, result.provider)
    return jsonify(sent=True, to=to, subject=outgoing.subject, provider=result.provider, language=rendered.language)
