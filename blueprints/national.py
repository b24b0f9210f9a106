"""The national layer's pages: aggregate figures across cities, never names of people."""


from mentorby.blueprints.common import PlatformBlueprint, national_stakeholder, render
from mentorby.platform.extensions import db
from mentorby.platform.national.figures import adoption

bp = PlatformBlueprint("national", __name__, url_prefix="/national", access=national_stakeholder)


@bp.get("/")
def overview():
    """How many cities run the programme and how many are on their way."""
    return render("national/overview.html", figures=adoption(db.session))
