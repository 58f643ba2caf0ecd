"""Wires the message bus to a database and a clock; tests pass an in-memory database and a fixed clock."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from core.services.handlers import HANDLERS
from core.domain.events import Event
from core.services.messagebus import Handler, MessageBus
from core.services.unit_of_work import UnitOfWork


def bootstrap(
    session_factory: sessionmaker[Session],
    clock: Callable[[], datetime],
    dispatchers: Mapping[type[Event], Sequence[Handler]] | None = None,
) -> MessageBus:
    """The bus with the core's handlers, plus `dispatchers`: the outer layer's handlers that turn outbound
    events into jobs (after the transaction commits)."""
    handlers: dict[type[Event], list[Handler]] = {k: list(v) for k, v in HANDLERS.items()}
    for event_type, extra in (dispatchers or {}).items():
        handlers.setdefault(event_type, []).extend(extra)
    return MessageBus(lambda: UnitOfWork(session_factory), handlers, clock)
