from django.urls import include, path

urlpatterns = [
    path("", include("gongjian.core.urls")),
    path("", include("gongjian.orgs.urls")),
    path("api/v1/", include("gongjian.api_urls")),
]
