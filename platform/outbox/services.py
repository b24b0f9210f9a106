"""Queue e-mails in the request's transaction; hand them to the task queue after commit."""

import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from mentorby.platform.outbox.kinds import LOCALES, kind_of, render_custom
from mentorby.platform.outbox.models import FAILED, QUEUED, SENT, MailTemplate, OutboxMessage, OutboxStatus
from mentorby.platform.rules import RuleError
from mentorby.platform.tenancy import cross_tenant, tenant_scope, utcnow


class OutboxError(RuleError):
    """A refused action on the outbox."""

    area = "communications"


PENDING_KEY = "mentorby.outbox_pending"
#: Tasks to hand to the queue once the request's transaction commits: (task, arguments).
TASKS_KEY = "mentorby.tasks_pending"


def newest_first():
    """Every e-mail of the platform and its cities, newest first: a select for paging (run it across cities)."""
    return select(OutboxMessage).order_by(OutboxMessage.id.desc())


def queue_mail(
    session: Session, *, to: str, subject: str, body: str, kind: str, tenant_id: int | None
) -> OutboxMessage:
    """Write an e-mail to the outbox; it is delivered only if the transaction commits."""
    message = OutboxMessage(to_email=to, subject=subject, body=body, kind=kind, tenant_id=tenant_id)
    # Platform mail (tenant_id None) is readable by no city; writing it is an explicit cross-city act.
    with cross_tenant(session):
        session.add(message)
        session.flush()
    session.info.setdefault(PENDING_KEY, []).append(message.id)
    return message


def queue_template_mail(session: Session, *, to: str, kind: str, template: str, tenant_id: int | None, locale: str,
                        **context) -> OutboxMessage:
    """Render the e-mail in the recipient's language and queue it.

    A city's own wording of the template (a MailTemplate, for an editable kind) is used when it has one; otherwise
    mail/<template>.subject.txt and .txt.
    """
    custom = city_wording(session, tenant_id, template, locale)
    with force_locale(locale):
        if custom is not None:
            subject, body = render_custom(custom.subject, custom.body, kind_of(template).plain(context))
        else:
            subject = render_template(f"mail/{template}.subject.txt", **context).strip()
            body = render_template(f"mail/{template}.txt", **context)
    return queue_mail(session, to=to, subject=subject, body=body, kind=kind, tenant_id=tenant_id)


def city_wording(session: Session, tenant_id: int | None, template: str, locale: str) -> MailTemplate | None:
    """The city's own wording of an editable kind of e-mail in `locale`, if it saved one."""
    if tenant_id is None or kind_of(template) is None:
        return None
    locale = locale if locale in LOCALES else "en"
    with tenant_scope(session, tenant_id):
        return session.execute(select(MailTemplate).where(
            MailTemplate.tenant_id == tenant_id, MailTemplate.kind == template, MailTemplate.locale == locale)
        ).scalar_one_or_none()


# --- a city's outbox ---------------------------------------------------------------------------------------------


def city_outbox(tenant_id: int, status: OutboxStatus | None = None):
    """A city's e-mails, newest first, of one status or all: a select for paging."""
    query = select(OutboxMessage).where(OutboxMessage.tenant_id == tenant_id)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return query.order_by(OutboxMessage.id.desc())


def status_counts(session: Session, tenant_id: int) -> dict[OutboxStatus, int]:
    """How many of the city's e-mails are in each status (one query)."""
    rows = session.execute(select(OutboxMessage.status, func.count()).where(OutboxMessage.tenant_id == tenant_id)
                           .group_by(OutboxMessage.status))
    counts = dict.fromkeys(OutboxStatus, 0)
    counts.update({OutboxStatus(status): number for status, number in rows})
    return counts


def message_of_city(session: Session, tenant_id: int, message_id: int) -> OutboxMessage | None:
    """One of the city's e-mails (another city's, or platform mail, is None)."""
    return session.execute(select(OutboxMessage).where(OutboxMessage.id == message_id,
                                                       OutboxMessage.tenant_id == tenant_id)).scalar_one_or_none()


def send_again(session: Session, message: OutboxMessage) -> None:
    """Give a failed e-mail five new attempts; it goes to the task queue when the request commits."""
    if message.status != FAILED:
        raise OutboxError("not_failed")
    message.status, message.attempts, message.last_attempt_at = QUEUED, 0, None
    session.flush()
    session.info.setdefault(PENDING_KEY, []).append(message.id)


#: A message still queued this long after its last attempt was lost by the queue (a worker or Redis restarted).
LOST_AFTER = timedelta(hours=1)


def requeue_lost(session: Session, now) -> int:
    """Hand the queue again the e-mails it lost (queued, untouched for LOST_AFTER); returns how many."""
    with cross_tenant(session):
        lost = list(session.execute(select(OutboxMessage.id).where(
            OutboxMessage.status == QUEUED, OutboxMessage.created_at < now - LOST_AFTER,
            (OutboxMessage.last_attempt_at.is_(None)) | (OutboxMessage.last_attempt_at < now - LOST_AFTER))
        ).scalars())
    session.info.setdefault(PENDING_KEY, []).extend(lost)
    return len(lost)


def enqueue_pending(session: Session) -> None:
    """After a commit: give the committed messages to the task queue."""
    from mentorby.platform.tasks import deliver_message

    pending = session.info.pop(PENDING_KEY, [])
    for message_id in pending:
        deliver_message(message_id)
    for task, arguments in session.info.pop(TASKS_KEY, []):
        task(*arguments)


def discard_pending(session: Session) -> None:
    """After a rollback: the messages were never written, so nothing is queued."""
    session.info.pop(PENDING_KEY, None)
    session.info.pop(TASKS_KEY, None)


def queue_task(session: Session, task, *arguments) -> None:
    """Hand `task(*arguments)` to the task queue if, and once, the transaction commits."""
    session.info.setdefault(TASKS_KEY, []).append((task, arguments))


def _send_smtp(message: OutboxMessage) -> None:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config["MAIL_SENDER"]
    email["To"] = message.to_email
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(email)


def _permanent(exc: Exception) -> bool:
    """Whether an SMTP refusal is final: a 5xx reply to the message or to every recipient."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


#: How long an attempt in progress holds its message. Another delivery of the same message meanwhile (a task handed
#: over twice, a second worker, a requeue) finds it taken and sends nothing. An attempt that ends gives the message
#: back at once (sent, or failed with its error, for the retry); one whose worker died holds it this long.
IN_FLIGHT = timedelta(minutes=10)


def deliver(session: Session, message_id: int, now: datetime | None = None) -> str:
    """Send one queued message by SMTP, or to the console when no mail server is configured.

    The message is taken first, in a transaction of its own that counts the attempt: of two deliveries of one
    message at once, one sends and the other is "skipped", whichever worker runs them.
    """
    now = now or utcnow()
    with cross_tenant(session):
        taken = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == QUEUED,
                   # Never tried, the last attempt ended in an error, or it was taken so long ago that it died.
                   OutboxMessage.last_attempt_at.is_(None) | OutboxMessage.last_error.is_not(None)
                   | (OutboxMessage.last_attempt_at < now - IN_FLIGHT))
            .values(attempts=OutboxMessage.attempts + 1, last_attempt_at=now, last_error=None)
            .execution_options(synchronize_session=False)).rowcount
        session.commit()
        if not taken:
            return "skipped"
        message = session.execute(select(OutboxMessage).where(OutboxMessage.id == message_id)).scalar_one()
        try:
            if current_app.config["MAIL_SERVER"]:
                _send_smtp(message)
            else:
                current_app.logger.warning(
                    "E-mail (no MAIL_SERVER set) to %s: %s\n%s", message.to_email, message.subject, message.body
                )
        except (OSError, smtplib.SMTPException) as exc:
            message.last_error = str(exc)[:1000]
            if _permanent(exc):
                # The server said no for good (a 5xx: no such mailbox, refused): trying again changes nothing.
                message.status = FAILED
                session.commit()
                return "failed"
            message.status = FAILED if message.attempts >= 5 else QUEUED
            session.commit()
            raise
        message.status = SENT
        message.sent_at = utcnow()
        message.last_error = None
        session.commit()
    return "sent"
