"""The task queue: huey on SQLite locally (no server), on Redis in production.

Run a worker with `huey_consumer mentorby.tenants.tasks.huey` (the platform's tasks and the cities' scheduled
ones). With HUEY_IMMEDIATE (the default outside production) tasks run in the web process as soon as they are
enqueued.
"""

import logging
import os
from contextlib import nullcontext

from flask import has_app_context
from huey import RedisHuey, SqliteHuey, crontab
from sqlalchemy import event
from sqlalchemy.orm import Session

from mentorby.platform.config import INSTANCE


def immediate_default(environ) -> bool:
    """Whether tasks run inside the process that queues them: never in production unless HUEY_IMMEDIATE says so."""
    value = environ.get("HUEY_IMMEDIATE")
    if value is not None:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return environ.get("MENTORBY_ENV", "development") != "production"


_immediate = immediate_default(os.environ)

if os.environ.get("REDIS_URL"):
    huey = RedisHuey("mentorby", url=os.environ["REDIS_URL"], immediate=_immediate)
else:
    INSTANCE.mkdir(exist_ok=True)
    huey = SqliteHuey("mentorby", filename=str(INSTANCE / "huey.sqlite"), immediate=_immediate)

_worker_app = None
_AFTER_COMMIT = "mentorby.tasks_after_commit"
log = logging.getLogger(__name__)


def after_commit(session: Session, task, *args) -> None:
    """Hand `task(*args)` to the queue once the session's transaction commits, so the worker finds the rows it reads.

    With HUEY_IMMEDIATE (development, tests) it runs at once, inside the request's transaction.
    """
    if huey.immediate:
        task(*args)
    else:
        on_commit(session, task, *args)


def on_commit(session: Session, call, *args) -> None:
    """Call `call(*args)` once the session's transaction commits (never if it rolls back), tasks run at once or not."""
    session.info.setdefault(_AFTER_COMMIT, []).append((call, args))


@event.listens_for(Session, "after_commit")
def _hand_over(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released (after_commit fires for it too): its rows are not committed yet
    for task, args in session.info.pop(_AFTER_COMMIT, []):
        task(*args)


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous_transaction) -> None:
    # What a rolled-back transaction asked for was never written (a savepoint's rollback leaves it be).
    if previous_transaction.parent is None:
        session.info.pop(_AFTER_COMMIT, None)


def app_context():
    """The web process already has an app context; a worker makes its own app once."""
    global _worker_app
    if has_app_context():
        return nullcontext()
    if _worker_app is None:
        from mentorby.platform.app import create_app

        _worker_app = create_app()
    return _worker_app.app_context()


def in_request() -> bool:
    """Whether a task runs inside a web request (HUEY_IMMEDIATE): it then shares the request's transaction."""
    return has_app_context()


def run_city_job(tenant_id: int, job_id: int, run, fail, what: str) -> str:
    """Run a city's long piece of work (an evaluation report, a spreadsheet import) for its task.

    `run(session, job_id, commit=...)` does the work and may commit its progress; `fail(session, job_id)` marks the
    job as broken off. Run at once inside a request (HUEY_IMMEDIATE), the job shares the request's transaction, which
    commits it. In a worker, a failure is not retried (the same input would break the same way): it is logged as
    `what` and the job marked, so its page says it did not finish.
    """
    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import tenant_scope

    shared = in_request()
    with app_context(), tenant_scope(db.session, tenant_id):
        if shared:
            return run(db.session, job_id)
        try:
            return run(db.session, job_id, commit=db.session.commit)
        except Exception:
            log.exception("%s %s of city %s broke off", what, job_id, tenant_id)
            db.session.rollback()
            fail(db.session, job_id)
            db.session.commit()
            return "failed"


def purge_now(purge) -> int:
    """Run `purge(session, now)` of a nightly clean-up in its own transaction; how many rows went."""
    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import utcnow

    with app_context():
        purged = purge(db.session, utcnow())
        db.session.commit()
        return purged


@huey.task(retries=4, retry_delay=60)
def deliver_message(message_id: int) -> str:
    """Deliver one outbox message; retried on SMTP errors."""
    from mentorby.platform.extensions import db
    from mentorby.platform.outbox.services import deliver

    with app_context():
        return deliver(db.session, message_id)


@huey.task(retries=2, retry_delay=60)
def send_password_reset(email: str, locale: str) -> bool:
    """Send a password-reset link if the address has an active account (see accounts.request_password_reset)."""
    from mentorby.platform.accounts.services import mail_password_reset
    from mentorby.platform.extensions import db
    from mentorby.platform.outbox.services import enqueue_pending

    with app_context():
        sent = mail_password_reset(db.session, email, locale)
        db.session.commit()
        enqueue_pending(db.session)
        return sent


@huey.periodic_task(crontab(minute="*/15"))
def requeue_lost_mail() -> int:
    """Every quarter of an hour: e-mails still queued long after their last attempt were lost; queue them again."""
    from mentorby.platform.extensions import db
    from mentorby.platform.outbox.services import enqueue_pending, requeue_lost
    from mentorby.platform.tenancy import utcnow

    with app_context():
        found = requeue_lost(db.session, utcnow())
        db.session.commit()
        enqueue_pending(db.session)
        return found
