"""What the dissemination register takes: its limits, for the forms and the services."""

from mentorby.platform.adoption.models import Channel, OrganisationKind, Stage
from mentorby.platform.schemas import AreaSchema, choice, day, text


class ContactSchema(AreaSchema):
    """An organisation told about the programme."""

    name = text(160, required=True)
    kind = choice(OrganisationKind.codes())
    channel = choice([code for code in Channel.codes() if code != Channel.SIGNUP])
    informed_on = day(required=True)
    notes = text(2000)


class StageSchema(AreaSchema):
    """A step of an organisation's way to running the programme."""

    stage = choice(Stage.codes())
    changed_on = day(required=True)
    note = text(500)
