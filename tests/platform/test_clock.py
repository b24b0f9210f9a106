"""Dates are counted in the city's own time zone, not the server's."""

from datetime import UTC, date, datetime, time

from mentorby.platform import clock


def test_a_citys_today_is_its_own(app, host_city, monkeypatch):
    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2027, 1, 31, 23, 30, tzinfo=UTC).astimezone(tz)

    monkeypatch.setattr(clock, "datetime", Frozen)
    assert clock.today(host_city) == date(2027, 2, 1)  # already February in Copenhagen
    host_city.timezone = "America/Sao_Paulo"
    assert clock.today(host_city) == date(2027, 1, 31)
    host_city.timezone = "Not/A_Zone"
    assert clock.today(host_city) == date(2027, 2, 1)  # a bad setting falls back to Copenhagen


def test_wall_clock_times_are_stored_in_utc_and_shown_in_the_citys_zone(host_city):
    moment = clock.at(date(2027, 2, 2), time(17, 0), host_city)
    assert moment == datetime(2027, 2, 2, 16, 0, tzinfo=UTC)
    assert clock.local(moment, host_city).hour == 17
    assert clock.end_of_day(date(2027, 7, 1), host_city) == datetime(2027, 7, 1, 21, 59, 59, tzinfo=UTC)


def test_pages_show_times_in_the_citys_zone(client, db, login, coordinator, host_city, create_cohort):
    from mentorby.platform.tenancy import tenant_scope

    cohort = create_cohort(host_city)
    login(coordinator)
    with tenant_scope(db.session, host_city.id):
        event = cohort.events[0]
    shown = clock.local(event.starts_at, host_city).strftime("%H:%M")
    assert shown in client.get(f"/lyngby-taarbaek/coordinator/cohorts/{cohort.id}").text
    host_city.timezone = "Atlantic/Reykjavik"  # one hour behind Copenhagen in winter, two in summer
    db.session.flush()
    moved = clock.local(event.starts_at, host_city).strftime("%H:%M")
    assert moved != shown and moved in client.get(f"/lyngby-taarbaek/coordinator/cohorts/{cohort.id}").text
