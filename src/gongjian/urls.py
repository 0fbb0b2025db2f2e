from django.urls import include, path

from gongjian.core.capabilities import page_url_modules

# Each capability's pages come from its AppConfig (core.capabilities); the API under /api/v1/.
urlpatterns = [
    *(path("", include(module)) for module in page_url_modules()),
    path("api/v1/", include("gongjian.api_urls")),
]
