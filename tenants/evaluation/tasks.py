"""The evaluation's work on the task queue (registered with the others by tenants/tasks.py)."""

from huey import crontab

from mentorby.platform.tasks import huey, purge_now, run_city_job

__all__ = ["build_report", "huey", "purge_reports"]


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
