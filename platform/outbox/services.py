"""Queue e-mails in the request's transaction; hand them to the task queue after commit."""

import smtplib
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorby.platform.outbox.models import FAILED, QUEUED, SENT, OutboxMessage
from mentorby.platform.tenancy import cross_tenant, utcnow

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
    """Render mail/<template>.subject.txt and .txt in the recipient's language and queue the e-mail."""
    with force_locale(locale):
        subject = render_template(f"mail/{template}.subject.txt", **context).strip()
        body = render_template(f"mail/{template}.txt", **context)
    return queue_mail(session, to=to, subject=subject, body=body, kind=kind, tenant_id=tenant_id)


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


def deliver(session: Session, message_id: int) -> str:
    """Send one queued message by SMTP, or to the console when no mail server is configured."""
    with cross_tenant(session):
        message = session.execute(select(OutboxMessage).where(OutboxMessage.id == message_id)).scalar_one_or_none()
        if message is None or message.status == SENT:
            return "skipped"
        message.attempts += 1
        try:
            if current_app.config["MAIL_SERVER"]:
                _send_smtp(message)
            else:
                current_app.logger.warning(
                    "E-mail (no MAIL_SERVER set) to %s: %s\n%s", message.to_email, message.subject, message.body
                )
        except (OSError, smtplib.SMTPException) as exc:
            message.last_error = str(exc)[:1000]
            message.status = FAILED if message.attempts >= 5 else QUEUED
            session.commit()
            raise
        message.status = SENT
        message.sent_at = utcnow()
        message.last_error = None
        session.commit()
    return "sent"
