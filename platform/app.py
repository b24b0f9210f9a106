"""The application factory."""

from flask import Flask, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.middleware.proxy_fix import ProxyFix

from mentorby.platform import kept_pages
from mentorby.platform.accounts import sessions
from mentorby.platform.accounts.models import COORDINATOR
from mentorby.platform.audit.listener import set_actor
from mentorby.platform.config import INSTANCE, ROOT, load_config
from mentorby.platform.extensions import api, babel, csrf, db, htmx, limiter, login_manager, migrate, talisman
from mentorby.platform.i18n import install_template_gettext, select_locale, select_timezone
from mentorby.platform.outbox.services import discard_pending, enqueue_pending

CSP = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def create_app(config: dict | None = None) -> Flask:
    """Create and configure the app; `config` overrides settings read from the environment."""
    settings = load_config(config)
    app = Flask(
        "mentorby",
        root_path=str(ROOT),
        instance_path=str(INSTANCE),
        template_folder="templates",
        static_folder="static",
    )
    app.config.update(settings)
    if app.config["TRUSTED_PROXIES"]:
        # Behind a load balancer: the client's address (for rate limits) and scheme come from its headers.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    INSTANCE.mkdir(exist_ok=True)
    production = app.config["ENV_NAME"] == "production"

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    install_template_gettext(app)
    htmx.init_app(app)
    limiter.init_app(app)
    talisman.init_app(
        app,
        force_https=production,
        strict_transport_security=production,
        session_cookie_secure=production,
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="same-origin",
    )
    api.init_app(app)
    kept_pages.init_app(app)

    @login_manager.user_loader
    def load_user(token: str):
        from mentorby.platform.accounts.models import Membership

        # The city is resolved before anyone asks who is signed in: its roles come in the same statement.
        city = g.get("city")
        found = sessions.find(db.session, token, roles_of=Membership if city is not None else None)
        if found is None:
            return None
        sign_in, user, g.roles_here = found
        if user is None or not user.active:
            # A deactivated person is signed out everywhere at their next request.
            sessions.end_all(db.session, sign_in.user_id, sessions.DEACTIVATED)
            return None
        user.sign_in_token, g.sign_in = token, sign_in
        return user

    with app.app_context():
        _configure_sqlite(db.engine)
    _compose(app)
    # After the layers' own listeners: the city's stamps are marked before the commit once their writes are flushed.
    kept_pages.listen()
    _register_request_cycle(app)
    _register_errors(app)
    return app


def _configure_sqlite(engine) -> None:
    """Foreign keys on, and transactions that SAVEPOINT can nest in (the pysqlite recipe from SQLAlchemy's docs).

    Each transaction begins IMMEDIATE: it takes the write lock at once, so two requests that both read and then
    write (an autosaved answer and the survey's submit, say) queue for up to busy_timeout instead of one failing with
    "database is locked" (a deferred transaction cannot wait to upgrade its read lock). One writer at a time is what
    SQLite offers anyway; PostgreSQL, in production, is unaffected.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, connection_record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("pragma foreign_keys = on")
        cursor.execute("pragma busy_timeout = 5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        conn.exec_driver_sql("begin immediate")


def _compose(app: Flask) -> None:
    # The factory is the composition root: the one place where platform code names the layers above it.
    from mentorby.blueprints import register_all
    from mentorby.platform import cli
    from mentorby.tenants import demo, models, scale, wiring  # noqa: F401 (models: the whole schema, for mappers)
    from mentorby.tenants.evaluation import rollups
    from mentorby.tenants.privacy import retention

    wiring.connect()
    register_all(app)
    cli.register(app)
    demo.register(app)
    rollups.register(app)
    scale.register(app)
    retention.register(app)


def _register_request_cycle(app: Flask) -> None:
    warned = []

    @app.before_request
    def check_proxy_header():
        # TRUSTED_PROXIES promises a proxy that sets X-Forwarded-For; a request without it came around the proxy,
        # or there is none, and then any client can fake its address past the rate limits.
        if app.config["TRUSTED_PROXIES"] and not warned and "X-Forwarded-For" not in request.headers:
            warned.append(True)
            app.logger.warning("TRUSTED_PROXIES=%s but a request came without X-Forwarded-For: is a proxy really "
                               "in front? Without one, clients can fake their address.", app.config["TRUSTED_PROXIES"])

    @app.before_request
    def identify_actor():
        g.roles = set()
        if current_user.is_authenticated:
            city = g.get("city")
            if city is not None:
                g.roles = g.get("roles_here") or set()
            if current_user.is_platform_admin and (city is None or COORDINATOR not in g.roles):
                role = "admin"
            elif COORDINATOR in g.roles:
                role = "coordinator"
            else:
                role = "participant"
            set_actor(db.session, current_user.id, role)

    @app.teardown_request
    def close_uploads(error=None):
        # Uploads above a few hundred KB are spooled to temporary files; close them now rather than
        # whenever the garbage collector gets to them. Only files already parsed are touched.
        for upload in (request.__dict__.get("files") or {}).values():
            upload.close()

    @app.after_request
    def finish_transaction(response):
        # One commit per request, in one place: a response below 400 keeps the changes, any other
        # answer (a form with errors, a refusal) leaves the database as it was. Who is signed in is read before:
        # the commit expires the person, and asking afterwards would load them again in a second transaction.
        signed_in = current_user.is_authenticated
        if response.status_code < 400:
            if db.session().in_transaction():  # one that asked the database nothing (a kept page) has nothing to end
                db.session.commit()
            enqueue_pending(db.session)
        else:
            db.session.rollback()
            discard_pending(db.session)
        response.vary.add("HX-Request")
        response.vary.add("Cookie")
        if signed_in and "Cache-Control" not in response.headers:
            # A signed-in page holds personal data: no shared cache, and no copy in the browser after sign-out.
            response.headers["Cache-Control"] = "no-store"
        return response


def _wants_json() -> bool:
    return request.path.startswith("/api/") and not request.path.startswith("/api/v1/docs")


def _register_errors(app: Flask) -> None:
    from flask import render_template

    messages = {
        400: lambda: _("The request could not be understood. Check what you entered and try again."),
        403: lambda: _("You do not have access to this page."),
        404: lambda: _("We could not find this page."),
        405: lambda: _("This page cannot be used that way."),
        413: lambda: _("The file is too large. Nothing was saved: go back and choose a smaller file."),
        422: lambda: _("Some of the information sent was not valid."),
        429: lambda: _("Too many attempts. Wait a minute and try again."),
        500: lambda: _("Something went wrong on our side. Nothing was saved. Please try again later."),
    }

    def render_error(code: int, message: str | None = None):
        db.session.rollback()
        text = message or messages.get(code, messages[500])()
        if _wants_json():
            return jsonify({"code": code, "message": text}), code
        return render_template("errors/error.html", code=code, message=text), code

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400, _("The form has expired or was sent from another site. Reload the page and try again.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        # Headers the error carries belong to the answer: Allow on a 405, WWW-Authenticate on a 401.
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        if _wants_json() and getattr(error, "data", None):
            # flask-smorest puts validation messages on the error; keep them for API clients.
            db.session.rollback()
            body = {"code": error.code, "message": error.description, "errors": error.data.get("messages")}
            return jsonify(body), error.code, headers
        body, code = render_error(error.code or 500)
        return body, code, headers

    @app.errorhandler(InternalServerError)
    def server_error(error):
        app.logger.exception("Unhandled error", exc_info=getattr(error, "original_exception", error))
        return render_error(500)
