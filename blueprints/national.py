"""The national layer's pages: aggregate figures across cities, never names of people."""

from flask import Blueprint

from mentorby.blueprints.common import national_required, render
from mentorby.platform.extensions import db
from mentorby.platform.national.figures import adoption

bp = Blueprint("national", __name__, url_prefix="/national")


@bp.get("/")
@national_required
def overview():
    """How many cities run the programme and how many are on their way."""
    return render("national/overview.html", figures=adoption(db.session))
