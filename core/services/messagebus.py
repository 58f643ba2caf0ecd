"""The message bus: hands each event to its handlers and follows the events they record — all in one unit
of work, committed once at the end. A crash anywhere in the chain leaves nothing half done: the retry
re-runs the whole chain and sees the same changes, so follow-up work (write-backs, later cases and
messages) is never lost between two commits. Work that leaves the process is registered with
`uow.after_commit` and starts only once the transaction is durable. A chain that loses a race on a
unique constraint is re-run on fresh state."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime

from core.domain.events import Event
from core.services.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

Handler = Callable[[Event, UnitOfWork, datetime], None]
CONFLICT_RETRIES = 3


class MessageBus:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        handlers: Mapping[type[Event], Sequence[Handler]],
        clock: Callable[[], datetime],
    ) -> None:
        self.uow_factory = uow_factory
        self.handlers = handlers
        self.clock = clock

    def handle(self, events: Iterable[Event]) -> list[Event]:
        """Process `events` and everything they lead to; return every event handled, in order."""
        initial = list(events)
        for attempt in range(1, CONFLICT_RETRIES + 1):
            uow = self.uow_factory()
            try:
                with uow:
                    handled = self._chain(initial, uow)
                    uow.commit()
                    return handled
            except Exception as exc:
                if UnitOfWork.is_conflict(exc) and attempt < CONFLICT_RETRIES:
                    log.info("lost a race while handling %s; retrying on fresh state", type(initial[0]).__name__)
                    continue
                raise
        raise AssertionError("unreachable")

    def _chain(self, initial: list[Event], uow: UnitOfWork) -> list[Event]:
        queue = list(initial)
        handled: list[Event] = []
        now = self.clock()
        while queue:
            event = queue.pop(0)
            handled.append(event)
            for handler in self.handlers.get(type(event), ()):
                handler(event, uow, now)
                queue.extend(uow.take_events())
        return handled
