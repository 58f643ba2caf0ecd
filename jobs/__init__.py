"""RQ entry points: queue names and retry policies, tasks, the cron schedule and the worker settings."""
