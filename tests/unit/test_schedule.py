"""The rq cron schedule loads and holds the sweep that recovers lost and abandoned work."""
from __future__ import annotations

import fakeredis
from rq.cron import CronScheduler


def test_cron_schedule_registers_the_sweep_every_minute() -> None:
    scheduler = CronScheduler(connection=fakeredis.FakeRedis())
    scheduler.load_config_from_file("jobs.schedule")
    jobs = {job.func_name: (job.queue_name, job.interval) for job in scheduler.get_jobs()}
    assert jobs == {
        "jobs.tasks.sweep": ("maintenance", 60),
        "jobs.shopify.reconcile_all": ("maintenance", 900),
        "jobs.tracking.poll_due": ("maintenance", 60),
        "jobs.tracking.subscribe_ups": ("maintenance", 900),
        "jobs.detection.detect_due": ("maintenance", 300),
        "jobs.detection.recompute_baselines": ("maintenance", 21600),
        "jobs.detection.cluster_incidents": ("maintenance", 600),
        "jobs.detection.flag_sla_breaches": ("maintenance", 300),
        "jobs.woocommerce.check_all": ("maintenance", 300),
        "jobs.wix.reconcile_all": ("maintenance", 900),
        "jobs.messages.send_due": ("maintenance", 60),
    }
