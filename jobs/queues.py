"""Queue names, retry policies and job ids — the one place that decides how work is enqueued.

Every job carries a `Retry`: RQ re-runs a job whose worker died only if it has retries left. Job ids
are derived from platform ids by hashing, since RQ allows only letters, digits, '_' and '-' in them;
the same delivery always maps to the same job id, so enqueuing it twice queues it once.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

log = logging.getLogger(__name__)

INGEST = "ingest"
TRACKING = "tracking"
DEFAULT = "default"
MAINTENANCE = "maintenance"
#: In priority order: a worker drains ingest before it polls carriers.
QUEUES = (INGEST, TRACKING, DEFAULT, MAINTENANCE)


@dataclass(frozen=True)
class Policy:
    retry_intervals: tuple[int, ...]  # seconds before each retry (exponential backoff)
    timeout: int  # seconds a single run may take
    result_ttl: int = 3600
    failure_ttl: int = 7 * 24 * 3600

    def retry(self) -> Retry:
        return Retry(max=len(self.retry_intervals), interval=list(self.retry_intervals))


POLICIES: dict[str, Policy] = {
    INGEST: Policy(retry_intervals=(5, 30, 120, 600, 1800, 3600), timeout=60),
    TRACKING: Policy(retry_intervals=(60, 300, 900, 3600), timeout=120),
    DEFAULT: Policy(retry_intervals=(10, 60, 300, 1800), timeout=120),
    MAINTENANCE: Policy(retry_intervals=(30, 120), timeout=120, result_ttl=600),
}

#: Worker settings that bound the recovery of a job whose worker died (see README, "Jobs").
#: A job's started-registry entry expires min(timeout, job_monitoring_interval) + 60 s after the last
#: heartbeat; a live worker's maintenance (or the `sweep` cron job, every minute) then retries it.
WORKER_SETTINGS: dict[str, Any] = {
    "job_monitoring_interval": 15,
    "maintenance_interval": 60,
    "worker_ttl": 120,
}

#: A job in one of these states will still run (or is running): enqueuing its id again would run it twice.
_ACTIVE = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.STARTED}


def job_id(kind: str, *parts: object) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:40]
    return f"{kind}-{digest}"


def enqueue(
    redis: Redis,
    queue_name: str,
    func: Callable[..., Any] | str,
    *args: Any,
    job_id: str,
    description: str = "",
    fresh: bool = False,
) -> Job:
    """Enqueue under `job_id` unless a job with that id is already waiting to run.

    `fresh=True` says the caller knows no job with this id can exist yet (its id comes from a row it has
    just inserted): the check is skipped and the job is written in one round trip.
    """
    if not fresh:
        try:
            existing = Job.fetch(job_id, connection=redis)
            if existing.get_status(refresh=False) in _ACTIVE:
                return existing
        except NoSuchJobError:
            pass
    policy = POLICIES[queue_name]
    with redis.pipeline() as pipe:
        job = Queue(queue_name, connection=redis).enqueue(
            func,
            *args,
            job_id=job_id,
            retry=policy.retry(),
            job_timeout=policy.timeout,
            result_ttl=policy.result_ttl,
            failure_ttl=policy.failure_ttl,
            description=description or None,
            pipeline=pipe,
        )
        pipe.execute()
    return job


def fan_out(redis: Redis, queue_name: str, func: str, ids: Iterable[object], kind: str, what: str) -> int:
    """One job per id (a cron's per-shop work), each skipped while its previous run is still waiting."""
    count = 0
    for item in ids:
        enqueue(redis, queue_name, func, item, job_id=job_id(kind, item), description=f"{what} {item}")
        count += 1
    return count


def enqueue_ingest(
    redis: Redis, receipt_id: int, platform: str, delivery_id: str | None, *, fresh: bool = False
) -> Job:
    return enqueue(
        redis,
        INGEST,
        "jobs.tasks.ingest",
        receipt_id,
        job_id=job_id("ingest", platform, delivery_id or f"receipt:{receipt_id}"),
        description=f"ingest {platform} receipt {receipt_id}",
        fresh=fresh,
    )
