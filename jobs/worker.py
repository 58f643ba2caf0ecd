"""Starting the production roles' job processes: RQ workers and the RQ cron scheduler."""
from __future__ import annotations

import logging

from rq import Queue, Worker
from rq.cron import CronScheduler

from jobs import queues, runtime


def run_worker(burst: bool = False) -> None:
    rt = runtime.current()
    worker = Worker(
        [Queue(name, connection=rt.redis) for name in queues.QUEUES],
        connection=rt.redis,
        **queues.WORKER_SETTINGS,
    )
    # with_scheduler moves retries whose backoff has elapsed back onto their queue.
    worker.work(burst=burst, with_scheduler=True, logging_level=logging.INFO)


def run_cron() -> None:
    rt = runtime.current()
    scheduler = CronScheduler(connection=rt.redis)
    scheduler.load_config_from_file("jobs.schedule")
    scheduler.start()
