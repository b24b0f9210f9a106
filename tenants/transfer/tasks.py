"""The import area's work on the task queue (registered with the others by tenants/tasks.py)."""

from huey import crontab

from mentorby.platform.tasks import huey, purge_now, run_city_job


@huey.task()
def run_import(tenant_id: int, job_id: int) -> str:
    """Check or import an uploaded spreadsheet too large for a request (a job of the import page)."""
    from mentorby.tenants.transfer import jobs  # jobs hands its work to these tasks: imported when run

    return run_city_job(tenant_id, job_id, jobs.run, jobs.fail, "import job")


@huey.periodic_task(crontab(hour="3", minute="45"))
def purge_import_jobs() -> int:
    """Every night: delete import jobs (their reports quote personal data) a week after they last moved."""
    from mentorby.tenants.transfer.jobs import purge

    return purge_now(purge)
