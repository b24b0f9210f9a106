"""What a city's privacy notice may hold: its limits, stated once."""

from marshmallow import validate

from mentorby.platform.schemas import AreaSchema, number, text
from mentorby.tenants.privacy.models import PERIODS


class NoticeSchema(AreaSchema):
    """The privacy notice as a coordinator fills it in: the controller, the contacts, the retention periods."""

    controller_name = text(200, required=True)
    controller_address = text(300, required=True)
    contact_email = text(254, required=True)
    dpo_contact = text(300, required=True)
    extra_da = text(2000)
    extra_en = text(2000)
    never_accepted_days = number(*PERIODS["never_accepted_days"][1:], code="bad_retention_days")
    cv_days = number(*PERIODS["cv_days"][1:], code="bad_retention_days")
    after_followup_days = number(*PERIODS["after_followup_days"][1:], code="bad_retention_days")


NOTICE = NoticeSchema()
# An address has an @ with something on both sides (the mail server is the final judge).
NOTICE.fields["contact_email"].validators.append(validate.Email(error="bad_email"))
