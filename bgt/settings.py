"""BGT settings: one module, every deploy-specific value read from the environment.

Local development needs no configuration at all (SQLite file, mail to the console and to
``var/mail/``). Production is ``DJANGO_DEBUG=False`` plus the variables listed in
``.env.example``; without a real secret key and allowed hosts the site refuses to start.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

# --- Core ---------------------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=True)

_DEVELOPMENT_SECRET_KEY = "django-insecure-bgt-local-development-only"  # noqa: S105
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=_DEVELOPMENT_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)

if not DEBUG:
    # Fail fast rather than serve health data with a guessable key or to any Host header.
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be a random string of at least 50 characters when "
            "DJANGO_DEBUG=False. Generate one with: python -c 'import secrets; "
            "print(secrets.token_urlsafe(64))'"
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must list the site's host names when DJANGO_DEBUG=False."
        )

ROOT_URLCONF = "bgt.urls"
WSGI_APPLICATION = "bgt.wsgi.application"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"  # storage and server clock; each user's own timezone is used for display
USE_I18N = True
# The languages BGT is translated into; the browser's Accept-Language picks one until the
# user chooses. Catalogs: locale/ (project templates) and each app's locale/; compiled by
# bin/compile-messages (make run / make test), never committed.
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("nl", "Nederlands"),
]
# core is a plain package, not an installed app: its catalog is named here.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "core" / "locale"]
USE_TZ = True

# --- Database: SQLite by default, MongoDB when DATABASE_URL says so -----------------------

DATABASE_URL = env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
# The MongoDB test leg gives each pytest-xdist worker a server of its own (bin/with-secantusdb).
if (_urls := env.list("BGT_TEST_DATABASE_URLS", default=[])) and (
    _worker := os.environ.get("PYTEST_XDIST_WORKER", "")
).startswith("gw"):
    DATABASE_URL = _urls[int(_worker[2:]) % len(_urls)]
IS_MONGODB = DATABASE_URL.startswith(("mongodb://", "mongodb+srv://"))

if IS_MONGODB:
    # django-mongodb-backend takes the connection string as HOST. The database name is the
    # URL's path; parsing it here by hand avoids pymongo's SRV DNS lookup at import time.
    DATABASES = {
        "default": {
            "ENGINE": "django_mongodb_backend",
            "HOST": DATABASE_URL,
            "NAME": urlsplit(DATABASE_URL).path.lstrip("/") or "bgt",
        }
    }
    # MongoDB has no integer sequences: contrib and allauth models get ObjectId keys and the
    # migration tree in bgt/mongo_migrations. Our own apps use UUID keys on both databases.
    DEFAULT_AUTO_FIELD = "django_mongodb_backend.fields.ObjectIdAutoField"
    ALLAUTH_DEFAULT_AUTO_FIELD = DEFAULT_AUTO_FIELD
    MIGRATION_MODULES = {
        label: f"bgt.mongo_migrations.{label}"
        for label in ("admin", "auth", "contenttypes", "account")
    }
    # MongoDB cannot hold CHECK constraints (value range, low < high target); every
    # service validates them with full_clean() before saving, on both databases.
    SILENCED_SYSTEM_CHECKS = ["models.W027"]
    _CONTRIB_APPS = [
        "bgt.mongo_apps.MongoAdminConfig",
        "bgt.mongo_apps.MongoAuthConfig",
        "bgt.mongo_apps.MongoContentTypesConfig",
        "django_mongodb_backend",
    ]
else:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the writer; IMMEDIATE takes the write lock when the
        # transaction starts, so concurrent workers queue (up to the timeout) instead of
        # failing with "database is locked" on lock upgrade.
        DATABASES["default"]["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
    _CONTRIB_APPS = [
        "django.contrib.admin",
        "django.contrib.auth",
        "django.contrib.contenttypes",
    ]

# --- Applications -------------------------------------------------------------------------

INSTALLED_APPS = [
    *_CONTRIB_APPS,
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "csp",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",  # django-bootstrap-static: Bootstrap 5 CSS/JS served locally
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI assets served locally
    # BGT's own apps, lowest layer first (DESIGN.md section 0; core is a plain package).
    "accounts",
    "patients",
    "readings",
    "treatments",
    "reports",
    "integrations",
    "clinic",
    "bgt",  # wiring: the demo data command
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.languages.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "bgt.middleware.RequestLogMiddleware",
    "bgt.middleware.HeadWithoutBodyMiddleware",
]

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
                "accounts.context_processors.navigation",
                "patients.context_processors.records",
            ],
        },
    },
]

# --- Static files (whitenoise; no CDN) ----------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# In development and tests whitenoise serves straight from the finders (no collectstatic).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# The web app manifest's registered type (whitenoise does not know the extension).
WHITENOISE_MIMETYPES = {".webmanifest": "application/manifest+json"}
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Authentication -----------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "reports:dashboard"

# django-allauth: email is the login, verified before the first sign-in.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Stored confirmation keys instead of HMAC ones: the HMAC key JSON-encodes EmailAddress.pk,
# an ObjectId on MongoDB (DESIGN.md section 7). Same behaviour on both databases.
ACCOUNT_EMAIL_CONFIRMATION_HMAC = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[BGT] "
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
# allauth's rate limits (login failures per IP and per account, signups, resets) are on by
# default; they count in the cache, which must be shared by all workers in production.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"

# --- Email --------------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="BGT <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
elif DEBUG:
    # Printed to the console and saved under var/mail/, so a person can open the
    # confirmation link during development.
    EMAIL_BACKEND = "bgt.mail.ConsoleAndFileEmailBackend"
else:
    raise ImproperlyConfigured(
        "EMAIL_URL must be set when DJANGO_DEBUG=False: signup needs email confirmation "
        "(e.g. EMAIL_URL=smtp+tls://user:password@smtp.example.com:587)."
    )

# --- Forms and pages ----------------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# How often an open dashboard asks whether readings changed (seconds).
BGT_DASHBOARD_POLL_SECONDS = env.int("BGT_DASHBOARD_POLL_SECONDS", default=30)

# --- REST API (DRF) ------------------------------------------------------------------------

REST_FRAMEWORK = {
    # Token first: an anonymous request then gets 401 with "WWW-Authenticate: Token".
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Health data: nothing is public unless a view says so.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only (any other content type is a 415), size-capped, gzip/deflate accepted.
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.BoundedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/minute"),
        "user": env.str("API_THROTTLE_USER", default="1200/minute"),
    },
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "BGT API",
    "DESCRIPTION": (
        "Blood glucose readings, treatments and statistics of patient records, and physician "
        "access. "
        "Endpoints acting on a record take `patient=<record id>`; the default is your own "
        "record. Glucose is stored in whole mg/dL; `value` and `unit` follow your preference. "
        "Times are ISO 8601 with a UTC offset in, and in the record's time zone out. Errors "
        'are JSON: `{"field": ["message"]}` or `{"detail": ...}`. Nightscout endpoints (tag '
        "nightscout) take the record's device upload secret."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.add_error_responses",
    ],
    "TAGS": [
        {"name": "auth", "description": "API tokens."},
        {"name": "me", "description": "The signed-in user's preferences."},
        {"name": "readings", "description": "A patient record's readings."},
        {"name": "treatments", "description": "A patient record's insulin, carbs and events."},
        {"name": "stats", "description": "Statistics of a patient record's readings."},
        {"name": "patients", "description": "A physician's read-only view of their patients."},
        {"name": "nightscout", "description": "Nightscout API v1 for CGM uploaders and clients."},
    ],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Readings' kinds and treatments' types are both fields called "type" in some schemas.
    "ENUM_NAME_OVERRIDES": {"TreatmentTypeEnum": "treatments.models.TreatmentType"},
}

# Largest API request body, compressed or not (bytes): 5,000 readings with long notes fit.
BGT_API_MAX_BODY_BYTES = env.int("BGT_API_MAX_BODY_BYTES", default=8_000_000)
# Most entries one Nightscout query returns, whatever its count asks for.
BGT_NIGHTSCOUT_MAX_COUNT = env.int("BGT_NIGHTSCOUT_MAX_COUNT", default=10_000)

# --- Security -----------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # TLS ends at the reverse proxy, which sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Content-Security-Policy (django-csp), in development too so that tests catch violations.
# No inline or eval'd script anywhere: page data travels as json_script, code in static files.
# Plotly sets inline styles on its SVG, and Bootstrap's icons are data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
_NO_FEATURES = "accelerometer camera geolocation gyroscope magnetometer microphone payment usb"
PERMISSIONS_POLICY = {feature: [] for feature in _NO_FEATURES.split()}

# --- Caches -------------------------------------------------------------------------------

# Rate limits count in the cache, which production workers share: files on the host by
# default, or CACHE_URL=redis://... (install redis) when several hosts serve the site.
_CACHE = "locmemcache://" if DEBUG else f"filecache://{BASE_DIR / 'var' / 'cache'}"
CACHES = {"default": env.cache_url("CACHE_URL", default=_CACHE)}

# --- Logging ------------------------------------------------------------------------------

# One JSON object per line in production (bgt.middleware logs each request, without any
# medical value or query string); plain text in development.
_LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "pythonjsonlogger.json.JsonFormatter", "fmt": _LOG_FORMAT},
        "plain": {"format": "%(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain" if DEBUG else "json"}
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Every request is logged by bgt.requests; Django's own access warnings repeat it.
        "bgt.requests": {"level": "INFO" if not DEBUG else "WARNING"},
    },
}

# --- Client addresses behind reverse proxies -----------------------------------------------

# How many reverse proxies of ours stand in front of gunicorn, each appending the address it
# saw to X-Forwarded-For (README, Deploying). 0: the header is ignored and the connection's
# address counts, so a client cannot pick its own address. One setting, read by allauth's
# rate limits (login, signup, reset, API token), DRF's throttles and the request log.
BGT_TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = BGT_TRUSTED_PROXY_COUNT
REST_FRAMEWORK["NUM_PROXIES"] = BGT_TRUSTED_PROXY_COUNT
# Credential checks of the API, counted by allauth's limiter like the web login's: per client
# address here, and per account through allauth's "login_failed" (shared with web login).
ACCOUNT_RATE_LIMITS = {"api_token": env.str("BGT_TOKEN_RATE_LIMIT", default="10/m/ip")}
# API tokens expire this many days after they were issued (accounts.tokens).
BGT_API_TOKEN_DAYS = env.int("BGT_API_TOKEN_DAYS", default=90)
# Credentials in URLs (reset, confirmation and invitation keys; ?token=) never reach a log
# line, whichever logger writes it (bgt.logfilters).
LOGGING["filters"] = {"redact_secrets": {"()": "bgt.logfilters.RedactSecrets"}}
LOGGING["handlers"]["console"]["filters"] = ["redact_secrets"]
# An account has one address and at most one pending change; confirming the new address
# replaces the old one, which allauth then tells (and tells of password changes too).
# Reset links go only to the address the account signs in with (accounts.forms).
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_FORMS["reset_password"] = "accounts.forms.ResetPasswordForm"  # noqa: S105 (a form)
# Refused sign-in, signup and reset forms and bad links answer 400 (accounts.middleware).
MIDDLEWARE.append("accounts.middleware.RefusedAccountFormsAre400")
# Passwords longer than this are refused (hashing a megabyte of password is a cost anyone
# could impose); the API's token endpoint takes at most the same.
AUTH_PASSWORD_VALIDATORS.append({"NAME": "accounts.validators.MaximumLengthValidator"})

# Nightscout readers in browsers (nightscout-reporter): CORS for any origin on the
# Nightscout paths only, never on the session-authenticated site (BGT's own
# /api/v1/treatments/ included). Credentials travel in headers or ?token=, never cookies.
INSTALLED_APPS.append("corsheaders")
MIDDLEWARE.insert(1, "corsheaders.middleware.CorsMiddleware")
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = (
    r"^/(?:api/v1/(?:entries|treatments(?:\.json|/[^/]+)?$|devicestatus|profile|status|"
    r"verifyauth|experiments)|api/v[23]/|pebble$)"
)
CORS_ALLOW_HEADERS = ("accept", "authorization", "content-type", "api-secret", "if-modified-since")
# Every Nightscout credential check, per client address (integrations.nightscout), with
# allauth's limiter like the logins above.
ACCOUNT_RATE_LIMITS["nightscout_credential"] = env.str(
    "BGT_NIGHTSCOUT_RATE_LIMIT", default="300/m/ip"
)

# --- Error and trust pages, account mail (issue 18) ------------------------------------------
# A refused form (expired or missing CSRF token) gets the site's styled page with a way back.
CSRF_FAILURE_VIEW = "bgt.views.csrf_failure"
# Who runs this site and how to reach them: shown on the contact, privacy and terms pages.
BGT_OPERATOR = env.str("BGT_OPERATOR", default="")
BGT_CONTACT_EMAIL = env.str("BGT_CONTACT_EMAIL", default="")
BGT_CONTACT_ADDRESS = env.str("BGT_CONTACT_ADDRESS", default="")
# The name and domain account mail signs with ("Hello from BGT!", "bgt.example.org");
# an empty domain is the address the request came to.
BGT_SITE_NAME = env.str("BGT_SITE_NAME", default="BGT")
BGT_SITE_DOMAIN = env.str("BGT_SITE_DOMAIN", default="")

# gzip for dynamic responses (core/compression.py: what is never compressed, and BREACH).
# Innermost: no middleware above it reads or rewrites a body, and HeadWithoutBodyMiddleware
# then answers HEAD with the compressed length a GET gets.
MIDDLEWARE.append("core.compression.CompressionMiddleware")
