"""Scheduled and background work of the cities, on the task queue: `huey_consumer mentorby.tenants.tasks.huey`.

Importing this module registers the city tasks beside the platform's own (mail delivery), so one worker runs both.
"""

import logging
from datetime import date

from flask import has_app_context
from huey import crontab

from mentorby.platform.tasks import app_context, huey

__all__ = ["huey", "purge_import_jobs", "purge_unconfirmed_applications", "remind_follow_ups", "run_import"]
log = logging.getLogger(__name__)


@huey.periodic_task(crontab(hour="7", minute="0"))
def remind_follow_ups() -> int:
    """Every morning: tell coordinators about rounds whose 6-month follow-up has fallen due."""
    from mentorby.platform.extensions import db
    from mentorby.platform.outbox.services import enqueue_pending
    from mentorby.tenants.cohorts.services import remind_due_follow_ups

    with app_context():
        reminded = remind_due_follow_ups(db.session, date.today())
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


@huey.task()
def run_import(tenant_id: int, job_id: int) -> str:
    """Check or import an uploaded spreadsheet too large for a request (a job of the import page)."""
    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import tenant_scope
    from mentorby.tenants.transfer import jobs

    # Run at once inside a request (HUEY_IMMEDIATE), the job shares the request's transaction, which commits it.
    in_request = has_app_context()
    with app_context(), tenant_scope(db.session, tenant_id):
        if in_request:
            return jobs.run(db.session, job_id)
        try:
            return jobs.run(db.session, job_id, commit=db.session.commit)
        except Exception:
            # Not retried: the same file would break the same way. The page says the import did not finish.
            log.exception("import job %s of city %s broke off", job_id, tenant_id)
            db.session.rollback()
            jobs.fail(db.session, job_id)
            db.session.commit()
            return "failed"


@huey.periodic_task(crontab(hour="3", minute="45"))
def purge_import_jobs() -> int:
    """Every night: delete import jobs (their reports quote personal data) a week after they last moved."""
    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import utcnow
    from mentorby.tenants.transfer.jobs import purge

    with app_context():
        purged = purge(db.session, utcnow())
        db.session.commit()
        return purged
