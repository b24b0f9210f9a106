"""The evaluation's work on the task queue (registered with the others by tenants/tasks.py)."""

from huey import crontab

from mentorby.platform.tasks import app_context, huey, purge_now, run_city_job

__all__ = ["build_report", "huey", "purge_reports", "rebuild_rollups", "refresh_round_rollups"]


@huey.task()
def build_report(tenant_id: int, report_id: int) -> str:
    """Build a round's evaluation report as a PDF (asked for on the round's evaluation page)."""
    from mentorby.tenants.evaluation import reports  # reports hands its work to this task: imported when run

    return run_city_job(tenant_id, report_id, reports.run, reports.fail, "evaluation report")


@huey.periodic_task(crontab(hour="4", minute="0"))
def purge_reports() -> int:
    """Every night: delete evaluation reports (they quote people's words) a month after they were made."""
    from mentorby.tenants.evaluation.reports import purge

    return purge_now(purge)


@huey.task(retries=3, retry_delay=5)
def refresh_round_rollups(tenant_id: int, cohort_id: int) -> None:
    """Refresh one round's national rollups after its survey answers (handed over by rollups.schedule_refresh)."""
    from mentorby.platform.extensions import db
    from mentorby.tenants.evaluation.rollups import refresh_claimed

    with app_context():
        refresh_claimed(db.session, tenant_id, cohort_id)


@huey.periodic_task(crontab(hour="4", minute="30"))
def rebuild_rollups() -> int:
    """Every night: every rollup again from the cities' rows, should a handed-over refresh have been lost."""
    from mentorby.platform.extensions import db
    from mentorby.tenants.evaluation.rollups import rebuild

    with app_context():
        rounds = rebuild(db.session)
        db.session.commit()
        return rounds
