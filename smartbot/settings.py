"""SmartBot settings, read from the environment (12-factor, django-environ).

Every optional integration has a switch and an embedded default, so that a
fresh clone runs with no server installed: SQLite, an in-memory channel layer,
a filesystem Celery broker and the builtin evaluator. `.env.example` lists
every variable.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from smartbot.checks import email_backend_refusal
from smartbot.logging import logging_config
from smartbot.secret_key import development_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Nothing here asks whether it runs under a test runner: the suite's settings (smartbot/settings_test.py) read
# this module and then choose their own defaults.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    # No key in the source: anyone who knows a key can sign sessions, reset links and JWTs. Development
    # makes a random one once and keeps it in var/ (git-ignored), so sessions survive a restart.
    SECRET_KEY = development_secret_key(VAR_DIR / "secret_key")
# Old keys still accepted while rotating (comma-separated): sessions, password-reset and signed links made
# with them keep working; new ones use SECRET_KEY. Not the API's JWTs: simplejwt signs and verifies with
# SECRET_KEY alone (docs/operations.md, "Rotating secrets").
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Public base URL used in emails, API answers and webhooks (no trailing slash).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "accounts.admin_site.AdminConfig",  # django.contrib.admin, its site letting company members in by role
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "health_check",
    "django_prometheus",
    # Before accounts: accounts/admin.py re-registers axes' admin pages for superusers only.
    "axes",
    "accounts",
    "vacancies",
    "screening",
    "chat",
]

MIDDLEWARE = [
    # First and (nearly) last: django-prometheus measures the whole stack and then the view.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Log ids (request, company, response) and X-Request-ID, then the probes and /metrics before host checks.
    "smartbot.logging.RequestContextMiddleware",
    "smartbot.health.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "smartbot.middleware.PermissionsPolicyMiddleware",
    "smartbot.middleware.ForbiddenCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Members see every time in their company's zone, named on the page (docs/scheduling.md, "Time zones").
    "accounts.middleware.CompanyTimeZoneMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last (django-axes' rule): turns a login refused by the lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "smartbot.urls"
WSGI_APPLICATION = "smartbot.wsgi.application"
ASGI_APPLICATION = "smartbot.asgi.application"

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

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Under ASGI every request and every chat frame's database call runs in its own thread, and a
    # persistent connection (CONN_MAX_AGE > 0) stays with its thread: 50 clients once exhausted
    # PostgreSQL's 100 connections. A pool per process (psycopg_pool, Django >= 5.1) bounds them instead:
    # at most DB_POOL_MAX_SIZE per process; a thread that finds none free waits up to DB_POOL_TIMEOUT
    # seconds, then its request fails (PoolTimeout). Size it so that
    #   web processes x DB_POOL_MAX_SIZE + worker processes x their pool (or 1 without) < max_connections.
    # Celery (>= 5.5) closes a prefork child's pool around every task, so workers run with DB_POOL=0:
    # one connection per child, kept DB_CONN_MAX_AGE seconds (docs/operations.md, "Database connections").
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    # Shown in pg_stat_activity: which process holds which connection.
    _options.setdefault("application_name", env.str("DB_APPLICATION_NAME", default="smartbot"))
    if env.bool("DB_POOL", default=True):
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # required by the pool: "closing" returns to the pool
        _options["pool"] = {
            "min_size": env.int("DB_POOL_MIN_SIZE", default=2),
            "max_size": env.int("DB_POOL_MAX_SIZE", default=10),
            "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
    # On: the pool checks each connection as it lends it (an empty query, one round trip), or without the
    # pool Django runs a ``SELECT 1`` at the first query of every request and chat frame; a connection
    # broken by a PostgreSQL restart is then replaced instead of failing a request. Switch off
    # (DB_CONN_HEALTH_CHECKS=0) only where PostgreSQL never restarts.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DB_CONN_HEALTH_CHECKS", default=True)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (daphne, celery) share the demo database file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and cache ------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # channels-redis with a bounded, blocking pool (smartbot/channel_layer.py): at most
            # CHANNEL_LAYER_MAX_CONNECTIONS Redis connections per process; a command that finds them all busy
            # waits up to CHANNEL_LAYER_POOL_TIMEOUT seconds instead of failing. A command takes well under a
            # millisecond, so 100 serve thousands of group operations a second; keep processes x this under
            # Redis's maxclients (10,000 by default). See docs/chat-protocol.md, "Limits".
            "BACKEND": "smartbot.channel_layer.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 reads with a 5 s socket timeout by default, the same as channels-redis's
                # blocking BZPOPMIN: an idle (or busy) process's shared receive loop then times out and
                # closes every socket of that process with 1011. Reads wait longer than the BZPOPMIN.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": env.float("CHANNEL_LAYER_SOCKET_TIMEOUT", default=30),
                        "socket_connect_timeout": 5,
                        "max_connections": env.int("CHANNEL_LAYER_MAX_CONNECTIONS", default=100),
                        # Named, so CLIENT LIST tells the chat's connections from the cache's and Celery's.
                        "client_name": env.str("CHANNEL_LAYER_CLIENT_NAME", default="smartbot-channels"),
                    }
                ],
                "pool_timeout": env.float("CHANNEL_LAYER_POOL_TIMEOUT", default=10),
                "capacity": 1500,
                "expiry": 30,
                "prefix": env.str("CHANNEL_LAYER_PREFIX", default="smartbot"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="smartbot"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Chat sockets -------------------------------------------------------------
# Frame limits of the chat's WebSockets (chat/throttle.py, docs/chat-protocol.md "Limits"). Every client frame
# counts (pings, typing, malformed ones). Over a limit the socket gets one "rate_limited" error frame; after
# CHAT_FLOOD_CLOSE_AFTER more refused frames in a row it is closed with 4429. A rate of 0 switches a limit off.
CHAT_SOCKET_FRAMES_PER_SECOND = env.float("CHAT_SOCKET_FRAMES_PER_SECOND", default=10)
CHAT_SOCKET_FRAME_BURST = env.int("CHAT_SOCKET_FRAME_BURST", default=20)
# All sockets of one client address in one server process together (a NAT hides many candidates behind one).
CHAT_IP_FRAMES_PER_SECOND = env.float("CHAT_IP_FRAMES_PER_SECOND", default=100)
CHAT_IP_FRAME_BURST = env.int("CHAT_IP_FRAME_BURST", default=200)
# Messages (frames that write: answers, and messages while a recruiter leads) per socket, candidate or recruiter.
CHAT_SOCKET_MESSAGES_PER_MINUTE = env.float("CHAT_SOCKET_MESSAGES_PER_MINUTE", default=60)
CHAT_SOCKET_MESSAGE_BURST = env.int("CHAT_SOCKET_MESSAGE_BURST", default=20)
CHAT_FLOOD_CLOSE_AFTER = env.int("CHAT_FLOOD_CLOSE_AFTER", default=20)
# Typing indicators of one socket reach the others at most once per this many seconds (the last one wins).
CHAT_TYPING_INTERVAL = env.float("CHAT_TYPING_INTERVAL", default=1.0)

# --- Celery -------------------------------------------------------------------
# Without a broker URL, a filesystem broker lets a real worker process run with
# no server installed (the `make demo` default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_queue_dir / "processed"),
        "control_folder": str(_queue_dir / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.split("://", 1)[0] in ("amqp", "amqps", "pyamqp"):
    # RabbitMQ (py-amqp, a Celery dependency). An unacknowledged task is redelivered as soon as its
    # worker's connection drops (no visibility timeout). RabbitMQ closes the channel of a consumer that
    # holds a message unacknowledged longer than its consumer_timeout (30 min by default): task time
    # limits and retry countdowns (a retry waits unacknowledged in its worker; LLM at most 5 min,
    # webhooks 8 min by default) stay under it. Publisher confirms: a publish RabbitMQ refused raises
    # instead of being lost. Heartbeats (seconds, Celery's default 120) find a dead connection behind
    # a NAT or a firewall.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"confirm_publish": True}
    CELERY_BROKER_HEARTBEAT = env.int("CELERY_BROKER_HEARTBEAT", default=120)
else:
    # Redis. Task time limits below stay well under this, so a running task is never
    # redelivered while it is still alive.
    CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
    if CELERY_VISIBILITY_TIMEOUT < 60:
        # A short timeout (tests of killed workers) is only useful if abandoned messages are swept often.
        CELERY_BROKER_TRANSPORT_OPTIONS.update({"unacked_restore_interval": 1, "unacked_restore_throttle": 1})
# On: tasks run inside the caller, no worker needed (the test settings' default).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# The hard limit is also the lease of a running evaluation: an older "running" one was abandoned.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=max(1, CELERY_TASK_TIME_LIMIT - 60))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# Periodic work run by `celery beat`: smartbot/beat.py.
from smartbot.beat import CELERY_BEAT_SCHEDULE  # noqa: E402, F401

# --- Integrations (docs/integrations.md) -----------------------------------------
# Secrets at rest (job boards' OAuth tokens, Telegram bots' tokens) are Fernet-encrypted with a key derived from
# SECRET_KEY (and SECRET_KEY_FALLBACKS, for rotation) salted with SALT_KEY; a list keeps old salts readable.
SALT_KEY = env.list("SALT_KEY", default=["smartbot-integrations-v1"])
# hh.ru employer API: an application registered at https://dev.hh.ru; the addresses change only for a fake server.
HH_CLIENT_ID = env.str("HH_CLIENT_ID", default="")
HH_CLIENT_SECRET = env.str("HH_CLIENT_SECRET", default="")
HH_API_URL = env.str("HH_API_URL", default="https://api.hh.ru").rstrip("/")
HH_OAUTH_URL = env.str("HH_OAUTH_URL", default="https://hh.ru").rstrip("/")
# hh.ru requires every request to name the application and a contact (HH-User-Agent: "Name/Version (email)").
HH_USER_AGENT = env.str("HH_USER_AGENT", default="SmartBot/1.0 (support@smartbot.example)")
HH_TIMEOUT = env.float("HH_TIMEOUT", default=20.0)
# Avito Job API (Авито Работа): an application registered at https://developers.avito.ru/applications (Avito
# registers only trusted partners; the redirect URI is fixed there). The addresses change only to point at a fake.
AVITO_CLIENT_ID = env.str("AVITO_CLIENT_ID", default="")
AVITO_CLIENT_SECRET = env.str("AVITO_CLIENT_SECRET", default="")
AVITO_API_URL = env.str("AVITO_API_URL", default="https://api.avito.ru").rstrip("/")
AVITO_OAUTH_URL = env.str("AVITO_OAUTH_URL", default="https://avito.ru").rstrip("/")
# How often beat imports new responses from every linked vacancy (seconds).
BOARD_SYNC_SECONDS = env.int("BOARD_SYNC_SECONDS", default=300)
TELEGRAM_API_URL = env.str("TELEGRAM_API_URL", default="https://api.telegram.org").rstrip("/")
TELEGRAM_TIMEOUT = env.float("TELEGRAM_TIMEOUT", default=15.0)

# --- LLM ----------------------------------------------------------------------
# With neither a key nor a base URL, the builtin evaluator is used.
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="")
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
OPENAI_TIMEOUT = env.float("OPENAI_TIMEOUT", default=30.0)
# "schema": strict JSON-schema structured output; "object": plain JSON mode, for servers without schemas.
OPENAI_JSON_MODE = env.str("OPENAI_JSON_MODE", default="schema")
# Price per million tokens, for the cost estimate (input, output), in USD.
OPENAI_PRICE_INPUT_PER_M = env.float("OPENAI_PRICE_INPUT_PER_M", default=0.15)
OPENAI_PRICE_OUTPUT_PER_M = env.float("OPENAI_PRICE_OUTPUT_PER_M", default=0.60)
# Auditable advice (docs/llm.md): with an LLM, each evaluation runs this many times (temperature 0); when the
# rubric scores of the runs differ by more than AI_UNSTABLE_SPREAD points it shows "unstable: needs a person".
AI_EVALUATION_RUNS = env.int("AI_EVALUATION_RUNS", default=1)
AI_UNSTABLE_SPREAD = env.int("AI_UNSTABLE_SPREAD", default=10)
# The fairness pre-flight: a counterfactual pair whose scores differ by more than this many points needs the
# owner's acknowledgement before the vacancy is published.
AI_FAIRNESS_THRESHOLD = env.int("AI_FAIRNESS_THRESHOLD", default=5)

# --- Auth ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "vacancies:list"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Two-factor ---
# Optional TOTP sign-in (django-otp; accounts/two_factor.py, docs/operations.md "Two-factor sign-in").
# The issuer is the name authenticator apps list the account under.
OTP_TOTP_ISSUER = "SmartBot"
# The device admins (if ever registered) show no secret keys or QR codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Email --------------------------------------------------------------------
# Production (DEBUG off) refuses to start with a backend that sends nothing (console, locmem, dummy, file):
# reset, sign-up and invitation links would only reach a log. EMAIL_ALLOW_CONSOLE=1 allows it on purpose
# (smartbot.checks, smartbot.E002; docs/operations.md "Tokens and email in production").
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
EMAIL_ALLOW_CONSOLE = env.bool("EMAIL_ALLOW_CONSOLE", default=False)
_email_refusal = email_backend_refusal(
    backend=EMAIL_BACKEND,  # noqa: F821 - set from EMAIL_CONFIG just above
    debug=DEBUG,
    allow_console=EMAIL_ALLOW_CONSOLE,
)
if _email_refusal:
    raise ImproperlyConfigured(_email_refusal)
# How long a sign-up's confirmation link works, in hours (accounts.services.signup_pending_user).
SIGNUP_CONFIRMATION_HOURS = env.int("SIGNUP_CONFIRMATION_HOURS", default=48)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SmartBot <noreply@smartbot.local>")

# --- I18n ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates with the month in words ("1 Dec 2026", "1 декабря 2026"), never "12/01/2026": smartbot/formats/.
FORMAT_MODULE_PATH = ["smartbot.formats"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_TZ = True

# --- Static and media -------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Hashed, compressed names from collectstatic's manifest (the image runs collectstatic). With DEBUG on, Django
# links the plain names and WhiteNoise serves them from the finders, so `make demo` needs no collectstatic.
# STATIC_MANIFEST=0 links plain names with DEBUG off too (the test settings do: nothing is collected there).
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
# The largest request body accepted at all, in bytes: a larger one is refused with 413 before its body is
# read (``smartbot.limits``). A reverse proxy in front should say the same (nginx: client_max_body_size 7m).
REQUEST_MAX_BODY_BYTES = env.int("REQUEST_MAX_BODY_BYTES", default=7 * 1024 * 1024)

# --- Resume uploads -----------------------------------------------------------
# Text extraction runs in a child process with these budgets (screening.resume); past any of them the
# candidate is asked to paste the text instead.
RESUME_MAX_BYTES = env.int("RESUME_MAX_BYTES", default=5 * 1024 * 1024)  # the uploaded file
RESUME_EXTRACT_SECONDS = env.float("RESUME_EXTRACT_SECONDS", default=10.0)  # wall clock of one extraction
RESUME_EXTRACT_MEMORY_MB = env.int("RESUME_EXTRACT_MEMORY_MB", default=512)  # address space of the child
RESUME_EXTRACT_POOL = env.bool("RESUME_EXTRACT_POOL", default=True)  # fork the child from a fork server
RESUME_MAX_PAGES = env.int("RESUME_MAX_PAGES", default=30)  # PDF pages read
RESUME_MAX_DECOMPRESSED_BYTES = env.int("RESUME_MAX_DECOMPRESSED_BYTES", default=20 * 1024 * 1024)
RESUME_MAX_CHARS = env.int("RESUME_MAX_CHARS", default=100_000)  # characters of text kept

# --- Security -----------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
_PRODUCTION = not DEBUG
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=_PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=_PRODUCTION)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if _PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _PRODUCTION
SECURE_HSTS_PRELOAD = _PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Content-Security-Policy and Permissions-Policy ---------------------------
# django-csp 4 (csp.middleware.CSPMiddleware). No inline script, style or handler anywhere: scripts and styles
# are static files, data for scripts goes through json_script. The API docs pages relax it for themselves
# (smartbot/api_urls.py); the candidate chat page lets the company's embed_origins frame it
# (smartbot.middleware.csp_allow_framing). docs/operations.md, "Content-Security-Policy and embedding".
_site = SITE_URL.split("://", 1)
# The chat socket's own origin (ws:// for http, wss:// for https): CSP Level 3 'self' covers it in current
# browsers, older ones need it named.
_SOCKET_ORIGIN = ("wss://" if _site[0] == "https" else "ws://") + _site[-1].split("/", 1)[0]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'", _SOCKET_ORIGIN],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        # Where browsers post violation reports (optional; e.g. a Sentry security endpoint).
        "report-uri": env.list("CSP_REPORT_URI", default=[]) or None,
    },
}
PERMISSIONS_POLICY = env.str(
    "PERMISSIONS_POLICY",
    default="accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), serial=(), hid=(), midi=(), display-capture=()",
)

# --- REST API -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # simplejwt's, refusing tokens revoked by a password change or "sign out everywhere" (accounts.tokens).
        "accounts.tokens.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["smartbot.api.IsCompanyMember"],
    "DEFAULT_SCHEMA_CLASS": "smartbot.api.SchemaWithErrors",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "smartbot.api.Pagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "smartbot.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["smartbot.api.UserThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "smartbot.parsers.StrictJSONParser",
        "smartbot.parsers.StrictFormParser",
        "smartbot.parsers.StrictMultiPartParser",
    ],
    # Throttles count anonymous callers per client address by TRUSTED_PROXY_COUNT (smartbot.api, "Proxies
    # and limits" below), not by DRF's NUM_PROXIES.
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_THROTTLE_USER", default="1000/hour"),
        "anon": env.str("API_THROTTLE_ANON", default="300/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SmartBot API",
    "DESCRIPTION": "Vacancies, screening responses, public apply and webhooks.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Swagger UI's badge would send the schema's address to validator.swagger.io: the docs call no other site.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ResponseStatusEnum": "screening.models.Response.Status",
        "VacancyStatusEnum": "vacancies.models.Vacancy.Status",
        "NotificationKindEnum": "screening.models.Notification.Kind",
        "QuestionKindEnum": "vacancies.rules.Kind",
        "LanguageEnum": "vacancies.models.Vacancy.Language",
        "BulkActionKindEnum": "screening.models.BulkAction.Kind",
        # A recruiter's decisions (one status change, a bulk one): the statuses set by hand.
        "DecisionStatusEnum": "screening.api.bulk.decision_status_choices",
    },
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
    # Tokens carry the user's token_version; a password change or "sign out everywhere" raises it and every
    # older access and refresh token is refused (accounts.tokens).
    "TOKEN_OBTAIN_SERIALIZER": "accounts.tokens.TokenObtainPairSerializer",
    "TOKEN_REFRESH_SERIALIZER": "accounts.tokens.TokenRefreshSerializer",
    "TOKEN_VERIFY_SERIALIZER": "accounts.tokens.TokenVerifySerializer",
}

# --- Webhooks -----------------------------------------------------------------
# Attempts per delivery (then it is marked failed), the first retry's delay
# (doubling after that) and one request's timeout, in seconds.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=6)
WEBHOOK_BACKOFF_SECONDS = env.int("WEBHOOK_BACKOFF_SECONDS", default=30)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# Webhook URLs are typed by tenants and called by our workers from inside our network: only public
# addresses are allowed, unless this is on (development, and the tests, whose receivers run on loopback).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=DEBUG)

# --- Proxies and limits -------------------------------------------------------
# Who the client is (smartbot.client_ip; docs/operations.md, "Client addresses, proxies and limits").
# The number of reverse proxies in front of the app that append to X-Forwarded-For: 0 believes no header
# (the connection's peer is the client), 1 takes the right-most entry (one nginx), 2 the second from the
# right (a CDN, then nginx). A client-written left part is never read.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Optional: addresses or networks ("10.0.0.0/8") the proxy next to the app connects from. When set, the
# header is believed only on connections from them, so a client reaching the app port directly cannot
# pick its address.
TRUSTED_PROXY_IPS = env.list("TRUSTED_PROXY_IPS", default=[])
for _entry in TRUSTED_PROXY_IPS:
    try:
        ipaddress.ip_network(_entry.strip(), strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"TRUSTED_PROXY_IPS: {_error}") from None
# Applications that went through, per client address (an IPv6 /64) and vacancy, careers form and API
# alike (smartbot.ratelimit). A person applies once (a re-apply only resends the link), so 10 leaves room
# for a family or a small office behind one address, and holds a flood of invented candidates to 10 an
# hour per vacancy and address. Rates: "10/h", "10/hour", "5/10m", "100/d".
APPLY_RATE_LIMIT = env.str("APPLY_RATE_LIMIT", default="10/h")
# "Send me my link again" requests per client address, whatever the vacancy.
LINK_REQUEST_RATE_LIMIT = env.str("LINK_REQUEST_RATE_LIMIT", default="10/h")
# A candidate's replies after the chat, per response (its private link), whatever the address: each one
# notifies the recruiters, so a script or a stuck key cannot flood them (docs/notifications.md).
CANDIDATE_REPLY_RATE_LIMIT = env.str("CANDIDATE_REPLY_RATE_LIMIT", default="10/h")
# A recruiter writing in a live chat to a candidate with no open socket emails them (RECRUITER_MESSAGE), at most
# once per response within this many minutes: a burst of messages is one email (docs/notifications.md).
LIVE_MESSAGE_EMAIL_MINUTES = env.int("LIVE_MESSAGE_EMAIL_MINUTES", default=15)

# --- Login lockout ------------------------------------------------------------
# django-axes (docs/operations.md, "Client addresses, proxies and limits"): the HTML login, the admin's
# and the API token endpoint are refused for LOGIN_LOCKOUT_MINUTES after LOGIN_FAILURE_LIMIT failed
# attempts, even with the right password. Counted per (email, client address): a stranger typing an
# owner's email elsewhere cannot lock the owner out, and one address cannot keep guessing one account.
# The owner can unlock a teammate on the team page (accounts.services.user_unlock).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out pair before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"  # rows roll back with each test; admin-visible
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Attempts while locked out neither count nor extend the lockout: the page can say when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True  # a successful login forgets that pair's earlier failures
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.login_client_ip"
AXES_USERNAME_CALLABLE = "accounts.lockout.login_username"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Failed logins are kept for the admin (AccessFailureLog, 100 per email); successful ones are not logged.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 100
AXES_DISABLE_ACCESS_LOG = True

# --- Product limits -----------------------------------------------------------
# Emails with the private link to one application, per hour, whatever asks for them (re-applies, "get the
# link again", the API): nobody can flood a candidate's inbox by typing their address.
APPLICATION_LINK_EMAILS_PER_HOUR = env.int("APPLICATION_LINK_EMAILS_PER_HOUR", default=3)
# Emails sent per worker process (Celery rate limit of screening.tasks.send_email): bulk sends are paced.
EMAIL_RATE_LIMIT = env.str("EMAIL_RATE_LIMIT", default="60/m")
# The version of the consent texts (chat.forms), stored with every consent. Change it with any of the texts.
CONSENT_TEXT_VERSION = "2026-11-30"

# --- Logging ------------------------------------------------------------------
# One handler on stderr for every logger (Django's, daphne's, Celery's, ours): JSON lines when DEBUG is off,
# readable text when it is on; LOG_FORMAT=json|text overrides. Every line carries the request, company,
# response and task ids known when it was written, and is redacted (chat tokens hashed, emails removed):
# smartbot/logging.py, docs/operations.md "Logs".
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOGGING = logging_config(level=LOG_LEVEL, fmt=LOG_FORMAT)
# Celery keeps this configuration instead of installing its own handlers (smartbot.celery, setup_logging).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Metrics ------------------------------------------------------------------
# GET /metrics (Prometheus text format; smartbot/metrics.py). With METRICS_TOKEN set, only requests with
# "Authorization: Bearer <token>" get it; without, only clients from METRICS_ALLOWED_IPS (addresses or networks,
# the client address by the trusted-proxy rule of smartbot.client_ip). Several processes: set the environment
# variable PROMETHEUS_MULTIPROC_DIR (not a setting: prometheus_client reads it at import) to one directory shared
# by web and worker processes (docs/operations.md "Metrics").
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
# Read the Celery queue lengths from the broker at each scrape (one short broker connection).
METRICS_QUEUE_LENGTH = env.bool("METRICS_QUEUE_LENGTH", default=True)
