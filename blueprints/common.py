"""What every view shares: the city resolved once per request, access checks, rendering, paging."""

import hashlib
from collections import OrderedDict
from contextlib import contextmanager, suppress
from functools import wraps
from os.path import commonprefix
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_login import UserMixin, current_user, logout_user
from jinja2_fragments.flask import render_block
from sqlalchemy.exc import InvalidRequestError, PendingRollbackError, ResourceClosedError
from wtforms import SelectChoice

from mentorby.platform import clock, kept_pages
from mentorby.platform.accounts.models import LOCALES
from mentorby.platform.accounts.services import roles_in_city
from mentorby.platform.accounts.sessions import unchanged_until
from mentorby.platform.cities.models import ACTIVE
from mentorby.platform.cities.services import enter_city
from mentorby.platform.extensions import db, htmx
from mentorby.platform.rules import RuleError
from mentorby.platform.tenancy import get_in_city, utcnow
from mentorby.tenants import public_page


def resolve_city(endpoint, values):
    """URL value preprocessor: load the city named in the path once per request, or 404.

    A page kept for visitors without a cookie (see kept_for_visitors) is answered without it.
    """
    if not values or "city" not in values:
        return
    slug = values.pop("city")
    view = current_app.view_functions.get(endpoint)
    if getattr(view, "kept_board", False) and (key := _at_once_key()) is not None:
        found = kept_pages.given_at_once(key, utcnow())
        if found is not None:
            g.board_at_once = found  # given by give_board_at_once, before anything reads the database
            return
        g.at_once_key = key  # (the request as it came: a way to its page may be kept once it is checked)
    if view in _KEPT_FOR_VISITORS:
        key = _visitor_key(endpoint, slug)
        if key is not None and (kept := public_page.visitor_page(key)) is not None:
            g.visitor_page = kept
            return
        g.visitor_moment = public_page.visitor_moment()  # before the city is read: what the page shows
    city = enter_city(db.session, slug)
    # Pending, rejected and suspended cities have no pages: the same 404 as an unknown slug.
    if city is None:
        abort(404)
    g.city = city


# --- whole pages kept for visitors without a cookie -----------------------------------------------------------------

#: The views whose pages are kept for visitors (kept_for_visitors).
_KEPT_FOR_VISITORS: set = set()


def _visitor_key(endpoint: str, slug: str) -> tuple | None:
    """The key of the page a visitor without a cookie is asking for, or None for anyone else.

    Such a visitor is not signed in and has no session (no flashed message, no chosen language, no CSRF token), so
    every one of them in a language is given the same page. Their language is the browser's, as select_locale
    finds it then. A query, an htmx request or credentials of any kind make it someone else's request. A HEAD
    (a link checker's, an uptime monitor's) is the GET without its body.
    """
    if (request.method not in ("GET", "HEAD") or request.query_string or request.cookies
            or "Authorization" in request.headers or "HX-Request" in request.headers):
        return None
    language = request.accept_languages.best_match(LOCALES) or "da"
    # The day, because a round leaves the front page after its last day to apply: asked before the city is known,
    # it is Copenhagen's, and the city's own once the page is rendered (a city elsewhere has no kept page for the
    # hours the two days differ).
    return current_app.config["SQLALCHEMY_DATABASE_URI"], endpoint, slug, language, clock.today()


def kept_for_visitors(view):
    """A city page that visitors without a cookie are all given alike, kept by the worker (tenants/public_page.py).

    For a page that depends on nothing but the city and the language when nobody is signed in. A visitor is answered
    with the page rendered last for the city and language, if that was less than a couple of seconds ago and nothing
    was written through the worker since; neither the city nor anything else is read then.
    """
    @wraps(view)
    def answer(*args, **kwargs):
        kept = g.pop("visitor_page", None)
        if kept is not None:
            return kept
        response = make_response(view(*args, **kwargs))
        key = _visitor_key(request.endpoint, g.city.slug)
        if key is not None and response.status_code == 200 and not session.modified:
            public_page.keep_visitor_page(db.session, key, response.get_data(as_text=True), g.visitor_moment)
        return response

    _KEPT_FOR_VISITORS.add(answer)
    return answer


# --- the boards of the people who run a city, kept until the city's data changes -----------------------------------


def kept_until_changed(view):
    """A page of a city's own rows, given again by the worker until the city's data changes (platform/kept_pages.py).

    Only for a GET page that writes nothing and shows nothing but the city, its own rows (tenant-owned, or platform
    rows that carry its id, such as an e-mail's state) and accounts. The same person in the same session asking for
    the same address is given the page rendered last, as long as no commit wrote any of the city's rows since and it
    is less than KEPT_PAGE_SECONDS old. The sign-in and access checks run as for any request, until the same request
    (address, headers, session) comes again: then it is given at once, with no database (give_board_at_once).
    """
    @wraps(view)
    def answer(*args, **kwargs):
        key = _kept_key()
        if key is not None:
            moment = kept_pages.moment()  # a write through this worker from now on: the page is not kept
            if (found := kept_pages.kept(key)) is not None:
                status, headers, body = found
                if not session.modified:
                    _keep_for_at_once(key, moment, read_again=True)  # (its way lasts less long than the page)
                return make_response(body, status, headers)
            # The city and the person were read before the stamps: a change committed in between would be kept
            # under the new stamp. Read them again (their ids, flags and roles are in the key, and read anew at the
            # next request).
            if _gone(g.city):
                abort(404)
            if _gone(current_user._get_current_object()):  # erased: signed out, as at their next request
                logout_user()
                return current_app.login_manager.unauthorized()
        response = make_response(view(*args, **kwargs))
        # A session changed by the view (its first CSRF token, a message shown) is not the one in the key.
        if (key is not None and response.status_code == 200 and not response.direct_passthrough
                and not session.modified
                and kept_pages.keep(db.session, key, response.status_code, list(response.headers.items()),
                                    response.get_data(), moment)):
            _keep_for_at_once(key, moment)
        return response

    answer.kept_board = True  # (functools.wraps hands it to the decorators above: resolve_city looks for it)
    return answer


def _keep_for_at_once(key: tuple, moment: int, *, read_again: bool = False) -> None:
    """Let the same request be given the page kept under `key` at once, if what let it through is still so.

    The sign-in, the person and the city were read before the stamps in `key`: a commit in between (a sign-out, a
    role taken away, the city suspended) would be hidden under them. The city and the person were read again since
    a page was made (kept_until_changed), or are now (`read_again`, for a page given from memory); the sign-in and
    the roles are read again now, and all must be as the key says.
    """
    request_key, sign_in = g.get("at_once_key"), g.get("sign_in")
    if request_key is None or sign_in is None or db.session.dirty:  # (a last request being written: not read over)
        return
    user, city = current_user._get_current_object(), g.city
    if read_again and (_gone(city) or _gone(user)):
        return
    # (Read again as of now: PostgreSQL's default READ COMMITTED, or SQLite's one writer at a time.)
    if (_gone(sign_in) or sign_in.ended_at is not None or not user.active or city.status != ACTIVE
            or request.path.split("/")[1] != city.slug or _who(roles_in_city(db.session, user.id)) != key[_WHO]):
        return
    until = min(unchanged_until(sign_in), clock.end_of_day(clock.today(city), city))
    kept_pages.keep_for_at_once(request_key, key, key[_STAMPS], city.id, user.id, until, moment)


def give_board_at_once():
    """A kept board that resolve_city found for this very request, given with no database (a before_request hook).

    The app's, ahead of every hook that asks who is signed in. Nothing after it reads the database: who is signed in
    is only their id (the response's headers ask whether anyone is), and the request writes nothing.
    """
    found = g.pop("board_at_once", None)
    if found is None:
        return None
    person, (status, headers, body) = found
    g._login_user = _KeptFor(person)  # Flask-Login's slot for the request's user: not loaded from the database
    return make_response(body, status, headers)


class _KeptFor(UserMixin):
    """Who a board given at once was kept for: their id, as signed in (nothing else of them is read)."""

    def __init__(self, user_id: int):
        self.id = user_id


def _gone(instance) -> bool:
    """Read a row again from the database; whether it is no longer there."""
    try:
        db.session.refresh(instance)
    except (PendingRollbackError, ResourceClosedError):
        raise  # a session or connection already failed: an error, not a row gone
    except InvalidRequestError:
        return True
    return False


#: Where the stamps, and who is asking, are in a kept page's key (_kept_key).
_STAMPS, _WHO = 6, 7


def _kept_key() -> tuple | None:
    """What a kept page depends on, or None when this request's page is not to be kept (or given)."""
    city = g.get("city")
    if (request.method != "GET" or city is None or not current_user.is_authenticated or "_flashes" in session
            or "csrf_token" not in session):
        return None
    stamps = kept_pages.stamp(city.id, current_user.id)
    if stamps is None:
        return None
    headers = request.headers
    return (request.endpoint, request.full_path, headers.get("HX-Request"), headers.get("HX-Target"),
            headers.get("HX-History-Restore-Request"), headers.get("HX-Boosted"), stamps,
            _who(g.get("roles") or ()), city.id, session["csrf_token"], str(get_locale()), clock.today())


def _who(roles) -> tuple:
    """Who is asking, as far as a page can show: the person, their flags and language, their roles in the city."""
    user = current_user
    return user.id, user.active, user.is_platform_admin, user.is_national, user.locale, frozenset(roles)


def _at_once_key() -> bytes | None:
    """Everything of a request, as it comes, that its sign-in and access checks go by (give_board_at_once), or None.

    The address and the htmx headers (the page), the session whole (the sign-in, the CSRF token, a language chosen)
    and the browser's languages. Flask-Login's session protection goes by the address and browser too: a session
    taken elsewhere is never given a board at once, and its request goes the whole way (and is signed out).
    """
    if (request.method != "GET" or "_user_id" not in session or "csrf_token" not in session
            or "_flashes" in session
            or session.get("_id") != current_app.login_manager._session_identifier_generator()):
        return None
    headers = request.headers
    key = (request.endpoint, request.full_path, headers.get("HX-Request"), headers.get("HX-Target"),
           headers.get("HX-History-Restore-Request"), headers.get("HX-Boosted"), headers.get("Accept-Language"),
           tuple(sorted((name, repr(value)) for name, value in session.items())))
    # Its digest: the session holds the sign-in's id, which the worker's memory has no need to hold in the clear.
    return hashlib.sha256(repr(key).encode()).digest()


def _add_city(endpoint, values):
    city = g.get("city")
    if city is not None and "city" not in values and _expects_city(endpoint):
        values["city"] = city.slug


def _expects_city(endpoint) -> bool:
    # Asked on every url_for of a city page (a hundred on a full board); the URL map does not change once the app
    # serves, so each endpoint's answer is kept with the app.
    known = current_app.extensions.setdefault("mentorby.expects_city", {})
    answer = known.get(endpoint)
    if answer is None:
        answer = known[endpoint] = current_app.url_map.is_endpoint_expecting(endpoint, "city")
    return answer


# --- who may use a blueprint's views: declared once, on the blueprint -----------------------------------------------

#: Access for a blueprint whose views are open to everyone (a city's public pages).
PUBLIC = "public"


def public(view):
    """Mark one view open to everyone in a blueprint whose other views need a role (the login page, say)."""
    view.public = True
    return view


def is_public(view) -> bool:
    """Whether a view answers people who are not signed in."""
    return getattr(view, "public", False)


def _login_first():
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


def _access_check(access):
    """A before_request hook that lets a request through only with the blueprint's access (public views aside)."""

    def check():
        view = current_app.view_functions.get(request.endpoint)
        if view is None or is_public(view):
            return None
        if not current_user.is_authenticated:
            return _login_first()
        if callable(access):
            allowed = access(current_user)
        else:
            allowed = g.get("city") is not None and bool(g.get("roles", set()) & set(access))
        if not allowed:
            abort(403)
        return None

    return check


def public_endpoint(app, endpoint: str) -> bool:
    """Whether an endpoint answers people who are not signed in: a @public view, or one of a PUBLIC blueprint."""
    view = app.view_functions.get(endpoint)
    blueprint = app.blueprints.get(endpoint.rpartition(".")[0]) if "." in endpoint else None
    return is_public(view) or getattr(blueprint, "access", None) == PUBLIC


class CityBlueprint(Blueprint):
    """A blueprint under /<city>/: the city is loaded from the path once, then access is checked, before any view.

    `access` is the roles in the city that may use its views, or PUBLIC; a view open to all in an otherwise
    closed blueprint says so with @public. Nobody writes an access decorator on a view.
    """

    def __init__(self, name: str, import_name: str, url_prefix: str = "", *, access):
        super().__init__(name, import_name, url_prefix="/<city>" + url_prefix)
        self.url_value_preprocessor(resolve_city)
        self.url_defaults(_add_city)
        self.access = access
        if access != PUBLIC:
            self.before_request(_access_check(access))


class PlatformBlueprint(Blueprint):
    """A blueprint of the platform's own pages: `access` is a check of the signed-in person, or PUBLIC."""

    def __init__(self, name: str, import_name: str, url_prefix: str | None = None, *, access):
        super().__init__(name, import_name, url_prefix=url_prefix)
        self.access = access
        if access != PUBLIC:
            self.before_request(_access_check(access))


def signed_in(user) -> bool:
    """Access for pages of anyone signed in (their own account)."""
    return True


def platform_admin(user) -> bool:
    """Access for the platform admin's pages."""
    return user.is_platform_admin


def national_stakeholder(user) -> bool:
    """Access for the national layer."""
    return user.is_national


# --- loading rows through the city, each checked against its parent ----------------------------------------------


def loads(name: str, model, arg: str, *, within: str | None = None):
    """Hand the view `name`: the `model` row of the URL's `arg`, loaded through the request's city.

    With `within`, the row must belong to the one the view already got under that name (a joint event of this
    round). A missing row, another city's, or another parent's: the same 404.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            object_id = kwargs.pop(arg)
            parent = {f"{within}_id": kwargs[within].id} if within else {}
            kwargs[name] = get_in_city(db.session, model, object_id, **parent)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def cohort_view(view):
    """Hand the view the round of the URL's <cohort_id> as `cohort` (see `loads`)."""
    from mentorby.tenants.cohorts.models import Cohort

    return loads("cohort", Cohort, "cohort_id")(view)


# --- refusing: a service's RuleError, its changes undone, its message shown ---------------------------------------


@contextmanager
def attempt():
    """Run service calls in a savepoint: when one refuses (RuleError), what it changed is undone at once.

    The page shown with the message then reflects the database; the error goes on to the view.
    """
    with db.session.begin_nested():
        yield


def personal_page(locale: str | None, build, *args):
    """A page behind a personal link (no sign-in), made by `build(*args)`, kept by no shared cache.

    It speaks the person's own language unless they switched language on this device.
    """
    from flask_babel import force_locale

    from mentorby.platform.i18n import SESSION_KEY

    chosen_here = session.get(SESSION_KEY)
    with force_locale(chosen_here if chosen_here in LOCALES else locale or "da"):
        response = make_response(build(*args))
    response.headers["Cache-Control"] = "private, no-store"
    return response


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


def show_error(form, error, text: str | None = None) -> None:
    """Put a service's refusal on the field it is about, or on the form when it has none.

    The one way a refusal reaches a form. Several at once (Refusals) go each to its field; `text` rewords one.
    """
    from mentorby.blueprints.messages import text_for

    for problem in getattr(error, "problems", [error]):
        wording = text if text is not None and problem is error else text_for(problem)
        target = form._fields.get(problem.field) if problem.field else None
        if target is None:
            form.form_errors.append(wording)
        elif not target.errors:  # a field the form could not even read keeps that message alone
            target.errors = [*target.errors, wording]


def submitted(form, check=None) -> bool:
    """Whether a posted form may go to its service: CSRF and the fields' parsing, then the area's schema.

    `check` takes the form's values and raises the area's refusals; every field is checked at once, so that all
    problems show on the first submit.
    """
    if not form.is_submitted():
        return False
    valid = form.validate()
    if check is not None:
        try:
            check({name: field.data for name, field in form._fields.items() if name != "csrf_token"})
        except RuleError as error:
            show_error(form, error)
            valid = False
    return valid


class RowLinks:
    """One endpoint's addresses for many ids (a board's rows): two `url_for` a page, then one string a row.

    `url_for` is about 40 µs (the URL map, the city's slug, the query string); a board of 25 to 100 rows asks for
    the same address with only the row's id changed several times a row. The address is built for two ids and
    split where they differ; if that does not give back both addresses exactly (an id that cannot be told apart
    from its surroundings), every row gets its own `url_for` instead.
    """

    def __init__(self, endpoint: str, key: str, **values):
        self.endpoint, self.key, self.values = endpoint, key, values
        first, second = url_for(endpoint, **{key: 1}, **values), url_for(endpoint, **{key: 2}, **values)
        head = len(commonprefix([first, second]))
        tail = len(commonprefix([first[::-1], second[::-1]]))
        self.parts = (first[:head], first[len(first) - tail:])
        if self(1) != first or self(2) != second:
            self.parts = None

    def __call__(self, row_id: int) -> str:
        """The address for this row's id."""
        if self.parts is None:
            return url_for(self.endpoint, **{self.key: row_id}, **self.values)
        return f"{self.parts[0]}{int(row_id)}{self.parts[1]}"


class Kept:
    """Rendered parts a web worker keeps for everyone, most recently used last, at most `size` (per app).

    For parts that are the same for every reader until their data change: the key must name that state. Safe on
    threaded servers: an entry another thread let go meanwhile is only rendered again.
    """

    def __init__(self, name: str, size: int):
        self.name, self.size = f"mentorby.kept.{name}", size

    def _entries(self) -> OrderedDict:
        return current_app.extensions.setdefault(self.name, OrderedDict())

    def get(self, key):
        """The part kept under `key`, or None."""
        entries = self._entries()
        found = entries.get(key)
        if found is not None:
            with suppress(KeyError):
                entries.move_to_end(key)
        return found

    def put(self, key, value):
        """Keep `value` under `key` (the least recently used go past `size`); returns it."""
        entries = self._entries()
        entries[key] = value
        while len(entries) > self.size:
            with suppress(KeyError):
                entries.popitem(last=False)
        return value
