"""The limits of an announcement, stated once (the form, the service)."""

from marshmallow import Schema

from mentorby.platform.schemas import text


class AnnouncementSchema(Schema):
    """An announcement's subject and body in Danish and English."""

    subject_da = text(200, required=True)
    body_da = text(20000, required=True)
    subject_en = text(200, required=True)
    body_en = text(20000, required=True)


ANNOUNCEMENT = AnnouncementSchema()
