"""Time counted in opening hours, across evenings, weekends, lunch breaks and closed days."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from clinic.models import ClinicDetails, ClosedDay, OpeningPeriod
from clinic.opening_hours import OpeningWeek

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")
MINUTES = datetime.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def new_york(settings):
    settings.TIME_ZONE = "America/New_York"


def at(day, hour, minute=0):
    """A moment in the clinic's time zone; 2027-03-01 is a Monday."""
    return datetime.datetime(2027, 3, day, hour, minute, tzinfo=NEW_YORK)


@pytest.fixture
def week():
    """The default week (migration): Monday to Friday, 8:00 to 17:00."""
    return OpeningWeek.load()


def test_new_clinic_details_come_with_the_default_week_of_weekdays_8_to_5():
    assert not ClinicDetails.objects.exists()
    periods = OpeningPeriod.objects.filter(clinic=ClinicDetails.load())
    assert [(p.weekday, p.opens.hour, p.closes.hour) for p in periods] == [
        (day, 8, 17) for day in range(5)
    ]


@pytest.mark.parametrize(
    ("received", "minutes", "due"),
    [
        (at(1, 9), 30, at(1, 9, 30)),  # inside hours: plain addition
        (at(1, 16, 45), 30, at(2, 8, 15)),  # 15 minutes tonight, 15 tomorrow
        (at(1, 20), 30, at(2, 8, 30)),  # an evening message: counted from the next opening
        (at(1, 6), 30, at(1, 8, 30)),  # before opening
        (at(5, 16, 45), 30, at(8, 8, 15)),  # Friday evening -> Monday morning
        (at(6, 11), 30, at(8, 8, 30)),  # Saturday
        (at(1, 9), 480, at(1, 17)),  # one 8-hour working day fits in Monday's hours
        (at(1, 12), 480, at(2, 11)),  # ... or runs into Tuesday
        (at(5, 12), 480, at(8, 11)),  # ... or over the weekend
        (at(1, 17), 30, at(2, 8, 30)),  # at closing time exactly
    ],
)
def test_open_time_is_added_across_evenings_and_weekends(week, received, minutes, due):
    assert week.add_open_time(received, minutes * MINUTES) == due


def test_a_closed_day_is_skipped(week):
    ClosedDay.objects.create(clinic=ClinicDetails.load(), date=datetime.date(2027, 3, 8))
    week = OpeningWeek.load()
    assert week.add_open_time(at(5, 16, 45), 30 * MINUTES) == at(9, 8, 15)  # Tuesday


def test_a_lunch_break_is_not_counted():
    clinic = ClinicDetails.load()
    OpeningPeriod.objects.filter(clinic=clinic, weekday=0).delete()
    for opens, closes in [(8, 12), (13, 17)]:
        OpeningPeriod.objects.create(
            clinic=clinic, weekday=0, opens=datetime.time(opens), closes=datetime.time(closes)
        )
    week = OpeningWeek.load()
    assert week.add_open_time(at(1, 11, 45), 30 * MINUTES) == at(1, 13, 15)


def test_a_received_time_in_another_zone_is_counted_in_the_clinic_s(week):
    utc = datetime.datetime(2027, 3, 1, 21, 50, tzinfo=datetime.UTC)  # 16:50 in New York
    assert week.add_open_time(utc, 30 * MINUTES) == at(2, 8, 20)


def test_summer_time_does_not_shift_the_opening_hours(week):
    # US clocks go forward on Sunday 14 March 2027: Monday still opens at 8:00 local time.
    assert week.add_open_time(at(12, 16, 45), 30 * MINUTES) == at(15, 8, 15)


def test_a_clinic_with_no_opening_hours_has_no_targets():
    ClinicDetails.load().periods.all().delete()
    assert OpeningWeek.load().add_open_time(at(1, 9), 30 * MINUTES) is None


def test_closing_before_opening_is_refused():
    period = OpeningPeriod(
        clinic=ClinicDetails.load(), weekday=0, opens=datetime.time(17), closes=datetime.time(8)
    )
    with pytest.raises(Exception, match="after opening"):
        period.full_clean()
