"""Configuration read from the environment, with safe defaults for local use."""

import hashlib
import hmac
import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

#: The secret used when SECRET_KEY is not set. Fine on a laptop; refused in production.
DEFAULT_SECRET = "dev-only-secret-change-me"


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def database_url(url: str | None) -> str:
    """Normalise a database URL: plain postgresql:// URLs use the psycopg 3 driver."""
    if not url:
        return f"sqlite:///{INSTANCE / 'mentorby.sqlite'}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete for the chosen environment."""


def load_config(overrides: dict | None = None) -> dict:
    """Return the settings for one app: environment first, then explicit overrides (tests)."""
    env = os.environ.get("MENTORBY_ENV", "development")
    redis_url = os.environ.get("REDIS_URL")
    config = {
        "ENV_NAME": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEFAULT_SECRET),
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL")),
        # The role that owns the tables and runs migrations on PostgreSQL; the app itself connects
        # as a non-owner role so that row-level security applies to it (see README).
        "MIGRATION_DATABASE_URL": database_url(os.environ["MIGRATION_DATABASE_URL"])
        if os.environ.get("MIGRATION_DATABASE_URL")
        else None,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        #: Wrong or right, sign-ins to one account, whatever the address they come from (guessing by many hosts).
        "ACCOUNT_LOGIN_RATE_LIMIT": os.environ.get("ACCOUNT_LOGIN_RATE_LIMIT", "20 per hour"),
        "SIGNUP_RATE_LIMIT": os.environ.get("SIGNUP_RATE_LIMIT", "20 per hour"),
        "APPLY_RATE_LIMIT": os.environ.get("APPLY_RATE_LIMIT", "30 per hour"),
        "AUTO_APPROVE_CITIES": _bool("AUTO_APPROVE_CITIES"),
        #: How many reverse proxies (load balancers) stand in front of the app; 0 trusts no forwarded header.
        #: Set it only when that many proxies really stand in front and overwrite X-Forwarded-For: without them, a
        #: client writes its own header and escapes the per-address rate limits (the app logs a warning then).
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "HOST_CITY_SLUG": os.environ.get("HOST_CITY_SLUG", "lyngby-taarbaek"),
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "Mentorby <no-reply@mentorby.local>"),
        "HUEY_IMMEDIATE": _bool("HUEY_IMMEDIATE", default=env != "production"),
        "HUEY_SQLITE_PATH": str(INSTANCE / "huey.sqlite"),
        "INVITATION_MAX_AGE": timedelta(days=7),
        "PASSWORD_RESET_MAX_AGE": timedelta(hours=1),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": env == "production",
        "BABEL_DEFAULT_LOCALE": "da",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Copenhagen",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        # Above the largest upload a form takes (a 5 MB CV, a 10 MB import), so those get their own message.
        "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
        "PAGE_SIZE": 25,
        #: How long a web worker may give a coordinator's board again while the city's data is unchanged, in seconds
        #: (platform/kept_pages.py; needs REDIS_URL; 0 keeps nothing).
        "KEPT_PAGE_SECONDS": float(os.environ.get("KEPT_PAGE_SECONDS", "60")),
        #: The kept pages' stamps' name in Redis, the same in every process of one deployment (default: the
        #: database's kind and name; set it when a connection pooler names the database otherwise).
        "KEPT_PAGE_NAMESPACE": os.environ.get("KEPT_PAGE_NAMESPACE") or None,
        # flask-smorest: the OpenAPI document lives at /api/v1/openapi.json.
        "API_TITLE": "Mentorby API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "components": {
                "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            },
            "info": {"description": "Cities, the current user and the audit log of a city."},
        },
    }
    config.update(overrides or {})
    if not config.get("CROSS_CITY_KEY"):
        # The secret that opens cross-city reads on PostgreSQL (platform/rls.py), derived from SECRET_KEY unless set
        # on its own; `flask setup-postgres` stores its digest. Changing either means running setup-postgres again.
        config["CROSS_CITY_KEY"] = os.environ.get("CROSS_CITY_KEY") or hmac.new(
            str(config["SECRET_KEY"]).encode(), b"mentorby cross-city reads", hashlib.sha256).hexdigest()
    if config["ENV_NAME"] == "production" and config["SECRET_KEY"] in {DEFAULT_SECRET, "", None}:
        raise ConfigError("Refusing to start in production with the default SECRET_KEY: set SECRET_KEY.")
    if config["ENV_NAME"] == "production" and len(str(config["SECRET_KEY"])) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters in production.")
    if config["ENV_NAME"] == "production" and str(config["RATELIMIT_STORAGE_URI"]).startswith("memory://"):
        # Each gunicorn worker would count on its own: a limit of 10 sign-ins a minute lets 10 x workers through.
        raise ConfigError("Refusing to start in production without a shared rate-limit store: set REDIS_URL.")
    return config
