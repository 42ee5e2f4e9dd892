from django.urls import path, re_path

from treatywatch.api.v1 import api, not_found_view

urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<path>.*)$", not_found_view),  # unknown API addresses answer in the API's error shape
]
