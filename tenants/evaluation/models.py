"""What the evaluation keeps: a round's report as a PDF, built in the task queue with its progress."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column

from mentorby.platform.extensions import db
from mentorby.platform.privacy.records import (
    OPINIONS,
    PARTICIPANTS,
    Basis,
    Erase,
    Erasure,
    Personal,
    Purpose,
    Recipient,
    Retention,
    Whose,
)
from mentorby.platform.tenancy import TenantOwned, UTCDateTime, tenant_fk, utcnow
from mentorby.platform.vocab import Vocabulary, VocabularyType

#: Days a report is kept after it was made (it quotes people's words), then deleted.
REPORT_DAYS = 30


class ReportState(Vocabulary):
    """Where the building of a report stands."""

    QUEUED = "queued", _l("Waiting to start")
    GATHERING = "gathering", _l("Counting the answers")
    DRAWING = "drawing", _l("Drawing the charts and tables")
    PRINTING = "printing", _l("Making the PDF")
    DONE = "done", _l("Ready")
    FAILED = "failed", _l("Did not finish")


QUEUED, GATHERING, DRAWING, PRINTING, DONE, FAILED = ReportState
#: States of a report that is still being built.
RUNNING = (QUEUED, GATHERING, DRAWING, PRINTING)


class EvaluationReport(TenantOwned, db.Model):
    """A round's evaluation report as a PDF: built in the background, downloaded when done."""

    __tablename__ = "evaluation_report"
    __personal__ = Personal(_l("Evaluation reports"), Purpose.EVALUATION, Basis.PUBLIC_TASK,
                            PARTICIPANTS, (Recipient.COORDINATORS,), {"pdf": OPINIONS},
                            Retention.DAYS, REPORT_DAYS,
                            erase=Erasure(Erase.DELETE, Whose.ROUND, ("cohort_id",)))
    __not_personal__ = ("locale",)
    __tenant_table_args__ = (
        tenant_fk("cohort_id", "cohort"),
        CheckConstraint(f"state in {ReportState.codes()}", name="state"),
        CheckConstraint("progress between 0 and 100", name="progress"),
        Index(None, "tenant_id", "cohort_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(Integer, nullable=False)
    #: The coordinator who asked for it.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: The language it is written in (the page's when it was asked for).
    locale: Mapped[str] = mapped_column(String(5), nullable=False, default="da")
    state: Mapped[ReportState] = mapped_column(VocabularyType(ReportState, 10), nullable=False, default=QUEUED)
    #: Percent done, for the progress bar.
    progress: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    #: The PDF once done (loaded only for the download).
    pdf: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    size: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    #: When the state last changed: a report that has not moved for long was lost (a worker stopped).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<EvaluationReport {self.id} of city {self.tenant_id}: {self.state}>"
