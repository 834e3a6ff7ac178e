"""Settings for each environment; secrets come from the environment, never from code."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

from flask.helpers import get_debug_flag

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("TRACKER_INSTANCE_DIR", BASE_DIR / "instance"))


def _default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'tracker.sqlite3'}"


def _host_list(value: str | None) -> list[str] | None:
    hosts = [h.strip() for h in (value or "").split(",") if h.strip()]
    return hosts or None


def development_secret_key(instance_dir: Path = INSTANCE_DIR) -> str:
    """Return the development key, generating it once into instance/ with mode 0600."""
    path = instance_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


class Config:
    """Settings shared by every environment."""

    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or _default_database_url()
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # SQLite only (tracker.database): how long a writer waits for another writer's commit
    # before giving up with "database is locked". WAL and foreign keys are always on.
    SQLITE_BUSY_TIMEOUT_MS = 5000
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    BOOTSTRAP_SERVE_LOCAL = True
    SESSION_COOKIE_NAME = "session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # Server-side sessions (tracker.services.sessions): idle and absolute limits, and how
    # long a sign-in counts as fresh for exports and role changes.
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = SESSION_ABSOLUTE_TIMEOUT
    FRESH_LOGIN_TIMEOUT = timedelta(minutes=10)
    # Requests naming any other host are refused (no host-header poisoning).
    TRUSTED_HOSTS = _host_list(os.environ.get("TRUSTED_HOSTS")) or ["127.0.0.1", "localhost"]
    # How many reverse proxies sit in front (0: none; X-Forwarded-* headers are ignored).
    PROXY_HOPS = int(os.environ.get("TRACKER_PROXY_HOPS", "0"))
    # Sign-in throttling (Flask-Limiter) and the lock after repeated failures.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LOCKOUT_THRESHOLD = 5
    LOGIN_LOCKOUT_DURATION = timedelta(minutes=15)
    # Administrators must set up TOTP before they can do anything else.
    TOTP_REQUIRED_FOR_ADMINS = True
    PASSWORD_RESET_TTL = timedelta(hours=24)
    # Uploads: a résumé may be 10 MB; the request limit leaves room for the other fields.
    RESUME_MAX_BYTES = 10 * 1024 * 1024
    MAX_CONTENT_LENGTH = 11 * 1024 * 1024
    RESUME_DIR = os.environ.get("TRACKER_RESUME_DIR") or str(INSTANCE_DIR / "resumes")
    PAGE_SIZE = 50
    DEFAULT_TIMEZONE = os.environ.get("TRACKER_TIMEZONE", "UTC")
    SECURITY_HEADERS_HSTS = False
    DEBUG = False
    TESTING = False

    @classmethod
    def finalise(cls, settings: dict) -> None:
        """Fill settings that need work (such as a generated key) at app creation."""
        if not settings.get("SECRET_KEY"):
            settings["SECRET_KEY"] = development_secret_key()


class DevelopmentConfig(Config):
    """Local development: SQLite under instance/, a key generated once."""


class TestConfig(Config):
    """The test suite: CSRF off by default (one test run turns it back on)."""

    TESTING = True
    WTF_CSRF_ENABLED = False
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    SECRET_KEY = "test-only-" + secrets.token_hex(8)
    # Throttling is switched back on by the tests that check it.
    RATELIMIT_ENABLED = False
    # Kept on: the test helpers enrol admins and sign in with a code (tests/conftest.py).
    TOTP_REQUIRED_FOR_ADMINS = True
    TRUSTED_HOSTS: ClassVar[list[str]] = ["localhost", "127.0.0.1"]


class ProductionConfig(Config):
    """Production: refuses to start without a real secret key; secure cookies; HSTS."""

    SESSION_COOKIE_SECURE = True
    # __Host-: only over HTTPS, only for this exact host, path /: no subdomain can set it.
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_PATH = "/"
    SESSION_COOKIE_DOMAIN = False
    TRUSTED_HOSTS = _host_list(os.environ.get("TRUSTED_HOSTS"))
    REMEMBER_COOKIE_SECURE = True
    SECURITY_HEADERS_HSTS = True

    @classmethod
    def finalise(cls, settings: dict) -> None:
        if not settings.get("SECRET_KEY"):
            raise RuntimeError(
                "SECRET_KEY must be set in the environment for production "
                "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        # FLASK_DEBUG=1 would also start `flask run` with the interactive debugger.
        if settings.get("DEBUG") or get_debug_flag():
            raise RuntimeError("DEBUG must never be on in production (unset FLASK_DEBUG).")
        if not settings.get("TRUSTED_HOSTS"):
            raise RuntimeError(
                "TRUSTED_HOSTS must be set in the environment for production "
                "(the comma-separated host names the tracker is served as)."
            )


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None) -> type[Config]:
    """Pick the settings class named by TRACKER_ENV (development by default)."""
    key = (name or os.environ.get("TRACKER_ENV") or "development").lower()
    if key not in CONFIGS:
        raise RuntimeError(f"Unknown TRACKER_ENV {key!r}; use one of {', '.join(CONFIGS)}.")
    return CONFIGS[key]
