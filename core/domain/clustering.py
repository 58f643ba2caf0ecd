"""Incident clusters (pure): open `stuck` / `running_late` incidents of one carrier at the same place that
began close together are one problem at that facility, not N separate ones."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.domain.rules import CARRIER_NAMES

CLUSTERED_KINDS = ("stuck", "running_late")
MIN_SIZE = 5
WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class Candidate:
    incident_id: int
    carrier: str
    kind: str
    place: str
    since: datetime  # the last scan before the silence (stuck) or the delay notice (running late)


@dataclass(frozen=True)
class Group:
    carrier: str
    kind: str
    place: str
    members: tuple[int, ...]
    since: datetime

    @property
    def key(self) -> tuple[str, str, str]:
        return self.carrier, self.kind, self.place

    def summary(self, local_since: datetime) -> str:
        name = CARRIER_NAMES.get(self.carrier, self.carrier)
        what = "without a scan" if self.kind == "stuck" else "running late"
        return f"{name}, {self.place}: {len(self.members)} parcels {what} since {local_since:%a %H:%M} UTC"


def group(candidates: Iterable[Candidate], min_size: int = MIN_SIZE, window: timedelta = WINDOW) -> list[Group]:
    """Groups of at least `min_size` incidents sharing carrier, kind and place whose `since` times all fall
    within `window` of the group's earliest."""
    by_key: dict[tuple[str, str, str], list[Candidate]] = defaultdict(list)
    for c in candidates:
        if c.kind in CLUSTERED_KINDS and c.place:
            by_key[(c.carrier, c.kind, c.place)].append(c)
    groups = []
    for (carrier, kind, place), members in by_key.items():
        members.sort(key=lambda c: c.since)
        start = 0
        best: list[Candidate] = []
        for end in range(len(members)):  # the largest run inside one window
            while members[end].since - members[start].since > window:
                start += 1
            if end - start + 1 > len(best):
                best = members[start:end + 1]
        if len(best) >= min_size:
            groups.append(Group(carrier, kind, place, tuple(c.incident_id for c in best), best[0].since))
    return groups
