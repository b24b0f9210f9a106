"""A mentee's CV: what an upload must be (the rules the schema refers to) and how it is kept with the application."""

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy.orm import Session

from mentorby.tenants.applications.errors import ApplicationError
from mentorby.tenants.applications.models import Application, CvDocument
from mentorby.tenants.applications.pdf import PdfProblem, check_pdf

#: A CV is a PDF of at most this many bytes.
CV_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Upload:
    """An uploaded file as the HTTP layer hands it over."""

    filename: str
    data: bytes


def check_cv(upload: Upload, max_bytes: int = CV_MAX_BYTES) -> str:
    """The cleaned file name of an acceptable CV; refuses empty, oversized and non-PDF files."""
    if not upload.data:
        raise ApplicationError("cv_empty", "cv")
    if len(upload.data) > max_bytes:
        raise ApplicationError("cv_too_large", "cv", megabytes=max_bytes // (1024 * 1024))
    # The content decides, not the name or the browser's content type: the file is parsed as a PDF, and one that
    # can act (scripts, launches, attachments) or unpacks into a bomb is refused (tenants/applications/pdf.py).
    try:
        check_pdf(upload.data)
    except PdfProblem as problem:
        raise ApplicationError(f"cv_{problem.reason}", "cv") from None
    name = unicodedata.normalize("NFKC", upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^\w.\- ]", "_", name).strip(" .")[:150] or "cv"
    return name if name.lower().endswith(".pdf") else name + ".pdf"


def attach_cv(session: Session, application: Application, upload: Upload) -> None:
    """Keep a checked CV with its application, in place of the one it had."""
    if application.cv is not None:
        # Deleted first: one CV per application is a unique key, and a flush would insert the new one first.
        session.delete(application.cv)
        session.flush()
    data = upload.data
    application.cv = CvDocument(filename=upload.filename, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                                content=data)
    session.flush()


def replace_cv(session: Session, application: Application, upload: Upload) -> None:
    """Swap the CV of an application for a new PDF (checked here)."""
    attach_cv(session, application, Upload(check_cv(upload), upload.data))
