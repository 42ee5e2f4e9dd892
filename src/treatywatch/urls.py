"""Root addresses. Each capability owns its own urls module; stable public paths are documented in docs/."""

from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

urlpatterns = [
    path("admin/", admin.site.urls),
    # Choosing a language changes nothing but the reader's own display, so the switcher needs no
    # CSRF token; without one in every page, public pages can be kept and served to any reader.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("api/v1/", include("treatywatch.api.urls")),
    path("letters/", include("treatywatch.campaigns.urls")),
    path("protection/", include("treatywatch.protection.urls")),
    path("alerts/", include("treatywatch.monitor.urls")),
    path("", include("treatywatch.web.urls")),
]
