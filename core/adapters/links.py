"""Signed links a customer follows without an account: the problem-report page (and, later, unsubscribe and
survey links). A link names one shop's order and nothing else; it is signed with the app's secret, carries
its issue time, and expires — long for a link in a message (a parcel can take weeks), short for one handed
out after an order number + email lookup."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from core.domain.reports import LINK_DAYS, LOOKUP_LINK_MINUTES

SALT = "forewarn-problem-report"
#: How a link was issued → how long it works.
LIFETIMES = {"message": timedelta(days=LINK_DAYS), "lookup": timedelta(minutes=LOOKUP_LINK_MINUTES)}


class LinkExpired(Exception):
    """The signature was good, so the shop it names is known: the page can offer that shop's lookup form."""

    def __init__(self, shop_id: int | None) -> None:
        super().__init__("the link has expired")
        self.shop_id = shop_id


class LinkInvalid(Exception):
    pass


@dataclass(frozen=True)
class ReportLink:
    shop_id: int
    order_id: int
    issued_by: str  # message | lookup


def _serializer(secret: str) -> URLSafeTimedSerializer:
    if not secret:
        raise RuntimeError("FOREWARN_SECRET_KEY is needed to sign customer links")
    return URLSafeTimedSerializer(secret, salt=SALT)


def sign_report(secret: str, shop_id: int, order_id: int, issued_by: str = "message") -> str:
    if issued_by not in LIFETIMES:
        raise ValueError(f"unknown link issuer {issued_by!r}")
    return _serializer(secret).dumps({"s": shop_id, "o": order_id, "i": issued_by})


def read_report(secret: str, token: str, now: datetime) -> ReportLink:
    """The order a link names; LinkExpired or LinkInvalid (tampered, cut short, or not a report link)."""
    serializer = _serializer(secret)
    try:
        data, signed_at = serializer.loads(token, max_age=int(LIFETIMES["message"].total_seconds()), return_timestamp=True)
    except SignatureExpired as exc:
        data = serializer.load_payload(exc.payload) if exc.payload is not None else {}
        raise LinkExpired(data.get("s") if isinstance(data, dict) else None) from None
    except BadSignature:
        raise LinkInvalid("the link is not valid") from None
    if not isinstance(data, dict) or data.get("i") not in LIFETIMES or not all(isinstance(data.get(k), int) for k in "so"):
        raise LinkInvalid("the link is not a problem-report link")
    if now - signed_at > LIFETIMES[data["i"]]:
        raise LinkExpired(data["s"])
    return ReportLink(shop_id=data["s"], order_id=data["o"], issued_by=data["i"])


def report_url(base_url: str, secret: str, shop_id: int, order_id: int, issued_by: str = "message") -> str:
    return f"{base_url.rstrip('/')}/report/{sign_report(secret, shop_id, order_id, issued_by)}"


# -- unsubscribe and survey links -----------------------------------------------------------------------------

UNSUBSCRIBE_SALT = "forewarn-unsubscribe"
SURVEY_SALT = "forewarn-survey"
#: An unsubscribe link must work as long as the message that carried it may be read; a survey, for a month.
UNSUBSCRIBE_DAYS = 365
SURVEY_DAYS = 30


@dataclass(frozen=True)
class UnsubscribeLink:
    shop_id: int
    address: str  # the email or phone the message went to


@dataclass(frozen=True)
class SurveyLink:
    shop_id: int
    order_id: int


def _read(secret: str, salt: str, token: str, days: int, now: datetime) -> dict:
    if not secret:  # with no key, anyone could sign: nothing is read
        raise LinkInvalid("links cannot be checked: FOREWARN_SECRET_KEY is not set")
    serializer = URLSafeTimedSerializer(secret, salt=salt)
    try:
        data, signed_at = serializer.loads(token, max_age=days * 86400, return_timestamp=True)
    except SignatureExpired:
        raise LinkExpired(None) from None
    except BadSignature:
        raise LinkInvalid("the link is not valid") from None
    if not isinstance(data, dict) or now - signed_at > timedelta(days=days):
        raise LinkExpired(None) if isinstance(data, dict) else LinkInvalid("the link is not valid")
    return data


def _serializer_for(secret: str, salt: str) -> URLSafeTimedSerializer:
    if not secret:
        raise RuntimeError("FOREWARN_SECRET_KEY is needed to sign customer links")
    return URLSafeTimedSerializer(secret, salt=salt)


def unsubscribe_url(base_url: str, secret: str, shop_id: int, address: str) -> str:
    token = _serializer_for(secret, UNSUBSCRIBE_SALT).dumps({"s": shop_id, "a": address})
    return f"{base_url.rstrip('/')}/u/{token}"


def read_unsubscribe(secret: str, token: str, now: datetime) -> UnsubscribeLink:
    data = _read(secret, UNSUBSCRIBE_SALT, token, UNSUBSCRIBE_DAYS, now)
    if not isinstance(data.get("s"), int) or not isinstance(data.get("a"), str):
        raise LinkInvalid("the link is not an unsubscribe link")
    return UnsubscribeLink(shop_id=data["s"], address=data["a"])


def survey_url(base_url: str, secret: str, shop_id: int, order_id: int) -> str:
    token = _serializer_for(secret, SURVEY_SALT).dumps({"s": shop_id, "o": order_id})
    return f"{base_url.rstrip('/')}/survey/{token}"


def read_survey(secret: str, token: str, now: datetime) -> SurveyLink:
    data = _read(secret, SURVEY_SALT, token, SURVEY_DAYS, now)
    if not all(isinstance(data.get(k), int) for k in "so"):
        raise LinkInvalid("the link is not a survey link")
    return SurveyLink(shop_id=data["s"], order_id=data["o"])
