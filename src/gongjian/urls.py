from django.urls import include, path

urlpatterns = [
    path("", include("gongjian.core.urls")),
    path("", include("gongjian.orgs.urls")),
    path("", include("gongjian.members.urls")),
    path("", include("gongjian.members.import_urls")),
    path("", include("gongjian.members.stats_urls")),
    path("", include("gongjian.alliance.urls")),
    path("", include("gongjian.projects.urls")),
    path("", include("gongjian.wishes.urls")),
    path("", include("gongjian.enterprise.urls")),
    path("", include("gongjian.boards.urls")),
    path("api/v1/", include("gongjian.api_urls")),
]
