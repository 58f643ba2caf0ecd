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
YEARS = range(2015, 2036)  # the holidays package knows 2001–2035


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
        # working days among the first `rest` days of a week starting on each weekday
        self._partial_week = [
            [sum(1 for i in range(rest) if (start + i) % 7 not in self.weekend) for rest in range(7)] for start in range(7)
        ]
        self._per_week = 7 - len(self.weekend)
        self._last: tuple[datetime, datetime] | None = None

    def is_business_day(self, day: date) -> bool:
        return day.weekday() not in self.weekend and day.toordinal() not in self._off_set

    def local(self, moment: datetime) -> datetime:
        last = self._last  # the rules ask about the same `now` again and again
        if last is not None and last[0] is moment:
            return last[1]
        converted = moment.astimezone(self.zone)
        self._last = (moment, converted)
        return converted

    def _whole(self, first: date, last: date) -> int:
        """Business days from `first` to `last`, both included."""
        return self._whole_ordinals(first.toordinal(), first.weekday(), last.toordinal())

    def _whole_ordinals(self, first: int, first_weekday: int, last: int) -> int:
        if last < first:
            return 0
        weeks, rest = divmod(last - first + 1, 7)
        count = weeks * self._per_week + self._partial_week[first_weekday][rest]
        return count - (bisect.bisect_right(self._off, last) - bisect.bisect_left(self._off, first))

    def _open(self, ordinal: int, weekday: int) -> bool:
        return weekday not in self.weekend and ordinal not in self._off_set

    def business_days_between(self, start: datetime, end: datetime) -> float:
        """Business days elapsed from `start` to `end` in the country's time, fractions of days included."""
        if end <= start:
            return 0.0
        s, e = self.local(start), self.local(end)
        so, eo = s.toordinal(), e.toordinal()
        sw, ew = s.weekday(), e.weekday()
        s_secs = s.hour * 3600 + s.minute * 60 + s.second
        e_secs = e.hour * 3600 + e.minute * 60 + e.second
        if so == eo:
            return (e_secs - s_secs) / 86400 if self._open(so, sw) else 0.0
        total = (1 - s_secs / 86400) if self._open(so, sw) else 0.0
        total += self._whole_ordinals(so + 1, (sw + 1) % 7, eo - 1)
        if self._open(eo, ew):
            total += e_secs / 86400
        return total

    def end_of_local_day(self, moment: datetime) -> datetime:
        """The last second of `moment`'s day in the country's time (a 'by Tuesday' promise ends then)."""
        local = self.local(moment)
        return local.replace(hour=23, minute=59, second=59, microsecond=0)


@lru_cache(maxsize=512)
def calendar_for(country: str | None, closed: tuple[date, ...] = ()) -> BusinessCalendar:
    return BusinessCalendar(country, closed)


def add_business_hours(calendar: BusinessCalendar, start: datetime, hours: float, opens: int = 9, closes: int = 17) -> datetime:
    """`start` plus `hours` of the support team's working time (opens–closes local, business days only)."""
    remaining = timedelta(hours=hours)
    moment = calendar.local(start)
    for _ in range(366):
        day_open = moment.replace(hour=opens, minute=0, second=0, microsecond=0)
        day_close = moment.replace(hour=closes, minute=0, second=0, microsecond=0)
        if calendar.is_business_day(moment.date()) and moment < day_close:
            begin = max(moment, day_open)
            if begin + remaining <= day_close:
                return (begin + remaining).astimezone(start.tzinfo)
            remaining -= day_close - begin
        moment = (moment + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    raise ValueError("no working time found within a year")
