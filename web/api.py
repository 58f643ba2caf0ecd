"""`/api/v1/…`: the admin JSON API. Every request carries a session token and sees only its own shop."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from core.domain.model import Shop
from core.services.views import case_views, order_view
from jobs.dispatch import enqueue_ticket_sync
from web.auth import Unauthenticated, session_from_header
from web.report import link_maker

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class InvalidBody(Exception):
    def __init__(self, what: str, messages: Any) -> None:
        super().__init__(what)
        self.what, self.messages = what, messages


def load_body(schema: Schema, what: str) -> dict[str, Any]:
    """The request's JSON through its schema; a bad body is a 400 naming each wrong field."""
    try:
        return schema.load(request.get_json(silent=True) or {})  # type: ignore[no-any-return]
    except ValidationError as exc:
        raise InvalidBody(what, exc.messages) from None


@bp.errorhandler(InvalidBody)
def invalid_body(exc: InvalidBody) -> ResponseReturnValue:
    return jsonify(error=exc.what, fields=exc.messages), 400


class ShopSettingsSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    write_back = fields.Boolean(required=True)


UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def cross_site_refusal() -> ResponseReturnValue | None:
    """CSRF: a change is made only by the admin page's own scripts. The bearer token is never a cookie, so a
    browser does not add it for another site; besides, a change must come as JSON (a cross-site HTML form can
    only send form or text bodies) and, when the browser names its origin, from this app's own origin."""
    if request.method not in UNSAFE:
        return None
    origin = request.headers.get("Origin")
    own = {_origin(request.host_url), _origin(current_app.extensions["forewarn"].settings.base_url)}
    if origin and (origin == "null" or _origin(origin) not in own):  # "null": a sandboxed frame or a data: page
        return jsonify(error="cross-site request refused"), 403
    if request.content_length and not request.is_json:
        return jsonify(error="send the body as application/json"), 415
    return None


@bp.before_request
def authenticate() -> ResponseReturnValue | None:
    refused = cross_site_refusal()
    if refused is not None:
        return refused
    try:
        g.shop_session = session_from_header(request.headers.get("Authorization"))
    except Unauthenticated as exc:
        return jsonify(error=str(exc)), 401
    return None


def _shop(uow: Any) -> Shop | None:
    return uow.repo.shop(g.shop_session.platform, g.shop_session.shop)


def shop_view(shop: Shop) -> dict[str, Any]:
    return {
        "platform": shop.platform,
        "domain": shop.domain,
        "name": shop.name,
        "status": shop.status,
        "status_reason": shop.status_reason,
        "installed_at": shop.installed_at.isoformat() if shop.installed_at else None,
        "uninstalled_at": shop.uninstalled_at.isoformat() if shop.uninstalled_at else None,
        "webhooks_registered_at": shop.webhooks_registered_at.isoformat() if shop.webhooks_registered_at else None,
        "synced_until": shop.synced_until.isoformat() if shop.synced_until else None,
        "write_back": shop.write_back,
    }


def not_installed() -> ResponseReturnValue:
    return jsonify(error="Forewarn is not installed on this shop", shop=g.shop_session.shop), 404


@bp.get("/shop")
def get_shop() -> ResponseReturnValue:
    with current_app.extensions["forewarn"].uow() as uow:
        shop = _shop(uow)
        return jsonify(shop_view(shop)) if shop else not_installed()


@bp.patch("/shop")
def update_shop() -> ResponseReturnValue:
    changes = load_body(ShopSettingsSchema(), "invalid settings")
    with current_app.extensions["forewarn"].uow() as uow:
        shop = _shop(uow)
        if shop is None:
            return not_installed()
        shop.write_back = changes["write_back"]
        uow.commit()
        return jsonify(shop_view(shop))


@bp.get("/orders")
def list_orders() -> ResponseReturnValue:
    limit = min(request.args.get("limit", 50, type=int) or 50, 200)
    with current_app.extensions["forewarn"].uow() as uow:
        shop = _shop(uow)
        if shop is None:
            return not_installed()
        orders = uow.repo.orders(shop.id, limit=limit)
        return jsonify(orders=[order_view(o, uow.repo.shipments_of_order(o.id)) for o in orders])


@bp.get("/write-backs")
def list_write_backs() -> ResponseReturnValue:
    with current_app.extensions["forewarn"].uow() as uow:
        shop = _shop(uow)
        if shop is None:
            return not_installed()
        return jsonify(write_backs=[
            {
                "id": w.id, "kind": w.kind, "key": w.key, "payload": w.payload, "status": w.status,
                "attempts": w.attempts, "error": w.error, "remote_id": w.remote_id,
                "created_at": w.created_at.isoformat(), "sent_at": w.sent_at.isoformat() if w.sent_at else None,
            }
            for w in uow.repo.write_backs(shop.id)
        ])


@bp.get("/compliance-requests")
def list_compliance_requests() -> ResponseReturnValue:
    with current_app.extensions["forewarn"].uow() as uow:
        return jsonify(requests=[
            {
                "id": r.id, "kind": r.kind, "status": r.status, "result": r.result, "error": r.error,
                "received_at": r.received_at.isoformat(),
                "completed_at": r.completed_at.isoformat() if r.completed_at else None,
            }
            for r in uow.repo.compliance_requests(g.shop_session.shop)
        ])


class CarrierAccountSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    carrier = fields.String(required=True)  # a carrier code, or "*" for every carrier without its own account
    provider = fields.String(required=True, validate=validate.OneOf(["karrio", "easypost"]))
    credentials = fields.Dict(keys=fields.String(), values=fields.Raw(), required=True)


def account_view(account: Any) -> dict[str, Any]:
    """Never the credentials themselves: only that there are some."""
    return {"id": account.id, "carrier": account.carrier, "provider": account.provider,
            "has_credentials": bool(account.credentials_ciphertext), "created_at": account.created_at.isoformat()}


@bp.get("/carrier-accounts")
def list_carrier_accounts() -> ResponseReturnValue:
    from sqlalchemy import select

    from core.domain.model import CarrierAccount

    with current_app.extensions["forewarn"].uow() as uow:
        shop = _shop(uow)
        if shop is None:
            return not_installed()
        accounts = uow.session.scalars(select(CarrierAccount).where(CarrierAccount.shop_id == shop.id).order_by(CarrierAccount.carrier))
        return jsonify(accounts=[account_view(a) for a in accounts])


@bp.put("/carrier-accounts")
def put_carrier_account() -> ResponseReturnValue:
    """Add or replace the shop's account for one carrier; the credentials are checked against what the provider
    asks for (connectors/carriers/accounts.py) and stored encrypted."""
    import json as _json

    from sqlalchemy import select

    from connectors.carriers import accounts as carrier_accounts
    from core.domain.model import CarrierAccount
    from jobs.runtime import utcnow

    rt = current_app.extensions["forewarn"]
    data = load_body(CarrierAccountSchema(), "invalid carrier account")
    with rt.uow() as uow:
        shop = _shop(uow)
        if shop is None:
            return not_installed()
        account = uow.session.scalars(
            select(CarrierAccount).where(CarrierAccount.shop_id == shop.id, CarrierAccount.carrier == data["carrier"])
        ).one_or_none()
        same = account is not None and account.provider == data["provider"] and account.credentials_ciphertext
        stored = _json.loads(rt.cipher.decrypt(account.credentials_ciphertext)) if same else {}
        credentials, problems = carrier_accounts.complete(data["provider"], data["carrier"], data["credentials"], stored)
        if problems:  # each missing field named; a blank one keeps what is stored
            raise InvalidBody("invalid carrier account", problems)
        if account is None:
            account = CarrierAccount(shop_id=shop.id, carrier=data["carrier"], provider=data["provider"],
                                     credentials_ciphertext=None, created_at=utcnow())
            uow.repo.add(account)
        account.provider = data["provider"]
        account.credentials_ciphertext = rt.cipher.encrypt(_json.dumps(credentials))
        uow.commit()
        return jsonify(account_view(account))


def _text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


TEAM_AUTHOR = "support"


class CaseUpdateSchema(Schema):
    """A person's change to a case: any of a status, an assignee (empty: nobody), labels, a note."""

    class Meta:
        unknown = EXCLUDE

    status = fields.String(validate=validate.OneOf(["open", "pending", "resolved", "closed"]))
    assignee = fields.String(allow_none=True, validate=validate.Length(max=80))
    labels = fields.List(fields.String(validate=validate.Length(min=1, max=40, error="a label is 1 to 40 characters")),
                         validate=validate.Length(max=20, error="at most 20 labels"))
    note = fields.String(validate=validate.Length(min=1, max=5000, error="a note is 1 to 5000 characters"))

    @pre_load
    def strip(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = {k: _text(v) for k, v in data.items()}
        if isinstance(data.get("labels"), list):
            data["labels"] = [_text(v) for v in data["labels"]]
        return data

    @validates_schema
    def something(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not {"status", "assignee", "labels", "note"} & set(data):
            raise ValidationError("send at least one of status, assignee, labels, note", "_schema")


@bp.get("/cases")
def list_cases() -> ResponseReturnValue:
    """The shop's cases, most urgent first, with the admin list's filters (`status`, `sla`, `priority`,
    `problem`, `assignee`, `label` — one label, exact — and `page`); every status unless `status` is given.
    A bad filter is a 400."""
    from core.services.case_list import cases_page, parse_filters
    from jobs.runtime import utcnow

    filters, problems = parse_filters(request.args, default_statuses=("open", "pending", "resolved", "closed"))
    if problems:
        return jsonify(error="invalid case filters", fields=problems), 400
    rt = current_app.extensions["forewarn"]
    with rt.uow() as uow:
        shop = _shop(uow)
        if shop is None:
            return not_installed()
        page = cases_page(uow.session, shop.id, filters, utcnow())
        cases = [uow.repo.case(row.id) for row in page.rows]
        return jsonify(cases=case_views(uow, cases, link_maker(rt)), total=page.total, page=page.page, pages=page.pages)


@bp.get("/cases/<int:case_id>/photos/<int:photo_id>")
def case_photo(case_id: int, photo_id: int) -> ResponseReturnValue:
    """A photo the customer sent with a report, for the shop's team only. Served as the image type its bytes
    were checked to be, never sniffed, never as a page."""
    from flask import Response

    from core.domain.model import ReportPhoto

    with current_app.extensions["forewarn"].uow() as uow:
        shop = _shop(uow)
        case = uow.repo.case(case_id)
        photo = uow.session.get(ReportPhoto, photo_id)
        if shop is None or case is None or case.shop_id != shop.id or photo is None or photo.case_id != case_id:
            return jsonify(error="no such photo"), 404
        return Response(photo.data, mimetype=photo.content_type, headers={
            "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, max-age=3600", "Content-Disposition": "inline",
        })


@bp.patch("/cases/<int:case_id>")
def update_case(case_id: int) -> ResponseReturnValue:
    """Status, assignee, labels, or a note. A person's first touch counts as the first response — except a
    reopen, which waits for a new one (core/services/cases.py says what each status change does). The
    helpdesk ticket follows after the commit."""
    from core.services.cases import note, set_status_by_person
    from jobs.runtime import utcnow

    changes = load_body(CaseUpdateSchema(), "invalid case update")
    rt = current_app.extensions["forewarn"]
    with rt.uow() as uow:
        shop = _shop(uow)
        case = uow.repo.case(case_id)
        if shop is None or case is None or case.shop_id != shop.id:
            return jsonify(error="no such case"), 404
        # the API knows no staff identity: a person's change is the team's (never "Forewarn" or "Customer")
        now, author = utcnow(), TEAM_AUTHOR
        touched = False
        if "status" in changes:  # first: it reads the case again under the order's lock
            before = case.status
            changed = set_status_by_person(uow, case, changes["status"], now, author)
            reopened = changed and before in ("resolved", "closed")
            touched = changed and not reopened
        if "assignee" in changes:
            case.assignee, touched = changes["assignee"] or None, True
        if "labels" in changes:
            case.labels, touched = list(dict.fromkeys(changes["labels"])), True  # each once, in the order given
        if "note" in changes:
            note(uow, case, changes["note"], now, author)
            touched = True
        if touched and case.status in ("open", "pending"):  # a note on a finished case is no response to its SLA
            case.first_response_at = case.first_response_at or now
        case.updated_at = now
        uow.after_commit(lambda: enqueue_ticket_sync(rt.redis, case_id, now))
        uow.commit()
        return jsonify(case_views(uow, [case], link_maker(rt))[0])


class HelpdeskSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    kind = fields.String(required=True)
    credentials = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


def helpdesk_view(account: Any) -> dict[str, Any]:
    """Never the credentials: only the kind, whether it works, and why not."""
    if account is None:
        return {"connected": False}
    return {"connected": True, "kind": account.kind, "status": account.status, "error": account.error,
            "created_at": account.created_at.isoformat()}


def forget_tickets(uow: Any, shop_id: int) -> None:
    """The shop's cases start over in a newly connected helpdesk: each open case gets a ticket there."""
    from sqlalchemy import select

    from core.domain.model import Case, CaseTicket

    case_ids = select(Case.id).where(Case.shop_id == shop_id)
    for row in uow.session.scalars(select(CaseTicket).where(CaseTicket.case_id.in_(case_ids))):
        uow.session.delete(row)


@bp.get("/helpdesk")
def get_helpdesk() -> ResponseReturnValue:
    with current_app.extensions["forewarn"].uow() as uow:
        shop = _shop(uow)
        if shop is None:
            return not_installed()
        return jsonify(helpdesk_view(uow.repo.helpdesk_account(shop.id)))


@bp.put("/helpdesk")
def connect_helpdesk() -> ResponseReturnValue:
    """Connect (or reconnect) the shop's helpdesk. The credentials are tried first; only working ones are
    stored, encrypted. Reconnecting re-enables an integration an authentication failure had disabled."""
    import json as _json

    from connectors import helpdesks
    from core.domain.model import HelpdeskAccount
    from core.errors import ConnectorError, RateLimited, Transient, Unauthorized
    from jobs.runtime import utcnow

    rt = current_app.extensions["forewarn"]
    data = load_body(HelpdeskSchema(), "invalid helpdesk connection")
    with rt.uow() as uow:
        shop = _shop(uow)
        if shop is None:
            return not_installed()
    try:
        helpdesks.build(data["kind"], data["credentials"], rt.http, rt.settings.helpdesk_simulator_url,
                               rt.settings.smtp_url, rt.settings.allow_private_network).check()
    except Unauthorized as exc:
        return jsonify(error=f"the helpdesk refused these credentials: {exc}"), 422
    except (RateLimited, Transient) as exc:
        return jsonify(error=f"the helpdesk could not be reached; nothing was changed, try again: {exc}"), 502
    except ConnectorError as exc:
        return jsonify(error=f"the helpdesk refused the check: {exc}"), 422
    with rt.uow() as uow:
        shop = _shop(uow)
        account = uow.repo.helpdesk_account(shop.id)
        if account is None:
            account = HelpdeskAccount(shop_id=shop.id, kind=data["kind"], credentials_ciphertext="", created_at=utcnow())
            uow.repo.add(account)
        else:  # another helpdesk (or another Zendesk) than before: its ticket numbers mean nothing there
            before = _json.loads(rt.cipher.decrypt(account.credentials_ciphertext))
            if not helpdesks.same_account(account.kind, before, data["kind"], data["credentials"]):
                forget_tickets(uow, shop.id)
        account.kind, account.status, account.error = data["kind"], "active", None
        account.credentials_ciphertext = rt.cipher.encrypt(_json.dumps(data["credentials"]))
        now = utcnow()
        waiting = list(uow.repo.active_case_ids(shop.id))
        uow.after_commit(lambda: [enqueue_ticket_sync(rt.redis, case_id, now) for case_id in waiting])
        uow.commit()  # the shop's open cases reach the helpdesk now, not only the next ones
        return jsonify(helpdesk_view(account))


class ReplySchema(Schema):
    class Meta:
        unknown = EXCLUDE

    text = fields.String(required=True)


@bp.get("/replies")
def list_replies() -> ResponseReturnValue:
    """The suggested-reply library: every problem in every language, marked where the merchant changed it."""
    from core.domain.replies import FIELDS, library

    with current_app.extensions["forewarn"].uow() as uow:
        shop = _shop(uow)
        if shop is None:
            return not_installed()
        return jsonify(fields=list(FIELDS), replies=library(shop.replies))


@bp.route("/replies/<problem>/<language>", methods=["PUT", "DELETE"])
def edit_reply(problem: str, language: str) -> ResponseReturnValue:
    """Set the shop's own wording of one reply (PUT {"text": …}), or go back to Forewarn's (DELETE)."""
    from core.domain.replies import REPLIES, check_text, library

    if problem not in REPLIES or language not in REPLIES[problem]:
        return jsonify(error=f"no reply {problem}/{language}; problems: {', '.join(REPLIES)}; languages: en, es, fr, de"), 404
    text = None
    if request.method == "PUT":
        text = load_body(ReplySchema(), "invalid reply")["text"]
        problems = check_text(text)
        if problems:
            return jsonify(error="the reply cannot be saved", problems=problems), 422
    with current_app.extensions["forewarn"].uow() as uow:
        shop = _shop(uow)
        if shop is None:
            return not_installed()
        own = {p: dict(t) for p, t in (shop.replies or {}).items()}  # a new value, so the JSON column is saved
        if text is None:
            own.get(problem, {}).pop(language, None)
        else:
            own.setdefault(problem, {})[language] = text
        shop.replies = {p: t for p, t in own.items() if t} or None
        uow.commit()
        return jsonify(library(shop.replies)[problem][language])
