"""Root addresses. Each capability owns its own urls module; stable public paths are documented in docs/."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("treatywatch.api.urls")),
    path("letters/", include("treatywatch.campaigns.urls")),
    path("protection/", include("treatywatch.protection.urls")),
    path("alerts/", include("treatywatch.monitor.urls")),
    path("", include("treatywatch.web.urls")),
]
