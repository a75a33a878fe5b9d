"""Holdfast's one settings file.

Everything that differs between a laptop and a clinic's server comes from the
environment (see the README). Without any variable set the portal refuses to start,
because DEBUG is off by default and SECRET_KEY is then required; `make run` and
`make test` set the development values.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from portal.env import (
    env_bool,
    env_choice,
    env_database,
    env_float,
    env_int,
    env_list,
    env_media_storage,
    env_origin,
    env_str,
    env_time_zone,
    passkey_origin,
    redis_cache,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured(
            "The environment variable SECRET_KEY must be set when DEBUG is off."
        )
    # Only ever used with DEBUG on, on a developer's machine.
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105  # nosec B105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])

# HTTPS only, unless DEBUG. Behind a proxy that ends TLS, set PORTAL_BEHIND_TLS_PROXY=1 so
# that Django believes the proxy's X-Forwarded-Proto header (and only then).
SECURE_SSL_REDIRECT = env_bool("PORTAL_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("PORTAL_SECURE_COOKIES", not DEBUG)
SECURE_HSTS_SECONDS = env_int("PORTAL_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600, minimum=0)
BEHIND_TLS_PROXY = env_bool("PORTAL_BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the portal append to X-Forwarded-For; the client's
# address is read that many entries from the right (portal/client_address.py).
PORTAL_TRUSTED_PROXIES = env_int("PORTAL_TRUSTED_PROXIES", 1 if BEHIND_TLS_PROXY else 0, minimum=0)

PORTAL_CLINIC_NAME = env_str("PORTAL_CLINIC_NAME", "Holdfast Physiotherapy")
# Remote therapeutic monitoring figures (device-supply periods, management time) on the
# clinician's pages and a monthly CSV: for clinics that bill for it.
PORTAL_REMOTE_MONITORING = env_bool("PORTAL_REMOTE_MONITORING", False)

INSTALLED_APPS = [
    "portal",
    "exercises",
    "patients",
    "bench",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "bootstrap",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # First: every request has a deadline, loading its session and user included.
    "portal.middleware.DeadlineMiddleware",
    "portal.middleware.DatabaseProbeMiddleware",
    "portal.middleware.QueueLimitMiddleware",
    "portal.middleware.BodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Deny by default: every view needs a login unless it is marked login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.SessionTimeoutMiddleware",
    "portal.two_factor.StaffTwoFactorMiddleware",
    "portal.audit.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.NoStoreForSignedInMiddleware",
    # Last, so that it sees every login attempt the views make.
    "axes.middleware.AxesMiddleware",
]

# Request bodies (portal.middleware.BodyLimitMiddleware): the admin takes the library's
# uploads (a 60 MB video and its poster and captions); every other address, forms and
# JSON of a few fields. The proxy's limits (deploy/nginx) are a little larger.
PORTAL_MAX_BODY_BYTES = env_int("PORTAL_MAX_BODY_BYTES", 64 * 1024, minimum=1024)
PORTAL_ADMIN_MAX_BODY_BYTES = env_int(
    "PORTAL_ADMIN_MAX_BODY_BYTES", 100 * 1024 * 1024, minimum=1024 * 1024
)

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.clinic",
                "portal.context_processors.user_roles",
            ],
        },
    },
]

# Deadlines (portal/deadlines.py): PostgreSQL gives up connecting after 2 s and cancels a
# statement after PORTAL_DB_STATEMENT_TIMEOUT_SECONDS; a request that still waits after
# PORTAL_REQUEST_DEADLINE_SECONDS (a server that stopped answering) is answered 503.
# gunicorn's worker timeout (gunicorn.conf.py) and the proxy's (deploy/nginx) are longer.
PORTAL_DB_STATEMENT_TIMEOUT_SECONDS = env_int("PORTAL_DB_STATEMENT_TIMEOUT_SECONDS", 5, minimum=0)
PORTAL_REQUEST_DEADLINE_SECONDS = env_int("PORTAL_REQUEST_DEADLINE_SECONDS", 8, minimum=0)
# Behind the proxy (deploy/nginx), a request that waited longer than this for a worker
# is answered 503 at once (portal.middleware.QueueLimitMiddleware).
PORTAL_QUEUE_LIMIT_SECONDS = env_float("PORTAL_QUEUE_LIMIT_SECONDS", 2.0, minimum=0.1)
DATABASES = {
    "default": env_database(
        "DATABASE_URL",
        f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        connect_timeout=2,
        statement_timeout=PORTAL_DB_STATEMENT_TIMEOUT_SECONDS,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The hold index's included columns serve PostgreSQL; SQLite, which has no such indexes,
# builds the same index without them, as it should.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Redis, when REDIS_URL is set, is the cache, and one the portal lives without
# (portal/cache.py): its socket timeouts are a quarter of a second, a failing call is a
# miss, and /healthz reports it. Without it, each process has its own small in-memory
# cache. Sessions live in the database either way: a session kept in a cache that
# missed a logout while it was unreachable would come back to life with it.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "The environment variable REDIS_URL must be a redis:// or rediss:// URL."
        )
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    # Refuses a login while its username and address are locked out, before any check.
    "axes.backends.AxesStandaloneBackend",
    "portal.auth.PortalBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Older hashes still verify, and are upgraded to Argon2 at the next login.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# Long passphrases are welcome; there are no rules about kinds of characters.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Staff (clinicians, editors, administrators) confirm a code from an authenticator app
# before the admin or any patient's record. On by default in production; `make run` and
# the tests leave it off unless they ask for it.
PORTAL_STAFF_2FA = env_bool("PORTAL_STAFF_2FA", not DEBUG)
OTP_TOTP_ISSUER = PORTAL_CLINIC_NAME

# Brute force: five wrong passwords for one e-mail address from one network address lock
# that pair out for 15 minutes. The pair, not the address alone, so that someone trying
# passwords cannot lock a patient out from everywhere; a ceiling across all addresses
# (portal/lockout.py) bounds guessing spread over many. Counters live in the database,
# shared by every process.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "portal.lockout.AccountCeilingHandler"
# Every failure is kept (an hour's worth counts) for the ceiling across addresses.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
PORTAL_ACCOUNT_FAILURE_CEILING = env_int("PORTAL_ACCOUNT_FAILURE_CEILING", 30, minimum=5)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_CALLABLE = "portal.auth.login_username"
AXES_CLIENT_IP_CALLABLE = "portal.client_address.client_address"
AXES_VERBOSE = False

# Sessions end after PORTAL_IDLE_MINUTES without a request, and PORTAL_SESSION_HOURS after
# login whatever happens (see portal.middleware.SessionTimeoutMiddleware).
PORTAL_IDLE_MINUTES = env_int("PORTAL_IDLE_MINUTES", 30, minimum=1)
PORTAL_SESSION_HOURS = env_int("PORTAL_SESSION_HOURS", 12, minimum=1)
SESSION_COOKIE_AGE = PORTAL_SESSION_HOURS * 3600
# A patient's "keep me signed in on this device" (never staff's; portal/sessions.py).
PORTAL_KEEP_SIGNED_IN_DAYS = env_int("PORTAL_KEEP_SIGNED_IN_DAYS", 30, minimum=1)
PORTAL_KEEP_SIGNED_IN_IDLE_DAYS = env_int("PORTAL_KEEP_SIGNED_IN_IDLE_DAYS", 7, minimum=1)
# Downloading one's data and changing the password ask for the password again after this.
PORTAL_FRESH_SIGN_IN_MINUTES = env_int("PORTAL_FRESH_SIGN_IN_MINUTES", 10, minimum=1)
SESSION_COOKIE_HTTPONLY = True
# The timer reads the CSRF token from the page's form, never from the cookie.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("PORTAL_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("PORTAL_HSTS_PRELOAD", True)

# The library's pictures and videos: content, not patient data. On the file system under
# PORTAL_MEDIA_ROOT (served at MEDIA_URL by the proxy in production, by Django while
# developing), or in an S3-compatible bucket when PORTAL_MEDIA_BUCKET is set.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("PORTAL_MEDIA_ROOT", str(BASE_DIR / "media")))
PORTAL_MEDIA = env_media_storage(
    bucket=env_str("PORTAL_MEDIA_BUCKET"),
    endpoint=env_origin("PORTAL_MEDIA_ENDPOINT", None, for_passkeys=False),
    region=env_str("PORTAL_MEDIA_REGION"),
    domain=env_str("PORTAL_MEDIA_DOMAIN"),
)

# Nothing inline and nothing from elsewhere: every script and style is a file of ours.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *PORTAL_MEDIA.origins],
        "media-src": [SELF, *PORTAL_MEDIA.origins],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# E-mail: invitations and password resets. While developing without an SMTP server the
# messages are printed to the console (that is where `make run` shows them).
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST is None and DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
# Seconds before a mail server that does not answer is given up on (the task is retried).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Holdfast <no-reply@localhost>")

# Background work, e-mail above all (portal/mail.py): a queue in the database that
# `manage.py db_worker` works through (make serve-prod starts one beside gunicorn); with
# PORTAL_TASKS=immediate, as `make run` and the tests have it, each task runs at once.
PORTAL_TASKS = env_choice(
    "PORTAL_TASKS", ["database", "immediate"], "immediate" if DEBUG else "database"
)
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
        }[PORTAL_TASKS]
    }
}

# The portal's address as patients reach it. Every link in an e-mail is built from it,
# never from the Host a request names.
PORTAL_SITE_URL = env_str("PORTAL_SITE_URL")
if PORTAL_SITE_URL is None and DEBUG:
    PORTAL_SITE_URL = "http://127.0.0.1:8000/"
elif PORTAL_SITE_URL is None:
    first_host = (ALLOWED_HOSTS or ["localhost"])[0]
    if first_host.startswith(".") or "*" in first_host:
        raise ImproperlyConfigured(
            "Set PORTAL_SITE_URL to the address patients use: the first of ALLOWED_HOSTS "
            f"({first_host!r}) is a pattern, and links in e-mails cannot be made from it."
        )
    PORTAL_SITE_URL = f"https://{first_host}/"

# Passkeys (portal/passkeys.py) belong to one origin and its host name, which browsers
# check before they use one. By default that is the site's own address; browsers never
# give a passkey to a bare IP address, so a site at one (`make run`'s 127.0.0.1) has its
# passkeys at localhost on the same port instead, the one name a browser trusts over
# plain HTTP. Changing the origin later strands the passkeys made for the old one.
PORTAL_PASSKEY_ORIGIN = env_origin("PORTAL_PASSKEY_ORIGIN", passkey_origin(PORTAL_SITE_URL))
OTP_WEBAUTHN_RP_ID = urlsplit(PORTAL_PASSKEY_ORIGIN).hostname
OTP_WEBAUTHN_RP_NAME = PORTAL_CLINIC_NAME
OTP_WEBAUTHN_ALLOWED_ORIGINS = [PORTAL_PASSKEY_ORIGIN]
OTP_WEBAUTHN_HELPER_CLASS = "portal.passkeys.PasskeyHelper"

# A password reset link works for an hour; an invitation for a week (portal.invitations).
PASSWORD_RESET_TIMEOUT = 3600

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_time_zone("TIME_ZONE", "America/Toronto")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": PORTAL_MEDIA.storage,
    "staticfiles": {
        # Hashed, compressed names in production (run collectstatic); plain files from
        # the apps' folders while developing and testing.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}

# While developing, WhiteNoise serves straight from the apps' static folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# One JSON object per line on stdout in production, for whatever collects the logs.
# Messages name requests and records by id only; no clinical values are logged.
PORTAL_JSON_LOGS = env_bool("PORTAL_JSON_LOGS", not DEBUG)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "portal.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            **({"formatter": "json"} if PORTAL_JSON_LOGS else {}),
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        # The lockout library logs every attempt; its warnings are enough.
        "axes": {"level": "WARNING"},
        # A line for every task started and finished: the worker says what it does.
        "django_tasks": {"level": "WARNING"},
    },
}
