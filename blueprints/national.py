"""The national layer's pages: aggregate figures across cities, never names of people.

Every figure comes from the rollups (platform/national/models.py), never from a city's rows, and goes through the
small-cell suppression: a count of 1 to 4 people is "<5", and a figure that would give it back by subtraction is
hidden ("–").
"""

from flask import render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from mentorby.blueprints.common import (
    Kept,
    PlatformBlueprint,
    national_stakeholder,
    page_number,
    public,
    render,
)
from mentorby.platform.cities.models import Region
from mentorby.platform.extensions import db
from mentorby.platform.national.figures import (
    BadFilter,
    adoption,
    aggregates_only,
    national,
    parse_region,
    parse_year,
    years,
)
from mentorby.tenants.programme import defaults

#: The programme's success criteria by their stable codes, in words (the host city's model; a city's own criteria
#: show by their code).
_STATEMENTS = {criterion["code"]: (criterion["statement_da"], criterion["statement_en"])
               for criterion in defaults.CRITERIA}


def criterion_label(code: str) -> str:
    """A criterion's statement in the page's language, or its code for a city's own criterion."""
    statement = _STATEMENTS.get(code)
    if statement is None:
        return code
    return statement[0] if str(get_locale()) == "da" else statement[1]


bp = PlatformBlueprint("national", __name__, url_prefix="/national", access=national_stakeholder)


def region_label(code: str) -> str:
    """A region's name in the page's language ("Region not given" for cities that have not said)."""
    region = Region.get(code)
    return region.label if region is not None else _("Region not given")


#: The results tables each web worker keeps: every national reader of a year and region sees the same ones until
#: the rollups change (national() then gives new figures).
_KEPT = Kept("national.results", 64)


def kept_results(figures: dict, endpoint: str, caller) -> Markup:
    """The results tables, rendered once: a template calls it around the `results` macro (`{% call %}`).

    national() hands out the same figures object while the rollups stay the same, so its identity names them; the
    entry holds the figures, so their identity cannot pass to other figures while it is kept.
    """
    key = (id(figures), str(get_locale()), endpoint)
    kept = _KEPT.get(key)
    if kept is not None and kept[0] is figures:
        return kept[1]
    return _KEPT.put(key, (figures, Markup(caller())))[1]


def _bad_filter(message: str):
    return None, (render_template("errors/error.html", code=400, message=message), 400)


def _figures():
    """The national figures for the request's ?year= and ?region=, or a 400 page for a filter they do not know.

    The caller holds the national door open for the whole page (one switch of role, not one per read).
    """
    try:
        year = parse_year(request.args.get("year"), years(db.session))
    except BadFilter:
        return _bad_filter(_("There are no national figures for that year. Choose one of the years listed."))
    try:
        region = parse_region(request.args.get("region"))
    except BadFilter:
        return _bad_filter(_("There is no such region. Choose one of Denmark's five regions listed."))
    return national(db.session, year, region), None


@bp.get("/")
def overview():
    """How many cities run the programme, how many are on their way, and the results across cities."""
    with aggregates_only(db.session):
        figures, error = _figures()
        if error:
            return error
        cities = adoption(db.session, figures["region"], page_number())
    return render("national/overview.html", figures=cities, national=figures,
                  criterion_label=criterion_label, region_label=region_label, kept_results=kept_results)


@bp.get("/public")
@public
def headline():
    """The headline figures, for everyone: the same figures, suppressed the same way."""
    with aggregates_only(db.session):
        figures, error = _figures()
    if error:
        return error
    return render("national/public.html", national=figures, criterion_label=criterion_label,
                  region_label=region_label, kept_results=kept_results)
