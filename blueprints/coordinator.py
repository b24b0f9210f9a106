"""The coordinator's pages: home, team and invitations, the city's audit log, API tokens."""

from datetime import date

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from mentorby.blueprints.common import CityBlueprint, choices, coordinator_required, paginate, render, strip
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import message
from mentorby.platform.accounts import services as accounts
from mentorby.platform.accounts.models import COMPANY_CONTACT, COORDINATOR, ApiToken, Invitation, Membership, User
from mentorby.platform.audit.models import AuditEntry
from mentorby.platform.extensions import db
from mentorby.platform.tenancy import get_in_city, utcnow
from mentorby.tenants.applications.models import Application
from mentorby.tenants.applications.services import accepted_by_cohort
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.cohorts.services import due_follow_ups
from mentorby.tenants.partners.services import count_partners
from mentorby.tenants.programme.services import criteria, events

bp = CityBlueprint("coordinator", __name__, url_prefix="/coordinator")


class InviteForm(Form):
    """Invite a colleague or a company contact."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("E-mail"), filters=[strip], validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(
        _l("Role"), choices=choices([(COORDINATOR, _l("Coordinator")), (COMPANY_CONTACT, _l("Company contact"))])
    )


class TokenForm(Form):
    """Name a new API token."""

    name = StringField(_l("What is the token for?"), validators=[DataRequired(), Length(max=80)])


@bp.get("/")
@coordinator_required
def home():
    """The city's rounds and key numbers, with the next thing to do when there is nothing yet."""
    team = db.session.execute(
        select(func.count()).select_from(Membership).where(Membership.role == COORDINATOR)
    ).scalar_one()
    open_invitations = db.session.execute(
        select(func.count())
        .select_from(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
    ).scalar_one()
    numbers = {
        "partners": count_partners(db.session),
        "companies": count_partners(db.session, kind="company"),
        "coordinators": team,
        "open_invitations": open_invitations,
        "events": len(events(db.session)),
        "criteria": len(criteria(db.session)),
    }
    current = list(db.session.execute(
        select(Cohort).where(Cohort.status != "followed_up").order_by(Cohort.starts_on.desc(), Cohort.id.desc())
        .limit(5)
    ).scalars())
    ids = [cohort.id for cohort in current]
    accepted = accepted_by_cohort(db.session, ids)
    new_applications = dict(db.session.execute(
        select(Application.cohort_id, func.count())
        .where(Application.cohort_id.in_(ids), Application.status == "submitted").group_by(Application.cohort_id)
    ).all()) if ids else {}
    return render("coordinator/home.html", city=g.city, numbers=numbers, current=current, accepted=accepted,
                  new_applications=new_applications, follow_ups=due_follow_ups(db.session, date.today()))


@bp.route("/team", methods=["GET", "POST"])
@coordinator_required
def team():
    """The city's coordinators and company contacts, and invitations to join."""
    form = InviteForm()
    if form.validate_on_submit():
        try:
            accounts.invite(
                db.session,
                g.city,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                invited_by=current_user,
            )
        except accounts.AccountError as error:
            getattr(form, error.field or "email").errors.append(message(error.code))
        else:
            flash(_("Invitation sent to %(email)s.", email=form.email.data.strip().lower()), "info")
            return redirect(url_for("coordinator.team"))
    members = paginate(
        select(Membership)
        .join(User)
        .where(Membership.role.in_((COORDINATOR, COMPANY_CONTACT)))
        .order_by(Membership.role, User.name, Membership.id)
    )
    invitations = (
        db.session.execute(
            select(Invitation)
            .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
            .order_by(Invitation.created_at.desc())
            .limit(50)
        )
        .scalars()
        .all()
    )
    return render(
        "coordinator/team.html",
        form=form,
        members=members,
        invitations=invitations,
        status=422 if form.is_submitted() else 200,
    )


@bp.post("/team/invitations/<int:invitation_id>/revoke")
@coordinator_required
def revoke_invitation(invitation_id: int):
    """Withdraw an invitation; its link stops working."""
    invitation = get_in_city(db.session, Invitation, invitation_id)
    if invitation.is_open:
        invitation.revoked_at = utcnow()
    flash(_("The invitation to %(email)s is withdrawn.", email=invitation.email), "info")
    return redirect(url_for("coordinator.team"))


@bp.get("/audit")
@coordinator_required
def audit():
    """Every change made in the city: who, when, what."""
    query = select(AuditEntry).where(AuditEntry.tenant_id == g.city.id).order_by(AuditEntry.id.desc())
    entity = request.args.get("entity", "")
    if entity:
        query = query.where(AuditEntry.entity == entity[:60])
    return render("coordinator/audit.html", "audit_rows", page=paginate(query), entity=entity)


@bp.route("/api-tokens", methods=["GET", "POST"])
@coordinator_required
def api_tokens():
    """The coordinator's personal API tokens for this city."""
    form = TokenForm()
    new_secret = None
    if form.validate_on_submit():
        new_secret = accounts.create_api_token(db.session, current_user, form.name.data).secret
        form = TokenForm(formdata=None)
    tokens = (
        db.session.execute(
            select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.created_at.desc()).limit(50)
        )
        .scalars()
        .all()
    )
    status = 422 if form.errors else 200
    return render("coordinator/api_tokens.html", form=form, tokens=tokens, new_secret=new_secret, status=status)


@bp.post("/api-tokens/<int:token_id>/revoke")
@coordinator_required
def revoke_api_token(token_id: int):
    """Revoke one of the coordinator's own tokens."""
    token = get_in_city(db.session, ApiToken, token_id)
    if token.user_id != current_user.id:
        abort(404)
    accounts.revoke_api_token(token)
    flash(_("The token “%(name)s” is revoked.", name=token.name), "info")
    return redirect(url_for("coordinator.api_tokens"))
