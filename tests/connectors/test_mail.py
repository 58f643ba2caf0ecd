"""The SMTP sender against a real SMTP server on 127.0.0.1 (aiosmtpd): settings read from one URL, messages
delivered, and every failure typed — refused connection, silence, a hang-up, refused credentials, 4xx and 5xx
replies, TLS asked for and missing. The server itself is tests/smtp.py's."""
from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from connectors.mail import Mailer, SmtpConfig, mailbox
from core.errors import Permanent, Transient, Unauthorized
from tests.smtp import Inbox, free_port, running_smtpd


def accepts(user: str, password: str) -> Callable[..., AuthResult]:
    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data == (user.encode(), password.encode())
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself
    return authenticator


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def smtp_port(inbox: Inbox) -> Iterator[int]:
    with running_smtpd(inbox) as port:
        yield port


@pytest.fixture
def tls(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a self-signed certificate for 127.0.0.1, and a client context trusting only it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    return server, ssl.create_default_context(cafile=str(cert_file))


@contextmanager
def raw_server(behaviour: str) -> Iterator[int]:
    """A TCP listener that never greets ('silent') or hangs up at once ('hang up')."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []

    def serve() -> None:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        if behaviour == "hang up":
            conn.close()
        else:
            held.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        listener.close()
        for conn in held:
            conn.close()


def letter(to: str = "support@shop.example", subject: str = "Hello") -> EmailMessage:
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = subject
    message.set_content("Body text")
    return message


def local(port: int, **options: Any) -> Mailer:
    return Mailer(SmtpConfig(host="127.0.0.1", port=port, security="none", sender="forewarn@shop.example", **options))


# -- SmtpConfig.from_url ------------------------------------------------------------------------------------


def test_reads_a_starttls_url_with_percent_encoded_credentials() -> None:
    config = SmtpConfig.from_url("smtp://alerts%40shop.example:p%40ss%2Fw%3Ard@mail.shop.example:587?starttls=1")
    assert (config.host, config.port, config.security) == ("mail.shop.example", 587, "starttls")
    assert (config.username, config.password) == ("alerts@shop.example", "p@ss/w:rd")
    assert config.sender == "alerts@shop.example" and config.sender_name == "Forewarn"  # the login is an address


def test_reads_an_smtps_url_with_its_default_port_and_a_sender() -> None:
    config = SmtpConfig.from_url("smtps://apikey:SG.secret@smtp.sendgrid.net?from=ops%40shop.example&from_name=Acme+Tea")
    assert (config.host, config.port, config.security) == ("smtp.sendgrid.net", 465, "ssl")
    assert (config.sender, config.sender_name) == ("ops@shop.example", "Acme Tea")


def test_reads_a_local_relay_url_without_credentials() -> None:
    config = SmtpConfig.from_url("smtp://127.0.0.1:2525")
    assert (config.host, config.port, config.security) == ("127.0.0.1", 2525, "none")
    assert config.username is None and config.password is None and config.sender == "forewarn@localhost"
    assert SmtpConfig.from_url("smtp://relay.internal").port == 25
    assert SmtpConfig.from_url("smtp://relay.internal?starttls=1").port == 587


def test_sender_arguments_win_over_the_url() -> None:
    config = SmtpConfig.from_url("smtp://127.0.0.1?from=a%40shop.example", sender="b@shop.example", sender_name="Shop")
    assert (config.sender, config.sender_name) == ("b@shop.example", "Shop")


def test_a_password_over_plain_smtp_is_allowed_only_to_this_machine() -> None:
    assert SmtpConfig.from_url("smtp://u:p@127.0.0.1:2525").password == "p"
    with pytest.raises(ValueError, match="unencrypted"):
        SmtpConfig.from_url("smtp://u:p@mail.shop.example:25")


@pytest.mark.parametrize(("url", "reason"), [
    ("https://mail.shop.example", "smtp:// or smtps://"),
    ("mail.shop.example:587", "smtp:// or smtps://"),
    ("smtp://", "no host"),
    ("smtp://u:secret@:25", "no host"),
    ("smtp://mail_shop.example", "not a host name"),
    ("smtp://mail.shop.example:99999", "port"),
    ("smtp://mail.shop.example:abc", "port"),
    ("smtp://mail.shop.example:0", "port"),
    ("smtps://u:secret@mail.shop.example?starttls=1", "encrypted from the start"),
    ("smtp://mail.shop.example?starttls=maybe", "starttls= takes 1 or 0"),
    ("smtp://mail.shop.example?tls=1", "unknown SMTP URL option 'tls'"),
    ("smtp://mail.shop.example?starttls=1&starttls=0", "twice"),
    ("smtp://:secret@mail.shop.example?starttls=1", "no user name"),
    ("smtp://user@mail.shop.example?starttls=1", "no password"),
    ("smtp://mail.shop.example/inbox", "no path"),
    ("smtp://127.0.0.1?from=not-an-address", "sender address"),
    ("smtp://127.0.0.1?from=a%40shop.example%0D%0ABcc:%20x%40evil.example", "line breaks"),
    ("smtp://127.0.0.1?from_name=Shop%0D%0ABcc:%20x%40evil.example", "line breaks"),
])
def test_refuses_a_bad_url_with_a_reason_and_without_repeating_the_password(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason) as raised:
        SmtpConfig.from_url(url)
    assert "secret" not in str(raised.value)


def test_the_password_stays_out_of_repr() -> None:
    assert "hunter2" not in repr(SmtpConfig.from_url("smtps://u:hunter2@mail.shop.example"))


@pytest.mark.parametrize("address", ["", "shop.example", "a@b@shop.example", "a b@shop.example", "@shop.example",
                                     "a@", "a@[127.0.0.1]", "Support <a@shop.example>", "a@shop.example\r\nBcc: x@y.z",
                                     "a@shop.example, b@shop.example", "zoë@shop.example"])
def test_mailbox_accepts_only_one_bare_address(address: str) -> None:
    with pytest.raises(ValueError):
        mailbox(address)
    assert mailbox("support+forewarn@shop.example") == "support+forewarn@shop.example"


# -- Mailer against a real SMTP server ----------------------------------------------------------------------


def test_sends_a_message_and_returns_its_message_id(smtp_port: int, inbox: Inbox) -> None:
    message_id = local(smtp_port).send(letter())
    [envelope] = inbox.envelopes
    assert envelope.mail_from == "forewarn@shop.example" and envelope.rcpt_tos == ["support@shop.example"]
    [received] = inbox.messages
    assert received["Message-ID"] == message_id and message_id.endswith("@shop.example>")
    assert received["From"] == "Forewarn <forewarn@shop.example>" and received["Date"]
    assert received["Subject"] == "Hello" and received.get_content().strip() == "Body text"


def test_keeps_a_message_id_and_sender_the_caller_set(smtp_port: int, inbox: Inbox) -> None:
    message = letter()
    message["From"] = "Acme Tea <hello@shop.example>"
    message["Message-ID"] = "<fixed@forewarn>"
    assert local(smtp_port).send(message) == "<fixed@forewarn>"
    assert inbox.envelopes[0].mail_from == "hello@shop.example"


def test_a_message_without_recipients_is_a_programming_error(smtp_port: int) -> None:
    message = EmailMessage()
    message["Subject"] = "nobody"
    with pytest.raises(ValueError, match="no recipient"):
        local(smtp_port).send(message)


def test_check_greets_and_sends_nothing(smtp_port: int, inbox: Inbox) -> None:
    local(smtp_port).check()
    assert inbox.envelopes == []


def test_a_refused_connection_is_transient() -> None:
    with pytest.raises(Transient, match="could not be reached"):
        local(free_port()).send(letter())
    with pytest.raises(Transient):
        local(free_port()).check()


def test_a_server_that_never_greets_is_transient() -> None:
    with raw_server("silent") as port, pytest.raises(Transient, match="timed out"):
        local(port, timeout=0.3).check()


def test_a_server_that_hangs_up_is_transient() -> None:
    with raw_server("hang up") as port, pytest.raises(Transient, match="hung up"):
        local(port).send(letter())


def test_logs_in_and_a_refused_password_is_unauthorized(inbox: Inbox) -> None:
    with running_smtpd(inbox, authenticator=accepts("alerts", "right"), auth_require_tls=False) as port:
        Mailer(SmtpConfig.from_url(f"smtp://alerts:right@127.0.0.1:{port}", sender="alerts@shop.example")).send(letter())
        assert len(inbox.envelopes) == 1
        wrong = Mailer(SmtpConfig.from_url(f"smtp://alerts:wrong@127.0.0.1:{port}", sender="alerts@shop.example"))
        with pytest.raises(Unauthorized, match="535"):
            wrong.check()
        with pytest.raises(Unauthorized):
            wrong.send(letter())
    assert len(inbox.envelopes) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_a_server_requiring_login_refuses_an_anonymous_sender_permanently(inbox: Inbox) -> None:
    with running_smtpd(inbox, authenticator=accepts("a", "b"), auth_required=True, auth_require_tls=False) as port:
        with pytest.raises(Permanent, match="530"):
            local(port).send(letter())


def test_a_temporary_authentication_failure_is_transient_not_a_disconnect(inbox: Inbox) -> None:
    def unavailable(*_: Any) -> AuthResult:
        return AuthResult(success=False, handled=False, message="454 4.7.0 Temporary authentication failure")

    with running_smtpd(inbox, authenticator=unavailable, auth_require_tls=False) as port:
        with pytest.raises(Transient, match="454 4.7.0"):
            Mailer(SmtpConfig.from_url(f"smtp://alerts:right@127.0.0.1:{port}", sender="alerts@shop.example")).check()


def test_a_rejected_recipient_is_permanent_with_the_servers_words() -> None:
    with running_smtpd(Inbox(rcpt_reply="550 5.1.1 <support@shop.example>: mailbox unavailable")) as port:
        with pytest.raises(Permanent, match="550 5.1.1 <support@shop.example>: mailbox unavailable"):
            local(port).send(letter())


def test_a_greylisted_recipient_is_transient() -> None:
    with running_smtpd(Inbox(rcpt_reply="451 4.7.1 Greylisted, try again later")) as port:
        with pytest.raises(Transient, match="451 4.7.1 Greylisted"):
            local(port).send(letter())


def test_a_rejected_message_is_permanent() -> None:
    with running_smtpd(Inbox(data_reply="554 5.7.1 Message rejected as spam")) as port:
        with pytest.raises(Permanent, match="554 5.7.1 Message rejected as spam"):
            local(port).send(letter())


def test_starttls_then_login(tls: tuple[ssl.SSLContext, ssl.SSLContext], inbox: Inbox) -> None:
    server, client = tls
    # auth_require_tls stays on: the login only works once STARTTLS has happened
    with running_smtpd(inbox, tls_context=server, require_starttls=True, authenticator=accepts("alerts", "pw")) as port:
        mailer = Mailer(SmtpConfig.from_url(f"smtp://alerts:pw@127.0.0.1:{port}?starttls=1&from=alerts%40shop.example"),
                        tls_context=client)
        mailer.check()
        mailer.send(letter())
    assert len(inbox.envelopes) == 1


def test_implicit_tls(tls: tuple[ssl.SSLContext, ssl.SSLContext], inbox: Inbox) -> None:
    server, client = tls
    with running_smtpd(inbox, ssl_context=server) as port:
        Mailer(SmtpConfig.from_url(f"smtps://127.0.0.1:{port}"), tls_context=client).send(letter())
    assert len(inbox.envelopes) == 1


def test_an_untrusted_certificate_is_not_accepted(tls: tuple[ssl.SSLContext, ssl.SSLContext], inbox: Inbox) -> None:
    server, _ = tls
    with running_smtpd(inbox, ssl_context=server) as port, pytest.raises(Transient, match="CERTIFICATE_VERIFY_FAILED"):
        Mailer(SmtpConfig.from_url(f"smtps://127.0.0.1:{port}")).send(letter())
    assert inbox.envelopes == []


def test_starttls_asked_for_but_not_offered_is_permanent(smtp_port: int) -> None:
    with pytest.raises(Permanent, match="STARTTLS"):
        Mailer(SmtpConfig.from_url(f"smtp://127.0.0.1:{smtp_port}?starttls=1")).check()
