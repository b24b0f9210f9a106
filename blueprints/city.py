"""A city's public front page."""

from flask import g
from flask_babel import get_locale

from mentorby.blueprints.common import PUBLIC, CityBlueprint, render
from mentorby.platform.extensions import db
from mentorby.tenants.cohorts.services import open_cohorts
from mentorby.tenants.partners.services import list_partners
from mentorby.tenants.programme.services import events

bp = CityBlueprint("city", __name__, access=PUBLIC)


@bp.get("/")
def front():
    """What the programme is, how a round runs, how to apply, and the city's partners."""
    return render(
        "city/front.html", city=g.city, locale=str(get_locale()), events=events(db.session),
        partners=list_partners(db.session, public_only=True, limit=60), open_cohorts=open_cohorts(db.session),
    )
