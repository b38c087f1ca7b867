"""Settings for LBC Office, all read from the environment.

No variable set = a working local install: SQLite in ``var/`` and a Celery broker on the local
disk. Production sets ``DEBUG=0``, ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DATABASE_URL=postgres://…``
and ``REDIS_URL``; then ``manage.py check --deploy`` is clean. See README.md.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from lbc_office.api import conf as api_conf
from lbc_office.beat import beat_schedule
from lbc_office.core import replica_conf
from lbc_office.core.env import env_bool, env_int, env_list, env_str
from lbc_office.log_config import logging_config
from lbc_office.queues import DEFAULT_QUEUE, ROUTES, TASK_QUEUES, broker

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("LBC_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only ever used on a developer's laptop (DEBUG on); production refuses to start without one.
    SECRET_KEY = "django-insecure-local-development-only-" + "x" * 24

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Ground floor: accounts, audit, security (app label "lbc_office", docs/ARCHITECTURE.md).
    "lbc_office.core",
    "registry",
    # Casework, between the register and the apps: case plans, concerns, referrals, partners.
    "casework",
    "programmes",
    "volunteers",
    # The roof: home page and dashboard, the demo county, nightly upkeep, report figures.
    "lbc_office.home",
    "lbc_office.demo",
    "lbc_office.upkeep",
    "lbc_office.figures",
    "lbc_office.core.admin_site.LbcAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Recovery codes (lbc_office.core.enrolment): single-use codes for the second step.
    "django_otp.plugins.otp_static",
    # The REST API (issue 16): lbc_office.api, its tokens, and the one-time keys of creates.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "lbc_office.api",
    "lbc_office.core.idempotency",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A strict Content-Security-Policy: the vendored assets need nothing inline.
    "lbc_office.core.security.ContentSecurityPolicyMiddleware",
    # Static files: hashed names, gzip and Brotli, cached a year (lbc_office/core/static_files.py).
    "lbc_office.core.static_files.StaticFilesMiddleware",
    # Pages leave gzipped (static files have theirs): Django's GZipMiddleware pads each answer
    # with random bytes against BREACH (Django >= 4.2), and CSRF tokens are masked per answer.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The idle timeout, without rewriting the session on every request (one save a minute).
    "lbc_office.core.idle_sessions.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in user except those marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # A user who just wrote reads the primary, not the read replica.
    "lbc_office.core.replica.ReadYourWritesMiddleware",
    # Two-factor sign-in: officials reach nothing but the code page until it is verified.
    "django_otp.middleware.OTPMiddleware",
    "lbc_office.core.twofactor.RequireTwoFactorMiddleware",
    # A temporary password (set by an official) must be changed before anything else answers.
    "lbc_office.core.accounts.PasswordChangeRequiredMiddleware",
    # Keeps the request for the audit log and records every refused record (404/403).
    "lbc_office.core.audit.AuditMiddleware",
    # A municipal official reads every county; only a county's officials change its records.
    "lbc_office.core.auth.MunicipalReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Must be last: it turns a throttled login into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lbc_office.urls"
WSGI_APPLICATION = "lbc_office.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
# Widgets through Jinja2, the admin's through Django templates (lbc_office/core/form_renderer.py).
FORM_RENDERER = "lbc_office.core.form_renderer.WidgetRenderer"

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # The laptop default: web, worker and beat share one file, so wait for locks instead of
    # failing, and let readers run beside the writer.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool(
    "DB_JIT", default=False
):
    # PostgreSQL's JIT compiles any query it estimates as costly; for the reports and the
    # dashboard over a county's register that compiling took 700 ms of an 800 ms query (see
    # docs/PERFORMANCE.md). The app runs short queries: it is off unless DB_JIT=1.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The owner role, for migrations only (lbc_office/core/dbroles.py, docs/OPERATIONS.md): the app
# connects as DATABASE_URL's role, which owns nothing and may only add to the audit log;
# `manage.py migrate` (and `restore`, `grant_app_role`) connect through this "owner" alias
# when MIGRATE_DATABASE_URL is set. Give it only to the command that migrates, never to the
# web, worker or beat services. Unset: one role does both (the laptop, the tests).
MIGRATE_DATABASE_URL = env_str("MIGRATE_DATABASE_URL", "")
if MIGRATE_DATABASE_URL:
    DATABASES["owner"] = {
        **dj_database_url.parse(MIGRATE_DATABASE_URL, conn_max_age=0),
        "OPTIONS": DATABASES["default"].get("OPTIONS", {}),
        # In the tests the alias is the test database's own connection.
        "TEST": {"MIRROR": "default"},
    }
    if DATABASES["owner"]["NAME"] != DATABASES["default"]["NAME"]:
        raise ImproperlyConfigured("MIGRATE_DATABASE_URL must name DATABASE_URL's database.")

# The read replica: a streaming standby for the reports (lbc_office/core/replica_conf.py).
DATABASES.update(replica_conf.databases(DATABASES["default"]))
REPLICA_MAX_LAG_SECONDS, REPLICA_CHECK_SECONDS, REPLICA_STICKY_SECONDS = replica_conf.timings()
if "replica" in DATABASES:
    DATABASE_ROUTERS = ["lbc_office.core.replica.ReplicaRouter"]

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "lbc_office.User"
AUTHENTICATION_BACKENDS = [
    # Throttles repeated failed logins; must come first.
    "axes.backends.AxesStandaloneBackend",
    "lbc_office.core.auth.RoleBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after 30 idle minutes: a request pushes the expiry forward, at most once a
# minute (lbc_office/core/idle_sessions.py), so a session ends 29–30 minutes after the last one.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_REFRESH_SECONDS = 60
# Sessions read from the cache (Redis; files on a laptop), written to both; sign-out ends both.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Two-factor sign-in (TOTP) for officials and the admin. Off only for a throwaway laptop.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", default=True)
OTP_TOTP_ISSUER = "LBC Office"
# Setting it up needs a one-time enrolment code from another official (lbc_office.core.enrolment).
ENROLMENT_CODE_HOURS = env_int("ENROLMENT_CODE_HOURS", 72)

# Login throttling (django-axes, lbc_office/core/lockout.py): 5 failures for one username from one
# address lock that pair out for 15 minutes (a success resets the pair); 20 failures from one
# address, whatever the usernames, lock the address out (password spraying).
AXES_HANDLER = "lbc_office.core.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
# The order matters: LockoutHandler reads the pair first, then the address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The client's address, for the lock-out and the audit log alike: one function decides it.
AXES_CLIENT_IP_CALLABLE = "lbc_office.core.audit.client_ip"
# How many reverse proxies we run in front of the app (nginx: 1). Only then is the client's
# address read from X-Forwarded-For (the hop our proxy added); 0, the default, uses the
# connection's address and ignores the header, which anyone can forge.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files (vendored; no CDN) ---------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# On a laptop (DEBUG) whitenoise reads the source folders and notices edits; `make run` turns
# this off (STATIC_FROM_SOURCE=0) to serve the collected, compressed files users get.
WHITENOISE_USE_FINDERS = env_bool("STATIC_FROM_SOURCE", default=DEBUG)
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security (production values whenever DEBUG is off) ---------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", default=False):
    # The reverse proxy terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Register imports (registry.importing): the largest file an official may upload. Wuxi's whole
# register (54,660 children) is about 6 MB as CSV.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# What a register file may hold, checked before and while it is read (a small file can still
# unpack to millions of cells): sheet rows or CSV lines, the header included (a county has
# 55,000-71,000 children), columns (the register has 13), one CSV line's bytes, an XLSX's parts
# unpacked, the cells holding a value, and the error lines a check keeps (the rest are
# counted). See README, "Import limits".
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)
IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 50)
IMPORT_MAX_LINE_BYTES = env_int("IMPORT_MAX_LINE_BYTES", 64 * 1024)
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_BYTES", 512 * 1024 * 1024)
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 4_000_000)  # 200,000 rows of 20 filled columns
IMPORT_MAX_ERRORS = env_int("IMPORT_MAX_ERRORS", 200)
# Reports (lbc_office.reports): PostgreSQL's work_mem for a report's own transaction, so that a
# municipal report hashes millions of children in memory (see docs/PERFORMANCE.md).
REPORT_WORK_MEM = env_str("REPORT_WORK_MEM", "64MB")
# A city-sized register (millions of children): count the programme, carer and home-visit
# figures of every school every N minutes and read the reports from them (see
# lbc_office/reports/figures.py). 0, the default, counts every report live.
REPORT_FIGURES_MINUTES = env_int("REPORT_FIGURES_MINUTES", 0)

# --- Email ------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "LBC Office <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -----------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# The cache carries what a worker tells the web processes while it works (an import's progress):
# Redis when there is one, else files in var/ (shared by the processes of one machine).
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    )
}
# Redis, or the embedded broker in files under var/celery/ (lbc_office/queues.py).
CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = broker(REDIS_URL, VAR_DIR / "celery")
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Queues by kind, every task routed by name (lbc_office/queues.py); a worker started without
# -Q consumes all four (the laptop), production runs one worker per queue (docs/OPERATIONS.md).
CELERY_TASK_QUEUES = TASK_QUEUES
CELERY_TASK_ROUTES = ROUTES
CELERY_TASK_DEFAULT_QUEUE = DEFAULT_QUEUE
CELERY_TASK_CREATE_MISSING_QUEUES = False

# The whole beat schedule, each entry with when it fires: lbc_office/beat.py.
CELERY_BEAT_SCHEDULE = beat_schedule(report_figures_minutes=REPORT_FIGURES_MINUTES)

# --- SMS (volunteers.sms) ----------------------------------------------------------------------
# volunteers.sms.ConsoleBackend (log only), .FileBackend (JSON lines in SMS_FILE_PATH) or
# .HttpBackend (POST JSON to SMS_HTTP_URL with a bearer token).
SMS_BACKEND = env_str("SMS_BACKEND", "volunteers.sms.ConsoleBackend")
SMS_FILE_PATH = env_str("SMS_FILE_PATH", str(VAR_DIR / "sms.jsonl"))
SMS_HTTP_URL = env_str("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = env_str("SMS_HTTP_TOKEN", "")
# Replies POSTed to /sms/inbound/, HMAC-signed with this secret (docs/OPERATIONS.md).
SMS_INBOUND_SECRET = env_str("SMS_INBOUND_SECRET", "")
SMS_INBOUND_WINDOW = env_int("SMS_INBOUND_WINDOW", 300)  # seconds a signed request stays good
# Where links in emails point.
LBC_SITE_URL = env_str("LBC_SITE_URL", "http://127.0.0.1:8000")

# --- Logging: no identity numbers, passwords or session keys are ever logged ------------------
LOGGING = logging_config(level=env_str("LOG_LEVEL", "INFO"))

# --- Backups and retention ---------------------------------------------------------------------
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(VAR_DIR / "backups")))
BACKUP_KEEP = env_int("BACKUP_KEEP", 14)  # how many daily backups to keep
# A file closed or aged out for longer than this is anonymised (PIPL: shortest retention).
RETENTION_YEARS = env_int("RETENTION_YEARS", 3)

# --- Product settings -------------------------------------------------------------------------
LBC_MAX_AGE = 17  # a child of 17 or more is not a left-behind child in the register
LBC_PAGE_SIZE = 25
# Printed batches (registry/printing): where their PDFs are kept (owner-only), for how long.
PRINT_DIR = env_str("LBC_PRINT_DIR", str(VAR_DIR / "prints"))
PRINT_KEEP_DAYS = env_int("LBC_PRINT_KEEP_DAYS", 7)
PRINT_BATCH_MAX = 2000
# A batch is printed in parts of this many files, side by side by the worker's processes.
PRINT_CHUNK_SIZE = env_int("LBC_PRINT_CHUNK_SIZE", 50)
# Lookups by identity number (searches, "already registered" answers) a non-official may make
# a day; beyond, the office checks the number (registry.idnumber.lookups_left).
LBC_ID_LOOKUPS_PER_DAY = env_int("LBC_ID_LOOKUPS_PER_DAY", 20)
# A volunteer's vetting (background check, training) holds this many years; then they take no
# new child until vetted again. Officials see whose vetting ends within the warning's days.
VOLUNTEER_VETTING_YEARS = env_int("VOLUNTEER_VETTING_YEARS", 2)
VOLUNTEER_VETTING_WARN_DAYS = 60
# A protection concern is looked at within N working days (Mon-Fri), an urgent one within N
# hours, else it escalates to every official once (docs/DOMAIN.md, "Protection concerns").
CONCERN_TRIAGE_WORKING_DAYS = env_int("CONCERN_TRIAGE_WORKING_DAYS", 2)
CONCERN_URGENT_HOURS = env_int("CONCERN_URGENT_HOURS", 24)


# --- REST API (lbc_office/api, docs/API.md) ---------------------------------------------------
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)  # a new token's life unless the user says
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 366)
API_TOKEN_MAX_LIVE = env_int("API_TOKEN_MAX_LIVE", 20)  # live tokens a user holds at once
API_RATE = env_str("API_RATE", "600/min")  # requests per token (or per signed-in user)
# The API's framework settings, kept beside the API (lbc_office/api/conf.py).
REST_FRAMEWORK = api_conf.REST_FRAMEWORK
SPECTACULAR_SETTINGS = api_conf.SPECTACULAR_SETTINGS
