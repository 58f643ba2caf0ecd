"""The process's wiring: settings, database, Redis and the message bus, built once from the environment
(or installed explicitly by the demo and the tests). Jobs take only ids and find everything else here."""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import requests
from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core.adapters.crypto import TokenCipher
from core.adapters.db import make_engine, make_session_factory
from core.services.bootstrap import bootstrap
from core.services.messagebus import MessageBus
from core.services.unit_of_work import UnitOfWork
from core.settings import MEMORY_REDIS, Settings


_clock: Callable[[], datetime] | None = None


def utcnow() -> datetime:
    """The process's time: the wall clock, or the demo's virtual clock once installed."""
    return _clock() if _clock is not None else datetime.now(timezone.utc)


def install_clock(clock: Callable[[], datetime] | None) -> None:
    global _clock
    _clock = clock


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
    http: requests.Session = field(default_factory=requests.Session)

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        return cls.assemble(settings, make_engine(settings.database_url), redis_from_url(settings.redis_url))

    @classmethod
    def assemble(cls, settings: Settings, engine: Engine, redis: Redis) -> Runtime:
        from jobs.dispatch import dispatchers

        session_factory = make_session_factory(engine)
        return cls(
            settings=settings,
            engine=engine,
            session_factory=session_factory,
            redis=redis,
            bus=bootstrap(session_factory, utcnow, dispatchers(redis)),
        )

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    @property
    def cipher(self) -> TokenCipher:
        """Raises SecretKeyMissing when FOREWARN_SECRET_KEY is not set."""
        return TokenCipher(self.settings.secret_key)


_current: Runtime | None = None


def install(runtime: Runtime | None) -> None:
    global _current
    _current = runtime


def current() -> Runtime:
    global _current
    if _current is None:
        _current = Runtime.build(Settings.from_env(os.environ))
    return _current
