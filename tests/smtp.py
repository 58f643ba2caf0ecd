"""A real SMTP server on 127.0.0.1 for tests (aiosmtpd): what Forewarn sends is received and parsed, not mocked."""
from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """An aiosmtpd handler that keeps every envelope; `rcpt_reply` (e.g. '550 …') refuses recipients."""

    def __init__(self, rcpt_reply: str | None = None, data_reply: str | None = None) -> None:
        self.envelopes: list[Any] = []
        self.rcpt_reply, self.data_reply = rcpt_reply, data_reply

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]) -> str:
        if self.rcpt_reply:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply:
            return self.data_reply
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        """What was delivered, parsed, with the wire's CRLF line ends read as the \n a program writes."""
        return [email.message_from_bytes(e.original_content.replace(b"\r\n", b"\n"), policy=email.policy.default)
                for e in self.envelopes]


@contextmanager
def running_smtpd(handler: Inbox, **smtp_options: Any) -> Iterator[int]:
    """aiosmtpd on 127.0.0.1 on a free port, for the length of the block; yields the port."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **smtp_options)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
