"""The demo's mail catcher: a real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what Forewarn sends, and
`/demo/outbox`, where a newcomer reads the customers' emails as they would arrive. Demo only."""
from __future__ import annotations

import email
import email.policy
import threading
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from flask import Blueprint, current_app, render_template
from flask.typing import ResponseReturnValue

bp = Blueprint("demo_outbox", __name__)


class Outbox:
    """An aiosmtpd handler keeping every delivered message, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.original_content.replace(b"\r\n", b"\n"), policy=email.policy.default)
        with self._lock:
            self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def snapshot(self) -> list[EmailMessage]:
        with self._lock:
            return list(self.messages)


def start(outbox: Outbox) -> int:
    """Serve the catcher on a free port of 127.0.0.1; returns the port."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    Controller(outbox, hostname="127.0.0.1", port=port).start()
    return port


def _text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


@bp.get("/demo/outbox")
def outbox_page() -> ResponseReturnValue:
    outbox: Outbox | None = current_app.extensions.get("demo_outbox")
    if outbox is None:
        return "not the demo", 404
    mails = [{"to": m["To"], "from": m["From"], "subject": m["Subject"], "date": m["Date"], "lang": m["Content-Language"] or "",
              "unsubscribe": m["List-Unsubscribe"] or "", "body": _text(m)} for m in reversed(outbox.snapshot())]
    return render_template("demo_outbox.html", mails=mails)
