"""The process's wiring: settings, database, Redis and the message bus, built once from the environment
(or installed explicitly by the demo and the tests). Jobs take only ids and find everything else here."""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import datetime, timezone

from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.adapters.db import make_engine, make_session_factory
from core.services.bootstrap import bootstrap
from core.services.messagebus import MessageBus
from core.services.unit_of_work import UnitOfWork
from core.settings import MEMORY_REDIS, Settings


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


_memory_server = None
_memory_lock = threading.Lock()


def redis_from_url(url: str) -> Redis:
    """A Redis client; `memory://` gives the in-process substitute shared by every thread of this process."""
    if url == MEMORY_REDIS:
        import fakeredis

        global _memory_server
        with _memory_lock:
            if _memory_server is None:
                _memory_server = fakeredis.FakeServer()
        return fakeredis.FakeRedis(server=_memory_server)
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=30)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    redis: Redis
    bus: MessageBus

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        engine = make_engine(settings.database_url)
        session_factory = make_session_factory(engine)
        return cls(
            settings=settings,
            engine=engine,
            session_factory=session_factory,
            redis=redis_from_url(settings.redis_url),
            bus=bootstrap(session_factory, utcnow),
        )

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)


_current: Runtime | None = None


def install(runtime: Runtime | None) -> None:
    global _current
    _current = runtime


def current() -> Runtime:
    global _current
    if _current is None:
        _current = Runtime.build(Settings.from_env(os.environ))
    return _current
