"""The `forewarn` command line (DESIGN.md §3)."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path


def _database_url() -> str:
    from core.adapters.db import DEFAULT_DATABASE_URL

    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def cmd_demo(args: argparse.Namespace) -> int:
    from web import demo

    # FOREWARN_DEMO_PAUSE: seconds between the demo's webhooks (the tests shorten it).
    demo.run(port=args.port, feed_pause=float(os.environ.get("FOREWARN_DEMO_PAUSE", "0.4")))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    bind = args.bind or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
    workers = str(args.workers or os.environ.get("WEB_CONCURRENCY", "2"))
    argv = ["gunicorn", "--bind", bind, "--workers", workers, "--access-logfile", "-",
            "--logger-class", "web.access_log.MaskingLogger", "web:create_app()"]
    os.execvp(sys.executable, [sys.executable, "-m", *argv])
    return 0  # not reached


def cmd_worker(args: argparse.Namespace) -> int:
    from jobs.worker import run_worker

    logging.getLogger().setLevel(logging.INFO)  # operators watch what a production role does
    run_worker(burst=args.burst)
    return 0


def cmd_cron(args: argparse.Namespace) -> int:
    from jobs.worker import run_cron

    logging.getLogger().setLevel(logging.INFO)
    run_cron()
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from migrations import upgrade

    url = _database_url()
    upgrade(url)
    print(f"database is at the latest schema: {url.split('@')[-1]}")
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from core.ports import PayloadRejected
    from web.replay import render_text, replay

    try:
        result = replay(args.platform, Path(args.path), args.topic, args.shop)
    except PayloadRejected as exc:
        print(f"rejected: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"cannot read {args.path}: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else render_text(result))
    return 0


def cmd_track(args: argparse.Namespace) -> int:
    from core.errors import ConnectorError
    from web.track import as_dict, from_carrier, from_raw, render_text

    try:
        if args.raw:
            snapshot = from_raw(args.carrier, Path(args.raw), args.number)
        elif not args.number:
            print("give a tracking NUMBER, or --raw FILE", file=sys.stderr)
            return 2
        else:
            snapshot = from_carrier(args.carrier, args.number, args.credentials, dict(os.environ))
    except ConnectorError as exc:
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:
        print(f"cannot read the tracking: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(as_dict(snapshot), indent=2, ensure_ascii=False) if args.json else render_text(snapshot))
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    from core.adapters.db import make_engine, make_session_factory
    from core.domain.policy import Policy
    from core.services import backtest
    from core.services.unit_of_work import UnitOfWork
    from jobs.runtime import utcnow

    try:
        policy_data = json.loads(Path(args.policy).read_text()) if args.policy else None
        policy = Policy.from_dict(policy_data)
    except (OSError, ValueError) as exc:
        print(f"cannot read the policy: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(_database_url())
    with UnitOfWork(make_session_factory(engine)) as uow:
        shop = next((s for s in uow.repo.shops() if s.domain == args.shop), None)
        if shop is None:
            print(f"no shop {args.shop!r} in {_database_url().split('@')[-1]}", file=sys.stderr)
            return 2
        if policy_data is None:
            policy = Policy.from_dict(shop.policy)
        report = backtest.run(uow, shop.id, policy, utcnow(), days=args.days)
    print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False) if args.json else backtest.render_text(report))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="forewarn", description="Catch late, stuck and lost parcels first.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="the whole product in one process, no services needed")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="the web role under gunicorn (needs DATABASE_URL and REDIS_URL)")
    p.add_argument("--bind", help="host:port (default 0.0.0.0:$PORT or 8000)")
    p.add_argument("--workers", type=int, help="gunicorn workers (default $WEB_CONCURRENCY or 2)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="an RQ worker on all queues, with the retry scheduler")
    p.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("cron", help="the rq cron scheduler with Forewarn's schedule")
    p.set_defaults(func=cmd_cron)

    p = sub.add_parser("db", help="database administration")
    dbsub = p.add_subparsers(dest="db_command", required=True)
    up = dbsub.add_parser("upgrade", help="apply migrations to DATABASE_URL")
    up.set_defaults(func=cmd_db)

    p = sub.add_parser("replay", help="run a saved webhook body through ingest and print the result")
    p.add_argument("platform", help="shopify")
    p.add_argument("path")
    p.add_argument("--topic", help="e.g. orders/create (guessed from the body when left out)")
    p.add_argument("--shop", default="replay.myshopify.com")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_replay)

    p = sub.add_parser("track", help="one parcel's normalized tracking and the raw codes behind it")
    p.add_argument("carrier", help="ups, fedex, usps, dhl, canadapost")
    p.add_argument("number", nargs="?")
    p.add_argument("--raw", metavar="FILE", help="read a saved raw carrier response instead of calling the carrier")
    p.add_argument("--credentials", metavar="FILE", help="JSON of karrio settings per carrier (or FOREWARN_CARRIER_CREDENTIALS)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_track)

    p = sub.add_parser("backtest", help="what a policy would have done over a shop's past parcels")
    p.add_argument("--shop", required=True, help="the shop's domain, e.g. mystore.myshopify.com")
    p.add_argument("--days", type=int, default=90)
    p.add_argument("--policy", metavar="FILE", help="a draft policy (JSON); the shop's own when left out")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_backtest)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
