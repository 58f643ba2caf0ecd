"""Business days in the destination country: its weekend, its public holidays (the maintained `holidays`
package) and the shop's own closed days. Pure and fast — the rules count business days for every parcel
on every pass, so counting is arithmetic over weeks plus a bisect over the holiday list.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holiday_data

#: Where a country's business day is counted (its most populous zone; a parcel's day rarely crosses one).
COUNTRY_ZONES = {
    "US": "America/Chicago", "CA": "America/Toronto", "MX": "America/Mexico_City", "BR": "America/Sao_Paulo",
    "GB": "Europe/London", "IE": "Europe/Dublin", "FR": "Europe/Paris", "DE": "Europe/Berlin", "ES": "Europe/Madrid",
    "PT": "Europe/Lisbon", "IT": "Europe/Rome", "NL": "Europe/Amsterdam", "BE": "Europe/Brussels", "CH": "Europe/Zurich",
    "AT": "Europe/Vienna", "SE": "Europe/Stockholm", "DK": "Europe/Copenhagen", "NO": "Europe/Oslo", "PL": "Europe/Warsaw",
    "IN": "Asia/Kolkata", "BD": "Asia/Dhaka", "AE": "Asia/Dubai", "SA": "Asia/Riyadh", "EG": "Africa/Cairo",
    "JP": "Asia/Tokyo", "CN": "Asia/Shanghai", "SG": "Asia/Singapore", "AU": "Australia/Sydney", "NZ": "Pacific/Auckland",
    "ZA": "Africa/Johannesburg", "NG": "Africa/Lagos",
}
#: Weekends other than Saturday–Sunday (Python weekday numbers: Monday 0 … Sunday 6).
WEEKENDS = {"AE": (5, 6), "SA": (4, 5), "EG": (4, 5), "BD": (4, 5), "IL": (4, 5)}
YEARS = range(2015, 2041)


class BusinessCalendar:
    def __init__(self, country: str | None, closed: Iterable[date] = ()) -> None:
        self.country = (country or "").upper()
        self.zone = ZoneInfo(COUNTRY_ZONES.get(self.country, "UTC"))
        self.weekend = frozenset(WEEKENDS.get(self.country, (5, 6)))
        days = set(closed)
        try:
            days |= set(holiday_data.country_holidays(self.country, years=YEARS)) if self.country else set()
        except NotImplementedError:  # a country the package does not know: weekends and the shop's days only
            pass
        self._off = sorted(d.toordinal() for d in days if d.weekday() not in self.weekend)
        self._off_set = frozenset(self._off)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() not in self.weekend and day.toordinal() not in self._off_set

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def _whole(self, first: date, last: date) -> int:
        """Business days from `first` to `last`, both included."""
        if last < first:
            return 0
        n = (last - first).days + 1
        weeks, rest = divmod(n, 7)
        count = weeks * (7 - len(self.weekend))
        start = first.weekday()
        count += sum(1 for i in range(rest) if (start + i) % 7 not in self.weekend)
        holidays_in = bisect.bisect_right(self._off, last.toordinal()) - bisect.bisect_left(self._off, first.toordinal())
        return count - holidays_in

    def business_days_between(self, start: datetime, end: datetime) -> float:
        """Business days elapsed from `start` to `end` in the country's time, fractions of days included."""
        if end <= start:
            return 0.0
        s, e = self.local(start), self.local(end)
        if s.date() == e.date():
            return (e - s).total_seconds() / 86400 if self.is_business_day(s.date()) else 0.0
        total = 0.0
        if self.is_business_day(s.date()):
            total += 1 - (s.hour * 3600 + s.minute * 60 + s.second) / 86400
        total += self._whole(s.date() + timedelta(days=1), e.date() - timedelta(days=1))
        if self.is_business_day(e.date()):
            total += (e.hour * 3600 + e.minute * 60 + e.second) / 86400
        return total

    def end_of_local_day(self, moment: datetime) -> datetime:
        """The last second of `moment`'s day in the country's time (a 'by Tuesday' promise ends then)."""
        local = self.local(moment)
        return local.replace(hour=23, minute=59, second=59, microsecond=0)


@lru_cache(maxsize=512)
def calendar_for(country: str | None, closed: tuple[date, ...] = ()) -> BusinessCalendar:
    return BusinessCalendar(country, closed)
