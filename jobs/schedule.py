"""The `rq cron` schedule (loaded by `forewarn cron`). Later capabilities add their periodic jobs here."""
from __future__ import annotations

from rq import cron

from jobs import queues, tasks

cron.register(tasks.sweep, queue_name=queues.MAINTENANCE, interval=60, job_timeout=120)
