"""E-mail delivery through a real SMTP server (aiosmtpd on localhost), and the console fallback."""

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler

from mentorby.platform.outbox.models import FAILED, QUEUED, SENT, OutboxMessage
from mentorby.platform.outbox.services import deliver, queue_mail
from mentorby.platform.tenancy import cross_tenant


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
        for _ in range(4):
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
