"""Settings for every environment. This module is the only place that reads the process environment.

Pick the environment with ``LMS_ENV`` (``development`` by default, ``production`` or ``testing``).
Every variable is documented in README.md under "Configuration".
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {value!r}") from None


def _env_positive_int(name: str, default: int) -> int:
    value = _env_int(name, default)
    if value < 1:
        raise ValueError(f"{name} must be 1 or more, got {value}")
    return value


def normalise_database_url(url: str) -> str:
    """Let people paste the URL their provider gives them (``postgres://``, ``postgresql://``) and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


INSTANCE_DIR = Path(_env("LMS_INSTANCE_PATH", str(BASE_DIR / "instance")))


class Config:
    ENV_NAME = "base"
    INSTANCE_PATH = str(INSTANCE_DIR)

    SECRET_KEY = _env("LMS_SECRET_KEY")
    BASE_URL = _env("LMS_BASE_URL", "http://127.0.0.1:5000")
    # The interface language for visitors whose browser asks for none the interface speaks (lms/web/i18n.py).
    DEFAULT_LANGUAGE = _env("LMS_DEFAULT_LANGUAGE", "en")
    # WTForms' own messages ("This field is required.") in the request's language, from WTForms' catalogues through
    # Flask-Babel's locale (Flask-WTF 1.3 with WTForms 3.3). On by default in Flask-WTF; stated so nobody turns it off.
    WTF_I18N_ENABLED = True
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        _env("LMS_DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'lms.sqlite3'}")
    )
    # No pool_pre_ping (a SELECT 1 round trip on every request): a connection the server closed is found at checkout
    # from its socket alone (lms/models/postgres.py); connections are renewed every half hour, for network devices
    # that drop idle ones silently.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_recycle": 1800}

    # Sessions and cookies.
    SESSION_PROTECTION = "strong"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=_env_int("LMS_REMEMBER_DAYS", 14))
    # A log-in ends after this long without a request, or this long after the password was typed, whichever comes
    # first; "keep me logged in" is spared the idle limit, never the absolute one (lms/web/auth/timeouts.py).
    # LMS_SESSION_HOURS is the older name of LMS_SESSION_ABSOLUTE_HOURS.
    SESSION_IDLE_TIMEOUT = timedelta(minutes=_env_positive_int("LMS_SESSION_IDLE_MINUTES", 60))
    SESSION_ABSOLUTE_TIMEOUT = timedelta(
        hours=_env_positive_int("LMS_SESSION_ABSOLUTE_HOURS", _env_positive_int("LMS_SESSION_HOURS", 12))
    )
    PERMANENT_SESSION_LIFETIME = SESSION_ABSOLUTE_TIMEOUT  # Flask refuses session cookies signed longer ago

    PASSWORD_RESET_MAX_AGE = _env_int("LMS_PASSWORD_RESET_MINUTES", 60) * 60
    # How long the link that confirms a new account's e-mail address works.
    EMAIL_VERIFICATION_MAX_AGE = _env_int("LMS_EMAIL_VERIFICATION_HOURS", 48) * 3600
    PASSWORD_MIN_LENGTH = 10

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session; a stale form is the bigger risk to users
    MAX_CONTENT_LENGTH = _env_int("LMS_MAX_UPLOAD_MB", 20) * 1024 * 1024
    # Course packages (with their videos) are uploaded to this limit instead; the package's own limits on each file
    # and on the whole (lms.core.packages.files.Limits) still apply.
    PACKAGE_MAX_UPLOAD_BYTES = _env_int("LMS_PACKAGE_MAX_UPLOAD_MB", 200) * 1024 * 1024
    # Each audio or video file of a package, and all of them together, once decompressed (streamed to the file store,
    # never held in memory; Limits.max_media_bytes).
    PACKAGE_MAX_MEDIA_BYTES = _env_int("LMS_PACKAGE_MAX_MEDIA_MB", 1024) * 1024 * 1024
    # Package files (lms/storage.py): a directory, instance/files unless set; every app instance of one site must see
    # the same one (a shared volume). With the prefix set, asset responses carry X-Accel-Redirect for nginx to send
    # the file after the app has checked access (docs/file-store.md).
    FILE_STORE_PATH = _env("LMS_FILE_STORE_PATH")
    FILE_STORE_ACCEL_PREFIX = _env("LMS_FILE_STORE_ACCEL_PREFIX")
    # Files no version uses are deleted (the worker's daily job, flask lms files gc) once this long has passed since
    # they were written or last reused: longer than any import takes, which stores files before it commits.
    FILE_STORE_GRACE_HOURS = _env_positive_int("LMS_FILE_STORE_GRACE_HOURS", 24)
    # Hosts whose video players a lesson may embed (space-separated), and so the only ones in the CSP's frame-src.
    # A PeerTube instance is added by its host name.
    VIDEO_HOSTS = tuple((_env("LMS_VIDEO_HOSTS", "www.youtube-nocookie.com player.vimeo.com") or "").split())
    # The share of a video a learner must have watched (the union of the parts played) for the lesson to complete.
    VIDEO_COMPLETION_SHARE = float(_env("LMS_VIDEO_COMPLETION_SHARE", "0.9") or 0.9)
    # Letters of support uploaded with applications (PDF, PNG or JPEG), checked by content.
    LETTER_MAX_BYTES = _env_int("LMS_LETTER_MAX_MB", 5) * 1024 * 1024
    # How many times one person may send an application to one cohort (withdrawing and sending it again).
    APPLICATION_MAX_SUBMISSIONS = _env_positive_int("LMS_APPLICATION_MAX_SUBMISSIONS", 3)
    # `flask lms send-reminders` mails each enrolled learner once per session, this many hours before it starts.
    REMINDER_HOURS_BEFORE = _env_int("LMS_REMINDER_HOURS", 24)
    # Discussions: how long authors may edit their own post (its earlier texts are kept).
    DISCUSSION_EDIT_MINUTES = _env_int("LMS_DISCUSSION_EDIT_MINUTES", 30)

    # Mail: "file" writes each message to instance/outbox/, "smtp" sends it.
    MAIL_BACKEND = _env("LMS_MAIL_BACKEND", "file")
    MAIL_SERVER = _env("LMS_MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("LMS_MAIL_PORT", 25)
    MAIL_USERNAME = _env("LMS_MAIL_USERNAME")
    MAIL_PASSWORD = _env("LMS_MAIL_PASSWORD")
    MAIL_USE_STARTTLS = _env_bool("LMS_MAIL_USE_STARTTLS", False)
    MAIL_USE_SSL = _env_bool("LMS_MAIL_USE_SSL", False)
    MAIL_TIMEOUT = _env_int("LMS_MAIL_TIMEOUT", 10)
    MAIL_SENDER = _env("LMS_MAIL_SENDER", "LMS-lite <no-reply@localhost>")

    # The outbox and `flask lms worker` (docs/worker.md). A message is tried up to MAIL_MAX_ATTEMPTS times, waiting
    # about 30 s, 1 min, 2 min … (doubling, jittered, at most MAIL_RETRY_MAX_SECONDS) between attempts, then kept
    # as failed for an administrator to retry or discard.
    MAIL_MAX_ATTEMPTS = _env_positive_int("LMS_MAIL_MAX_ATTEMPTS", 8)
    MAIL_RETRY_BASE_SECONDS = _env_positive_int("LMS_MAIL_RETRY_BASE_SECONDS", 30)
    MAIL_RETRY_MAX_SECONDS = _env_positive_int("LMS_MAIL_RETRY_MAX_SECONDS", 3600)
    # How often an idle worker looks for work; how many messages it takes at once; how long it holds them before
    # another worker may take them over (a worker that died mid-send).
    WORKER_POLL_SECONDS = _env_positive_int("LMS_WORKER_POLL_SECONDS", 5)
    WORKER_BATCH_SIZE = _env_positive_int("LMS_WORKER_BATCH_SIZE", 50)
    WORKER_LEASE_SECONDS = _env_positive_int("LMS_WORKER_LEASE_SECONDS", 300)
    # Delivered messages are deleted after this many days (failed ones stay until an administrator acts).
    OUTBOX_KEEP_DAYS = _env_positive_int("LMS_OUTBOX_KEEP_DAYS", 30)
    # /healthz answers 503 when the oldest undelivered message has waited longer than this (0: never).
    HEALTH_MAIL_QUEUE_MAX_AGE_MINUTES = _env_int("LMS_HEALTH_MAIL_QUEUE_MAX_AGE_MINUTES", 60)

    RATELIMIT_ENABLED = _env_bool("LMS_RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = _env("LMS_RATELIMIT_STORAGE_URL", "memory://")
    # Every instance of one site uses the same prefix; two sites sharing one Redis need different ones.
    RATELIMIT_KEY_PREFIX = _env("LMS_RATELIMIT_KEY_PREFIX", "lms")
    # A Redis that does not answer fails the request within seconds instead of holding it (and /healthz says so).
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}
    RATELIMIT_HEADERS_ENABLED = True
    # Limits per client address, in Flask-Limiter's notation; over one, the person gets the 429 page and nothing
    # changes. Uploads covers course packages, applications with their letter and attendance reports.
    # How long a process keeps the site's theme before reading it again (another instance's change shows within it).
    THEME_CACHE_SECONDS = int(_env("LMS_THEME_CACHE_SECONDS", "60"))
    RATELIMIT_LOGIN = _env("LMS_RATELIMIT_LOGIN", "10 per minute; 100 per hour")
    RATELIMIT_REGISTRATION = _env("LMS_RATELIMIT_REGISTRATION", "5 per minute; 50 per hour")
    RATELIMIT_PASSWORD_RESET = _env("LMS_RATELIMIT_PASSWORD_RESET", "5 per minute; 30 per hour")
    RATELIMIT_UPLOAD = _env("LMS_RATELIMIT_UPLOAD", "10 per minute; 100 per hour")
    # Wrong current passwords typed on the password-change form, per account (a stolen session can't guess on).
    RATELIMIT_CURRENT_PASSWORD = _env("LMS_RATELIMIT_CURRENT_PASSWORD", "5 per 15 minutes; 20 per day")
    # Certificate verification: typing an id into the search, and opening a verification page.
    RATELIMIT_VERIFY_SEARCH = _env("LMS_RATELIMIT_VERIFY_SEARCH", "10 per minute; 100 per hour")
    RATELIMIT_VERIFY_PAGE = _env("LMS_RATELIMIT_VERIFY_PAGE", "120 per minute")
    # Discussions: posts (threads, replies, comments, reports) per person, whatever address they write from.
    RATELIMIT_DISCUSSION_POST = _env("LMS_RATELIMIT_DISCUSSION_POST", "6 per minute; 60 per hour")

    # Behind a reverse proxy or load balancer every request comes from the proxy's address. Set this to the number
    # of proxies in front of the app, and the client's address is read from the X-Forwarded-For they add (rate
    # limits, the audit log and access logs then see people, not the proxy). Leave it at 0 when clients connect
    # directly: a client could otherwise forge the header.
    TRUSTED_PROXIES = _env_int("LMS_TRUSTED_PROXIES", 0)

    LOG_LEVEL = _env("LMS_LOG_LEVEL", "INFO")
    LOG_JSON = _env_bool("LMS_LOG_JSON", False)

    # Production only: refuse to start without a real secret key.
    REQUIRE_SECRET_KEY = False


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class ProductionConfig(Config):
    ENV_NAME = "production"
    REQUIRE_SECRET_KEY = True
    MAIL_BACKEND = _env("LMS_MAIL_BACKEND", "smtp")
    SESSION_COOKIE_SECURE = _env_bool("LMS_SECURE_COOKIES", True)
    REMEMBER_COOKIE_SECURE = _env_bool("LMS_SECURE_COOKIES", True)
    PREFERRED_URL_SCHEME = "https"


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = normalise_database_url(_env("LMS_TEST_DATABASE_URL", "sqlite://"))
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_BACKEND = "file"
    PASSWORD_RESET_MAX_AGE = 3600
    LOG_LEVEL = "WARNING"
    BASE_URL = "http://lms.test"
    SERVER_NAME = None
    THEME_CACHE_SECONDS = 3600  # tests reset it with the database (tests/conftest.py), so no page pays a query for it


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestConfig,
}


def config_from_environment() -> type[Config]:
    name = _env("LMS_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise ValueError(f"LMS_ENV must be one of {', '.join(CONFIGS)}, got {name!r}") from None
