"""A unit of work: one database transaction, the events it recorded, and what to run after it commits."""
from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from core.adapters.repository import Repository
from core.domain.events import Event


class UnitOfWork:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory
        self.events: list[Event] = []
        self._after_commit: list[Callable[[], None]] = []

    def __enter__(self) -> UnitOfWork:
        self.session = self.session_factory()
        self.repo = Repository(self.session)
        self.events = []
        self._after_commit = []
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.session.rollback()
        self.session.close()

    def collect(self, event: Event) -> None:
        self.events.append(event)

    def take_events(self) -> list[Event]:
        taken, self.events = self.events, []
        return taken

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the transaction is durable (Saleor's on-commit): never before, never on rollback."""
        self._after_commit.append(callback)

    def commit(self) -> None:
        self.session.commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def rollback(self) -> None:
        self.session.rollback()

    @staticmethod
    def is_conflict(exc: BaseException) -> bool:
        """A unique constraint lost a race with another worker: the work is retried on fresh state."""
        return isinstance(exc, IntegrityError)
