"""E-mail delivery through a real SMTP server (aiosmtpd on localhost), and the console fallback."""

import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler

from mentorby.platform.outbox.models import FAILED, QUEUED, SENT, OutboxMessage
from mentorby.platform.outbox.services import IN_FLIGHT, deliver, queue_mail, requeue_lost
from mentorby.platform.tenancy import cross_tenant, utcnow


class Inbox(MessageHandler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


@pytest.fixture
def smtp_server(app):
    inbox = Inbox()
    with socket.socket() as probe:  # a free port: aiosmtpd checks its own start-up by connecting to it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        yield inbox
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)
        controller.stop()


def _message(db, message_id):
    db.session.expire_all()
    with cross_tenant(db.session):
        return db.session.get(OutboxMessage, message_id)


def test_mail_goes_through_smtp(app, db, smtp_server):
    message = queue_mail(db.session, to="olga@odense.example", subject="Hej", body="Velkommen", kind="test",
                         tenant_id=None)
    message_id = message.id  # platform mail is invisible to a session without a city after commit
    db.session.commit()
    assert deliver(db.session, message_id) == "sent"
    assert _message(db, message_id).status == SENT
    (received,) = smtp_server.messages
    assert received["To"] == "olga@odense.example" and received["Subject"] == "Hej"
    assert deliver(db.session, message_id) == "skipped"  # a retry never sends twice


def test_unreachable_server_keeps_the_message_for_retries_then_gives_up(app, db):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
    try:
        message_id = queue_mail(db.session, to="a@b.example", subject="x", body="y", kind="test", tenant_id=None).id
        db.session.commit()
        with pytest.raises(OSError):
            deliver(db.session, message_id)
        stored = _message(db, message_id)
        assert (stored.status, stored.attempts) == (QUEUED, 1) and stored.last_error
        for _ in range(4):  # the failed attempt gave the message back: each retry tries again
            with pytest.raises(OSError):
                deliver(db.session, message_id)
    finally:
        app.config.update(MAIL_SERVER=None, MAIL_PORT=25)
    assert (_message(db, message_id).status, _message(db, message_id).attempts) == (FAILED, 5)


def test_without_a_mail_server_mail_is_logged(app, db, caplog):
    message_id = queue_mail(
        db.session, to="a@b.example", subject="Link", body="http://x/invite/1", kind="test", tenant_id=None
    ).id
    db.session.commit()
    assert deliver(db.session, message_id) == "sent"
    assert "http://x/invite/1" in caplog.text


def test_a_message_being_sent_is_not_sent_again_by_a_second_delivery(app, db, smtp_server):
    message_id = queue_mail(db.session, to="a@b.example", subject="Late", body="y", kind="test", tenant_id=None).id
    db.session.commit()
    with cross_tenant(db.session):
        # What an attempt in progress has committed before talking to the mail server (or left behind when its
        # worker was killed mid-send): the message taken, the attempt counted.
        db.session.get(OutboxMessage, message_id).last_attempt_at = utcnow()
        db.session.get(OutboxMessage, message_id).attempts = 1
        db.session.flush()  # within the cross-city read: platform mail has no city
    db.session.commit()
    # A second delivery meanwhile (the task handed over twice, another worker, a requeue) sends nothing ...
    assert deliver(db.session, message_id) == "skipped"
    assert smtp_server.messages == []
    # ... and once the attempt's time is up, the message is tried again.
    assert deliver(db.session, message_id, now=utcnow() + IN_FLIGHT + timedelta(seconds=1)) == "sent"
    assert (_message(db, message_id).attempts, len(smtp_server.messages)) == (2, 1)


def test_a_failed_message_sent_again_is_not_held_by_its_last_attempt(app, db, smtp_server):
    from mentorby.platform.outbox.services import send_again

    message_id = queue_mail(db.session, to="a@b.example", subject="Again", body="y", kind="test", tenant_id=None).id
    db.session.commit()
    with cross_tenant(db.session):
        message = db.session.get(OutboxMessage, message_id)
        message.status, message.attempts, message.last_attempt_at = FAILED, 5, utcnow()
        send_again(db.session, message)
    db.session.commit()
    assert deliver(db.session, message_id) == "sent"
    assert requeue_lost(db.session, utcnow()) == 0
