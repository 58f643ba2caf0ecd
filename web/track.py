"""`forewarn track`: one parcel's normalized tracking, with the raw codes behind each event — from the carrier
itself, or from a saved raw response exactly as the carrier returned it."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.ports import TrackingSnapshot


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def as_dict(s: TrackingSnapshot) -> dict[str, Any]:
    return {
        "carrier": s.carrier,
        "tracking_number": s.tracking_number,
        "status": s.status,
        "substatus": s.substatus,
        "running_late": s.running_late,
        "estimated_delivery": _iso(s.estimated_delivery),
        "delivered_at": _iso(s.delivered_at),
        "signed_by": s.signed_by,
        "service": s.service,
        "unknown_codes": list(s.unknown_codes),
        "events": [
            {"occurred_at": _iso(e.occurred_at), "raw_code": e.code, "status": e.status, "substatus": e.substatus,
             "description": e.description, "location": e.location}
            for e in s.events
        ],
    }


def render_text(s: TrackingSnapshot) -> str:
    head = f"{s.carrier} {s.tracking_number}: {s.status}" + (f" / {s.substatus}" if s.substatus else "")
    lines = [head]
    if s.running_late:
        lines.append("  the carrier says it is running late")
    if s.estimated_delivery:
        lines.append(f"  estimated delivery: {s.estimated_delivery:%Y-%m-%d %H:%M} UTC")
    if s.delivered_at:
        lines.append(f"  delivered: {s.delivered_at:%Y-%m-%d %H:%M} UTC" + (f", signed by {s.signed_by}" if s.signed_by else ""))
    if s.unknown_codes:
        lines.append(f"  codes Forewarn does not know yet: {', '.join(s.unknown_codes)}")
    lines.append("  events (newest first): time UTC · raw code → Forewarn status · description · place")
    for e in s.events:
        when = f"{e.occurred_at:%Y-%m-%d %H:%M}" if e.occurred_at else "?"
        status = e.status + (f"/{e.substatus}" if e.substatus else "")
        lines.append(f"    {when} · {e.code or '-'} → {status} · {e.description}" + (f" · {e.location}" if e.location else ""))
    return "\n".join(lines)


def from_raw(carrier: str, path: Path, number: str | None) -> TrackingSnapshot:
    from connectors.carriers.normalize import snapshot

    return snapshot(carrier, path.read_text(), number or "")


def from_carrier(carrier: str, number: str, credentials_file: str | None, env: dict[str, str]) -> TrackingSnapshot:
    from connectors.carriers.karrio_client import KarrioProvider
    from core.settings import Settings
    from jobs.runtime import redis_from_url

    source = Path(credentials_file).read_text() if credentials_file else env.get("FOREWARN_CARRIER_CREDENTIALS")
    if not source:
        raise SystemExit(
            "carrier credentials are needed: --credentials FILE or FOREWARN_CARRIER_CREDENTIALS, a JSON object of "
            'karrio settings per carrier, e.g. {"dhl": {"consumer_key": "…", "consumer_secret": "-"}}'
        )
    try:
        credentials = json.loads(source)
    except ValueError as exc:
        raise SystemExit(f"the carrier credentials are not valid JSON: {exc}") from None
    redis = redis_from_url(Settings.from_env(env).redis_url if env.get("REDIS_URL") else "memory://")
    return KarrioProvider(credentials, redis).track(carrier, number)
