"""Joint events as RFC 5545 calendars (the icalendar library): one event's .ics and a participant's subscription.

Times are written in the city's zone with its VTIMEZONE, so Outlook, Google and Apple show them right across a
daylight-saving change. UIDs are stable (the event's id and city), and SEQUENCE rises when the time or place moves,
so a calendar updates the entry it has instead of adding a second one.
"""

from datetime import timedelta

from flask import current_app
from icalendar import Calendar, Event, vText

from mentorby.platform import clock
from mentorby.platform.cities.models import Tenant
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.cohorts.models import CohortEvent
from mentorby.tenants.events.models import EventDetails
from mentorby.tenants.events.services import map_link


def uid_of(event: CohortEvent, city: Tenant) -> str:
    """The calendar entry's UID: the same for the event forever, different in every city and installation."""
    host = current_app.config["BASE_URL"].split("://")[-1].split("/")[0] or "mentorby"
    return f"event-{event.id}@{city.slug}.{host}"


def calendar(city: Tenant, entries: list[tuple[CohortEvent, EventDetails | None]], locale: str, *,
             name: str | None = None) -> bytes:
    """A VCALENDAR with one VEVENT per (event, details), in the city's time zone."""
    zone = clock.zone(city)
    cal = Calendar()
    cal.add("prodid", "-//Mentorby//Joint events//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", zone.key)
    stamp = utcnow()
    for event, details in entries:
        item = Event()
        start = event.starts_at.astimezone(zone)
        item.add("uid", uid_of(event, city))
        item.add("dtstamp", stamp)
        item.add("dtstart", start)
        item.add("dtend", start + timedelta(minutes=event.duration_minutes))
        item.add("summary", event.name(locale))
        item.add("sequence", details.sequence if details else 0)
        place = ", ".join(part for part in (event.location, details.room if details else "",
                                            details.address if details else "") if part)
        if place:
            item.add("location", vText(place))
        agenda = details.agenda(locale) if details else ""
        if agenda:
            item.add("description", agenda)
        link = map_link(event, details)
        if link:
            item.add("url", link)
        cal.add_component(item)
    cal.add_missing_timezones()
    return cal.to_ical()
