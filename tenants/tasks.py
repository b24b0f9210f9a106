"""Scheduled and background work of the cities, on the task queue: `huey_consumer mentorby.tenants.tasks.huey`.

Importing this module registers the city tasks beside the platform's own (mail delivery), so one worker runs both.
"""


from huey import crontab

from mentorby.platform.tasks import app_context, huey
from mentorby.tenants.evaluation.tasks import build_report, purge_reports, rebuild_rollups, refresh_round_rollups
from mentorby.tenants.transfer.tasks import purge_import_jobs, run_import

__all__ = ["apply_retention", "build_report", "huey", "nudge_quiet_pairs", "purge_import_jobs", "purge_reports",
           "purge_unconfirmed_applications", "rebuild_rollups", "refresh_round_rollups", "remind_follow_ups",
           "run_import", "send_due_surveys", "send_event_reminders", "send_weekly_digest"]


@huey.periodic_task(crontab(hour="7", minute="0"))
def remind_follow_ups() -> int:
    """Every morning: tell coordinators about rounds whose 6-month follow-up has fallen due."""
    from mentorby.platform.extensions import db
    from mentorby.platform.outbox.services import enqueue_pending
    from mentorby.tenants.cohorts.services import remind_due_follow_ups

    with app_context():
        reminded = remind_due_follow_ups(db.session)
        db.session.commit()
        enqueue_pending(db.session)
        return reminded


@huey.periodic_task(crontab(hour="3", minute="30"))
def purge_unconfirmed_applications() -> int:
    """Every night: delete public-form applications whose address was not confirmed within a week."""
    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import utcnow
    from mentorby.tenants.applications.services import purge_unconfirmed

    with app_context():
        purged = purge_unconfirmed(db.session, utcnow())
        db.session.commit()
        return purged


@huey.periodic_task(crontab(hour="3", minute="45"))
def apply_retention() -> int:
    """Every night, in each city: its retention periods applied (people erased, old CVs deleted), logged per city."""
    from mentorby.platform.extensions import db
    from mentorby.tenants.privacy.retention import in_every_city

    with app_context():
        reports = in_every_city(db.session)
        db.session.commit()
        return sum(r.never_accepted + r.cvs + r.after_follow_up for r in reports.values())


@huey.periodic_task(crontab(hour="8", minute="0"))
def send_due_surveys() -> int:
    """Every morning, in each city: the 6-month follow-ups that fell due go out, and reminders on their days."""
    from mentorby.platform.extensions import db
    from mentorby.platform.outbox.services import enqueue_pending
    from mentorby.tenants.surveys.sending import due_follow_ups, due_reminders, for_every_city

    with app_context():
        done = for_every_city(db.session, due_follow_ups) + for_every_city(db.session, due_reminders)
        db.session.commit()
        enqueue_pending(db.session)
        return done


@huey.periodic_task(crontab(minute="0"))
def send_event_reminders() -> int:
    """Every hour, in each city: reminders of joint events on the city's days before them (each once)."""
    from mentorby.platform.extensions import db
    from mentorby.platform.outbox.services import enqueue_pending
    from mentorby.tenants.events.services import due_reminders
    from mentorby.tenants.surveys.sending import for_every_city

    with app_context():
        done = for_every_city(db.session, lambda session, _today: due_reminders(session))
        db.session.commit()
        enqueue_pending(db.session)
        return done


@huey.periodic_task(crontab(hour="9", minute="0"))
def nudge_quiet_pairs() -> int:
    """Every morning, in each city that turned automatic nudges on: e-mail the pairs at risk that need a nudge."""
    from mentorby.platform.extensions import db
    from mentorby.platform.outbox.services import enqueue_pending
    from mentorby.tenants.sessions.figures import auto_nudges

    with app_context():
        nudged = auto_nudges(db.session)
        db.session.commit()
        enqueue_pending(db.session)
        return nudged


@huey.periodic_task(crontab(day_of_week="1", hour="7", minute="30"))
def send_weekly_digest() -> int:
    """Every Monday morning: each city's coordinators get their running rounds' pairs at risk and sessions."""
    from mentorby.platform.extensions import db
    from mentorby.platform.outbox.services import enqueue_pending
    from mentorby.tenants.sessions.figures import weekly_digest

    with app_context():
        sent = weekly_digest(db.session)
        db.session.commit()
        enqueue_pending(db.session)
        return sent
