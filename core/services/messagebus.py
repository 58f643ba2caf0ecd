"""The message bus: hands each event to its handlers, each in its own unit of work, and follows the
events they record. A handler that loses a race on a unique constraint is re-run on fresh state."""
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
        queue = list(events)
        handled: list[Event] = []
        while queue:
            event = queue.pop(0)
            handled.append(event)
            for handler in self.handlers.get(type(event), ()):
                queue.extend(self._run(handler, event))
        return handled

    def _run(self, handler: Handler, event: Event) -> list[Event]:
        for attempt in range(1, CONFLICT_RETRIES + 1):
            uow = self.uow_factory()
            try:
                with uow:
                    handler(event, uow, self.clock())
                    uow.commit()
                    return list(uow.events)
            except Exception as exc:
                if UnitOfWork.is_conflict(exc) and attempt < CONFLICT_RETRIES:
                    log.info("handler %s lost a race on %s; retrying", handler.__name__, type(event).__name__)
                    continue
                raise
        raise AssertionError("unreachable")
