import pytest

from mentorby.platform.config import DEFAULT_SECRET, ConfigError, database_url, load_config


def test_production_refuses_the_default_secret(monkeypatch):
    monkeypatch.setenv("MENTORBY_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config()


def test_production_refuses_a_short_secret(monkeypatch):
    monkeypatch.setenv("MENTORBY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError):
        load_config()


def test_production_refuses_rate_limits_counted_per_worker(monkeypatch):
    monkeypatch.setenv("MENTORBY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(ConfigError, match="REDIS_URL"):
        load_config()


def test_production_with_a_real_secret_has_secure_cookies(monkeypatch):
    monkeypatch.setenv("MENTORBY_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.delenv("HUEY_IMMEDIATE", raising=False)
    config = load_config()
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["HUEY_IMMEDIATE"] is False


def test_local_defaults_need_nothing(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("MENTORBY_ENV", "development")
    config = load_config()
    assert config["SECRET_KEY"] == DEFAULT_SECRET
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert config["SQLALCHEMY_DATABASE_URI"].endswith("instance/mentorby.sqlite")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
    ],
)
def test_database_urls_use_psycopg3(given, expected):
    assert database_url(given) == expected
