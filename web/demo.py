"""`forewarn demo`: the whole product in one process, with no services to install.

SQLite in a fresh temporary folder, the in-process Redis substitute, the web app on 127.0.0.1, an RQ
worker in the main thread and a scheduler thread (retries whose backoff elapsed, and the cron schedule).
A demo shop's webhooks are then sent through the real HTTP endpoint, signed like Shopify signs them.
"""
from __future__ import annotations

import logging
import os
import secrets
import tempfile
import threading
import time
from dataclasses import replace

from rq import Queue, SimpleWorker
from rq.cron import CronScheduler
from rq.scheduler import RQScheduler
from werkzeug.serving import make_server

from core.settings import MEMORY_REDIS, Settings
from jobs import queues
from core.domain.model import Shop
from jobs.runtime import Runtime, utcnow
from migrations import upgrade
from web import create_app
from web.demo_feed import DEMO_SHOP, feed

log = logging.getLogger(__name__)


def demo_settings(folder: str, port: int) -> Settings:
    settings = Settings.from_env(
        os.environ,
        database_url=f"sqlite:///{folder}/forewarn-demo.sqlite3",
        redis_url=MEMORY_REDIS,
        base_url=f"http://127.0.0.1:{port}",
        demo=True,
    )
    if not settings.shopify_api_secret:
        settings = replace(settings, shopify_api_secret="demo-" + secrets.token_hex(16))
    if not settings.shopify_api_key:
        settings = replace(settings, shopify_api_key="forewarn-demo")
    if not settings.secret_key:
        settings = replace(settings, secret_key=secrets.token_urlsafe(32))
    return settings


def _schedule_loop(rt: Runtime, stop: threading.Event) -> None:
    """What `rq worker --with-scheduler` and `rq cron` do in production, done in a thread (the in-process
    Redis cannot be shared with their child processes)."""
    scheduler = RQScheduler([Queue(n, connection=rt.redis) for n in queues.QUEUES], connection=rt.redis)
    cron = CronScheduler(connection=rt.redis, logging_level=logging.WARNING)
    cron.load_config_from_file("jobs.schedule")
    while not stop.is_set():
        try:
            scheduler.enqueue_scheduled_jobs()
            cron.enqueue_jobs()
        except Exception:  # the demo keeps going; the error is shown
            log.exception("demo scheduler tick failed")
        stop.wait(1.0)


def run(port: int = 8000, feed_pause: float = 0.4) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("webhooks.intake").setLevel(logging.ERROR)  # the feed prints each outcome itself
    folder = tempfile.mkdtemp(prefix="forewarn-demo-")
    settings = demo_settings(folder, port)
    upgrade(settings.database_url)
    rt = Runtime.build(settings)
    with rt.uow() as uow:
        # Installed as the OAuth callback leaves a shop; there is no Shopify to hold a real token for.
        shop = Shop(platform="shopify", domain=DEMO_SHOP, name="Forewarn demo store")
        shop.install(rt.cipher.encrypt("demo-token-" + secrets.token_hex(8)), settings.shopify_scopes, utcnow())
        uow.repo.add(shop)
        uow.commit()
    app = create_app(runtime=rt)
    server = make_server("127.0.0.1", port, app, threaded=True)
    stop = threading.Event()
    threading.Thread(target=server.serve_forever, name="web", daemon=True).start()
    threading.Thread(target=_schedule_loop, args=(rt, stop), name="scheduler", daemon=True).start()

    print(f"Forewarn demo — admin page: {settings.base_url}/admin", flush=True)
    print(f"  database: {settings.database_url}  (in-process Redis; nothing to install)", flush=True)
    print("  sending the demo shop's Shopify webhooks (Ctrl-C to stop):", flush=True)

    def _feed() -> None:
        time.sleep(0.5)
        feed(settings.base_url, settings.shopify_api_secret or "", pause=feed_pause, say=lambda s: print(s, flush=True))
        print(f"  all demo webhooks sent — see {settings.base_url}/admin", flush=True)

    threading.Thread(target=_feed, name="demo-feed", daemon=True).start()
    worker = SimpleWorker(
        [Queue(n, connection=rt.redis) for n in queues.QUEUES], connection=rt.redis, **queues.WORKER_SETTINGS
    )
    try:
        worker.work(logging_level=logging.WARNING)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.shutdown()
        print("Forewarn demo stopped.", flush=True)
