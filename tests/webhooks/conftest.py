"""Fixtures for the customer-message tests: a real SMTP server on 127.0.0.1 as the shop's mail server, and
the app's clock held still."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest

from jobs.runtime import Runtime, install_clock
from tests.smtp import Inbox, running_smtpd

#: 15:00 UTC: 10:00 in Louisville, Kentucky (the sample order's address): a fine time to write.
DAYTIME = datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def inbox(rt: Runtime) -> Iterator[Inbox]:
    box = Inbox()
    with running_smtpd(box) as port:
        rt.settings = dataclasses.replace(rt.settings, smtp_url=f"smtp://127.0.0.1:{port}?from=updates@teashop.example",
                                          allow_private_network=True)
        yield box


@pytest.fixture
def clock() -> Iterator[Clock]:
    c = Clock(DAYTIME)
    install_clock(c)
    yield c
    install_clock(None)
