"""Settings of the example asset-inventory project.

``INVENTORY_AUDIT=settings`` (the default) turns auditmw on the Django way: the app,
the middleware and the ``AUDITMW`` dict below. ``INVENTORY_AUDIT=off`` leaves auditmw
out entirely, for ``auditmw run -c auditmw.toml -- ...`` to instrument with no code
change. ``INVENTORY_DATA_DIR`` is where the databases and the trail go (default here).
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.setdefault("INVENTORY_DATA_DIR", str(BASE_DIR)))
AUDIT = os.environ.get("INVENTORY_AUDIT", "settings")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-only-never-use-in-production")
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "rest_framework",
    "rest_framework.authtoken",
    "graphene_django",
    "strawberry_django",
    "hijack",
    "assets",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "hijack.middleware.HijackUserMiddleware",
]

if AUDIT == "settings":
    INSTALLED_APPS += ["auditmw_django"]
    MIDDLEWARE += ["auditmw_django.AuditMiddleware"]   # after the auth middleware
    # The same keys as auditmw.toml (which `auditmw run` reads instead).
    AUDITMW = {
        "service": "django-inventory",
        "capture": {
            "graphql_paths": ["/graphql", "/graphql/strawberry", "/graphql/async"],
            "routes": [
                {"method": "POST", "url_name": "assetgroup-list", "event": "createAssetGroup"},
                {"method": "PATCH", "url_name": "assetgroup-detail",
                 "event": "updateAssetGroup", "target": "pk"},
                {"method": "DELETE", "url_name": "assetgroup-detail",
                 "event": "deleteAssetGroup", "target": "pk"},
                {"method": "POST", "path": "/api/assets/{id}/resync", "event": "assetsResync",
                 "target": "id"},
                {"method": "POST", "url_name": "scope-delete", "event": "deleteScope",
                 "target": "pk"},
            ],
        },
        "sinks": [{"type": "file", "path": "${INVENTORY_DATA_DIR:-.}/audit.jsonl"}],
        "store": {"url": "sqlite:///${INVENTORY_DATA_DIR:-.}/audit.db"},
        "server": {"host_auth": True},   # pages in urls.py; staff may read them
    }

ROOT_URLCONF = "inventory_site.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [BASE_DIR / "assets" / "templates"],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
WSGI_APPLICATION = "inventory_site.wsgi.application"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": DATA_DIR / "inventory.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
GRAPHENE = {"SCHEMA": "assets.schema_graphene.schema"}
