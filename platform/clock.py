"""Time where the programme runs: each city's own time zone (Europe/Copenhagen unless it says otherwise).

Dates a person reads or a rule counts in (today, an application deadline, a follow-up date, the day of the kick-off)
are the city's dates, never the server's. Moments are stored in UTC (`tenancy.utcnow`) and shown in the city's zone.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import g, has_request_context

DEFAULT_ZONE = "Europe/Copenhagen"


def zone(city=None) -> ZoneInfo:
    """The time zone of `city` (or of the request's city), Copenhagen by default."""
    if city is None and has_request_context():
        city = g.get("city")
    name = getattr(city, "timezone", None) or DEFAULT_ZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def today(city=None) -> date:
    """Today's date in the city."""
    return datetime.now(zone(city)).date()


def local(moment: datetime, city=None) -> datetime:
    """A stored UTC moment in the city's time."""
    return moment.astimezone(zone(city))


def at(day: date, clock_time: time, city=None) -> datetime:
    """A wall-clock time in the city on `day`, as the UTC moment to store."""
    return datetime.combine(day, clock_time, tzinfo=zone(city)).astimezone(UTC)


def end_of_day(day: date, city=None) -> datetime:
    """The last second of `day` in the city, as a UTC moment (an invitation valid "until the kick-off")."""
    return at(day, time(23, 59, 59), city)
