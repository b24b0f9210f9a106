"""A city's own wording of its e-mails: saved per kind and language, previewed with sample values, reset."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorby.platform.outbox.kinds import LOCALES, MailKind, check, kinds, render_custom, starter
from mentorby.platform.outbox.models import MailTemplate


def saved(session: Session) -> dict[tuple[str, str], MailTemplate]:
    """The city's own wordings, by (kind, locale) (one query)."""
    return {(row.kind, row.locale): row for row in session.execute(select(MailTemplate)).scalars()}


def wording(session: Session, kind: MailKind, locale: str) -> MailTemplate | None:
    """The city's own wording of `kind` in `locale`, if any."""
    return session.execute(select(MailTemplate).where(MailTemplate.kind == kind.name,
                                                      MailTemplate.locale == locale)).scalar_one_or_none()


def current(session: Session, kind: MailKind, locale: str) -> tuple[str, str]:
    """What the editor starts from: the city's wording, else the platform's with its variables in place."""
    own = wording(session, kind, locale)
    return (own.subject, own.body) if own is not None else starter(kind, locale)


def save(session: Session, kind: MailKind, locale: str, subject: str, body: str) -> MailTemplate:
    """Save the city's wording of `kind` in `locale` after checking it renders with the kind's variables only."""
    subject, body = (subject or "").strip(), (body or "").replace("\r\n", "\n")
    check(kind, subject, body)
    row = wording(session, kind, locale)
    if row is None:
        row = MailTemplate(kind=kind.name, locale=locale, subject=subject, body=body)
        session.add(row)
    else:
        row.subject, row.body = subject, body
    session.flush()
    return row


def reset(session: Session, kind: MailKind, locale: str) -> bool:
    """Go back to the platform's wording; whether the city had its own."""
    row = wording(session, kind, locale)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def preview(kind: MailKind, subject: str, body: str) -> tuple[str, str]:
    """The wording filled in with the kind's sample values (refused like `save` when it would not render)."""
    subject, body = (subject or "").strip(), (body or "").replace("\r\n", "\n")
    check(kind, subject, body)
    return render_custom(subject, body, {name: kind.sample.get(name, "") for name in kind.variables})


__all__ = ["LOCALES", "current", "kinds", "preview", "reset", "save", "saved", "wording"]
