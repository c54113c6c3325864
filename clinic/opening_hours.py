"""Time counted in opening hours: "30 minutes in opening hours" from a Friday evening message
is 8:30 on Monday (or Tuesday, if Monday is a holiday).

The week comes from Clinic details (opening periods and closed days), in the site's time
zone (settings.TIME_ZONE, the clinic's). Nothing here reads the clock: callers pass the moment
they count from, so the arithmetic is tested with fixed dates.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from .models import ClinicDetails, ClosedDay, OpeningPeriod

# How far ahead to look for opening hours before giving up (a clinic closed for a year has
# no response targets worth computing).
LOOK_AHEAD_DAYS = 400


@dataclass(frozen=True)
class OpeningWeek:
    periods: dict  # weekday (0 = Monday) -> [(opens, closes)], sorted
    closed_dates: frozenset

    @classmethod
    def load(cls, clinic=None):
        clinic_id = (clinic or ClinicDetails.load()).pk
        periods = {}
        for period in OpeningPeriod.objects.filter(clinic_id=clinic_id):
            periods.setdefault(period.weekday, []).append((period.opens, period.closes))
        today = timezone.localdate()
        closed = ClosedDay.objects.filter(
            clinic_id=clinic_id, date__gte=today - datetime.timedelta(days=LOOK_AHEAD_DAYS)
        ).values_list("date", flat=True)
        return cls({day: sorted(times) for day, times in periods.items()}, frozenset(closed))

    def open_spans(self, start):
        """The clinic's open spans (opens, closes), as aware local datetimes, from the day of
        `start` on, in order."""
        zone = timezone.get_current_timezone()
        day = timezone.localtime(start, zone).date()
        for _ in range(LOOK_AHEAD_DAYS):
            if day not in self.closed_dates:
                for opens, closes in self.periods.get(day.weekday(), []):
                    yield (
                        datetime.datetime.combine(day, opens, tzinfo=zone),
                        datetime.datetime.combine(day, closes, tzinfo=zone),
                    )
            day += datetime.timedelta(days=1)

    def add_open_time(self, start, duration):
        """The moment `duration` of opening hours after `start`; None if the clinic has no
        opening hours in the next LOOK_AHEAD_DAYS."""
        remaining = duration
        for opens, closes in self.open_spans(start):
            begin = max(opens, start)
            if begin >= closes:
                continue
            if begin + remaining <= closes:
                return begin + remaining
            remaining -= closes - begin
        return None
