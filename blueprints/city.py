"""A city's public front page."""

from flask import g
from flask_babel import get_locale
from jinja2_fragments.flask import render_block
from markupsafe import Markup

from mentorby.blueprints.common import PUBLIC, CityBlueprint, Kept, kept_for_visitors, render
from mentorby.platform import clock
from mentorby.platform.extensions import db
from mentorby.tenants.cohorts.services import open_cohorts
from mentorby.tenants.partners.services import list_partners
from mentorby.tenants.programme.services import events
from mentorby.tenants.public_page import changed_here

bp = CityBlueprint("city", __name__, access=PUBLIC)

#: The listed parts of the front page each web worker keeps, most recently used last: about 3 KB each, so 2,048
#: (a thousand cities in both languages) stay under 10 MB a worker.
LISTED_KEPT = 2048
_LISTED = ("timeline", "rounds", "partners")
_KEPT = Kept("city.listed", LISTED_KEPT)


@bp.get("/")
@kept_for_visitors
def front():
    """What the programme is, how a round runs, how to apply, and the city's partners."""
    locale = str(get_locale())
    return render("city/front.html", city=g.city, locale=locale, listed=_listed(g.city, locale))


def _listed(city, locale: str) -> dict:
    """The joint events, the open rounds and the public partners, rendered; kept under the city's public stamp.

    The stamp changes with every commit that changed what is listed (tenants/public_page.py); the day is in the key
    because a round stops taking applications after its last day to apply. The kept parts are the same for everyone:
    what depends on who is asking (their roles, the CSRF token) is rendered around them on every request.
    """
    key = (city.id, city.public_stamp, city.slug, locale, clock.today())
    fresh = not changed_here(db.session, city.id)
    parts = _KEPT.get(key) if fresh else None
    if parts is not None:
        return parts
    now_open = open_cohorts(db.session)
    context = {"city": city, "locale": locale, "events": events(db.session), "open_cohorts": now_open,
               "partners": list_partners(db.session, public_only=True, limit=60)}
    parts = {name: Markup(render_block("city/_listed.html", name, **context)) for name in _LISTED}
    parts["any_open"] = bool(now_open)
    return _KEPT.put(key, parts) if fresh else parts
