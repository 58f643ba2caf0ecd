"""The `rq cron` schedule (loaded by `forewarn cron`). Later capabilities add their periodic jobs here."""
from __future__ import annotations

from rq import cron

from jobs import detection, messages, queues, shopify, tasks, tracking, wix, woocommerce

cron.register(tasks.sweep, queue_name=queues.MAINTENANCE, interval=60, job_timeout=120)
# Webhooks can be lost: every 15 minutes, fetch what changed since the last sync.
cron.register(shopify.reconcile_all, queue_name=queues.MAINTENANCE, interval=900, job_timeout=120)
# Carrier tracking: due parcels, within each carrier's quota.
cron.register(tracking.poll_due, queue_name=queues.MAINTENANCE, interval=60, job_timeout=120)
# UPS Track Alert: subscribe new UPS parcels and renew lapsing subscriptions (14 days each).
cron.register(tracking.subscribe_ups, queue_name=queues.MAINTENANCE, interval=900, job_timeout=300)
# Detection: time-based rules (stuck, late, pickup waiting, unfulfilled) re-evaluated every 5 minutes.
cron.register(detection.detect_due, queue_name=queues.MAINTENANCE, interval=300, job_timeout=600)
# Lane baselines from each shop's delivered parcels, every 6 hours.
cron.register(detection.recompute_baselines, queue_name=queues.MAINTENANCE, interval=21600, job_timeout=1800)
# Incident clusters: many parcels stuck or late at one facility become one event.
cron.register(detection.cluster_incidents, queue_name=queues.MAINTENANCE, interval=600, job_timeout=600)
# Case SLAs: breaches flagged every 5 minutes.
cron.register(detection.flag_sla_breaches, queue_name=queues.MAINTENANCE, interval=300, job_timeout=300)
# WooCommerce disables webhooks after failed deliveries and never retries: check each store's and fetch what
# changed, every 5 minutes, so a dropped delivery is repaired within 15.
cron.register(woocommerce.check_all, queue_name=queues.MAINTENANCE, interval=300, job_timeout=120)
# Wix resends a failed event for a day, but not forever: every 15 minutes, fetch the orders updated since.
cron.register(wix.reconcile_all, queue_name=queues.MAINTENANCE, interval=900, job_timeout=300)
# Customer messages whose time came (after quiet hours, follow-ups), and planned ones whose job was lost.
cron.register(messages.send_due, queue_name=queues.MAINTENANCE, interval=60, job_timeout=120)
