"""The platform admin's pages: approving and suspending cities, the outbox, the platform audit log."""

from flask import abort, current_app, flash, make_response, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block
from sqlalchemy import func, or_, select

from mentorby.blueprints import audit as audit_words  # noqa: F401 (registers every table's words in the log)
from mentorby.blueprints.common import PlatformBlueprint, paginate, platform_admin, render
from mentorby.blueprints.messages import message, status_name
from mentorby.platform.audit.describe import tell
from mentorby.platform.audit.models import AuditEntry
from mentorby.platform.cities.models import CITY_STATUSES, PENDING, Tenant
from mentorby.platform.cities.services import TRANSITIONS, CityError, change_status
from mentorby.platform.extensions import db, htmx
from mentorby.platform.outbox.models import OutboxMessage
from mentorby.platform.tenancy import cross_tenant
from mentorby.tenants.programme.services import open_city

bp = PlatformBlueprint("admin", __name__, url_prefix="/platform", access=platform_admin)


@bp.get("/cities")
def cities():
    """Cities by status; pending sign-ups first."""
    status = request.args.get("status", PENDING)
    if status not in CITY_STATUSES:
        status = PENDING
    query = select(Tenant).where(Tenant.status == status).order_by(Tenant.created_at.desc(), Tenant.id.desc())
    return render("admin/cities.html", "city_list", page=paginate(query), status=status, counts=_counts(),
                  statuses=CITY_STATUSES)


def _counts() -> dict[str, int]:
    return dict(db.session.execute(select(Tenant.status, func.count()).group_by(Tenant.status)).all())


def _row(city: Tenant, code: int = 200, **context):
    """The city's row in place, and the status tabs' counts out of band (hx-swap-oob), so none stays stale."""
    listed = request.args.get("status", PENDING)
    listed = listed if listed in CITY_STATUSES else PENDING
    body = render_block("admin/cities.html", "city_row", city=city, status=listed, **context) + render_block(
        "admin/cities.html", "status_tabs", oob=True, counts=_counts(), statuses=CITY_STATUSES, status=listed)
    return make_response(body, code)


@bp.post("/cities/<int:city_id>/<action>")
def decide(city_id: int, action: str):
    """Approve, reject, suspend or reinstate a city (inline with htmx, or as a plain form post)."""
    if action not in TRANSITIONS:
        abort(404)
    city = db.session.get(Tenant, city_id) or abort(404)
    try:
        if action == "approve":
            open_city(db.session, city, host_slug=current_app.config["HOST_CITY_SLUG"], approved_by=current_user)
        else:
            change_status(city, action)
    except CityError as error:
        if htmx:
            return _row(city, 409, error=message(error.code))
        flash(message(error.code), "error")
        return redirect(url_for("admin.cities", status=city.status)), 303
    if htmx:
        return _row(city, done=True)
    flash(_("%(city)s is now %(status)s.", city=city.name, status=status_name(city.status)), "info")
    return redirect(url_for("admin.cities", status=city.status))


@bp.get("/outbox")
def outbox():
    """E-mails the platform has sent or is about to send (bodies only outside production)."""
    with cross_tenant(db.session):
        page = paginate(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
    return render("admin/outbox.html", page=page, show_bodies=current_app.config["ENV_NAME"] != "production")


@bp.get("/audit")
def audit():
    """Changes across the platform as sentences: people's accounts, and the cities' approvals and suspensions."""
    with cross_tenant(db.session):
        # A city's own row is logged under the city (tenant_id is its id); its status is the platform's business.
        page = paginate(select(AuditEntry).where(or_(AuditEntry.tenant_id.is_(None), AuditEntry.entity == "tenant"))
                        .order_by(AuditEntry.id.desc()))
        lines = tell(db.session, page.items)
    return render("admin/audit.html", page=page, lines=lines)
