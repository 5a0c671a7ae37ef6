"""Settings of ITA Portal. Everything deployment-specific comes from the environment (django-environ)."""
import sys
from pathlib import Path

import environ
import fontpkg_sarabun
from django.core.exceptions import ImproperlyConfigured

from .secrets import weak_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; a missing file is ignored

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-never-use-in-production")
else:
    SECRET_KEY = env.str("SECRET_KEY")  # required outside DEBUG: fails loudly when missing
    if weak_secret_key(SECRET_KEY):
        raise ImproperlyConfigured(
            "SECRET_KEY is too weak to sign sessions and links: use at least 50 random characters (with at "
            "least 5 different ones), e.g. python -c \"import secrets; print(secrets.token_urlsafe(64))\"."
        )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A form sent without a valid CSRF token: a Thai page in the site's layout (core/error_pages.py).
CSRF_FAILURE_VIEW = "core.error_pages.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "simple_history",
    "core.third_party_apps.SignInRecordsConfig",  # django-axes, titled in Thai
    "django_otp",
    "django_tasks",  # the backport of Django 6's Tasks framework (background work, reports/workflow/tasks.py)
    "core.third_party_apps.BackgroundTasksConfig",  # django_tasks_db, its database backend: the queue is a table, workers run `manage.py db_worker`
    "twofactor.apps.AuthenticatorAppsConfig",  # django_otp.plugins.otp_totp
    "twofactor.apps.RecoveryCodesConfig",  # django_otp.plugins.otp_static
    "core",
    "orgs",
    "ita",
    "measures",
    "reports",
    "oit",
    "public",
    "oversight",
    "workspace",
    "twofactor.apps.TwoFactorConfig",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before XFrameOptionsMiddleware in this list, so it sees the final X-Frame-Options (core/security.py).
    "core.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous GETs of public pages and PDFs from the shared cache, before sessions and views (core/pagecache.py).
    "core.pagecache.PublicCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ThaiFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session passed the second factor (django-otp)
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # Workspace, admin and account pages ask for the second factor, or its setup where it is required.
    "twofactor.middleware.TwoFactorMiddleware",
]

ROOT_URLCONF = "ita_portal.urls"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

WSGI_APPLICATION = "ita_portal.wsgi.application"

# An empty DATABASE_URL counts as unset (django-environ would give an empty config otherwise).
_database_url = env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(_database_url)}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
# Persistent connections: opening a PostgreSQL connection costs more than a staff page's queries.
# A connection is kept this many seconds (0: one per request) and checked before it is reused.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "core.password_validation.MinimumLengthValidator"},  # Thai digits in its message
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workspace_start"
LOGOUT_REDIRECT_URL = "public:directory"

# django-axes: lock a username+IP after 5 failed sign-ins for one hour, and a client address after 20
# failures whatever the usernames (core/lockout.py).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "core.lockout.LockoutHandler"
# Password-reset requests an hour (core/password_reset.py): per client address, then per e-mail address.
PASSWORD_RESET_LIMIT_PER_IP = env.int("PASSWORD_RESET_LIMIT_PER_IP", default=10)
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)
AXES_RESET_ON_SUCCESS = True

# Two-factor sign-in (twofactor/, django-otp): every user may turn it on; a user who has it enters a code
# from the authenticator app (or a recovery code) before any workspace, admin or account page. With
# TWO_FACTOR_REQUIRED, installation administrators (superusers, Django staff) and organisation
# administrators must set it up before anything else; on by default in production, off with DEBUG so the
# `make run` demo accounts sign in at once. An organisation may require it of its approvers itself
# (Organisation.require_two_factor_approvers), whatever this setting says.
TWO_FACTOR_REQUIRED = env.bool("TWO_FACTOR_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="ITA Portal")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret key
# Behind N reverse proxies that append to X-Forwarded-For, the lockout counts the real client address
# (core/client_ip.py); 0 (no proxy): REMOTE_ADDR, and X-Forwarded-For is ignored.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"

LANGUAGE_CODE = "th"
LANGUAGES = [("th", "ไทย"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# The Sarabun files of the pinned fontpkg-sarabun package (the same files the PDFs embed) are served as
# static files, so pages read in Thai on machines that have no Thai font (static/css/site.css @font-face).
STATICFILES_DIRS = [BASE_DIR / "static", ("fonts/sarabun", str(Path(fontpkg_sarabun.ROOT) / "files"))]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Uploads and stored PDFs go only through the storage API, so an object store can replace the disk.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Cache: CACHE_URL, e.g. redis://cache.internal:6379/0 (shared by every app server); a process-local
# memory cache without it. The public page cache (core/pagecache.py) and the staff pages' data cache
# (core/datacache.py) need a cache shared by every process that writes (web and task workers), so they are
# on by default only when CACHE_URL is set.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "core.redis_cache.RedisCache"  # one client per pool, not per call
PUBLIC_PAGE_CACHE = env.bool("PUBLIC_PAGE_CACHE", default=bool(env.str("CACHE_URL", default="")))
WORKSPACE_DATA_CACHE = env.bool("WORKSPACE_DATA_CACHE", default=bool(env.str("CACHE_URL", default="")))
# With a shared cache, sessions are read from it (one query fewer on every signed-in page) and kept in the
# database as well. Never with a process-local cache: a session ended in one process would live on in the
# others' memory.
if CACHES["default"]["BACKEND"] == "core.redis_cache.RedisCache":
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# A request body held in memory (typed or pasted text): the importer takes up to 10 MB of pasted text, so
# 11 MB (Django's default, 2.5 MB, refused a long pasted table before the import page could say why).
DATA_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024

# Background work (django-tasks): published PDFs are rendered and e-mails sent by tasks, never inside a
# request. "database" (default): the queue is a table of this database, run by `manage.py db_worker`
# processes (`make run` starts one beside the server; docs/DEPLOY.md runs them as a service; on
# PostgreSQL several workers share the queue safely). "immediate": a task runs at once in the process
# that enqueues it (no worker; the request waits for it), for a quick trial without a worker.
TASKS_BACKEND = env.str("TASKS_BACKEND", default="database")
TASKS = {"default": {"BACKEND": {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}[TASKS_BACKEND]}}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail (workflow notices, send_due_reminders). By default messages go to the console. For SMTP set
# EMAIL_URL, parsed by django-environ, e.g.
#     EMAIL_URL=smtp+tls://user:password@mail.example.org:587     (STARTTLS)
#     EMAIL_URL=smtp+ssl://user:password@mail.example.org:465     (implicit TLS)
# (URL-encode special characters of the user and password: @ -> %40). Without EMAIL_URL, EMAIL_BACKEND
# names a backend class (console by default). SITE_URL is the address the links in e-mails start with.
if env.str("EMAIL_URL", default=""):
    globals().update(env.email_url("EMAIL_URL", default="consolemail://"))  # EMAIL_BACKEND, EMAIL_HOST, ...
else:
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)  # seconds; a hanging SMTP server must not hang requests
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ITA Portal <no-reply@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# The OIT register (oit/): the OIT window of the assessment year (weekly reminders inside it, "MM-DD"), and
# the link checker's limits. Local and private addresses are refused unless allowed (development only).
OIT_WINDOW_START = env.str("OIT_WINDOW_START", default="03-01")
OIT_WINDOW_END = env.str("OIT_WINDOW_END", default="06-30")
OIT_LINKCHECK_TIMEOUT = env.float("OIT_LINKCHECK_TIMEOUT", default=10.0)
OIT_LINKCHECK_CONCURRENCY = env.int("OIT_LINKCHECK_CONCURRENCY", default=20)
OIT_LINKCHECK_PER_HOST = env.int("OIT_LINKCHECK_PER_HOST", default=2)
OIT_LINKCHECK_DEADLINE = env.float("OIT_LINKCHECK_DEADLINE", default=1800.0)
OIT_LINKCHECK_ALLOW_PRIVATE = env.bool("OIT_LINKCHECK_ALLOW_PRIVATE", default=DEBUG)

# Demo accounts (seed_demo) use this password; demo only.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo1234")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"

# --- Security (HTTPS, cookies, headers); `manage.py check --deploy` gives no warnings -------------------
# Outside DEBUG every switch defaults to the secure value. For a plain-HTTP run without DEBUG (a local
# trial) switch them off in the environment: SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false
# CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0. docs/DEPLOY.md lists them.
# The test settings (ita_portal/settings_test.py, imported by pytest-django) talk plain HTTP to the test
# client and the live server, so the HTTPS-only defaults are off while that module is being loaded.
_PLAIN_HTTP_TESTS = "ita_portal.settings_test" in sys.modules
_HTTPS = not DEBUG and not _PLAIN_HTTP_TESTS
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe the app servers over plain HTTP
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if _HTTPS else 0)  # one year
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=_HTTPS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=_HTTPS)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600  # a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Behind a TLS-terminating proxy that sets it: SECURE_PROXY_SSL_HEADER=HTTP_X_FORWARDED_PROTO (the request
# counts as HTTPS when that header says "https"). Unset by default: without such a proxy a client could
# send the header itself.
_proxy_ssl_header = env.str("SECURE_PROXY_SSL_HEADER", default="")
SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https") if _proxy_ssl_header else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # views that may be framed say so (embed: exempt; document preview: SAMEORIGIN)
# Content-Security-Policy: core/security.py. Origins images may also come from, when MEDIA_URL points at
# another host (an object store serving the emblems), e.g. CSP_IMG_SRC=https://media.example.org
CSP_IMG_SRC = env.list("CSP_IMG_SRC", default=[])

from django.contrib.messages import constants as message_constants  # noqa: E402

MESSAGE_TAGS = {message_constants.ERROR: "danger"}
SIMPLE_HISTORY_REVERT_DISABLED = True  # history rows are a record: the admin shows them, never reverts to them
