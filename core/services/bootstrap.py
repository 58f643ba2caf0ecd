"""Wires the message bus to a database and a clock; tests pass an in-memory database and a fixed clock."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from core.services.handlers import HANDLERS
from core.services.messagebus import MessageBus
from core.services.unit_of_work import UnitOfWork


def bootstrap(session_factory: sessionmaker[Session], clock: Callable[[], datetime]) -> MessageBus:
    return MessageBus(lambda: UnitOfWork(session_factory), HANDLERS, clock)
