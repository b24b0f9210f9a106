"""What an event's venue, agenda and capacity may hold: the one statement of their limits."""

from mentorby.platform.schemas import AreaSchema, number, text


class EventDetailsSchema(AreaSchema):
    """The venue, agenda and capacity of a joint event."""

    address = text(200)
    room = text(120)
    agenda_da = text(4000)
    agenda_en = text(4000)
    capacity = number(1, 2000, code="bad_capacity", required=False)
