"""What the import keeps: a job per uploaded file that is checked or imported in the task queue."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from mentorby.platform.extensions import db
from mentorby.platform.privacy.records import (
    IDENTITY,
    Basis,
    Erase,
    Erasure,
    Personal,
    Purpose,
    Recipient,
    Retention,
    Subject,
    Whose,
)
from mentorby.platform.tenancy import TenantOwned, UTCDateTime, tenant_fk, utcnow

CHECK, IMPORT = "check", "import"
ACTIONS = (CHECK, IMPORT)
QUEUED, READING, CHECKING, WRITING, DONE, FAILED = "queued", "reading", "checking", "writing", "done", "failed"
STATES = (QUEUED, READING, CHECKING, WRITING, DONE, FAILED)
#: States of a job that has not finished.
RUNNING = (QUEUED, READING, CHECKING, WRITING)

#: Days a finished import job (its file and report hold personal data) is kept, then deleted.
IMPORT_DAYS = 7


class ImportJob(TenantOwned, db.Model):
    """A spreadsheet being checked or imported in the background, with its progress and, once done, its report."""

    __tablename__ = "import_job"
    __personal__ = Personal(_l("Imports of people"), Purpose.RECRUITMENT, Basis.CONSENT,
                            (Subject.APPLICANTS, Subject.MENTEES, Subject.MENTORS), (Recipient.COORDINATORS,),
                            {"data": IDENTITY, "report": IDENTITY}, Retention.DAYS_IDLE, IMPORT_DAYS,
                            erase=Erasure(Erase.REDACT, Whose.EMAIL, ("data", "report")))
    __not_personal__ = ("action", "filename", "state", "consent_channel", "consent_version")
    __tenant_table_args__ = (
        tenant_fk("cohort_id", "cohort"),
        CheckConstraint(f"action in {ACTIONS}", name="action"),
        CheckConstraint(f"state in {STATES}", name="state"),
        CheckConstraint("progress >= 0 and total >= 0", name="progress"),
        Index(None, "tenant_id", "cohort_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(Integer, nullable=False)
    #: The coordinator who uploaded the file; the audit log names them for every application written.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: check (the dry run) or import (all rows or none).
    action: Mapped[str] = mapped_column(String(6), nullable=False)
    #: For an import: the coordinator confirmed that the people in the file agreed to the data-processing text.
    consent_confirmed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    #: For an import: the day and the channel (ConsentChannel) the coordinator stated for the rows whose file does
    #: not say how and when the city collected the person's consent.
    consent_on: Mapped[date | None] = mapped_column(Date)
    consent_channel: Mapped[str] = mapped_column(String(12), nullable=False, default="")
    #: The consent version the imported people are recorded as having agreed to (the text and the city's notice
    #: when the file was uploaded).
    consent_version: Mapped[str] = mapped_column(String(20), nullable=False, default="")
    #: The name the file had on the coordinator's machine, as sent (for the page only).
    filename: Mapped[str] = mapped_column(String(200), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    #: The file itself until the job has run; then removed (the applications, or the report, are what is kept).
    data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    state: Mapped[str] = mapped_column(String(8), nullable=False, default=QUEUED)
    #: Rows checked so far, of `total` rows read.
    progress: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: The report once done (checks.Summary.to_json()): its figures, the file's problems, the first cell problems.
    report: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: When the state last changed: a running job that has not moved for long was lost (a worker stopped).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
