"""What every view shares: the city resolved once per request, access checks, rendering, paging."""

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from jinja2_fragments.flask import render_block
from wtforms import SelectChoice

from mentorby.platform.accounts.models import COORDINATOR
from mentorby.platform.cities.services import find_city
from mentorby.platform.extensions import db, htmx
from mentorby.platform.tenancy import set_session_tenant


def resolve_city(endpoint, values):
    """URL value preprocessor: load the city named in the path once per request, or 404."""
    if not values or "city" not in values:
        return
    slug = values.pop("city")
    city = find_city(db.session, slug)
    # Pending, rejected and suspended cities have no pages: the same 404 as an unknown slug.
    if city is None or not city.is_active:
        abort(404)
    g.city = city
    set_session_tenant(db.session, city.id)


def _add_city(endpoint, values):
    city = g.get("city")
    if city is not None and "city" not in values and current_app.url_map.is_endpoint_expecting(endpoint, "city"):
        values["city"] = city.slug


class CityBlueprint(Blueprint):
    """A blueprint under /<city>/: the city is loaded from the path once, before any view runs."""

    def __init__(self, name: str, import_name: str, url_prefix: str = ""):
        super().__init__(name, import_name, url_prefix="/<city>" + url_prefix)
        self.url_value_preprocessor(resolve_city)
        self.url_defaults(_add_city)


def _login_first():
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


def roles_required(*roles: str):
    """Allow signed-in people with one of `roles` in the request's city; others get 403, strangers the login."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return _login_first()
            if g.get("city") is None or not (g.roles & set(roles)):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


coordinator_required = roles_required(COORDINATOR)


def platform_role_required(check):
    """Allow signed-in people for whom `check(user)` holds (platform admin, national stakeholder)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return _login_first()
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


admin_required = platform_role_required(lambda user: user.is_platform_admin)
national_required = platform_role_required(lambda user: user.is_national)


def render(template: str, block: str | None = None, status: int = 200, **context):
    """The full page, or only `block` of it for an htmx request (never for a history restore)."""
    if block and htmx and not htmx.history_restore_request:
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    return make_response(body, status)


def page_number() -> int:
    """The requested page (1 when missing or malformed)."""
    page = request.args.get("page", "1")
    # isascii: "²".isdigit() is true but int("²") fails.
    return int(page) if page.isascii() and page.isdigit() and 0 < int(page) < 100000 else 1


def paginate(query, per_page: int | None = None):
    """A page of `query`: two queries (count and rows), whatever the number of rows."""
    return db.paginate(query, page=page_number(), per_page=per_page or current_app.config["PAGE_SIZE"],
                       error_out=False, max_per_page=100)


def safe_next(target: str | None, default: str) -> str:
    """Only redirect to paths on this site (browsers drop tabs and newlines inside a URL, so a tab hides //)."""
    if not target or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target) or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def strip(value):
    """WTForms filter: surrounding blanks are never meant (pasted e-mails often carry them)."""
    return value.strip() if isinstance(value, str) else value


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms select choices."""
    return [SelectChoice(value, label) for value, label in pairs]


def finite(form, field):
    """WTForms validator: Decimal("sNaN") and infinities pass DecimalField, then break NumberRange; stop them first."""
    from wtforms.validators import StopValidation

    if field.data is not None and not field.data.is_finite():
        raise StopValidation(field.gettext("Not a valid decimal value."))


def show_error(form, error, text: str) -> None:
    """Put a service's refusal (`text` for a RuleError) on the field it is about, or on the form when it has none."""
    target = form._fields.get(error.field) if error.field else None
    if target is not None:
        target.errors = [*target.errors, text]
    else:
        form.form_errors.append(text)
