"""Sending email through the shop's (or the operator's) SMTP server, standard library only: `SmtpConfig` read
from one URL (`smtp://user:pass@host:587?starttls=1`, `smtps://user:pass@host:465`, `smtp://127.0.0.1:2525`),
and `Mailer`, which sends one `EmailMessage` per connection and turns every failure into core.errors' types:
no answer, a dropped connection or a 4xx reply is Transient (RFC 5321 §4.2.1: try again later), refused
credentials Unauthorized, a 5xx reply (recipient or sender refused, message rejected) Permanent with the
server's own words. The email helpdesk uses it; the customer-messages feature will too."""
from __future__ import annotations

import ipaddress
import logging
import re
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from core.errors import ConnectorError, MaybeSent, Permanent, Transient, Unauthorized

log = logging.getLogger(__name__)

Security = Literal["starttls", "ssl", "none"]
DEFAULT_PORTS: dict[str, int] = {"ssl": 465, "starttls": 587, "none": 25}
LOOPBACK_NAMES = {"localhost"}
HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.IGNORECASE)
CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")  # what could end a header line, or hide in one
URL_OPTIONS = ("starttls", "from", "from_name")
YES, NO = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def mailbox(text: str) -> str:
    """`text` if it is one bare ASCII address (`name@host.example`) that is safe to put in a header; else
    ValueError saying why. No display names, lists, domain literals or line breaks."""
    if CONTROL.search(text):
        raise ValueError("an email address cannot contain line breaks or control characters")
    if not text.isascii():
        raise ValueError("only ASCII addresses are supported (write the domain in its xn-- form)")
    if text.count("@") != 1:
        raise ValueError("an email address has exactly one @")
    try:
        address = Address(addr_spec=text)
    except Exception as exc:  # the header parser raises several types (HeaderParseError, IndexError, …)
        raise ValueError(f"not an email address ({exc})") from None
    labels = address.domain.split(".")
    if not address.username or not all(HOST_LABEL.fullmatch(label) for label in labels):
        raise ValueError("not an email address (it needs a name, an @ and a host name)")
    return text


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send. `password` stays out of repr() (and so out of logs and tracebacks)."""

    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    security: Security = "starttls"
    sender: str = "forewarn@localhost"  # the From (and envelope sender) address
    sender_name: str = "Forewarn"
    timeout: float = 20.0  # seconds, for the connection and for every reply

    def __post_init__(self) -> None:
        if self.security not in DEFAULT_PORTS:
            raise ValueError(f"SMTP security must be starttls, ssl or none, not {self.security!r}")
        if not 0 < self.port < 65536:
            raise ValueError("SMTP port must be a number from 1 to 65535")
        if (self.username is None) != (self.password is None):
            raise ValueError("SMTP needs both a user name and a password, or neither")
        if CONTROL.search(self.sender_name):
            raise ValueError("the sender name cannot contain line breaks or control characters")
        mailbox(self.sender)

    @classmethod
    def from_url(cls, url: str, *, sender: str | None = None, sender_name: str | None = None) -> SmtpConfig:
        """`smtp://` is plain SMTP (port 25) or, with `?starttls=1`, upgraded to TLS (port 587); `smtps://` is
        TLS from the first byte (port 465). User and password are percent-decoded (`%40` for @). Options:
        `starttls`, `from` (sender address) and `from_name`; `sender`/`sender_name` arguments win over them.
        Without a sender, a user name that is an address is used, else forewarn@localhost (enough for a
        local relay; a relay that checks sender domains needs `from`). A password is refused over an
        unencrypted connection except to this machine. Errors never repeat the URL: it holds the password."""
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in ("smtp", "smtps"):
            raise ValueError(f"an SMTP URL starts with smtp:// or smtps://, not {scheme + '://' if scheme else 'nothing'}")
        host = _host(parts.hostname or "")
        try:
            port = parts.port
        except ValueError:
            raise ValueError("the SMTP URL's port must be a number from 1 to 65535") from None
        if parts.path not in ("", "/") or parts.fragment:
            raise ValueError("an SMTP URL has no path or #fragment: smtp://user:password@host:port?starttls=1")
        options = _options(parts.query)
        if scheme == "smtps" and options.get("starttls", "0").lower() in YES:
            raise ValueError("smtps:// is encrypted from the start; drop ?starttls=1, or use smtp:// with it")
        starttls = options.get("starttls", "0").lower()
        if starttls not in YES | NO:
            raise ValueError("starttls= takes 1 or 0")
        security: Security = "ssl" if scheme == "smtps" else "starttls" if starttls in YES else "none"
        username = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password is not None else None
        if username is None and password:
            raise ValueError("the SMTP URL has a password but no user name")
        if username is not None and not password:
            raise ValueError("the SMTP URL has a user name but no password (user:password@host)")
        if username is not None and security == "none" and not _is_loopback(host):
            raise ValueError("the password would cross the network unencrypted: add ?starttls=1 or use smtps://")
        if sender is None:
            sender = options.get("from") or (username if username and _is_mailbox(username) else "forewarn@localhost")
        try:
            mailbox(sender)
        except ValueError as exc:
            raise ValueError(f"the sender address: {exc}") from None
        return cls(host=host, port=port if port is not None else DEFAULT_PORTS[security], username=username,
                   password=password, security=security, sender=sender,
                   sender_name=sender_name if sender_name is not None else options.get("from_name", "Forewarn"))


class Mailer:
    """Sends through one SMTP server, a fresh connection per message (the jobs send a few a minute, not a stream).
    `tls_context` is for tests with their own certificate authority; by default the system's trust store and
    host-name checks apply."""

    def __init__(self, config: SmtpConfig, *, tls_context: ssl.SSLContext | None = None) -> None:
        self.config = config
        self.tls_context = tls_context or ssl.create_default_context()

    @property
    def sender(self) -> Address:
        return Address(display_name=self.config.sender_name, addr_spec=self.config.sender)

    def send(self, message: EmailMessage) -> str:
        """Send `message` to its To/Cc/Bcc (Bcc is not transmitted); fill From, Date and Message-ID when it has
        none, and return the Message-ID. Recipients refused while others were accepted are logged, not
        raised: the message went out, and a retry would send it again to those who have it."""
        if not any(message.get_all(name) for name in ("To", "Cc", "Bcc")):
            raise ValueError("the message has no recipient (To, Cc or Bcc)")
        if message["From"] is None:
            message["From"] = self.sender
        if message["Date"] is None:
            message["Date"] = formatdate(usegmt=True)
        if message["Message-ID"] is None:
            message["Message-ID"] = make_msgid(domain=self.config.sender.rpartition("@")[2])
        message_id = str(message["Message-ID"])
        with self._session() as smtp:
            try:
                refused = smtp.send_message(message)
            except (smtplib.SMTPServerDisconnected, TimeoutError, ConnectionError) as exc:
                # the server went away while the message was being handed over: it may have it already
                raise MaybeSent(f"the SMTP server {self.config.host} hung up while taking the message: {exc}") from None
        if refused:
            log.warning("SMTP %s refused %d of the recipients of %s: %s", self.config.host, len(refused), message_id,
                        sorted({code for code, _ in refused.values()}))
        log.info("sent %s through SMTP %s", message_id, self.config.host)
        return message_id

    def check(self) -> None:
        """Connect, greet, start TLS and log in when configured, NOOP, quit: proves the settings without sending."""
        with self._session() as smtp:
            code, reply = smtp.noop()
            if code != 250:
                raise smtplib.SMTPResponseException(code, reply)

    @contextmanager
    def _session(self) -> Iterator[smtplib.SMTP]:
        config = self.config
        try:
            if config.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout,
                                                      context=self.tls_context)
            else:
                smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
            try:
                smtp.ehlo()
                if config.security == "starttls":
                    smtp.starttls(context=self.tls_context)
                    smtp.ehlo()
                if config.username is not None and config.password is not None:
                    smtp.login(config.username, config.password)
                yield smtp
            finally:
                _close(smtp)
        except (smtplib.SMTPException, OSError) as exc:  # SMTPException is an OSError; both named for the reader
            raise _failure(exc, config.host) from None


def _failure(exc: OSError, host: str) -> ConnectorError:
    """The typed error for what smtplib raised (its subclasses first: they are all OSErrors)."""
    where = f"the SMTP server {host}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        if 400 <= exc.smtp_code < 500:  # 454: "temporary authentication failure" (RFC 4954)
            return Transient(f"{where} could not check the credentials just now: {_reply(exc.smtp_code, exc.smtp_error)}")
        return Unauthorized(f"{where} refused the SMTP user name or password: {_reply(exc.smtp_code, exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = list(exc.recipients.values())
        kind = Transient if replies and all(400 <= code < 500 for code, _ in replies) else Permanent
        return kind(f"{where} refused the recipient: {'; '.join(_reply(code, text) for code, text in replies)}")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        kind = Transient if 400 <= exc.smtp_code < 500 else Permanent
        return kind(f"{where} refused the sender address: {_reply(exc.smtp_code, exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPResponseException):  # data refused, bad greeting, NOOP or STARTTLS failing
        kind = Permanent if 500 <= exc.smtp_code < 600 else Transient
        return kind(f"{where} answered {_reply(exc.smtp_code, exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return Transient(f"{where} hung up or went silent: {exc}")  # smtplib reports a read timeout so too
    if isinstance(exc, smtplib.SMTPNotSupportedError):  # STARTTLS or AUTH configured, the server offers neither
        return Permanent(f"{where} does not support what the settings ask for: {exc}")
    if isinstance(exc, smtplib.SMTPException):  # e.g. no AUTH mechanism in common
        return Permanent(f"SMTP with {host} failed: {exc}")
    if isinstance(exc, TimeoutError):
        return Transient(f"{where} did not answer in time")
    return Transient(f"{where} could not be reached: {exc}")


def _reply(code: int, text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(text.split())}"[:300]


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _host(host: str) -> str:
    if not host:
        raise ValueError("the SMTP URL has no host: smtp://host:port")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if len(host) > 253 or not all(HOST_LABEL.fullmatch(label) for label in host.rstrip(".").split(".")):
        raise ValueError("the SMTP URL's host is not a host name or an IP address")
    return host


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.lower() in LOOPBACK_NAMES


def _is_mailbox(text: str) -> bool:
    try:
        mailbox(text)
    except ValueError:
        return False
    return True


def _options(query: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key not in URL_OPTIONS:
            raise ValueError(f"unknown SMTP URL option {key!r} (known: {', '.join(URL_OPTIONS)})")
        if key in options:
            raise ValueError(f"the SMTP URL gives {key!r} twice")
        options[key] = value
    return options


def mailer_for(own_url: str | None, operator_url: str | None) -> Mailer:
    """The merchant's own mail server when they gave one (theirs to fix: Unauthorized), else Forewarn's
    (the operator's to fix: Permanent, which never disables a merchant's integration)."""
    if own_url:
        try:
            return Mailer(SmtpConfig.from_url(own_url))
        except ValueError as exc:
            raise Unauthorized(f"your mail server address is not usable: {exc}") from None
    if not operator_url:
        raise Unauthorized("Forewarn has no mail server of its own here (FOREWARN_SMTP_URL): enter your own SMTP server")
    try:
        return Mailer(SmtpConfig.from_url(operator_url))
    except ValueError as exc:
        raise Permanent(f"FOREWARN_SMTP_URL is not usable ({exc}); the operator must fix it") from None
