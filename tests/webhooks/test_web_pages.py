"""/healthz and the plain /admin page."""
from __future__ import annotations

from jobs.runtime import Runtime



def test_healthz_checks_database_and_redis(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_is_503_when_redis_is_down(client, rt: Runtime, monkeypatch) -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError

    def down() -> None:
        raise RedisConnectionError("down")

    monkeypatch.setattr(rt.redis, "ping", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["redis"] == "error: ConnectionError"


