"""The import area's work on the task queue (registered with the others by tenants/tasks.py)."""

import logging

from flask import has_app_context
from huey import crontab

from mentorby.platform.tasks import app_context, huey

log = logging.getLogger(__name__)


@huey.task()
def run_import(tenant_id: int, job_id: int) -> str:
    """Check or import an uploaded spreadsheet too large for a request (a job of the import page)."""
    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import tenant_scope
    from mentorby.tenants.transfer import jobs  # jobs hands its work to these tasks: imported when run

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
