"""Settings for mireads: one flat module, every environment variable read in the block below."""

import hashlib
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def _list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


# --- Environment: everything mireads reads from outside, in one place. ---------------------------
DEBUG = _bool("MIREADS_DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = _list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = _list("CSRF_TRUSTED_ORIGINS")
DATABASE_URL = os.environ.get("DATABASE_URL", "") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
# Empty: a memory cache per worker; redis://host:6379/0: one cache that every app server shares.
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
# What one request may lose to a Redis that stops answering, then how long no request asks it.
CACHE_TIMEOUT_MS = int(os.environ.get("CACHE_TIMEOUT_MS") or 100)
CACHE_RETRY_SECONDS = float(os.environ.get("CACHE_RETRY_SECONDS") or 10)
# Production sits behind a TLS proxy; MIREADS_HTTPS=false is the one switch for local plain http.
HTTPS = _bool("MIREADS_HTTPS", not DEBUG)
smtp_host = os.environ.get("EMAIL_HOST", "")
smtp_port = int(os.environ.get("EMAIL_PORT") or 587)
smtp_host_user = os.environ.get("EMAIL_HOST_USER", "")
smtp_host_password = os.environ.get("EMAIL_HOST_PASSWORD", "")
smtp_use_tls = _bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "mireads <noreply@localhost>")
LOG_LEVEL = os.environ.get("MIREADS_LOG_LEVEL", "INFO").upper()
# The site's own address (https://mireads.example.org), for links that leave the page: the
# password-reset mail, the feeds, the calendar address. Never taken from a request's Host.
SITE_URL = os.environ.get("MIREADS_SITE_URL", "").strip().rstrip("/")
# How many trusted proxies append to X-Forwarded-For in front of the app (0: none, use REMOTE_ADDR).
MIREADS_PROXY_COUNT = int(os.environ.get("MIREADS_PROXY_COUNT") or 0)
# -------------------------------------------------------------------------------------------------

if DEBUG:
    SECRET_KEY = (
        SECRET_KEY or "django-insecure-mireads-development-only-key-never-use-in-production"
    )
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "SECRET_KEY is missing or weak: set SECRET_KEY to a random string of at least 50 "
            "characters (or set MIREADS_DEBUG=true for local development)."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS is empty: set ALLOWED_HOSTS to the comma-separated host names this "
            "server answers to (e.g. ALLOWED_HOSTS=mireads.example.org)."
        )


def site_url_from(url: str, *, hosts: list[str], https: bool, debug: bool) -> str:
    """MIREADS_SITE_URL as scheme://host[:port], or derived when it is unset: make run's address
    in debug, else the first of ALLOWED_HOSTS (https unless MIREADS_HTTPS=false)."""
    if not url:
        if debug:
            return "http://127.0.0.1:8000"
        host = hosts[0]
        if host.startswith(".") or "*" in host:
            raise ImproperlyConfigured(
                f"MIREADS_SITE_URL is unset and the first of ALLOWED_HOSTS ({host!r}) is a "
                "pattern: set MIREADS_SITE_URL to the site's address (https://mireads.example.org)."
            )
        return f"{'https' if https else 'http'}://{host}"
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path.strip("/"):
        raise ImproperlyConfigured(
            f"MIREADS_SITE_URL {url!r} is not a site address: use https://host or "
            "https://host:port, with no path."
        )
    return f"{parts.scheme}://{parts.netloc}"


SITE_URL = site_url_from(SITE_URL, hosts=ALLOWED_HOSTS, https=HTTPS, debug=DEBUG)


def database_from_url(url: str) -> dict:
    """Translate DATABASE_URL (sqlite:///path or postgres://user:pass@host:port/name) to Django."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:////absolute/path.db, or sqlite:///relative.db inside the project.
        name = unquote(parts.path[1:])
        if name and name != ":memory:" and not name.startswith("/"):
            name = str(BASE_DIR / name)
        if parts.netloc or not name:
            raise ImproperlyConfigured(
                f"DATABASE_URL {url!r} is not a valid SQLite URL: use sqlite:////absolute/path.db."
            )
        # A web app writes from several threads and processes at once: WAL lets readers carry on
        # during a write, the busy timeout waits for a lock instead of failing at once, and
        # IMMEDIATE transactions take the write lock up front so two writers never deadlock.
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            # Tests run on a file too, so that threads see one database with real locking
            # (an in-memory shared cache fails with "table is locked" instead of waiting).
            # One file per test process, so two suites run side by side never share one.
            "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"mireads-test-{os.getpid()}.db")},
            # A worker keeps its connection between requests, as on PostgreSQL: opening the file
            # and running init_command cost ~1 ms a request, measured (bench, docs/performance.md:
            # /healthz 1.3-1.5 -> 0.2 ms, a warm dashboard 4.7-6.2 -> 3.5 ms in-process). A
            # file needs no health check.
            "CONN_MAX_AGE": 60,
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {"connect_timeout": 5},
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {parts.scheme or '(none)'!r} is not supported: use "
        "sqlite:////absolute/path.db or postgres://user:password@host:5432/name."
    )


DATABASES = {"default": database_from_url(DATABASE_URL)}


# What a release is made of, for its digest: the code of every Python package in the project (each
# app, the kernel, and more rather than less), the templates, and the static files.
RELEASE_SUFFIXES = {".py", ".html", ".txt", ".css", ".js", ".svg", ".ico", ".png", ".woff2"}
RELEASE_SKIPPED = {".venv", ".git", "node_modules", "staticfiles", "__pycache__", "out"}


def release_sources(base: Path | None = None) -> list[Path]:
    """Every file a release's markup can depend on, found rather than listed: each top-level
    package (a folder with __init__.py), the templates and the static folder."""
    base = base or BASE_DIR
    roots = [p.parent for p in base.glob("*/__init__.py")] + [base / "templates", base / "static"]
    found = []
    for root in roots:
        for path in root.rglob("*"):
            parts = set(path.relative_to(base).parts)
            if path.is_file() and path.suffix in RELEASE_SUFFIXES and not parts & RELEASE_SKIPPED:
                found.append(path)
    return sorted(found)


def release_digest() -> str:
    """A digest of the code, templates and static files, to prefix every cache key.

    Cached fragments are keyed by digests of the data they show, not of the markup around it:
    servers running different releases against one shared Redis (a rolling deploy, or the hour
    after one) must never serve each other's markup, so each release keeps keys of its own.
    """
    digest = hashlib.blake2b(digest_size=6)
    for path in release_sources(BASE_DIR):
        digest.update(str(path.relative_to(BASE_DIR)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def caches_from_url(url: str, timeout_ms: int = 100, retry_seconds: float = 10) -> dict:
    """Translate CACHE_URL ('' or redis://[:password@]host:6379/0, rediss:// for TLS) to Django.

    Rendered dashboard fragments are cached under digests of everything they show (see
    progress/dashboard.py), so a change anywhere simply misses the cache: no invalidation, and no
    stale fragment can be served, whichever worker or server handled the write. Empty, each worker
    keeps its own bounded memory cache (~3 KB per entry, ~90 KB per whole list); with Redis every
    server shares one, bounded by Redis's own maxmemory. Whole pages (visitors' pages per
    catalogue version, returning readers' dashboards: catalogue/pagecache.py) have a cache of
    their own, so however many addresses are asked for, a worker holds at most 300 (~20-60 KB each).
    """
    if not url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "TIMEOUT": 3600,
                "OPTIONS": {"MAX_ENTRIES": 5000},
            },
            "dashboard-regions": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "dashboard-regions",
                "TIMEOUT": 3600,
                "OPTIONS": {"MAX_ENTRIES": 200},
            },
            "pages": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "pages",
                "TIMEOUT": 3600,
                "OPTIONS": {"MAX_ENTRIES": 300},
            },
        }
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured(
            f"CACHE_URL scheme {parts.scheme or '(none)'!r} is not supported: use "
            "redis://host:6379/0 (rediss:// for TLS), or leave CACHE_URL empty for a memory cache."
        )
    # A cache that stops answering costs a request at most timeout_ms, then is skipped for
    # retry_seconds (mireads/cache.py): an outage costs speed, never pages.
    redis = {
        "BACKEND": "mireads.cache.ResilientRedisCache",
        "LOCATION": url,
        "TIMEOUT": 3600,
        "OPTIONS": {
            "socket_connect_timeout": timeout_ms / 1000,
            "socket_timeout": timeout_ms / 1000,
            "retry_seconds": retry_seconds,
        },
    }
    release = release_digest()
    return {
        "default": {**redis, "KEY_PREFIX": f"mireads.{release}"},
        "dashboard-regions": {**redis, "KEY_PREFIX": f"mireads.{release}.regions"},
        "pages": {**redis, "KEY_PREFIX": f"mireads.{release}.pages"},
    }


def check_cache_reachable(url: str) -> None:
    """Refuse to start when CACHE_URL names a Redis that does not answer, saying which one."""
    if not url:
        return
    import redis

    # Where, never the whole URL: it may hold Redis's password.
    where = urlsplit(url).netloc.rpartition("@")[2] or "localhost:6379"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except (redis.RedisError, ValueError) as error:
        raise ImproperlyConfigured(
            f"CACHE_URL names Redis at {where}, which does not answer "
            f"({str(error).rstrip('.')}): start Redis there, correct CACHE_URL, or leave it "
            "empty for a memory cache per server."
        ) from None


CACHES = caches_from_url(CACHE_URL, CACHE_TIMEOUT_MS, CACHE_RETRY_SECONDS)
# The deploy's manage.py commands (check, migrate) refuse a Redis that does not answer. A gunicorn
# worker does not: workers boot again whenever one is replaced (a timeout, a crash), and gunicorn
# halts the whole server when a worker fails to boot, so refusing there would turn a cache outage
# into a site outage. A running server renders without the cache until it answers (mireads/cache).
if "gunicorn.arbiter" not in sys.modules:
    check_cache_reachable(CACHE_URL)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "catalogue",
    "progress",
    "plans",
    "groups",
    "accounts",
]

MIDDLEWARE = [
    "mireads.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the session middleware, inside whitenoise: see its docstring.
    "mireads.middleware.SignedInNoStoreMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, whose process_view reads the body to find the token.
    "mireads.middleware.RequestBodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: it asks whether the reader is signed in.
    "mireads.middleware.SignedOutScriptMiddleware",
    "mireads.middleware.DatabaseOutageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that a lockout answers before the login view runs.
    "accounts.middleware.SignInLimitMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Every request body is bounded: a note (100,000 characters, percent-encoded) fits with room to
# spare; anything larger is refused with 413 before it is read (RequestBodyLimitMiddleware). Import
# has its own, larger limit. Django's own checks back this up for the form fields.
REQUEST_BODY_MAX_BYTES = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 1

ROOT_URLCONF = "mireads.urls"
WSGI_APPLICATION = "mireads.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["django.templatetags.static", "django_htmx.templatetags.django_htmx"],
        },
    }
]

AUTHENTICATION_BACKENDS = [
    # First: an address past its limit is refused before any lockout or password check.
    "accounts.backends.AddressLimitBackend",
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
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Login throttling: five failures for one username from one address lock that pair.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Across usernames, per client address: (attempts, seconds). Past either, the address gets 429 with
# Retry-After until the window ends (accounts/limits.py). Generous for a shared office address.
SIGN_IN_FAILURES_PER_ADDRESS = (30, 15 * 60)
SIGN_UPS_PER_ADDRESS = (10, 60 * 60)
# Password resets: past the per-address limit, 429; past the per-account one (counted per email
# address typed, known or not), the same answer as ever and no mail, so a mailbox cannot be flooded.
PASSWORD_RESETS_PER_ADDRESS = (10, 60 * 60)
PASSWORD_RESETS_PER_ACCOUNT = (3, 60 * 60)
# Reset mail is sent by a fixed pool of threads from a bounded queue; when the queue is full (a
# silent mail server, a flood), a request is answered as ever and its mail dropped and logged.
MAIL_WORKERS = 2
MAIL_QUEUE_SIZE = 100
# The proxy in front sets REMOTE_ADDR's view of the world; a client-sent X-Forwarded-For is never
# trusted, so forging it cannot reset or dodge the count.
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0

# Password-reset mail goes out over SMTP in production, and to the console when no host is set.
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": smtp_host,
                "port": smtp_port,
                "username": smtp_host_user,
                "password": smtp_host_password,
                "use_tls": smtp_use_tls,
                "timeout": 10,
            },
        }
        if smtp_host
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    )
}

# Security headers. Cookies and HTTPS rules only apply when the site is reached over TLS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Sessions stay in the database (why not cached_db: docs/performance.md), read in plain SQL.
SESSION_ENGINE = "mireads.sessions"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# htmx reads the token from the page (hx-headers on <body>), never from the cookie.
CSRF_COOKIE_HTTPONLY = True
# __Host- cookies are pinned to this exact host and path, and browsers only accept them over HTTPS.
SESSION_COOKIE_NAME = "__Host-sessionid" if HTTPS else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if HTTPS else "csrftoken"
CSRF_FAILURE_VIEW = "mireads.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}

# Sessions stay in the database (the default engine), on purpose: cached_db with a memory cache
# per worker would keep a signed-out session alive in the other workers' caches (a cache hit never
# asks the database), and with Redis it measured no faster (docs/performance.md).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "mireads": {"level": LOG_LEVEL, "propagate": True},
        "axes": {"level": "WARNING", "propagate": True},
    },
}
