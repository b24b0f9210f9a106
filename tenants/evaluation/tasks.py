"""The evaluation's work on the task queue (registered with the others by tenants/tasks.py)."""

import logging

from flask import has_app_context
from huey import crontab

from mentorby.platform.tasks import app_context, huey

__all__ = ["build_report", "huey", "purge_reports"]
log = logging.getLogger(__name__)


@huey.task()
def build_report(tenant_id: int, report_id: int) -> str:
    """Build a round's evaluation report as a PDF (asked for on the round's evaluation page)."""
    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import tenant_scope
    from mentorby.tenants.evaluation import reports  # reports hands its work to this task: imported when run

    # Run at once inside a request (HUEY_IMMEDIATE), the report shares the request's transaction, which commits it.
    in_request = has_app_context()
    with app_context(), tenant_scope(db.session, tenant_id):
        if in_request:
            return reports.run(db.session, report_id)
        try:
            return reports.run(db.session, report_id, commit=db.session.commit)
        except Exception:
            # Not retried: the same figures would break the same way. The page says the report did not finish.
            log.exception("evaluation report %s of city %s broke off", report_id, tenant_id)
            db.session.rollback()
            reports.fail(db.session, report_id)
            db.session.commit()
            return "failed"


@huey.periodic_task(crontab(hour="4", minute="0"))
def purge_reports() -> int:
    """Every night: delete evaluation reports (they quote people's words) a month after they were made."""
    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import utcnow
    from mentorby.tenants.evaluation.reports import purge

    with app_context():
        purged = purge(db.session, utcnow())
        db.session.commit()
        return purged
