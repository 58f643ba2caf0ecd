"""Tracking jobs: every minute the due parcels are picked, per carrier within its quota and most urgent
first, and one poll job per parcel asks its provider. Every poll is recorded (time, provider, outcome).

A failed poll is not an RQ retry: the failure is recorded on the shipment (visible to the admin) and its
next check is scheduled with a backoff (or at the carrier's quota reset), so retries never pile up.
"""
from __future__ import annotations

import logging
import time
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select

from connectors.carriers import providers
from core.domain.carriers import carrier_code
from core.domain.events import TrackingFailed, TrackingObserved
from core.domain.model import CarrierAccount, Shipment, Shop, ShopStatus, TrackingPoll
from core.domain.status import FINAL_STATUSES
from core.errors import NotFound, Permanent, RateLimited, Transient, Unauthorized
from core.services import scheduling
from jobs import queues, runtime
from jobs.quotas import Quota

log = logging.getLogger(__name__)

#: A parcel handed to a poll job is not picked again for this long (the job's lease).
LEASE = timedelta(minutes=15)
MAX_DUE_PER_RUN = 2000
PACING_WAIT = 2.0  # a per-second limit is waited out inside the job


def _account_key(account: CarrierAccount) -> str:
    return f"acct{account.id}"


def poll_due() -> dict[str, int]:
    """Cron, every minute: enqueue a poll for each due parcel the carriers' quotas allow, urgent first."""
    rt = runtime.current()
    now = runtime.utcnow()
    quota = Quota(rt.redis)
    enqueued: dict[str, int] = defaultdict(int)
    with rt.uow() as uow:
        due = list(
            uow.session.scalars(
                select(Shipment)
                .join(Shop, Shop.id == Shipment.shop_id)
                .where(
                    Shipment.next_check_at <= now,
                    Shipment.superseded.is_(False),
                    Shipment.tracking_number != "",
                    Shipment.status.not_in([str(s) for s in FINAL_STATUSES]),
                    Shop.status == ShopStatus.INSTALLED,
                )
                .order_by(Shipment.next_check_at)
                .limit(MAX_DUE_PER_RUN)
                .with_for_update(skip_locked=True, of=Shipment)
            )
        )
        groups: dict[tuple[int, str], list[Shipment]] = defaultdict(list)
        for shipment in due:
            groups[(shipment.shop_id, shipment.carrier or "")].append(shipment)
        chosen: list[Shipment] = []
        for (shop_id, carrier), shipments in groups.items():
            shipments.sort(key=lambda s: scheduling.priority(s, now))
            account = uow.repo.carrier_account(shop_id, carrier)
            quota_applies = account is not None and account.provider == "karrio"
            budget = quota.remaining(_account_key(account), carrier, now) if quota_applies else None
            take = shipments if budget is None else shipments[: max(budget, 0)]
            if budget is not None and len(shipments) > budget:
                # The rest wait for the quota's next window (so they do not crowd out other carriers' parcels).
                wait = timedelta(seconds=quota.reset_in(_account_key(account), carrier, now))
                for waiting in shipments[max(budget, 0):]:
                    waiting.next_check_at = now + wait + scheduling.jitter(waiting.tracking_number, timedelta(minutes=30))
                log.warning("quota: %s of %s due %s parcels of shop %s wait for the next window",
                            len(shipments) - budget, len(shipments), carrier, shop_id)
            chosen.extend(take)
        for shipment in chosen:
            shipment.next_check_at = now + LEASE
        batches: dict[tuple[int, str], list[int]] = defaultdict(list)
        singles: list[tuple[int, str]] = []
        for s in chosen:
            account = uow.repo.carrier_account(s.shop_id, s.carrier or "")
            if account is not None and account.provider == "karrio" and (s.carrier or "") in BATCH_SIZE:
                batches[(s.shop_id, s.carrier or "")].append(s.id)
            else:
                singles.append((s.id, s.carrier or ""))
        uow.commit()
    minute = int(now.timestamp() // 60)
    for shipment_id, carrier in singles:
        queues.enqueue(
            rt.redis, queues.TRACKING, "jobs.tracking.poll_shipment", shipment_id,
            job_id=queues.job_id("poll", shipment_id, minute), description=f"poll shipment {shipment_id}",
        )
        enqueued[carrier] += 1
    for (shop_id, carrier), ids in batches.items():
        size = BATCH_SIZE[carrier]
        for start in range(0, len(ids), size):
            chunk = ids[start:start + size]
            queues.enqueue(
                rt.redis, queues.TRACKING, "jobs.tracking.poll_batch", chunk,
                job_id=queues.job_id("pollbatch", *chunk, minute), description=f"poll {len(chunk)} {carrier} parcels",
            )
            enqueued[carrier] += len(chunk)
    return dict(enqueued)


#: Carriers whose tracking API takes several numbers in one request (FedEx: 30) — one call, one quota unit.
BATCH_SIZE = {"fedex": 30}


def poll_batch(shipment_ids: list[int]) -> dict[str, int]:
    """One multi-number request for parcels of one shop and carrier; each parcel gets its own outcome."""
    from connectors.carriers.karrio_client import KarrioProvider

    rt = runtime.current()
    with rt.uow() as uow:
        shipments = [s for s in (uow.repo.shipment_by_id(i) for i in shipment_ids) if s and not s.is_final and s.tracking_number]
        if not shipments:
            return {}
        carrier = shipments[0].carrier or ""
        account = uow.repo.carrier_account(shipments[0].shop_id, carrier)
        numbers = {s.tracking_number: s.id for s in shipments}
        ciphertext = account.credentials_ciphertext if account else None
        account_id = account.id if account else None
    if account_id is None:
        return {"no_account": sum(poll_shipment(i) == "no_account" for i in numbers.values())}
    wait = Quota(rt.redis).acquire(f"acct{account_id}", carrier, runtime.utcnow())
    outcomes: dict[str, int] = defaultdict(int)
    started = time.monotonic()
    if wait is not None:
        for shipment_id in numbers.values():
            rt.bus.handle([TrackingFailed(shipment_id, "karrio", "quota", f"{carrier} quota reached", wait)])
            _record(shipment_id, carrier, "karrio", "quota", None, None, f"{carrier} quota reached")
        return {"quota": len(numbers)}
    try:
        import json

        credentials = json.loads(rt.cipher.decrypt(ciphertext)) if ciphertext else {}
        per_carrier = credentials if "fedex" in credentials else {carrier: credentials}
        results = KarrioProvider(per_carrier, rt.redis).track_many(carrier, list(numbers))
    except Exception as exc:  # typed errors, and a broken account: every parcel of the batch is told why
        results = {number: exc for number in numbers}
    events = []
    for number, result in results.items():
        shipment_id = numbers[number]
        if isinstance(result, Exception):
            outcome = {NotFound: "not_found", Unauthorized: "unauthorized", RateLimited: "rate_limited",
                       Transient: "transient"}.get(type(result), "invalid")
            retry = result.retry_after if isinstance(result, RateLimited) else None
            events.append(TrackingFailed(shipment_id, "karrio", outcome, str(result), retry))
            _record(shipment_id, carrier, "karrio", outcome, None, started, str(result))
        else:
            events.append(TrackingObserved(shipment_id, result, "karrio"))
            _record(shipment_id, carrier, "karrio", "ok", result.status, started, None)
            count_unknown(rt.redis, carrier, result.unknown_codes)
            outcome = "ok"
        outcomes[outcome] += 1
    for event in events:  # each parcel in its own transaction: one parcel's problem does not undo another's news
        rt.bus.handle([event])
    return dict(outcomes)


def poll_shipment(shipment_id: int) -> str:
    rt = runtime.current()
    with rt.uow() as uow:
        shipment = uow.repo.shipment_by_id(shipment_id)
        if shipment is None or shipment.is_final or not shipment.tracking_number:
            return "skipped"
        number = shipment.tracking_number
        carrier = shipment.carrier or carrier_code(None, shipment.tracking_url, number) or ""
        account = uow.repo.carrier_account(shipment.shop_id, carrier)
        account_info = (account.id, account.provider, account.carrier, account.credentials_ciphertext) if account else None

    def failed(outcome: str, error: str, provider: str, retry_after: float | None = None, started: float | None = None) -> str:
        rt.bus.handle([TrackingFailed(shipment_id, provider, outcome, error, retry_after)])
        _record(shipment_id, carrier, provider, outcome, None, started, error)
        return outcome

    if not carrier:
        return failed("invalid", "the carrier of this tracking number is not known", "none")
    if account_info is None:
        return failed("no_account", f"no tracking account for {carrier}: add one in the settings", "none")
    account_id, provider_name, account_carrier, ciphertext = account_info

    started = time.monotonic()
    try:
        credentials = rt.cipher.decrypt(ciphertext) if ciphertext else None
        provider = providers.build(provider_name, account_carrier, credentials, rt.redis, rt.settings.carrier_simulator_url)
    except Unauthorized as exc:
        return failed("unauthorized", str(exc), provider_name)
    except Exception as exc:  # a broken account (bad JSON, a key the carrier client does not take)
        return failed("invalid", f"the {carrier} tracking account is not usable: {type(exc).__name__}: {exc}", provider_name)

    if provider_name == "karrio":
        for _ in range(5):
            wait = Quota(rt.redis).acquire(f"acct{account_id}", carrier, runtime.utcnow())
            if wait is None:
                break
            if wait > PACING_WAIT:
                return failed("quota", f"{carrier} quota reached; next window in {wait:.0f} s", provider_name, wait)
            time.sleep(wait)
        else:
            return failed("quota", f"{carrier} rate limit", provider_name, 60)

    started = time.monotonic()
    try:
        snapshot = provider.track(carrier, number)
    except NotFound as exc:
        return failed("not_found", str(exc), provider_name, None, started)
    except Unauthorized as exc:
        return failed("unauthorized", str(exc), provider_name, None, started)
    except RateLimited as exc:
        return failed("rate_limited", str(exc), provider_name, exc.retry_after, started)
    except Transient as exc:
        return failed("transient", str(exc), provider_name, None, started)
    except Exception as exc:  # Permanent, a bad number, a client that broke on this answer: recorded, not retried
        return failed("invalid", f"{type(exc).__name__}: {exc}", provider_name, None, started)
    rt.bus.handle([TrackingObserved(shipment_id, snapshot, provider_name)])
    _record(shipment_id, carrier, provider_name, "ok", snapshot.status, started, None)
    count_unknown(rt.redis, carrier, snapshot.unknown_codes)
    return str(snapshot.status)


UNKNOWN_CODES_KEY = "forewarn:tracking:unknown_codes"


def count_unknown(redis, carrier: str, codes) -> None:  # type: ignore[no-untyped-def]
    """Raw codes no table knew, counted per carrier and code, so the tables can be completed by frequency."""
    if codes:
        with redis.pipeline() as pipe:
            for code in codes:
                pipe.hincrby(UNKNOWN_CODES_KEY, f"{carrier}:{code}", 1)
            pipe.execute()


def _record(shipment_id: int, carrier: str, provider: str, outcome: str, status: str | None,
            started: float | None, error: str | None) -> None:
    rt = runtime.current()
    with rt.uow() as uow:
        uow.repo.add(TrackingPoll(
            shipment_id=shipment_id, carrier=carrier or "?", provider=provider, polled_at=runtime.utcnow(),
            outcome=outcome, status=status, error=(error or "")[:1000] or None,
            duration_ms=int((time.monotonic() - started) * 1000) if started else None,
        ))
        uow.commit()


def ingest_push(receipt_id: int, account_id: int) -> str:
    """A carrier push: the news applied at once to the account's shop's parcels with that number (and
    polling for them drops to a daily safety net while pushes keep coming)."""
    from connectors.carriers import push

    rt = runtime.current()
    with rt.uow() as uow:
        receipt = uow.repo.receipt(receipt_id)
        account = uow.session.get(CarrierAccount, account_id)
        if receipt is None or account is None or receipt.status != "received":
            return "skipped"
        carrier_name = receipt.platform.split(":", 1)[1]
        body, shop_id = receipt.body, account.shop_id
    observed = []
    for number, snapshot, raw in push.parse(carrier_name, body):
        with rt.uow() as uow:
            shipments = uow.session.scalars(
                select(Shipment).where(Shipment.shop_id == shop_id, Shipment.tracking_number == number)
            ).all()
            targets = [(s.id, s.carrier or carrier_name) for s in shipments if not s.is_final]
        for shipment_id, carrier in targets:
            snap = snapshot if snapshot is not None else push.easypost_snapshot(raw, carrier)
            observed.append(TrackingObserved(shipment_id, snap, carrier_name, via="push"))
    if observed:
        rt.bus.handle(observed)
    with rt.uow() as uow:
        receipt = uow.repo.receipt(receipt_id)
        receipt.status = "processed" if observed else "ignored"
        receipt.error = None if observed else "no parcel of this shop has that tracking number"
        receipt.processed_at = runtime.utcnow()
        receipt.attempts += 1
        uow.commit()
    return f"{len(observed)} parcel(s) updated"


#: Renew a UPS Track Alert subscription this long before its 14 days run out.
PUSH_RENEW_BEFORE = timedelta(days=1)
PUSH_LIFETIME = timedelta(days=14)


def subscribe_ups() -> dict[str, int]:
    """Cron: subscribe new UPS parcels to Track Alert and renew subscriptions about to lapse."""
    import json

    from connectors.carriers import push as push_mod
    from connectors.carriers import ups_track_alert
    from connectors.carriers.karrio_client import ups_token

    rt = runtime.current()
    now = runtime.utcnow()
    if not rt.settings.secret_key or not rt.settings.base_url.startswith("https://"):
        return {"skipped": 1}  # UPS pushes only to a public https address
    counts = {"subscribed": 0, "invalid": 0, "failed": 0}
    with rt.uow() as uow:
        accounts = [
            (a.id, a.shop_id, a.credentials_ciphertext)
            for a in uow.session.scalars(
                select(CarrierAccount).where(CarrierAccount.provider == "karrio", CarrierAccount.carrier.in_(["ups", "*"]))
            )
        ]
    for account_id, shop_id, ciphertext in accounts:
        credentials = json.loads(rt.cipher.decrypt(ciphertext)) if ciphertext else {}
        credentials = credentials.get("ups", credentials) if "client_id" not in credentials else credentials
        if "client_id" not in credentials:
            continue
        with rt.uow() as uow:
            numbers = list(uow.session.scalars(
                select(Shipment.tracking_number).where(
                    Shipment.shop_id == shop_id, Shipment.carrier == "ups", Shipment.superseded.is_(False),
                    Shipment.status.not_in([str(s) for s in FINAL_STATUSES]), Shipment.tracking_number.like("1Z%"),
                    (Shipment.push_subscribed_until.is_(None)) | (Shipment.push_subscribed_until < now + PUSH_RENEW_BEFORE),
                ).limit(1000)
            ))
        for start in range(0, len(numbers), ups_track_alert.MAX_NUMBERS):
            batch = numbers[start:start + ups_track_alert.MAX_NUMBERS]
            try:
                token = ups_token({k: credentials[k] for k in ("client_id", "client_secret") if k in credentials}, rt.redis)
                valid, invalid = ups_track_alert.subscribe(
                    batch, token, f"{rt.settings.base_url}/webhooks/carriers/ups?account={account_id}",
                    push_mod.ups_credential(rt.settings.secret_key, account_id), http=rt.http,
                )
            except (Transient, RateLimited, Unauthorized, Permanent) as exc:
                log.warning("UPS Track Alert subscription for account %s failed: %s", account_id, exc)
                counts["failed"] += len(batch)
                break
            with rt.uow() as uow:
                for shipment in uow.session.scalars(
                    select(Shipment).where(Shipment.shop_id == shop_id, Shipment.tracking_number.in_(valid))
                ):
                    shipment.push_subscribed_until = now + PUSH_LIFETIME
                    if shipment.push_until is not None:  # pushes are flowing: keep polling at the safety net
                        shipment.push_until = shipment.push_subscribed_until
                uow.commit()
            counts["subscribed"] += len(valid)
            counts["invalid"] += len(invalid)
    return counts
