import re

from sqlalchemy import select

from mentorby.platform.outbox.models import OutboxMessage
from mentorby.platform.tenancy import cross_tenant

LINK = re.compile(r"http://localhost(/\S+)")


def last_mail(db, to: str) -> OutboxMessage:
    db.session.expire_all()
    with cross_tenant(db.session):
        return db.session.execute(
            select(OutboxMessage).where(OutboxMessage.to_email == to).order_by(OutboxMessage.id.desc())
        ).scalars().first()


def link_in(message: OutboxMessage) -> str:
    return LINK.search(message.body).group(1)
