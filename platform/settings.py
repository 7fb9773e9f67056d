"""Django settings for Tessera.

Everything that differs between machines comes from the environment (django-environ); nothing secret
is committed. `tessera run` and `tessera test` set DATABASE_URL and TESSERA_BROKER_URL to embedded
servers when they are not given, so this module never starts anything itself.

Our own variables are named TESSERA_*: Celery reads every CELERY_* environment variable.
"""

import environ

from tessera.settings_paths import BASE_DIR, VAR_DIR

env = environ.Env(
    DEBUG=(bool, False),
    TESSERA_BASE_DOMAIN=(str, "localhost"),
    TESSERA_LOG_LEVEL=(str, "INFO"),
)

DEBUG = env("DEBUG")
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    # A development key, generated once per checkout and kept under var/ (git-ignored). Production
    # sets SECRET_KEY; a committed default would let anyone forge sessions.
    _key_file = VAR_DIR / "secret_key"
    if _key_file.exists():
        SECRET_KEY = _key_file.read_text().strip()
    else:
        from django.core.management.utils import get_random_secret_key

        VAR_DIR.mkdir(parents=True, exist_ok=True)
        SECRET_KEY = get_random_secret_key()
        _key_file.write_text(SECRET_KEY)
        _key_file.chmod(0o600)

#: Tenants live at <slug>.<TESSERA_BASE_DOMAIN>; the base domain itself is the public (platform) site.
TESSERA_BASE_DOMAIN = env("TESSERA_BASE_DOMAIN").lower().strip(".")
#: Host names that serve the public schema (sign-up, /healthz) besides the base domain.
TESSERA_PUBLIC_HOSTS = [TESSERA_BASE_DOMAIN, *env.list("TESSERA_PUBLIC_HOSTS", default=["127.0.0.1"])]
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[TESSERA_BASE_DOMAIN, f".{TESSERA_BASE_DOMAIN}", "127.0.0.1", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS",
    default=[f"http://*.{TESSERA_BASE_DOMAIN}:8000", f"https://*.{TESSERA_BASE_DOMAIN}"],
)

# --- Applications ---------------------------------------------------------------------------------
# django-tenants: SHARED_APPS live in the public schema, TENANT_APPS in every tenant schema. Apps in
# both (auth, sessions, security, core) get a table per schema: platform operators and their sessions
# in public, each tenant's users and sessions in its own schema, so a session of one tenant means
# nothing on another tenant's host.
SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "tessera.core",
    "tessera.outbox",
    "tessera.security",
    "ui_builder",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "tessera.core",
    "tessera.security",
    "tessera.records",
    "metadata",
    "reports_engine",
    "reports_engine.dashboards",
    "tessera.transfer",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
#: `SET search_path` once per request (or task, or set_schema/set_tenant call), not before every
#: cursor: the backend re-issues it after a rollback, and nothing in Tessera sets search_path
#: behind django-tenants' back (provisioning strips pg_dump's set_config; clone_schema restores it).
TENANT_LIMIT_SET_CALLS = True
#: New tenants are cloned from this schema (migrated and seeded with the standard metadata), which is
#: much faster than running every migration; the clone copies django_migrations too.
TENANT_BASE_SCHEMA = "tessera_base"
TENANT_CREATION_FAKES_MIGRATIONS = True
PUBLIC_SCHEMA_URLCONF = "tessera.urls_public"
ROOT_URLCONF = "tessera.urls_tenant"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
GET_EXECUTOR_FUNCTION = "tessera.core.migrations_executor.get_executor"
TENANT_MULTIPROCESSING_MAX_PROCESSES = env.int("TESSERA_MIGRATE_PROCESSES", default=2)

#: The security headers (SecurityMiddleware: nosniff, referrer and opener policies; CSP;
#: X-Frame-Options) come before the tenant routing, so every response carries them, also the
#: unknown-host 404 page that TenantMiddleware returns itself and the 503 answered while the
#: database is down. Static files need no tenant: WhiteNoise answers them before the routing.
MIDDLEWARE = [
    "tessera.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tessera.api.middleware.ApiRequestGuardMiddleware",
    "tessera.core.middleware.DatabaseUnavailableMiddleware",
    "tessera.core.middleware.TenantMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tessera.security.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

WSGI_APPLICATION = "tessera.wsgi.application"
ASGI_APPLICATION = "tessera.asgi.application"

# --- Database and broker -------------------------------------------------------------------------
if not env.str("DATABASE_URL", default=""):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Start Tessera with `tessera run` (or `make run`), which starts an "
        "embedded PostgreSQL when none is given, or set DATABASE_URL=postgres://user@host:port/db."
    )
DATABASES = {"default": env.db_url("DATABASE_URL")}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"]["CONN_MAX_AGE"] = env.int("TESSERA_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The test database is named after the database in use (test_<name>), so test runs against two
# databases of one server (two checkouts, CI beside a developer) never drop each other's.
DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str(
    "TESSERA_TEST_DATABASE", default=f"test_{DATABASES['default'].get('NAME') or 'tessera'}")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

#: Unset only for commands that send no task (the CLI's tenant commands); `tessera run` always sets it.
TESSERA_BROKER_URL = env.str("TESSERA_BROKER_URL", default="memory://")
CELERY_BROKER_URL = TESSERA_BROKER_URL
CELERY_RESULT_BACKEND = env.str("TESSERA_RESULT_BACKEND", default="") or None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
#: A task is acknowledged after it ran, and given back when its worker process dies; what a killed
#: worker's main process held comes back through the job sweeper (tessera.core.jobs), not the
#: broker's visibility timeout.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
#: Sending gives up after one quick retry: tasks are queued through the outbox (tessera.outbox), so
#: a broker that is down delays them (beat drains the outbox) instead of holding up a request.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5,
    "socket_connect_timeout": 2,
}
#: A running job whose heartbeat is older than this many seconds is re-queued by the sweeper.
TESSERA_JOB_HEARTBEAT_SECONDS = env.int("TESSERA_JOB_HEARTBEAT_SECONDS", default=60)
#: A job lost this many times (its worker died each time) fails instead of running again.
TESSERA_JOB_MAX_ATTEMPTS = env.int("TESSERA_JOB_MAX_ATTEMPTS", default=3)
#: Objects with up to this many records get a new field index inline; larger ones by a background
#: job, which fills the field's column this many rows at a time (tessera.records.indexing).
TESSERA_INDEX_INLINE_LIMIT = env.int("TESSERA_INDEX_INLINE_LIMIT", default=20_000)
TESSERA_INDEX_BATCH = env.int("TESSERA_INDEX_BATCH", default=5_000)
#: Objects with more records than this are never sorted on a field without an index: the list is
#: refused, with an offer to index the field (an in-memory sort of 50,000 rows takes about 100 ms on
#: our machines, and it would be paid on every page; see docs/architecture.md, "Sorting").
TESSERA_SORT_UNINDEXED_LIMIT = env.int("TESSERA_SORT_UNINDEXED_LIMIT", default=50_000)
#: Tests use a queue of their own so a running `tessera run` worker never takes their tasks.
CELERY_TASK_DEFAULT_QUEUE = env.str("TESSERA_TASK_QUEUE", default="tessera")
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "drain-outbox": {
        "task": "tessera.outbox.tasks.drain",
        "schedule": float(env.int("TESSERA_OUTBOX_DRAIN_SECONDS", default=10)),
    },
    "sweep-lost-jobs": {
        "task": "tessera.core.tasks.sweep_jobs",
        "schedule": float(env.int("TESSERA_JOB_SWEEP_SECONDS", default=30)),
    },
    "clear-expired-sessions-every-tenant": {
        "task": "tenants.tasks.run_for_every_tenant",
        "schedule": 3600.0,
        "args": ("tessera.core.tasks.clear_expired_sessions",),
    },
    "scheduled-reports-every-tenant": {
        "task": "tenants.tasks.run_for_every_tenant",
        "schedule": 3600.0,
        "args": ("reports_engine.dashboards.tasks.send_scheduled_reports",),
    },
    "records-housekeeping-every-tenant": {
        "task": "tenants.tasks.run_for_every_tenant",
        "schedule": 24 * 3600.0,
        "args": ("tessera.records.tasks.housekeeping",),
    },
}
#: Days a deleted record stays in the recycle bin before housekeeping removes it for good.
TESSERA_RECYCLE_BIN_DAYS = env.int("TESSERA_RECYCLE_BIN_DAYS", default=30)
#: Days a deleted custom object (with its records) can be restored from the setup history before
#: housekeeping removes it for good (metadata.services.objects.purge_deleted_objects).
TESSERA_DELETED_OBJECT_DAYS = env.int("TESSERA_DELETED_OBJECT_DAYS", default=TESSERA_RECYCLE_BIN_DAYS)

# The cache key carries the tenant schema (django-tenants' make_key), so tenants never share entries.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}

# --- Authentication ------------------------------------------------------------------------------
AUTH_USER_MODEL = "security.User"
#: Passwords with failed-login throttling and audit (tessera.security.auth), for every login path.
AUTHENTICATION_BACKENDS = ["tessera.security.auth.ThrottledModelBackend"]
#: Login throttling (tessera.security.throttle): failed logins of one account from one address that
#: lock that pair for the lock time; past as many failures of one account from anywhere, each attempt
#: waits a delay doubling up to TESSERA_LOGIN_MAX_DELAY_SECONDS; failures from one address over any
#: accounts that lock the address.
TESSERA_LOGIN_MAX_FAILURES = env.int("TESSERA_LOGIN_MAX_FAILURES", default=5)
TESSERA_LOGIN_LOCK_MINUTES = env.int("TESSERA_LOGIN_LOCK_MINUTES", default=15)
TESSERA_LOGIN_MAX_DELAY_SECONDS = env.int("TESSERA_LOGIN_MAX_DELAY_SECONDS", default=300)
TESSERA_LOGIN_MAX_FAILURES_PER_CLIENT = env.int("TESSERA_LOGIN_MAX_FAILURES_PER_CLIENT", default=30)
#: How many reverse proxies stand in front of Tessera (0: none, X-Forwarded-For is ignored). The
#: client address in the audit log and the login throttle is read that many hops from the right.
TESSERA_TRUSTED_PROXIES = env.int("TESSERA_TRUSTED_PROXIES", default=0)
TESSERA_INVITATION_DAYS = env.int("TESSERA_INVITATION_DAYS", default=7)
#: How long a password reset link works (it works once in any case).
PASSWORD_RESET_TIMEOUT = 60 * env.int("TESSERA_PASSWORD_RESET_MINUTES", default=60)
#: Support access: the longest grant a tenant may give, and how long a support login link lives.
TESSERA_SUPPORT_MAX_HOURS = env.int("TESSERA_SUPPORT_MAX_HOURS", default=72)
TESSERA_SUPPORT_LINK_MINUTES = env.int("TESSERA_SUPPORT_LINK_MINUTES", default=5)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "app:home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True

# --- Transport security (see README, "Production") ------------------------------------------------
#: Tessera is served over HTTPS (directly or behind a proxy that terminates TLS): cookies are sent
#: over HTTPS only. TESSERA_SECURE_COOKIES says the same for the cookies alone.
TESSERA_HTTPS = env.bool("TESSERA_HTTPS", default=False)
SESSION_COOKIE_SECURE = env.bool("TESSERA_SECURE_COOKIES", default=TESSERA_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
#: HTTP → HTTPS redirects and HSTS are left to the proxy in front by default (it owns the
#: certificate and the plain-HTTP port); turn them on here when Tessera faces browsers itself.
SECURE_SSL_REDIRECT = env.bool("TESSERA_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("TESSERA_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0  # tenants are subdomains of the base domain
if TESSERA_HTTPS and env.int("TESSERA_TRUSTED_PROXIES", default=0):
    # Behind a proxy that terminates TLS, the request reached the proxy over HTTPS when it says so.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
#: Content-Security-Policy on every response (django-csp), as /work/shared/UI.md asks: scripts
#: only from our own static files (no inline script, no eval), no plugins, no <base>, never framed.
#: style-src is 'self' too, without 'unsafe-inline': pages style through static CSS files, and
#: libraries that position things (Tom Select, gridstack, Alpine's x-show) change styles through
#: the CSSOM (element.style), which CSP does not restrict; picklist colours are classes or CSS
#: variables set by a static script, never a style attribute in the markup.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = env.str("TESSERA_MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": env.str("TESSERA_FILE_STORAGE", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- REST API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Session first: an anonymous request is a 403 as before; a bad or revoked token is a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tessera.security.authentication.SessionAuthentication",
        "tessera.security.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "tessera.api.exceptions.exception_handler",
    "DEFAULT_PARSER_CLASSES": ["tessera.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "tessera.api.spectacular.AutoSchema",
    # JSON only; DRF's browsable HTML API (with its inline scripts) only while developing.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_THROTTLE_RATES": {
        "signup": env.str("TESSERA_SIGNUP_RATE", default="30/hour"),
        # Unauthenticated security endpoints (API login, invitation acceptance, support login), per address.
        "security_anon": env.str("TESSERA_SECURITY_ANON_RATE", default="120/hour"),
        # Password reset requests (each may send an email), per address.
        "password_reset": env.str("TESSERA_PASSWORD_RESET_RATE", default="10/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tessera API",
    "DESCRIPTION": "Tessera multi-tenant CRM",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tessera.api.spectacular.document_error_responses",
    ],
}

#: Largest JSON body of an API request (bytes); files have TESSERA_MAX_UPLOAD_BYTES. See tessera.api.limits.
TESSERA_MAX_JSON_BYTES = env.int("TESSERA_MAX_JSON_BYTES", default=8 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = TESSERA_MAX_JSON_BYTES

# --- Logging: every line carries the tenant schema and the request id ---------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "tessera.core.logging.ContextFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s [tenant=%(tenant)s request=%(request_id)s] %(name)s: %(message)s"
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["context"], "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("TESSERA_LOG_LEVEL")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

EMAIL_BACKEND = env.str("TESSERA_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# SMTP, when TESSERA_EMAIL_BACKEND is django.core.mail.backends.smtp.EmailBackend.
EMAIL_HOST = env.str("TESSERA_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("TESSERA_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("TESSERA_EMAIL_USER", default="")
EMAIL_HOST_PASSWORD = env.str("TESSERA_EMAIL_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("TESSERA_EMAIL_TLS", default=False)
EMAIL_USE_SSL = env.bool("TESSERA_EMAIL_SSL", default=False)
DEFAULT_FROM_EMAIL = env.str("TESSERA_FROM_EMAIL", default="Tessera <noreply@localhost>")
