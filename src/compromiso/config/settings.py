"""Compromiso settings: one file, read from the environment.

With no environment at all the defaults run the demo (SQLite under ./var, e-mail files in
./var/mail, DEBUG on).
With DEBUG=false the process refuses to start unless SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL
are set, so a production deployment cannot silently run on demo defaults.
"""

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parents[3]
PACKAGE_DIR = Path(__file__).resolve().parents[1]


def env_str(name: str, default: str = "") -> str:
    """A string from the environment; NAME_FILE may point at a file holding it (secrets)."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# With DEBUG on, a page not found is still the site's page; true shows Django's technical one.
DEBUG_TECHNICAL_404 = env_bool("DEBUG_TECHNICAL_404", False)

if not DEBUG:
    missing = [
        name for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL") if not env_str(name)
    ]
    if missing:
        raise ImproperlyConfigured(
            "With DEBUG off these settings must come from the environment: " + ", ".join(missing)
        )

SECRET_KEY = env_str("SECRET_KEY", "django-insecure-compromiso-demo-key-change-me-in-production")
# Earlier keys: still accepted for signatures and to open sealed two-factor secrets.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# Security keys (WebAuthn): the relying party is the site's host name, and a key answers only
# to pages of the site's origin (scheme, host and port). Both follow SITE_URL unless set.
_SITE = urlsplit(SITE_URL)
WEBAUTHN_RP_ID = env_str("WEBAUTHN_RP_ID", _SITE.hostname or "localhost")
WEBAUTHN_ORIGIN = env_str("WEBAUTHN_ORIGIN", f"{_SITE.scheme}://{_SITE.netloc}")
WEBAUTHN_RP_NAME = env_str("WEBAUTHN_RP_NAME", "Compromiso")
CASES_REMINDER_SHARE = float(env_str("CASES_REMINDER_SHARE", "0.75"))
CASES_ACKNOWLEDGE_BUSINESS_DAYS = env_int("CASES_ACKNOWLEDGE_BUSINESS_DAYS", 2)
CASES_REOPEN_DAYS = env_int("CASES_REOPEN_DAYS", 30)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "compromiso.core",
    "compromiso.organizations",
    "compromiso.catalog",
    "compromiso.cases",
    "compromiso.servicemodel",
    "compromiso.surveys",
    "compromiso.insights",
    "compromiso.attention",
    "compromiso.charters",
    "compromiso.improvement",
    "compromiso.audits",
    "compromiso.portal",
    "compromiso.api",
]

MIDDLEWARE = [
    "compromiso.core.metrics.MetricsMiddleware",  # first: times the whole stack (/metrics)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "compromiso.organizations.middleware.StaffIdleTimeoutMiddleware",  # before seen_at moves
    "compromiso.core.middleware.PrivateSessionMiddleware",
    "compromiso.organizations.middleware.StaffLanguageMiddleware",
    "compromiso.organizations.middleware.OrganizationTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "compromiso.organizations.middleware.TwoFactorEnrolmentMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "compromiso.core.error_pages.SiteErrorPagesMiddleware",
    "compromiso.core.dbrouter.ReadYourWritesMiddleware",  # a no-op without a replica
]

# A JSON API call with a bearer token skips these (core/handlers.py): it reads no session, cookie,
# flash message or CSRF token, and log-in throttling and the site's error pages do not concern it.
TOKEN_API_SKIPPED_MIDDLEWARE = [
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "compromiso.organizations.middleware.StaffLanguageMiddleware",
    "compromiso.organizations.middleware.OrganizationTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "compromiso.core.error_pages.SiteErrorPagesMiddleware",
    "compromiso.organizations.middleware.StaffIdleTimeoutMiddleware",  # session log-ins
    "compromiso.organizations.middleware.TwoFactorEnrolmentMiddleware",
]

# The public case form (/o/<slug>/cases/new/) asked without a session cookie skips these
# (core/handlers.py): an anonymous citizen has no session, no staff account and no flash message,
# CSRF needs only its cookie, and the form is no static file and no log-in. Session
# authentication is replaced by a middleware that sets an AnonymousUser.
PUBLIC_FORM_SKIPPED_MIDDLEWARE = [
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "compromiso.organizations.middleware.StaffIdleTimeoutMiddleware",
    "compromiso.core.middleware.PrivateSessionMiddleware",
    "compromiso.organizations.middleware.StaffLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "compromiso.organizations.middleware.TwoFactorEnrolmentMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "compromiso.config.urls"
WSGI_APPLICATION = "compromiso.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "compromiso.organizations.context_processors.navigation",
            ],
            # Month abbreviations in lower case in Spanish and Catalan (core/templatetags/dates.py).
            "builtins": ["compromiso.core.templatetags.dates"],
        },
    },
]

# Database: SQLite file under ./var by default; DATABASE_URL=postgres://… for production and CI.
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'compromiso.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 0))
}
# A pool of connections per process on PostgreSQL (psycopg's), shared by the process's threads:
# DATABASE_POOL_SIZE at most, a request waiting up to DATABASE_POOL_TIMEOUT seconds for one. 0 (the
# default) is a connection per thread. The production server sets it (config/gunicorn.py), since
# its workers run many threads each and PostgreSQL refuses clients beyond max_connections.
DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 0)
DATABASE_POOL_TIMEOUT = float(env_str("DATABASE_POOL_TIMEOUT", "10"))


def _pooled(database: dj_database_url.DBConfig) -> None:
    if DATABASE_POOL_SIZE > 0 and database["ENGINE"] == "django.db.backends.postgresql":
        database["CONN_MAX_AGE"] = 0  # the pool keeps the connections
        options: dict[str, Any] = dict(database.get("OPTIONS") or {})
        database["OPTIONS"] = options
        options["pool"] = {
            "min_size": 1,
            "max_size": DATABASE_POOL_SIZE,
            "timeout": DATABASE_POOL_TIMEOUT,
        }


_pooled(DATABASES["default"])
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE let the web process and the task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
    }

# A PostgreSQL streaming replica (optional): the views marked `use_replica` (dashboards, analytics,
# exports) read from it, everything else from the primary (core/dbrouter.py). A browser that just
# wrote reads from the primary for DATABASE_REPLICA_PIN_SECONDS; a replica further behind than
# DATABASE_REPLICA_MAX_LAG_SECONDS, or down, is not read at all.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
DATABASE_REPLICA_MAX_LAG_SECONDS = float(env_str("DATABASE_REPLICA_MAX_LAG_SECONDS", "5"))
DATABASE_REPLICA_PIN_SECONDS = env_int(
    "DATABASE_REPLICA_PIN_SECONDS", int(DATABASE_REPLICA_MAX_LAG_SECONDS) + 10
)
DATABASE_ROUTERS: list[str] = []
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("CONN_MAX_AGE", 0)
    )
    _pooled(DATABASES["replica"])
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests read what they wrote
    DATABASE_ROUTERS = ["compromiso.core.dbrouter.ReplicaRouter"]
    if DATABASE_REPLICA_PIN_SECONDS <= DATABASE_REPLICA_MAX_LAG_SECONDS:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_PIN_SECONDS must exceed DATABASE_REPLICA_MAX_LAG_SECONDS, or a "
            "user could read from the replica before it has their own change."
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "organizations.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "compromiso.organizations.passwords.OrganizationNameValidator"},
]
# Argon2 (Django's recommendation) verifies a log-in in about half PBKDF2's time at a comparable
# cost to an attacker (docs/performance.md); PBKDF2 stays listed so older hashes upgrade on log-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# A session ends after this many minutes without a request (signed-in staff and requesters who
# unlocked a case alike); it was Django's two weeks from the log-in.
# SESSION_IDLE_TIMEOUT_MINUTES (SESSION_IDLE_MINUTES is its older name): the log-in page then says
# why the session ended (organizations.middleware.StaffIdleTimeoutMiddleware).
SESSION_IDLE_TIMEOUT_MINUTES = env_int(
    "SESSION_IDLE_TIMEOUT_MINUTES", env_int("SESSION_IDLE_MINUTES", 30)
)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "organizations:overview"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "organizations/registration/locked_out.html"
# The user name a failed log-in is counted under, cut to the user name's own length: axes keeps it
# in a 255-character column, and a pasted megabyte must not turn a failed log-in into an error.
AXES_USERNAME_CALLABLE = "compromiso.organizations.sign_ins.attempted_username"

# Languages: Spanish by default, Catalan and English.
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("ca", _("Catalan")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "compromiso_language"
TIME_ZONE = env_str("TIME_ZONE", "America/Santiago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

# E-mail: one file per message under var/mail in the demo; SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST")
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST,
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 20,
            },
        }
        if EMAIL_HOST
        else {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(BASE_DIR / "var" / "mail")},
        }
    )
}
del EMAIL_HOST  # the EMAIL_* settings are deprecated in Django 6.1; MAILERS replaces them
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Compromiso <no-reply@compromiso.localhost>")
# EMAIL_BACKEND=console or file (messages under EMAIL_FILE_PATH) is the operator's explicit choice.
# With DEBUG off and neither that choice nor EMAIL_HOST the process refuses to start: e-mail
# printed on the console would put every acknowledgement, with its tracking secret, in the logs.
EMAIL_BACKEND_CHOICE = env_str("EMAIL_BACKEND")
if EMAIL_BACKEND_CHOICE == "console":
    MAILERS["default"] = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
elif EMAIL_BACKEND_CHOICE == "file":
    MAILERS["default"] = {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))},
    }
elif EMAIL_BACKEND_CHOICE not in ("", "smtp") or (not DEBUG and not env_str("EMAIL_HOST")):
    raise ImproperlyConfigured(
        "With DEBUG off set EMAIL_HOST (an SMTP server), or choose EMAIL_BACKEND=console or "
        "EMAIL_BACKEND=file (with EMAIL_FILE_PATH) to keep e-mail, secrets included, here."
    )

# Background tasks: django.tasks with the database backend; `compromiso worker` runs them.
# TASKS_BACKEND=immediate runs them inline (the test suite does this). TASKS_BACKEND=rq keeps the
# queue in Redis (TASKS_REDIS_URL) through django-tasks-rq, for when the database backend becomes
# the bottleneck (docs/operations.md, "When to move tasks to a broker"); `compromiso worker` then
# runs RQ's worker. The task code is the same for all three.
TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
TASKS_REDIS_URL = env_str("TASKS_REDIS_URL", "redis://127.0.0.1:6379/0")
if TASKS_BACKEND not in ("database", "immediate", "rq"):
    raise ImproperlyConfigured("TASKS_BACKEND must be database, immediate or rq.")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
            "rq": "django_tasks_rq.RQBackend",
        }[TASKS_BACKEND],
        **({"QUEUES": ["default"]} if TASKS_BACKEND == "rq" else {}),
    }
}
if TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": TASKS_REDIS_URL}}

# Rows of finished tasks are deleted after this many days by `case_maintenance`.
TASKS_KEEP_DAYS = env_int("TASKS_KEEP_DAYS", 7)

# /health/ reports the task backlog stale (503) when the oldest ready task waited longer.
HEALTH_TASKS_MAX_AGE_SECONDS = env_int("HEALTH_TASKS_MAX_AGE_SECONDS", 600)

# Security headers. The CSP allows only our own scripts and styles (everything is vendored).
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_FAILURE_VIEW = "compromiso.core.error_pages.csrf_failure"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Health checks and metrics scrapes come by plain HTTP from inside the network: not redirected.
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^metrics$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# X-Forwarded-Proto is believed only when the operator says a proxy sets it (and drops the
# client's own): TRUSTED_PROXY=true. Otherwise any client could claim its request came by HTTPS.
TRUSTED_PROXY = env_bool("TRUSTED_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY else None

# Request size limits: anything larger is refused before a view sees it (with a page that says
# so). Files do not count. 5 MB of text is far above any form's own limits (a case's description
# takes 20,000 characters), so a form pasted with megabytes of text comes back with what was
# typed and the field's own error rather than an error page.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50

# Stored files (case attachments, audit files, imports) go through Django's storage API: in
# MEDIA_ROOT by default, in an S3-compatible bucket with STORAGE_BACKEND=s3 (django-storages;
# docs/operations.md, "Attachments on S3"). Files are never public: downloads go through the
# staff pages, which check permissions and stream the object.
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "filesystem")
if STORAGE_BACKEND == "s3":
    if not env_str("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME.")
    AWS_S3_OPTIONS = {
        "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
        "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
        "region_name": env_str("AWS_S3_REGION_NAME") or None,
        "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
        "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
        "location": env_str("AWS_LOCATION", ""),
        "default_acl": None,  # the bucket's own policy: private
        "querystring_auth": True,
        "file_overwrite": False,
        "object_parameters": (
            {"ServerSideEncryption": env_str("AWS_S3_SERVER_SIDE_ENCRYPTION")}
            if env_str("AWS_S3_SERVER_SIDE_ENCRYPTION")
            else {}
        ),
    }
    STORAGES = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": AWS_S3_OPTIONS},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
elif STORAGE_BACKEND != "filesystem":
    raise ImproperlyConfigured("STORAGE_BACKEND is filesystem (the default) or s3.")
