"""E-mail through the task queue against a real SMTP server (aiosmtpd on localhost) that refuses, then accepts."""

import socket
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller

from mentorby.platform.config import load_config
from mentorby.platform.outbox.models import FAILED, QUEUED, SENT, OutboxMessage
from mentorby.platform.outbox.services import enqueue_pending, queue_template_mail, requeue_lost, send_again
from mentorby.platform.tasks import deliver_message, huey, immediate_default
from mentorby.platform.tenancy import cross_tenant, utcnow
from tests.factories import MailTemplateFactory


class Moody:
    """An SMTP server's DATA handler: refuses with `reply` for the first `refusals` messages, then accepts."""

    def __init__(self, refusals: int, reply: str = "451 4.3.0 Mailbox busy, try again later"):
        self.refusals, self.reply, self.received, self.tries = refusals, reply, [], 0

    async def handle_DATA(self, server, session, envelope):
        self.tries += 1
        if self.tries <= self.refusals:
            return self.reply
        self.received.append(envelope.content.decode("utf8", "replace"))
        return "250 OK"


@pytest.fixture
def smtp(app):
    servers = []

    def start(refusals: int, reply: str = "451 4.3.0 Mailbox busy, try again later") -> Moody:
        handler = Moody(refusals, reply)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        servers.append(controller)
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        return handler

    yield start
    app.config.update(MAIL_SERVER=None, MAIL_PORT=25)
    for controller in servers:
        controller.stop()


def _row(db, message_id) -> OutboxMessage:
    db.session.expire_all()
    with cross_tenant(db.session):
        return db.session.get(OutboxMessage, message_id)


def _queue(db, city, to="amira@example.org"):
    from datetime import date

    with cross_tenant(db.session):
        message = queue_template_mail(db.session, to=to, kind="invitation", template="invitation", tenant_id=city.id,
                                      locale="en", name="Amira", city=city, role="mentee", link="https://x/invite/1",
                                      until=date(2027, 1, 7), accepted_to=None)
    return message.id


def _retries_due():
    """What a huey consumer would run once the retry delay has passed (the immediate queue only schedules them)."""
    return huey.read_schedule(datetime.now(UTC).replace(tzinfo=None) + timedelta(hours=1))


def test_a_refused_send_is_retried_by_the_queue_then_sent(app, db, host_city, smtp):
    server = smtp(refusals=1)
    message_id = _queue(db, host_city)
    assert _row(db, message_id).status == QUEUED
    db.session.commit()
    enqueue_pending(db.session)  # what the app does after the request commits: the task runs (immediate in tests)
    stored = _row(db, message_id)
    assert (stored.status, stored.attempts) == (QUEUED, 1)
    assert "451" in stored.last_error and "try again later" in stored.last_error
    (retry,) = _retries_due()  # huey kept the task for another attempt, with a delay
    assert retry.retries == deliver_message.retries - 1
    huey.execute(retry, timestamp=retry.eta)
    stored = _row(db, message_id)
    assert (stored.status, stored.attempts, stored.last_error) == (SENT, 2, None)
    assert stored.sent_at is not None
    (received,) = server.received
    assert "Subject: Invitation to" in received and "To: amira@example.org" in received


def test_a_permanent_refusal_fails_at_once_and_the_message_is_kept(app, db, host_city, smtp):
    smtp(refusals=99, reply="550 5.1.1 No such mailbox")
    message_id = _queue(db, host_city, to="nobody@example.org")
    db.session.commit()
    enqueue_pending(db.session)
    assert _retries_due() == []  # a 5xx is final: trying again changes nothing
    stored = _row(db, message_id)
    assert (stored.status, stored.attempts) == (FAILED, 1) and "550" in stored.last_error
    # Kept, and the coordinator can send it again once the address is put right: five new attempts.
    with cross_tenant(db.session):
        send_again(db.session, stored)
    assert (stored.status, stored.attempts) == (QUEUED, 0)


def test_temporary_refusals_end_as_failed_after_five_attempts(app, db, host_city, smtp):
    smtp(refusals=99)
    message_id = _queue(db, host_city, to="busy@example.org")
    db.session.commit()
    enqueue_pending(db.session)
    for _ in range(deliver_message.retries):
        (retry,) = _retries_due()
        huey.execute(retry, timestamp=retry.eta)
    assert _retries_due() == []  # the queue has given up
    stored = _row(db, message_id)
    assert (stored.status, stored.attempts) == (FAILED, 5) and "451" in stored.last_error


def test_a_lost_message_is_handed_to_the_queue_again(app, db, host_city):
    message_id = _queue(db, host_city)
    db.session.info.pop("mentorby.outbox_pending", None)  # as if the queue lost it
    with cross_tenant(db.session):
        assert requeue_lost(db.session, utcnow()) == 0  # too young to be lost
        assert requeue_lost(db.session, utcnow() + timedelta(hours=2)) == 1
    assert db.session.info["mentorby.outbox_pending"] == [message_id]


def test_production_never_sends_inside_a_web_request(monkeypatch):
    monkeypatch.setenv("MENTORBY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("REDIS_URL", "redis://localhost:6379/0")
    monkeypatch.delenv("HUEY_IMMEDIATE", raising=False)
    assert load_config()["HUEY_IMMEDIATE"] is False
    assert immediate_default({"MENTORBY_ENV": "production"}) is False
    assert immediate_default({"MENTORBY_ENV": "development"}) is True


def test_the_citys_wording_is_used_in_the_recipients_language(app, db, host_city, other_city):
    MailTemplateFactory(city=host_city, locale="en", subject="Join {{ city }}, {{ name }}",
                        body="Your role: {{ role }}. Until {{ until }}: {{ link }}")
    with app.test_request_context():
        message_id = _queue(db, host_city)
        other_id = _queue(db, other_city)
    mine = _row(db, message_id)
    assert mine.subject == "Join Lyngby-Taarbæk Vidensby, Amira"
    assert mine.body == "Your role: mentee. Until 7 January 2027: https://x/invite/1"
    # Another city keeps the platform's wording.
    assert _row(db, other_id).subject == "Invitation to Aarhus Career Mentoring"
