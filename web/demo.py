"""`forewarn demo`: the whole product in one process, with no services to install.

SQLite in a fresh temporary folder, the in-process Redis substitute, the web app on 127.0.0.1, an RQ
worker in the main thread and a scheduler thread (retries whose backoff elapsed, the cron schedule, and
the tracking polls). A demo shop's webhooks are sent through the real HTTP endpoint, signed like Shopify
signs them, and its parcels are tracked through karrio's DHL client against the carrier simulator, on a
virtual clock that runs fast enough to watch parcels live through their days. Its cases become tickets in a
simulated helpdesk that speaks Zendesk's API, so the real adapter opens, notes and solves them.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import tempfile
import threading
import time
import uuid
from dataclasses import replace
from datetime import timedelta

from rq import Queue, SimpleWorker
from rq.cron import CronScheduler
from rq.scheduler import RQScheduler
from werkzeug.serving import make_server

from connectors.carriers.simulator import CarrierSimulator, SimClock
from connectors.carriers.simulator import create_app as simulator_app
from connectors.helpdesks.simulator import HelpdeskSimulator
from connectors.helpdesks.simulator import create_app as helpdesk_app
from connectors.wix.simulator import WixSiteSimulator
from connectors.wix.simulator import create_app as wix_app
from connectors.wix.simulator import generate_key_pair as wix_key_pair
from connectors.woocommerce.simulator import WooStoreSimulator
from connectors.woocommerce.simulator import create_app as woo_app
from core.domain.model import CarrierAccount, HelpdeskAccount, Shop, WooInstallation, WooStatus
from core.settings import MEMORY_REDIS, Settings
from jobs import queues
from jobs.runtime import Runtime, install_clock, utcnow
from migrations import upgrade
from web import create_app
from web import demo_history
from web.demo_outbox import Outbox
from web.demo_outbox import start as start_outbox
from web.demo_feed import DEMO_SHOP, SCENARIOS, customer_report, demo_photo, feed
from web.demo_wix import SCENARIOS as WIX_SCENARIOS
from web.demo_wix import feed as wix_feed
from web.demo_wix import install_by_dashboard
from web.demo_woo import SCENARIOS as WOO_SCENARIOS
from web.demo_woo import feed as woo_feed
from web.demo_woo import seed as seed_woo

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


#: Demo time runs this many times faster than the wall clock: a parcel's day passes in about 96 seconds.
DEMO_SPEED = 900.0
#: How often (wall-clock seconds) the demo looks for due parcels; `rq cron` does it every minute in production.
POLL_EVERY = 2.0


def _schedule_loop(rt: Runtime, stop: threading.Event) -> None:
    """What `rq worker --with-scheduler` and `rq cron` do in production, done in a thread (the in-process
    Redis cannot be shared with their child processes). Polling runs on demo time, so it is ticked here."""
    scheduler = RQScheduler([Queue(n, connection=rt.redis) for n in queues.QUEUES], connection=rt.redis)
    cron = CronScheduler(connection=rt.redis, logging_level=logging.WARNING)
    cron.load_config_from_file("jobs.schedule")
    last_poll = 0.0
    while not stop.is_set():
        try:
            scheduler.enqueue_scheduled_jobs()
            cron.enqueue_jobs()
            if time.monotonic() - last_poll >= POLL_EVERY:
                queues.enqueue(rt.redis, queues.MAINTENANCE, "jobs.tracking.poll_due", job_id="demo-poll-due")
                queues.enqueue(rt.redis, queues.MAINTENANCE, "jobs.detection.detect_due", job_id="demo-detect-due")
                queues.enqueue(rt.redis, queues.MAINTENANCE, "jobs.detection.cluster_incidents", job_id="demo-cluster")
                queues.enqueue(rt.redis, queues.MAINTENANCE, "jobs.messages.send_due", job_id="demo-messages-due")
                last_poll = time.monotonic()
        except Exception:  # the demo keeps going; the error is shown
            log.exception("demo scheduler tick failed")
        stop.wait(0.5)


def start_simulator(clock: SimClock) -> tuple[CarrierSimulator, str]:
    simulator = CarrierSimulator(clock)
    server = make_server("127.0.0.1", 0, simulator_app(simulator), threaded=True)
    threading.Thread(target=server.serve_forever, name="carrier-simulator", daemon=True).start()
    return simulator, f"http://127.0.0.1:{server.server_port}"


def start_helpdesk() -> str:
    server = make_server("127.0.0.1", 0, helpdesk_app(HelpdeskSimulator()), threaded=True)
    threading.Thread(target=server.serve_forever, name="helpdesk-simulator", daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def start_woo_store(clock: SimClock) -> tuple[WooStoreSimulator, str]:
    sim = WooStoreSimulator("ck_" + secrets.token_hex(20), "cs_" + secrets.token_hex(20), now=clock.now)
    seed_woo(sim, clock.now())
    server = make_server("127.0.0.1", 0, woo_app(sim), threaded=True)
    threading.Thread(target=server.serve_forever, name="woocommerce-simulator", daemon=True).start()
    return sim, f"http://127.0.0.1:{server.server_port}"


def _woo_store(rt: Runtime, uow, sim: WooStoreSimulator, store_url: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """The demo's WooCommerce store as the install flow leaves it: keys stored encrypted, its webhooks to come
    from the connect job (as after a real wc-auth approval). Returns (installation id, public id)."""
    domain = store_url.split("://", 1)[1]
    shop = Shop(platform="woocommerce", domain=domain, name="Forewarn demo WooCommerce store", installed_at=utcnow(),
                write_back=True)
    uow.repo.add(shop)
    uow.repo.flush()
    uow.repo.add(CarrierAccount(shop_id=shop.id, carrier="*", provider="simulator", credentials_ciphertext=None,
                                created_at=utcnow()))
    installation = WooInstallation(
        public_id=secrets.token_hex(16), store_url=store_url, created_at=utcnow(), status=WooStatus.ACTIVE,
        shop_id=shop.id, admin_email="owner@woo-demo.example", connected_at=utcnow(), key_permissions="read_write",
        credentials_ciphertext=rt.cipher.encrypt(json.dumps({"consumer_key": sim.consumer_key,
                                                            "consumer_secret": sim.consumer_secret, "key_id": 1})),
        webhook_secret_ciphertext=rt.cipher.encrypt(secrets.token_urlsafe(32)), webhooks={},
    )
    uow.repo.add(installation)
    uow.commit()
    queues.enqueue(rt.redis, queues.DEFAULT, "jobs.woocommerce.connect", installation.id,
                   job_id=queues.job_id("woo-connect", installation.id))
    return installation.id, installation.public_id


def _woo_feed(rt: Runtime, sim: WooStoreSimulator, store_url: str, installation: tuple[int, str], base_url: str,
              pause: float) -> None:
    from jobs import woocommerce

    installation_id, public_id = installation
    deadline = time.monotonic() + 30
    while len(sim.list_webhooks({"per_page": "100"})[0]) < len(woocommerce.TOPICS):  # the connect job registers them
        if time.monotonic() > deadline:
            print("  woocommerce feed skipped: its webhooks were not registered", flush=True)
            return
        time.sleep(0.2)

    def health() -> str:
        result = woocommerce.check_health(installation_id)
        active = sum(1 for w in sim.list_webhooks({"per_page": "100"})[0] if w["status"] == "active")
        return f"{active} webhooks active again, {result.get('orders_fetched', 0)} missed change(s) fetched"

    woo_feed(base_url, store_url, public_id, sim, utcnow, lambda s: print(s, flush=True), health, pause=pause)


def start_wix_site(clock: SimClock) -> tuple[WixSiteSimulator, str, str, str]:
    """The demo app's Wix credentials and key pair, and a site that has installed it (simulated)."""
    private, public = wix_key_pair()
    sim = WixSiteSimulator(str(uuid.uuid4()), secrets.token_urlsafe(24), str(uuid.uuid4()),
                           site_name="Forewarn demo Wix site", now=clock.now)
    server = make_server("127.0.0.1", 0, wix_app(sim), threaded=True)
    threading.Thread(target=server.serve_forever, name="wix-simulator", daemon=True).start()
    return sim, f"http://127.0.0.1:{server.server_port}", private, public


def _wix_feed(rt: Runtime, sim: WixSiteSimulator, private_key: str, base_url: str, pause: float) -> None:
    from jobs import wix

    status = install_by_dashboard(base_url, sim.instance_id, sim.app_secret)
    print(f"  wix dashboard opened                   → {status}  (the site owner opens Forewarn: the site is installed)",
          flush=True)
    with rt.uow() as uow:
        shop = uow.repo.shop("wix", sim.instance_id)
        if shop is not None:
            shop.write_back = True  # findings go on the Wix order's timeline
            uow.commit()

    def reconcile() -> str:
        result = wix.reconcile(sim.instance_id)
        return f"{result.get('fetched', 0)} missed order state(s) fetched"

    wix_feed(base_url, sim, sim.instance_id, private_key, utcnow, lambda s: print(s, flush=True), reconcile, pause=pause)


def _customer_reports(rt: Runtime, shop_id: int, base_url: str) -> None:
    """Amara's parcel arrived crushed: she follows the problem-report link from her message and sends a photo."""
    from core.adapters.links import report_url

    deadline = time.monotonic() + 30
    while True:  # her order arrives through the webhooks and the worker
        with rt.uow() as uow:
            order = next((o for o in uow.repo.orders(shop_id) if o.email == "amara@example.co.uk"), None)
            order_id = order.id if order else None
        if order_id is not None or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    if order_id is None:
        print("  customer report skipped: Amara's order did not arrive", flush=True)
        return
    link = report_url(base_url, rt.settings.secret_key or "", shop_id, order_id)
    outcome = customer_report(link, "damaged", "The box was crushed and one mug is broken. Photo attached.", demo_photo())
    print(f"  customer report     → {outcome}  (Amara reports her parcel damaged, with a photo, from her link)", flush=True)


def run(port: int = 8000, feed_pause: float = 0.4) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.getLogger("webhooks.intake").setLevel(logging.ERROR)  # the feed prints each outcome itself
    folder = tempfile.mkdtemp(prefix="forewarn-demo-")
    clock = SimClock(speed=DEMO_SPEED)
    install_clock(clock.now)
    simulator, simulator_url = start_simulator(clock)
    for number, scenario in SCENARIOS.items():  # shipped two days ago, on demo time: problems show within minutes
        simulator.register(number, scenario, clock.now() - timedelta(hours=48))
    for number, scenario in WOO_SCENARIOS.items():
        simulator.register(number, scenario, clock.now() - timedelta(hours=48))
    helpdesk_url = start_helpdesk()
    woo_sim, woo_url = start_woo_store(clock)
    for number, scenario in WIX_SCENARIOS.items():
        simulator.register(number, scenario, clock.now() - timedelta(hours=48))
    wix_sim, wix_url, wix_private, wix_public = start_wix_site(clock)
    outbox = Outbox()
    mail_port = start_outbox(outbox)
    # the demo's WooCommerce store is a simulator on this machine: plain http and a loopback address allowed
    settings = replace(demo_settings(folder, port), carrier_simulator_url=simulator_url, helpdesk_simulator_url=helpdesk_url,
                       allow_private_network=True, wix_app_id=wix_sim.app_id, wix_app_secret=wix_sim.app_secret,
                       wix_public_key=wix_public, wix_api_url=wix_url,
                       smtp_url=f"smtp://127.0.0.1:{mail_port}?from=updates@forewarn-demo.example")
    upgrade(settings.database_url)
    rt = Runtime.build(settings)
    with rt.uow() as uow:
        # Installed, but with no Shopify behind it there is no access token: reconciliation is skipped, and
        # write-backs are planned and logged as "skipped: no access token" instead of being sent.
        # the satisfaction survey follows a delivery after 6 demo hours (about half a minute) instead of 2 days
        shop = Shop(platform="shopify", domain=DEMO_SHOP, name="Forewarn demo store", installed_at=utcnow(),
                    messaging={"followup_days": 0.25})
        uow.repo.add(shop)
        uow.repo.flush()
        # Every carrier of the demo shop is tracked through the simulator (DHL's wire format, karrio's client).
        uow.repo.add(CarrierAccount(shop_id=shop.id, carrier="*", provider="simulator", credentials_ciphertext=None,
                                    created_at=utcnow()))
        # The demo shop's support team works in a helpdesk: a simulated one speaking Zendesk's API.
        credentials = rt.cipher.encrypt(json.dumps({"email": "support@forewarn-demo.example", "api_token": "demo"}))
        uow.repo.add(HelpdeskAccount(shop_id=shop.id, kind="simulated", credentials_ciphertext=credentials, created_at=utcnow()))
        uow.commit()
        shop_id = shop.id
        woo_installation = _woo_store(rt, uow, woo_sim, woo_url)
    with rt.engine.begin() as conn:  # the shop's past months, all finished, for the overview, shipments and cases
        history = demo_history.generate(conn, shop_id, utcnow(), shop_name="Forewarn demo store",
                                        links=demo_history.signed_links(settings.base_url, settings.secret_key or ""))
    app = create_app(runtime=rt)
    app.extensions["demo_outbox"] = outbox
    server = make_server("127.0.0.1", port, app, threaded=True)
    stop = threading.Event()
    threading.Thread(target=server.serve_forever, name="web", daemon=True).start()
    threading.Thread(target=_schedule_loop, args=(rt, stop), name="scheduler", daemon=True).start()

    print(f"Forewarn demo — admin page: {settings.base_url}/admin", flush=True)
    print("  its pages: Overview (charts), Shipments (filters, timelines), Cases, Rules (backtest preview), "
          "Messages (templates, send log), Settings, Orders & logs", flush=True)
    print(f"  database: {settings.database_url}  (in-process Redis; nothing to install)", flush=True)
    print(f"  {history.line()}  — finished before the live orders below", flush=True)
    print(f"  carriers: simulated at {simulator_url}; demo time runs {DEMO_SPEED:.0f}× (a day ≈ {86400 / DEMO_SPEED:.0f} s)", flush=True)
    print(f"  helpdesk: simulated (Zendesk's API); its tickets at {helpdesk_url}/", flush=True)
    print(f"  WooCommerce store: simulated at {woo_url}/ (its orders, webhooks and notes); its admin page: "
          f"{settings.base_url}/admin?shop={woo_url.split('://', 1)[1]}", flush=True)
    print(f"  Wix site: simulated at {wix_url}/ (its orders, fulfillments and activities); its admin page: "
          f"{settings.base_url}/admin?shop={wix_sim.instance_id}", flush=True)
    print(f"  customers' inbox: {settings.base_url}/demo/outbox (every email Forewarn sends, caught locally)", flush=True)
    print("  sending the demo shop's Shopify webhooks (Ctrl-C to stop):", flush=True)

    def _feed() -> None:
        time.sleep(0.5)
        feed(settings.base_url, settings.shopify_api_secret or "", pause=feed_pause, say=lambda s: print(s, flush=True))
        _woo_feed(rt, woo_sim, woo_url, woo_installation, settings.base_url, feed_pause)
        _wix_feed(rt, wix_sim, wix_private, settings.base_url, feed_pause)
        _customer_reports(rt, shop_id, settings.base_url)
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
        install_clock(None)
        print("Forewarn demo stopped.", flush=True)
