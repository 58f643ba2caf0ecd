"""Fixtures: a migrated SQLite database per test, an in-process Redis per test, the Flask app; and, for the
integration tier, the real PostgreSQL and Redis — skipped when absent, required when CI=true."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import fakeredis
import pytest
from sqlalchemy import create_engine, text

from core.adapters.db import make_engine
from core.settings import Settings
from jobs import runtime as runtime_module
from jobs.runtime import Runtime
from migrations import upgrade
from tests.support import API_KEY, SECRET

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def unavailable(what: str, why: object) -> None:
    message = f"{what} is not reachable ({why})"
    if CI:
        pytest.fail(f"{message}; CI=true requires it", pytrace=False)
    pytest.skip(message)


def make_runtime(database_url: str, redis: object, **settings: object) -> Runtime:
    values: dict[str, object] = {
        "database_url": database_url,
        "shopify_api_secret": SECRET,
        "shopify_api_key": API_KEY,
        "secret_key": "test-secret-key",
        "base_url": "https://forewarn.example",
    }
    values.update(settings)
    return Runtime.assemble(Settings(**values), make_engine(database_url), redis)  # type: ignore[arg-type]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/test.sqlite3"
    upgrade(url)
    return url


@pytest.fixture
def rt(sqlite_url: str) -> Iterator[Runtime]:
    runtime = make_runtime(sqlite_url, fakeredis.FakeRedis(server=fakeredis.FakeServer()))
    runtime_module.install(runtime)
    yield runtime
    runtime_module.install(None)
    runtime.engine.dispose()


@pytest.fixture
def app(rt: Runtime):
    from web import create_app

    return create_app({"TESTING": True}, runtime=rt)


@pytest.fixture
def client(app):
    return app.test_client()


# -- the real services ---------------------------------------------------------------------------


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test, dropped afterwards."""
    name = f"forewarn_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        unavailable("PostgreSQL", exc)
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def real_redis():
    from redis import Redis

    client = Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except Exception as exc:
        unavailable("Redis", exc)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def pg_rt(pg_url: str, real_redis) -> Iterator[Runtime]:
    upgrade(pg_url)
    runtime = make_runtime(pg_url, real_redis)
    runtime_module.install(runtime)
    yield runtime
    runtime_module.install(None)
    runtime.engine.dispose()
