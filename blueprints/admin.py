"""The platform admin's pages: approving and suspending cities, the outbox, the platform audit log."""

from flask import abort, current_app, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block

from mentorby.blueprints import audit as audit_words  # noqa: F401 (registers every table's words in the log)
from mentorby.blueprints.common import PlatformBlueprint, attempt, paginate, platform_admin, render
from mentorby.blueprints.messages import text_for
from mentorby.platform.audit import services as audit_log
from mentorby.platform.audit.describe import tell
from mentorby.platform.cities import services as city_rules
from mentorby.platform.cities.models import PENDING, CityStatus, Tenant
from mentorby.platform.extensions import db, htmx
from mentorby.platform.outbox import services as outbox_mail
from mentorby.platform.rules import RuleError
from mentorby.platform.tenancy import cross_tenant
from mentorby.tenants.programme.services import open_city

bp = PlatformBlueprint("admin", __name__, url_prefix="/platform", access=platform_admin)


def _listed() -> CityStatus:
    """The status tab the admin is on (pending sign-ups unless the address says otherwise)."""
    return CityStatus.get(request.args.get("status"), PENDING)


def _tabs() -> dict:
    return {"counts": city_rules.status_counts(db.session), "statuses": list(CityStatus), "CityStatus": CityStatus,
            "actions_for": city_rules.actions_for}


@bp.get("/cities")
def cities():
    """Cities by status; pending sign-ups first."""
    status = _listed()
    return render("admin/cities.html", "city_list", page=paginate(city_rules.by_status(status)), status=status,
                  **_tabs())


def _row(city: Tenant, code: int = 200, **context):
    """The city's row in place, and the status tabs' counts out of band (hx-swap-oob), so none stays stale."""
    listed, tabs = _listed(), _tabs()
    body = render_block("admin/cities.html", "city_row", city=city, status=listed, **tabs, **context) + render_block(
        "admin/cities.html", "status_tabs", oob=True, status=listed, **tabs)
    return make_response(body, code)


@bp.post("/cities/<int:city_id>/<action>")
def decide(city_id: int, action: str):
    """Approve, reject, suspend or reinstate a city (inline with htmx, or as a plain form post)."""
    if action not in city_rules.TRANSITIONS:
        abort(404)
    city = db.session.get(Tenant, city_id) or abort(404)
    try:
        with attempt():
            if action == "approve":
                open_city(db.session, city, host_slug=current_app.config["HOST_CITY_SLUG"], approved_by=current_user)
            else:
                city_rules.change_status(city, action)
    except RuleError as error:
        if htmx:
            return _row(city, 409, error=text_for(error))
        flash(text_for(error), "error")
        return redirect(url_for("admin.cities", status=city.status)), 303
    if htmx:
        return _row(city, done=True)
    flash(_("%(city)s is now %(status)s.", city=city.name, status=city.status.label), "info")
    return redirect(url_for("admin.cities", status=city.status))


@bp.get("/outbox")
def outbox():
    """E-mails the platform has sent or is about to send (bodies only outside production)."""
    with cross_tenant(db.session):
        page = paginate(outbox_mail.newest_first())
    return render("admin/outbox.html", page=page, show_bodies=current_app.config["ENV_NAME"] != "production")


@bp.get("/audit")
def audit():
    """Changes across the platform as sentences: people's accounts, and the cities' approvals and suspensions."""
    with cross_tenant(db.session):
        page = paginate(audit_log.platform_entries())
        lines = tell(db.session, page.items)
    return render("admin/audit.html", page=page, lines=lines)
