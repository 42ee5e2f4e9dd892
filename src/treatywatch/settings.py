"""Django settings. SQLite under var/ by default; PostgreSQL when DATABASE_URL is set."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("TREATYWATCH_HOME", PACKAGE_DIR.parents[1])).resolve()
VAR_DIR = Path(os.environ.get("TREATYWATCH_VAR", BASE_DIR / "var"))
ARCHIVE_DIR = Path(os.environ.get("TREATYWATCH_ARCHIVE", VAR_DIR / "archive"))
BUNDLE_DIR = Path(os.environ.get("TREATYWATCH_BUNDLE", BASE_DIR / "data" / "bundle"))

DEBUG = os.environ.get("TREATYWATCH_DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("TREATYWATCH_SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
ALLOWED_HOSTS = [
    h for h in os.environ.get("TREATYWATCH_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("TREATYWATCH_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = os.environ.get("TREATYWATCH_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "ninja",  # serves the API docs (Swagger UI) from its own static files, no CDN
    "treatywatch.store",
    "treatywatch.monitor",
    "treatywatch.campaigns",
    "treatywatch.protection",
    "treatywatch.api",
    "treatywatch.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "treatywatch.urls"
WSGI_APPLICATION = "treatywatch.wsgi.application"

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
    }
]

_default_sqlite = VAR_DIR / "treatywatch.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{_default_sqlite}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL + a busy timeout let the site read while a sync writes, and concurrent sign-ups queue.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
LOGIN_URL = "/admin/login/"

EMAIL_BACKEND = os.environ.get("TREATYWATCH_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("TREATYWATCH_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("TREATYWATCH_EMAIL_PORT", "25"))
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("TREATYWATCH_FROM_EMAIL", "TreatyWatch <alerts@treatywatch.invalid>")

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "treatywatch"},
    # counters every server process must agree on (the sign-up rate limit): on disk, shared by the
    # processes of one host
    "shared": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": VAR_DIR / "cache",
    },
    # whole public pages per data version (web/pagecache.py): at most ~60 MB per process
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "treatywatch-pages",
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 250},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TREATYWATCH_LOG_LEVEL", "WARNING")},
}
