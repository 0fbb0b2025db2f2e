"""The REST API, mounted at /api/v1/: each capability's routes come from its AppConfig."""

from django.urls import include, path

from gongjian.core.capabilities import api_url_modules

urlpatterns = [path("", include(module)) for module in api_url_modules()]
