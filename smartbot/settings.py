"""SmartBot settings, read from the environment (12-factor, django-environ).

Every optional integration has a switch and an embedded default, so that a
fresh clone runs with no server installed: SQLite, an in-memory channel layer,
a filesystem Celery broker and the builtin evaluator. `.env.example` lists
every variable.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def _development_secret_key(path: Path) -> str:
    """A random key made once for this checkout (``secrets.token_urlsafe(50)``) in ``path``, read back afterwards."""
    import secrets

    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    try:
        # O_EXCL: when two processes start at once, the first key written wins and both use it.
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
            handle.write(key)
    except FileExistsError:
        key = path.read_text().strip() or key
    return key


env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# pytest sets PYTEST_VERSION for the whole session (pytest >= 8.2).
TESTING = "PYTEST_VERSION" in os.environ
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    # No key in the source: anyone who knows a key can sign sessions, reset links and JWTs. Development
    # makes a random one once and keeps it in var/ (git-ignored), so sessions survive a restart.
    SECRET_KEY = _development_secret_key(VAR_DIR / "secret_key")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Public base URL used in emails, API answers and webhooks (no trailing slash).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
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
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "accounts",
    "vacancies",
    "screening",
    "chat",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
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
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    # A health check is a hidden ``SELECT 1`` round trip at the first query of every request and of every
    # chat frame's database call; switch off (DB_CONN_HEALTH_CHECKS=0) only where PostgreSQL never restarts.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DB_CONN_HEALTH_CHECKS", default=True)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (daphne, celery) share the demo database file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and cache ------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if TESTING and REDIS_URL and os.environ.get("PYTEST_XDIST_WORKER"):
    # Parallel test processes each get their own Redis database: a test's cache.clear()
    # flushes a whole database, which must not wipe another process's queues and counters.
    from urllib.parse import urlsplit, urlunsplit

    _url = urlsplit(REDIS_URL)
    _base_db = int(_url.path.strip("/") or 0)
    _worker = int(os.environ["PYTEST_XDIST_WORKER"].removeprefix("gw"))
    REDIS_URL = urlunsplit(_url._replace(path=f"/{(_base_db + 1 + _worker) % 16}"))
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 reads with a 5 s socket timeout by default, the same as channels-redis's
                # blocking BZPOPMIN: an idle (or busy) process's shared receive loop then times out and
                # closes every socket of that process with 1011. Reads wait longer than the BZPOPMIN.
                # The async pool raises past max_connections (default 100): room for a thousand
                # sockets' group_add/group_send at once.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": env.float("CHANNEL_LAYER_SOCKET_TIMEOUT", default=30),
                        "socket_connect_timeout": 5,
                        "max_connections": env.int("CHANNEL_LAYER_MAX_CONNECTIONS", default=1000),
                    }
                ],
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
else:
    # Task time limits below stay well under this, so a running task is never
    # redelivered while it is still alive.
    CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
    if CELERY_VISIBILITY_TIMEOUT < 60:
        # A short timeout (tests of killed workers) is only useful if abandoned messages are swept often.
        CELERY_BROKER_TRANSPORT_OPTIONS.update({"unacked_restore_interval": 1, "unacked_restore_throttle": 1})
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=TESTING)
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
# Periodic housekeeping run by `celery beat`.
CELERY_BEAT_SCHEDULE = {
    "requeue-stalled-evaluations": {"task": "screening.tasks.requeue_stalled_evaluations", "schedule": 300.0},
    # Companies' retention periods (off unless a company sets one), once a day.
    "enforce-retention": {"task": "screening.tasks.enforce_retention", "schedule": 86400.0},
}

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

# --- Auth ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "vacancies:list"
LOGOUT_REDIRECT_URL = "accounts:login"
if TESTING:
    # Hashing is deliberately slow; tests log users in by the hundred.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Email --------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SmartBot <noreply@smartbot.local>")

# --- I18n ---------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_TZ = True

# --- Static and media -------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
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
RESUME_MAX_PAGES = env.int("RESUME_MAX_PAGES", default=30)  # PDF pages read
RESUME_MAX_DECOMPRESSED_BYTES = env.int("RESUME_MAX_DECOMPRESSED_BYTES", default=20 * 1024 * 1024)
RESUME_MAX_CHARS = env.int("RESUME_MAX_CHARS", default=100_000)  # characters of text kept

# --- Security -----------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
_PRODUCTION = not (DEBUG or TESTING)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=_PRODUCTION)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=_PRODUCTION)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_PRODUCTION)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if _PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _PRODUCTION
SECURE_HSTS_PRELOAD = _PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- REST API -----------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
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
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Throttles key on the client address: with 0 DRF uses REMOTE_ADDR and ignores a client-sent
    # X-Forwarded-For (which would let anyone pick a fresh address per request); set it to the number
    # of trusted proxies in front of the app.
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_THROTTLE_USER", default="1000/hour"),
        "anon": env.str("API_THROTTLE_ANON", default="300/hour"),
        "public_apply": env.str("API_THROTTLE_APPLY", default="20/hour"),
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
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ResponseStatusEnum": "screening.models.Response.Status",
        "VacancyStatusEnum": "vacancies.models.Vacancy.Status",
    },
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

# --- Webhooks -----------------------------------------------------------------
# Attempts per delivery (then it is marked failed), the first retry's delay
# (doubling after that) and one request's timeout, in seconds.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=6)
WEBHOOK_BACKOFF_SECONDS = env.int("WEBHOOK_BACKOFF_SECONDS", default=30)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# Webhook URLs are typed by tenants and called by our workers from inside our network: only public
# addresses are allowed, unless this is on (development and tests, whose receivers run on loopback).
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env.bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=DEBUG or TESTING)

# --- Product limits -----------------------------------------------------------
# Per-IP limit of public applications (the careers page form).
APPLY_RATE_LIMIT = env.str("APPLY_RATE_LIMIT", default="20/h")
# Emails with the private link to one application, per hour, whatever asks for them (re-applies, "get the
# link again", the API): nobody can flood a candidate's inbox by typing their address.
APPLICATION_LINK_EMAILS_PER_HOUR = env.int("APPLICATION_LINK_EMAILS_PER_HOUR", default=3)
# The version of the consent texts (chat.forms), stored with every consent. Change it with any of the texts.
CONSENT_TEXT_VERSION = "2026-11-30"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
