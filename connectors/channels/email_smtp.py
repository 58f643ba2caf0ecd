"""Customer email through an SMTP server, sent by connectors.mail.Mailer (which types every SMTP failure).

`compose` builds the message, pure: From with the shop's sender name, Reply-To, a one-line Subject, the text
part and the optional HTML alternative (declaring `dir` and `lang`), Content-Language, List-Unsubscribe and
RFC 8058's List-Unsubscribe-Post, and a Message-ID made from the idempotency key.

Two quirks of Python's email package, and what is done about them:
- Its folding turns any header line longer than 78 characters that has no space into RFC 2047 encoded-words,
  and an encoded List-Unsubscribe is no longer a URL a mail client can use. So that header is stored as is
  (`set_raw`) under a policy that does not refold stored values (refold_source="none"); the URL is checked to
  be plain printable ASCII in OutgoingMessage, and it stays under the 998-character line limit.
- Its default policy may pick 8bit transfer encoding for non-ASCII text, which a server without 8BITMIME
  cannot take: cte_type="7bit" makes UTF-8 parts base64 or quoted-printable, whichever is shorter.
Non-ASCII subjects and sender names are RFC 2047 encoded-words in UTF-8 (the policy's own doing).
"""
from __future__ import annotations

import email.policy
import logging
from email.headerregistry import Address
from email.message import EmailMessage

from connectors.channels import email_content
from connectors.channels.base import OutgoingMessage, SendResult
from connectors.mail import Mailer

log = logging.getLogger(__name__)

POLICY = email.policy.SMTP.clone(refold_source="none", cte_type="7bit")


def compose(message: OutgoingMessage, sender: Address) -> EmailMessage:
    """The email for `message`. `sender` is the mail server's own From (used where the message names none)."""
    to = email_content.recipient(message)
    address = (email_content.shop_address(message.sender_address, "sender") if message.sender_address
               else sender.addr_spec)
    name = email_content.one_line(message.sender_name) or sender.display_name
    domain = address.rpartition("@")[2]

    mail = EmailMessage(policy=POLICY)
    mail["From"] = Address(display_name=name, addr_spec=address)
    mail["To"] = to
    if message.reply_to:
        mail["Reply-To"] = email_content.shop_address(message.reply_to, "reply-to")
    mail["Subject"] = email_content.subject(message)
    # stored as is, like the unsubscribe headers: folded onto a line of its own, Python reads it back with a
    # leading space (the value is one ASCII token, so nothing is lost by never folding it)
    mail.set_raw("Message-ID", email_content.message_id(message.idempotency_key, domain))
    for header, value in email_content.unsubscribe_headers(message).items():
        mail.set_raw(header, value)  # never refolded: see the module docstring
    mail.set_content(message.body)
    if message.html is not None:
        mail.add_alternative(email_content.directed_html(message.html, message.direction, message.language),
                             subtype="html")
    if message.language:
        mail["Content-Language"] = message.language  # after the parts: set_content drops Content-* headers
    return mail


class EmailSmtpChannel:
    """Sends through one Mailer (the shop's own server or Forewarn's). Mailer raises core.errors' types: a 5xx
    reply to the recipient is Permanent with the server's words, refused credentials Unauthorized."""

    provider = "smtp"

    def __init__(self, mailer: Mailer) -> None:
        self.mailer = mailer

    def send(self, message: OutgoingMessage) -> SendResult:
        message_id = self.mailer.send(compose(message, self.mailer.sender))
        log.info("customer email %s handed to SMTP %s", message_id, self.mailer.config.host)
        return SendResult(provider=self.provider, provider_id=message_id, status="sent")
