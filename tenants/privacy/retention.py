"""Retention: a city's periods applied every night, with a report of what was done.

Three periods, each the city's own (set with its privacy notice, tenants/privacy/notice.py): how long the
applications of people never accepted are kept after their round ended, how long a CV is kept after its round ended,
and how long the data of a round's people is kept after the round's six-month follow-up. People past a period are
erased as a person or a coordinator would erase them (tenants/privacy/erasure.py): their survey answers stay without
a name, so no figure changes. A person is only erased when every application of theirs is past its period: a mentor
who applied again stays.
"""

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.orm import Session

from mentorby.platform.audit.models import AuditEntry
from mentorby.platform.tenancy import session_tenant_id, utcnow
from mentorby.tenants.applications.models import ACCEPTED, Application, CvDocument
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.privacy import erasure
from mentorby.tenants.privacy.notice import RetentionPeriods as Periods
from mentorby.tenants.privacy.notice import retention_periods


@dataclass
class Report:
    """What one night's run did in one city (or would do, in a dry run)."""

    never_accepted: int = 0
    cvs: int = 0
    after_follow_up: int = 0
    #: People past a period who could not be erased (a coordinator of the city): named to nobody, counted.
    skipped: int = 0
    periods: dict = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """Whether anything was (or would be) erased."""
        return bool(self.never_accepted or self.cvs or self.after_follow_up)


def never_accepted(session: Session, periods, today: date) -> list[str]:
    """Addresses whose applications were never accepted, the last of their rounds ended more than the period ago."""
    rows = session.execute(
        select(Application.email).join(Cohort, Cohort.id == Application.cohort_id)
        .where(Application.erased_at.is_(None)).group_by(Application.email)
        .having(func.max(case((Application.status == ACCEPTED, 1), else_=0)) == 0,
                func.max(Cohort.ends_on) < today - timedelta(days=periods.never_accepted_days))
        .order_by(Application.email))
    return list(rows.scalars())


def after_follow_up(session: Session, periods, today: date) -> list[str]:
    """Addresses all of whose applications are in rounds followed up more than the period ago."""
    due = Cohort.follow_up_on.is_not(None) & (Cohort.follow_up_on < today - timedelta(days=periods.after_followup_days))
    rows = session.execute(
        select(Application.email).join(Cohort, Cohort.id == Application.cohort_id)
        .where(Application.erased_at.is_(None)).group_by(Application.email)
        .having(func.min(case((due, 1), else_=0)) == 1, func.max(case((Application.status == ACCEPTED, 1), else_=0))
                == 1)
        .order_by(Application.email))
    return list(rows.scalars())


def old_cvs(session: Session, periods, today: date) -> list[int]:
    """The CVs of applications to rounds that ended more than the period ago."""
    return list(session.execute(
        select(CvDocument.id).join(Application, Application.id == CvDocument.application_id)
        .join(Cohort, Cohort.id == Application.cohort_id)
        .where(Cohort.ends_on < today - timedelta(days=periods.cv_days)).order_by(CvDocument.id)).scalars())


def apply(session: Session, periods, today: date, *, dry_run: bool = False) -> Report:
    """Apply the session's city's periods; the report counts people and CVs. The caller commits."""
    report = Report(periods=asdict(periods))
    cvs = old_cvs(session, periods, today)
    report.cvs = len(cvs)
    people = [("never_accepted", email) for email in never_accepted(session, periods, today)]
    people += [("after_follow_up", email) for email in after_follow_up(session, periods, today)]
    if dry_run:
        for reason, _email in people:
            setattr(report, reason, getattr(report, reason) + 1)
        return report
    if cvs:
        session.execute(delete(CvDocument).where(CvDocument.id.in_(cvs)).execution_options(synchronize_session=False))
        erasure.redact_audit(session, [(CvDocument.__tablename__, cvs, list(CvDocument.__personal__.fields))])
    for reason, email in people:
        try:
            erasure.erase(session, erasure.find(session, email), actor_id=None, actor_role="system")
        except erasure.ErasureRefused:
            report.skipped += 1
        else:
            setattr(report, reason, getattr(report, reason) + 1)
    if report.changed or report.skipped:
        session.connection().execute(insert(AuditEntry.__table__), [{
            "tenant_id": session_tenant_id(session), "actor_id": None, "actor_role": "system", "action": "retention",
            "entity": "person", "entity_id": None, "created_at": utcnow(),
            "changes": {"never_accepted": report.never_accepted, "cvs": report.cvs,
                        "after_follow_up": report.after_follow_up, "skipped": report.skipped},
        }])
    return report


def last_run(session: Session) -> AuditEntry | None:
    """The latest run that changed something in the session's city (the records page shows it)."""
    return session.execute(select(AuditEntry).where(AuditEntry.tenant_id == session_tenant_id(session),
                                                    AuditEntry.action == "retention")
                           .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(1)).scalar_one_or_none()


def periods_of(session: Session) -> Periods:
    """The session's city's periods: its published notice's, else the defaults."""
    return retention_periods(session)


def in_every_city(session: Session, *, dry_run: bool = False) -> dict[str, Report]:
    """Each city's periods applied on the city's own today: the nightly job and `flask apply-retention`."""
    from mentorby.platform import clock
    from mentorby.platform.cities.services import in_each_city

    reports = {}
    for city in in_each_city(session):
        reports[city.slug] = apply(session, periods_of(session), clock.today(city), dry_run=dry_run)
    return reports


def register(app) -> None:
    """The command that applies the periods now: `flask --app wsgi apply-retention [--dry-run]`."""
    import click

    from mentorby.platform.extensions import db

    @app.cli.command("apply-retention")
    @click.option("--dry-run", is_flag=True, help="Count what would be erased; change nothing.")
    def apply_retention(dry_run: bool):
        """Apply every city's retention periods (the nightly job) and print what was done."""
        reports = in_every_city(db.session, dry_run=dry_run)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
        click.echo(f"{'city':<30} {'never accepted':>15} {'CVs':>6} {'after follow-up':>16} {'skipped':>8}")
        for slug, report in reports.items():
            click.echo(f"{slug:<30} {report.never_accepted:>15} {report.cvs:>6} {report.after_follow_up:>16} "
                       f"{report.skipped:>8}")
        click.echo("Nothing was changed (dry run)." if dry_run else "Done.")
