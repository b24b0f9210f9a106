"""Signing in and out, password resets, invitations and the person's own account page."""

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from mentorby.blueprints.common import (
    PlatformBlueprint,
    attempt,
    choices,
    public,
    render,
    safe_next,
    show_error,
    signed_in,
    strip,
    submitted,
)
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import message, register
from mentorby.platform.accounts import services as accounts
from mentorby.platform.accounts import sessions
from mentorby.platform.accounts.models import CityRole
from mentorby.platform.accounts.passwords import MAX_LENGTH, MIN_LENGTH, password_problem
from mentorby.platform.accounts.tokens import LinkError
from mentorby.platform.extensions import db, limiter
from mentorby.platform.i18n import SESSION_KEY
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import limits

#: Messages for the accounts area's own codes; the others (email_taken, wrong_password, ...) are shared.
MESSAGES = register("accounts", {
    "current_password_wrong": _l("The current password is not correct."),
    "not_own_token": _l("This token belongs to another coordinator."),
})
ACCOUNT = accounts.ACCOUNT


def _strong(form, field):
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(message(problem))


class LoginForm(Form):
    """E-mail and password."""

    email = EmailField(_l("E-mail"), filters=[strip], validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])


class ForgotForm(Form):
    """Where to send the reset link."""

    email = EmailField(_l("E-mail"), filters=[strip], validators=[DataRequired(), Email(), Length(max=254)])


class NewPasswordForm(Form):
    """A new password, twice."""

    password = PasswordField(_l("New password"), validators=[DataRequired(), _strong],
                             description=_l("At least %(n)d characters. A sentence you can remember is good.",
                                            n=MIN_LENGTH))
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))])


class AcceptNewForm(NewPasswordForm):
    """A new account from an invitation: a name and a password."""

    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])


class AcceptExistingForm(Form):
    """An existing account confirms the invitation with its password."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])


class AccountForm(Form):
    """The person's own details (their limits are the schema's: platform/accounts/schemas.py)."""

    name = StringField(_l("Name"), render_kw=limits(ACCOUNT, "name"))
    locale = SelectField(_l("Language"), choices=choices([("da", "Dansk"), ("en", "English")]))


class ChangePasswordForm(NewPasswordForm):
    """Change the password, proving the current one."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])


bp = PlatformBlueprint("auth", __name__, access=signed_in)


def _sign_in(user) -> None:
    # A fresh session: nothing of the anonymous one (its CSRF token above all) carries over into the signed-in one,
    # but the language the person was reading in.
    language = session.get(SESSION_KEY)
    session.clear()
    if language:
        session[SESSION_KEY] = language
    user.sign_in_token = sessions.start(db.session, user, request.user_agent.string)
    login_user(user)
    session.permanent = True
    if user.locale:
        session[SESSION_KEY] = user.locale


#: A person's working page in a city, by role, best first.
ROLE_HOMES = (("coordinator", "coordinator.home"), ("mentor", "portal.home"), ("mentee", "portal.home"),
              ("company_contact", "company.home"))


def landing(user) -> str:
    """Where a person lands after signing in: their working page, or "My account" when there are several."""
    if user.is_platform_admin:
        return url_for("admin.cities")
    if user.is_national:
        return url_for("national.overview")
    memberships = accounts.memberships_of(db.session, user.id)
    cities = {city.slug for city, _role in memberships}
    if len(cities) != 1:
        return url_for("auth.account")
    roles = {role for _city, role in memberships}
    for role, endpoint in ROLE_HOMES:
        if role in roles:
            return url_for(endpoint, city=cities.pop())
    return url_for("auth.account")


def _account_key() -> str:
    return "account:" + accounts.normalise_email(request.form.get("email", ""))[:254]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
# Failed sign-ins per account, whatever the address: guessing a password from many hosts is stopped too.
@limiter.limit(lambda: current_app.config["ACCOUNT_LOGIN_RATE_LIMIT"], methods=["POST"], key_func=_account_key,
               deduct_when=lambda response: response.status_code == 422)
def login():
    """Sign in with e-mail and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            _sign_in(user)
            return redirect(safe_next(request.args.get("next"), landing(user)))
        form.password.errors.append(_("The e-mail or the password is not correct."))
    return render("auth/login.html", form=form, status=422 if form.is_submitted() else 200)


@bp.post("/logout")
@public
def logout():
    """Sign out: this sign-in ends on the server too, so the old cookie opens nothing."""
    if g.get("sign_in") is not None:
        sessions.end(db.session, g.sign_in, sessions.LOGOUT)
    logout_user()
    session.pop(SESSION_KEY, None)
    flash(_("You are signed out."), "info")
    return redirect(url_for("public.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same whether or not the address is known."""
    form = ForgotForm()
    if form.validate_on_submit():
        accounts.request_password_reset(db.session, form.email.data)
        flash(_("If the address belongs to an account, a link to choose a new password is on its way."), "info")
        return redirect(url_for("auth.login"))
    return render("auth/forgot.html", form=form, status=422 if form.is_submitted() else 200)


@bp.route(accounts.RESET_PATH.replace("{token}", "<token>"), methods=["GET", "POST"])
@public
def reset_password(token: str):
    """Choose a new password from a signed, expiring, single-use link."""
    try:
        user = accounts.user_for_reset(db.session, token)
    except LinkError as error:
        return render("auth/link_problem.html", problem=message(error.reason), status=400)
    form = NewPasswordForm()
    if form.validate_on_submit():
        accounts.set_password(user, form.password.data)
        sessions.end_all(db.session, user.id, sessions.PASSWORD)
        flash(_("Your new password is saved. Sign in with it."), "info")
        return redirect(url_for("auth.login"))
    return render("auth/reset.html", form=form, status=422 if form.is_submitted() else 200)


@bp.route(accounts.INVITATION_PATH.replace("{token}", "<token>"), methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    """Accept an invitation to a role in a city: create the account or confirm an existing one."""
    try:
        city, invitation = accounts.load_invitation(db.session, token)
    except LinkError as error:
        return render("auth/link_problem.html", problem=message(error.reason), status=400)
    existing = accounts.find_user(db.session, invitation.email)
    signed_in_as_invitee = current_user.is_authenticated and existing is not None and current_user.id == existing.id
    needs_password = existing is not None and existing.password_hash and not signed_in_as_invitee
    if needs_password:
        form = AcceptExistingForm()
    elif not signed_in_as_invitee:
        form = AcceptNewForm(name=invitation.name)  # the name the coordinator wrote, for the person to correct
    else:
        form = Form()
    if form.validate_on_submit():
        try:
            with attempt():
                user = accounts.accept_invitation(
                    db.session, invitation, name=getattr(form, "name", None) and form.name.data or "",
                    password=getattr(form, "password", None) and form.password.data,
                    user=current_user if current_user.is_authenticated else None,
                )
        except RuleError as error:
            show_error(form, error)
        else:
            _sign_in(user)
            flash(_("Welcome to %(city)s.", city=city.name), "info")
            home = dict(ROLE_HOMES).get(invitation.role, "city.front")
            return redirect(url_for(home, city=city.slug))
    return render("auth/accept.html", form=form, city=city, invitation=invitation, existing=existing,
                  needs_password=needs_password, status=422 if form.is_submitted() else 200)


@bp.route("/account", methods=["GET", "POST"])
def account():
    """The person's cities and roles, name and language."""
    form = AccountForm(obj=current_user)
    if submitted(form, accounts.check_account):
        try:
            with attempt():
                accounts.update_account(db.session, current_user, form.data)
        except RuleError as error:
            show_error(form, error)
        else:
            session[SESSION_KEY] = current_user.locale
            flash(_("Saved."), "info")
            return redirect(url_for("auth.account"))
    memberships = accounts.memberships_of(db.session, current_user.id)
    return render("auth/account.html", form=form, memberships=memberships, CityRole=CityRole,
                  sign_ins=sessions.open_sign_ins(db.session, current_user.id), current_sign_in=g.sign_in,
                  status=422 if form.is_submitted() else 200)


@bp.post("/account/sessions/<int:sign_in_id>/end")
def end_session(sign_in_id: int):
    """Sign out one of the person's other devices."""
    for sign_in in sessions.open_sign_ins(db.session, current_user.id):
        if sign_in.id == sign_in_id and sign_in.id != g.sign_in.id:
            sessions.end(db.session, sign_in, sessions.REVOKED)
            flash(_("That session is signed out."), "info")
            return redirect(url_for("auth.account"))
    abort(404)


@bp.post("/account/sessions/end-all")
def end_all_sessions():
    """Sign out everywhere, this device included (a lost phone, a shared computer)."""
    sessions.end_all(db.session, current_user.id, sessions.EVERYWHERE)
    logout_user()
    flash(_("You are signed out everywhere."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    """Change the password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            with attempt():
                accounts.change_password(current_user, form.current.data, form.password.data)
        except RuleError as error:
            show_error(form, error)
        else:
            # Whoever else knew the old password is signed out; this device stays signed in.
            sessions.end_all(db.session, current_user.id, sessions.PASSWORD, keep=g.sign_in)
            flash(_("Your new password is saved. Your other sessions are signed out."), "info")
            return redirect(url_for("auth.account"))
    return render("auth/password.html", form=form, status=422 if form.is_submitted() else 200)
